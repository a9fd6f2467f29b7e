"""`dbt docs generate` works offline, and the docs never carry the PII salt."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.dbt_raw import SALT

from jingfen.dbt import run_dbt


@pytest.mark.slow
def test_docs_generate_static(use_built_home: Path) -> None:
    res = run_dbt(["docs", "generate", "--static"])
    assert res.success
    target = use_built_home / "dbt" / "target"
    html = (target / "static_index.html").read_text(encoding="utf-8")
    assert "stg_bss__subscribers" in html and "msisdn_hash" in html
    assert SALT not in html
    assert SALT not in (target / "manifest.json").read_text(encoding="utf-8")
    assert "stg_bss__customers" in (target / "catalog.json").read_text(encoding="utf-8")
