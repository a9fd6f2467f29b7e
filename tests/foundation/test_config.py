"""The one typed configuration: environment over JINGFEN_HOME/jingfen.toml over defaults, read
once per environment, and no other module reading a JINGFEN_* variable itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jingfen.config import REPO_ROOT, settings


def test_toml_file_under_home_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "jingfen.toml").write_text(
        "reject_threshold = 0.05\nhq_due_working_day = 7\n", encoding="utf-8"
    )
    monkeypatch.setenv("JINGFEN_HOME", str(home))
    monkeypatch.delenv("JINGFEN_REJECT_THRESHOLD", raising=False)
    s = settings()
    assert s.reject_threshold == 0.05 and s.hq_due_working_day == 7
    assert s.paths.home == home.resolve()
    monkeypatch.setenv("JINGFEN_REJECT_THRESHOLD", "0.2")
    assert settings().reject_threshold == 0.2 and settings().hq_due_working_day == 7


def test_settings_are_read_once_per_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JINGFEN_HOME", str(tmp_path / "a"))
    first = settings()
    assert settings() is first, "the same environment reads the configuration again"
    monkeypatch.setenv("JINGFEN_HOME", str(tmp_path / "b"))
    assert settings() is not first and settings().paths.home == (tmp_path / "b").resolve()


def test_a_bad_value_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JINGFEN_HQ_DUE_WORKING_DAY", "0")
    with pytest.raises(ValueError, match="hq_due_working_day"):
        settings()


def test_no_module_reads_jingfen_variables_but_the_configuration() -> None:
    """Superset's own config runs in Superset's environment, without jingfen installed: it is
    the one exception, handed its values by the server start (dashboards/server.py)."""
    allowed = {REPO_ROOT / "jingfen" / "config.py", REPO_ROOT / "dashboards" / "superset_config.py"}
    # a read, not a write (the CLI exports JINGFEN_HOME for the flows it starts)
    read = re.compile(
        r"""(environ\.get|getenv)\(\s*f?["']JINGFEN_|environ\[f?["']JINGFEN_\w*["']\](?!\s*=)"""
    )
    problems = [
        f"{p.relative_to(REPO_ROOT)}:{n}: {line.strip()}"
        for pkg in ("jingfen", "simulator", "indicators", "ml", "dashboards", "flows", "cli")
        for p in sorted((REPO_ROOT / pkg).rglob("*.py"))
        if p not in allowed
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if read.search(line) or "in os.environ" in line and "JINGFEN_" in line
    ]
    assert not problems, "JINGFEN_* read outside jingfen/config.py:\n" + "\n".join(problems)
