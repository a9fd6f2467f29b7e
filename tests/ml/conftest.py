"""Shared fixtures for the ml tests: synthetic frames with known churn probabilities."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.synthetic import churn_frame
from ml.trainer import TrainSpec


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return churn_frame(n_subscribers=6000, n_months=7, seed=1)


@pytest.fixture(scope="session")
def spec() -> TrainSpec:
    return TrainSpec(
        label="label_churn",
        id_cols=("subs_id",),
        exclude=("truth_p_churn",),
        segments=("prov_code", "pay_type"),
    )


@pytest.fixture(scope="session")
def trained(frame: pd.DataFrame, spec: TrainSpec):
    from ml.trainer import train

    return train(frame, spec)
