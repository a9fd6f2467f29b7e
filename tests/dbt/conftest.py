"""Fixtures for the dbt tests: a JINGFEN_HOME with a small hand-made raw layer, seeded and with
staging built once per session (reading tests share it; tests that change things make their own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from testkit.dbt_raw import write_raw_layer


def make_home(root: Path) -> Path:
    """A fresh JINGFEN_HOME under ``root`` with the fixture raw layer (env not changed)."""
    from jingfen.config import Paths

    home = root / "home"
    Paths(home).ensure()
    write_raw_layer(home / "warehouse" / "raw")
    return home


@pytest.fixture
def raw_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh JINGFEN_HOME with the fixture raw layer, nothing built yet."""
    home = make_home(tmp_path)
    monkeypatch.setenv("JINGFEN_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A JINGFEN_HOME with seeds loaded and staging built (dbt seed + build --select staging).
    Read-only for the tests that use it."""
    from jingfen.dbt import run_dbt

    home = make_home(tmp_path_factory.mktemp("built"))
    # JINGFEN_HOME points here only while building; tests opt in with use_built_home.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JINGFEN_HOME", str(home))
        run_dbt(["seed"])
        run_dbt(["build", "--select", "staging", "--indirect-selection", "cautious"])
    yield home


@pytest.fixture
def use_built_home(built_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JINGFEN_HOME", str(built_home))
    return built_home
