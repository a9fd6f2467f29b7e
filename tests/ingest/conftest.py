"""Fixtures for the ingest tests: seeds, a load context in a fresh home, good files beside each
bad one (helpers in tests/testkit/ingest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.ingest import rows, write_extract, write_seeds

from jingfen.ingest import LoadContext


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return write_seeds(tmp_path / "seeds")


@pytest.fixture
def ctx(jingfen_home: Path, seeds: Path) -> LoadContext:
    return LoadContext.from_settings(seeds_dir=seeds)


GOOD = {"SUBS_44_202601_001.dat": ("SUBS", 30), "BILL_44_202601_001.dat": ("BILL", 25)}


@pytest.fixture
def good_files(ctx: LoadContext) -> dict[str, int]:
    """Two good files delivered beside each bad one: they must load fully whatever happens."""
    for name, (code, n) in GOOD.items():
        write_extract(ctx.landing, name, rows(code, n))
    return {name: n for name, (_, n) in GOOD.items()}
