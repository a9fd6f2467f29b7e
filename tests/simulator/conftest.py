"""A small simulation shared by the simulator tests (2k subscribers, 3 provinces, 13 months)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from jingfen.extracts import ExtractName
from jingfen.interfaces import INTERFACES
from simulator.config import SimConfig
from simulator.generate import simulate

SMALL = SimConfig(
    subscribers=2000, provinces=("11", "44", "51"), months=13, days=3, seed=7, start="2025-10"
)


class Run:
    def __init__(self, out: Path, truth: Path, summary: dict, seconds: float) -> None:
        self.out, self.truth, self.summary, self.seconds = out, truth, summary, seconds
        self._cache: dict[str, pd.DataFrame] = {}

    def frame(self, interface: str) -> pd.DataFrame:
        """All files of an interface, every column as text (empty = ""), with the file's period."""
        if interface not in self._cache:
            names = INTERFACES[interface].names
            parts = []
            for path in sorted(self.out.glob(f"{interface}_*.dat")):
                name = ExtractName.parse(path.name)
                text = path.read_text(encoding="utf-8")
                rows = [line.split("|") for line in text.split("\n")[:-1]]
                df = pd.DataFrame(rows, columns=names, dtype=str)
                df["_period"] = name.period
                parts.append(df)
            self._cache[interface] = pd.concat(parts, ignore_index=True)
        return self._cache[interface].copy()  # tests add numeric columns to their copy


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    home = tmp_path_factory.mktemp("sim")
    t0 = time.perf_counter()
    summary = simulate(SMALL, home / "landing", home / "truth")
    return Run(home / "landing", home / "truth", summary, time.perf_counter() - t0)
