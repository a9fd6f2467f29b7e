"""Fixtures for the HQ upload tests: a small warehouse whose ``mart_indicator_values`` has the
contract's shape (docs/architecture.md, "Indicator values") for all 31 provinces and their cities,
generated from the real catalogue so that every package built from it passes HQ's checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.hq import DAY, MONTH, indicator_rows, write_warehouse

from indicators.catalogue import Catalogue, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def warehouse_rows(catalogue: Catalogue) -> list[dict]:
    return indicator_rows(catalogue, [MONTH, DAY])


@pytest.fixture
def hq_home(
    jingfen_home: Path, warehouse_rows: list[dict], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh JINGFEN_HOME with the published warehouse in place and default due rules."""
    from jingfen.config import settings

    monkeypatch.delenv("JINGFEN_INDICATOR_KEYS", raising=False)
    write_warehouse(settings().paths.published_db, warehouse_rows)
    return jingfen_home
