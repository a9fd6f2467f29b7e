"""The simulation: a month loop over vectorised subscriber state, writing one extract file per
interface x province x period (jingfen/interfaces.py, jingfen/extracts.py) and the ground truth
(truth/) apart from it.

This module only orchestrates: the domains (simulator/domains/, registered in DOMAINS) simulate
and write, phase by phase, in DOMAINS order; the shared state is in simulator/state.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.config import SimConfig
from simulator.context import BURN_IN, DailyWindow, Day, Month, Sim
from simulator.domains import DOMAINS
from simulator.incidents import plan_incidents
from simulator.reference import load_reference
from simulator.state import Packages, State, Static
from simulator.timeline import Timeline
from simulator.truth import write_truth
from simulator.world import build_world
from simulator.writer import ExtractWriter


def start(cfg: SimConfig, out: Path) -> Sim:
    """The world, the planted incidents and the initial state of a run (draws in this order)."""
    ref = load_reference()
    tl = Timeline(cfg.start, cfg.months, BURN_IN, cfg.days)
    rng = np.random.default_rng(cfg.seed)
    world = build_world(ref, cfg, tl, rng)
    inc = plan_incidents(world, ref, cfg, tl, rng)
    return Sim(
        cfg=cfg,
        ref=ref,
        tl=tl,
        world=world,
        inc=inc,
        rng=rng,
        writer=ExtractWriter(out, cfg.encoding, cfg.gzip),
        packages=Packages.from_reference(ref),
        static=Static.from_world(world, tl),
        state=State.initial(world, inc, tl, cfg.months, rng),
    )


def run_month(sim: Sim, m: int) -> Month:
    """Every domain simulates the month, then closes it, then (written months) writes it."""
    month = Month.begin(sim, m)
    for domain in DOMAINS:
        domain.simulate_month(sim, month)
    for domain in DOMAINS:
        domain.close_month(sim, month)
    if month.write:
        for domain in DOMAINS:
            domain.write_month(sim, month)
    return month


def run_daily(sim: Sim) -> DailyWindow:
    """The daily files after the last month: those spanning the window, then each increment day."""
    window = DailyWindow.after(sim)
    for domain in DOMAINS:
        domain.write_daily(sim, window)
    for day in window.increment_days:  # loop over days
        today = Day(day=day, period=sim.tl.dates(np.array([day]))[0].as_py(), window=window)
        for domain in DOMAINS:
            domain.increment_day(sim, today)
    return window


def simulate(
    cfg: SimConfig, out: Path, truth: Path, progress: Callable[[str], None] | None = None
) -> dict:
    """Generate the extracts into ``out`` and the ground truth into ``truth``; returns a summary
    (files written, rows per interface, seconds)."""
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    out, truth = Path(out), Path(truth)
    sim = start(cfg, out)
    w, writer = sim.world, sim.writer
    say(
        f"world: {w.n:,} subscribers over the run, {len(w.cu_prov):,} customers, "
        f"{len(w.ch_prov):,} channels, {len(w.cell_county):,} cells ({time.perf_counter() - t0:.1f}s)"
    )
    for m in range(-BURN_IN, cfg.months):  # loop over months
        run_month(sim, m)
        if m >= 0:
            say(
                f"month {sim.tl.yyyymm(m)}: {int(sim.state.alive.sum()):,} in service at month end, "
                f"{writer.files} files so far ({time.perf_counter() - t0:.1f}s)"
            )
    run_daily(sim)
    say(
        f"daily files: {cfg.usage_days} usage days + {cfg.days} increment days ({time.perf_counter() - t0:.1f}s)"
    )
    summary = {
        "out": str(out),
        "truth": str(truth),
        "files": writer.files,
        "rows": dict(sorted(writer.rows.items())),
        "bytes": writer.bytes,
    }
    write_truth(sim, truth, summary)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    say(f"done: {writer.files} files, {sum(writer.rows.values()):,} rows in {summary['seconds']}s")
    return summary
