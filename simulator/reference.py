"""The reference seeds (seeds/*.csv) as the simulator reads them at run time, so every code it
writes exists in the tables dbt loads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jingfen.config import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "seeds"


@dataclass(frozen=True)
class Reference:
    provinces: pd.DataFrame
    regions: pd.DataFrame
    packages: pd.DataFrame
    channel_types: pd.DataFrame
    complaint_categories: pd.DataFrame
    code_values: pd.DataFrame

    def codes(self, code_set: str) -> list[str]:
        cv = self.code_values
        return cv.loc[cv["code_set"] == code_set, "code"].tolist()


def _read(seeds: Path, name: str) -> pd.DataFrame:
    path = seeds / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"reference seed {path} is missing; the simulator reads its codes from seeds/"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_reference(seeds: Path = SEEDS_DIR) -> Reference:
    provinces = _read(seeds, "provinces")
    provinces["population_10k"] = provinces["population_10k"].astype(int)
    packages = _read(seeds, "packages")
    for col in ("monthly_fee_yuan", "data_gb", "voice_min"):
        packages[col] = packages[col].astype(float)
    packages["is_active"] = packages["is_active"].str.lower() == "true"
    return Reference(
        provinces=provinces,
        regions=_read(seeds, "regions"),
        packages=packages,
        channel_types=_read(seeds, "channel_types"),
        complaint_categories=_read(seeds, "complaint_categories"),
        code_values=_read(seeds, "code_values"),
    )
