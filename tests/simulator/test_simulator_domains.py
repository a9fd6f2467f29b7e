"""The simulator's shape: a seed's files are the same bytes run after run (through the CLI, into
two homes), another seed gives other files, and every interface is written by exactly the one
domain that declares it (simulator/domains/__init__.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import simulator.generate as generate
from cli.app import app
from jingfen.interfaces import INTERFACES
from simulator.config import SimConfig
from simulator.context import Domain
from simulator.domains import DOMAINS

ARGS = ["simulate", "--subscribers", "300", "--provinces", "44,11", "--months", "3"]
ARGS += ["--days", "2", "--start", "2025-11"]


def _simulate_into(home: Path, seed: int) -> dict[str, bytes]:
    """Every file of landing/ and truth/ of a run of the CLI into ``home``, by relative path."""
    res = CliRunner().invoke(app, [*ARGS, "--seed", str(seed)], env={"JINGFEN_HOME": str(home)})
    assert res.exit_code == 0, res.output
    files = {
        str(p.relative_to(home)): p.read_bytes()
        for folder in ("landing", "truth")
        for p in sorted((home / folder).rglob("*"))
        if p.is_file()
    }
    assert any(k.startswith("landing/") for k in files) and "truth/manifest.json" in files
    return files


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    root = tmp_path_factory.mktemp("seeds")
    return (
        _simulate_into(root / "a", seed=5),
        _simulate_into(root / "b", seed=5),
        _simulate_into(root / "c", seed=6),
    )


def test_same_seed_gives_byte_identical_files_in_two_homes(seed_runs):
    a, b, _ = seed_runs
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []


def test_another_seed_gives_other_files(seed_runs):
    a, _, c = seed_runs
    assert sorted(a) == sorted(c), "the same configuration delivers the same set of files"
    for name in ("truth/churn_probability.parquet", "truth/incidents.csv"):
        assert a[name] != c[name], name
    data = [n for n in a if n.endswith(".dat") and (a[n] or c[n])]
    same = [n for n in data if a[n] == c[n]]
    assert len(same) < 0.05 * len(data), f"{len(same)} of {len(data)} files alike: {same[:5]}"


def test_every_interface_is_written_by_the_one_domain_that_declares_it(tmp_path, monkeypatch):
    declared = [code for d in DOMAINS for code in d.interfaces]
    assert sorted(declared) == sorted(INTERFACES), (
        "every interface in jingfen/interfaces.py needs exactly one domain in "
        "simulator/domains/__init__.py (DOMAINS) that lists it in `interfaces`"
    )
    written: dict[str, set[str]] = {type(d).__name__: set() for d in DOMAINS}
    current: list[str] = []

    class Recording(Domain):
        """A domain whose hooks note it as the one writing while they run."""

        def __init__(self, inner: Domain) -> None:
            self.inner = inner

    def recording(hook: str):
        def run(self: Recording, *args):
            current.append(type(self.inner).__name__)
            try:
                return getattr(self.inner, hook)(*args)
            finally:
                current.pop()

        return run

    for hook in [n for n, v in vars(Domain).items() if callable(v) and not n.startswith("_")]:
        setattr(Recording, hook, recording(hook))

    real_write = generate.ExtractWriter.write

    def write(writer, interface, prov, period, table):
        written[current[-1]].add(interface)
        return real_write(writer, interface, prov, period, table)

    monkeypatch.setattr(generate, "DOMAINS", tuple(Recording(d) for d in DOMAINS))
    monkeypatch.setattr(generate.ExtractWriter, "write", write)
    cfg = SimConfig(subscribers=200, provinces=("31",), months=2, days=1, usage_days=2, seed=1)
    generate.simulate(cfg, tmp_path / "out", tmp_path / "truth")
    assert written == {type(d).__name__: set(d.interfaces) for d in DOMAINS}


def test_a_new_domains_stream_leaves_the_shared_stream_alone(tmp_path):
    cfg = SimConfig(subscribers=100, provinces=("31",), months=1, days=0, usage_days=0, seed=9)
    one, two = generate.start(cfg, tmp_path / "a"), generate.start(cfg, tmp_path / "b")
    shared_before = one.rng.bit_generator.state
    draws = one.stream("roaming").random(5)
    assert one.rng.bit_generator.state == shared_before
    assert np.array_equal(draws, two.stream("roaming").random(5)), "the same seed and name"
    assert not np.array_equal(one.stream("roaming").random(5), draws), "one stream per run"
    assert not np.array_equal(one.stream("iot").random(5), draws), "one stream per name"


def test_the_agent_sessions_leave_every_other_file_of_a_seed_as_it_was(tmp_path, monkeypatch):
    """AGNT was added after HOTL, WORK, APPL and CIRC: writing it (its own stream) changes none of
    their bytes, nor any other file but the manifest that counts it and its own truth."""
    import simulator.domains.service as service

    cfg = SimConfig(subscribers=300, provinces=("44", "11"), months=2, days=1, seed=3)
    generate.simulate(cfg, tmp_path / "with" / "out", tmp_path / "with" / "truth")
    monkeypatch.setattr(service, "_write_sessions", lambda *args: None)
    generate.simulate(cfg, tmp_path / "without" / "out", tmp_path / "without" / "truth")

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    with_, without = files(tmp_path / "with"), files(tmp_path / "without")
    added = {n for n in with_ if "AGNT_" in n}
    assert len(added) == 2 * 2 * 3, "AGNT: 2 provinces x (2 months + 1 day), .dat and .chk"
    assert sorted(set(with_) - added) == sorted(without)
    changed = sorted(n for n in without if with_[n] != without[n])
    assert changed == ["truth/agent_occupancy.csv", "truth/manifest.json"]
