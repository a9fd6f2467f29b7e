import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from jingfen.config import REPO_ROOT
from jingfen.interfaces import INTERFACES
from jingfen.interfaces_doc import BEGIN, END, render_tables

runner = CliRunner()


def _commands(typer_app, prefix=()):
    import typer.main

    group = typer.main.get_command(typer_app)
    stack = [(prefix, group)]
    while stack:
        path, cmd = stack.pop()
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            stack.append(((*path, name), sub))


@pytest.mark.parametrize("path", sorted(set(_commands(app))))
def test_every_command_has_help(path):
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output


def test_console_entry_point_runs():
    """The installed `jingfen` command (and `python -m cli`) mounts every command group."""
    for argv in ([str(Path(sys.executable).parent / "jingfen")], [sys.executable, "-m", "cli"]):
        res = subprocess.run([*argv, "--help"], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        for group in ("simulate", "ingest", "build", "ml", "indicators", "spark", "bench"):
            assert group in res.stdout, f"{group} missing from {argv} --help"


def test_interfaces_doc_is_in_step_with_the_spec():
    text = (REPO_ROOT / "docs" / "interfaces.md").read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == render_tables(), (
        "docs/interfaces.md is out of date: regenerate its tables with `jingfen interfaces doc`"
    )
    for code in INTERFACES:
        assert f"### {code} " in text


def test_every_ref_names_a_seed_file():
    for i in INTERFACES.values():
        for c in i.columns:
            if c.ref:
                seed, _col = c.ref.split(".")
                assert (REPO_ROOT / "seeds" / f"{seed}.csv").exists(), (
                    f"{i.code}.{c.name} -> {c.ref}"
                )
