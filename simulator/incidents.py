"""Planted incidents: base-station outages, a billing error, a province revenue dip and the
fraudulent dealers (chosen in world.py). Listed in truth/ with time, place and kind."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.config import SimConfig
from simulator.reference import Reference
from simulator.timeline import Timeline
from simulator.world import World


@dataclass
class Incidents:
    out_cell: np.ndarray  # cell index per outage
    out_start: np.ndarray  # first day down (day number)
    out_end: np.ndarray  # last day down (inclusive)
    out_avail: np.ndarray  # availability % while down
    bill_prov: int
    bill_pkg: int
    bill_month: int
    bill_factor: float  # package fee multiplied by this
    dip_prov: int
    dip_month: int
    dip_share: float  # share of the gross bill given away (revenue below trend)


def plan_incidents(
    world: World, ref: Reference, cfg: SimConfig, tl: Timeline, rng: np.random.Generator
) -> Incidents:
    M = cfg.months
    base = (world.s_arrival < 0) & (world.s_cell >= 0)
    load = np.bincount(world.s_cell[base], minlength=len(world.cell_county))
    busy = np.flatnonzero(load >= np.quantile(load, 0.75))
    # several outages in history, spread over months 1..M-1 (month 0 has no "before" to compare)
    n_hist = min(6, max(3, M // 2))
    months = rng.integers(min(1, M - 1), M, n_hist)
    starts = np.array(
        [tl.month_first(int(m)) + int(rng.integers(0, tl.month_days(int(m)) - 5)) for m in months]
    )
    durs = rng.integers(2, 6, n_hist)
    last_day = tl.month_first(M) - 1
    recent_s, recent_d = [], []
    if cfg.usage_days >= 6:
        recent_s.append(
            last_day - min(cfg.usage_days, 10) + 2
        )  # inside the last usage days of the final month
        recent_d.append(3)
    if cfg.days >= 2:
        recent_s.append(last_day)  # spans the month end into the increment days
        recent_d.append(min(3, cfg.days + 1))
    else:
        recent_s.append(last_day - 3)
        recent_d.append(2)
    starts = np.concatenate([starts, recent_s]).astype(int)
    durs = np.concatenate([durs, recent_d]).astype(int)
    cells = rng.choice(busy, len(starts), replace=len(busy) < len(starts))
    order = np.argsort(starts, kind="stable")
    starts, durs, cells = starts[order], durs[order], cells[order]

    # billing error: the most-held postpaid package of a large province, one month
    npv = len(world.geo.prov_codes)
    prov_subs = np.bincount(world.s_prov, minlength=npv)
    bill_prov = int(rng.choice(np.argsort(prov_subs)[-max(1, min(5, npv)) :]))
    ppay = ref.packages["pay_type"].to_numpy()
    sel = (world.s_prov == bill_prov) & (ppay[world.s_pkg0] == "2") & ~world.s_fbb
    bill_pkg = (
        int(np.bincount(world.s_pkg0[sel], minlength=len(ppay)).argmax())
        if sel.any()
        else int(world.s_pkg0[0])
    )
    bill_month = int(rng.integers(min(2, M - 1), max(M - 1, min(2, M - 1) + 1)))
    dip_choices = [p for p in range(npv) if p != bill_prov] or [bill_prov]
    dip_prov = int(rng.choice(dip_choices))
    dip_month = int(rng.integers(min(3, M - 1), M)) if M > 1 else 0
    if dip_month == bill_month and M > 2:
        dip_month = (bill_month + 2) % M if (bill_month + 2) % M >= 1 else 1
    return Incidents(
        out_cell=cells,
        out_start=starts,
        out_end=starts + durs - 1,
        out_avail=rng.uniform(12, 55, len(starts)).round(2),
        bill_prov=bill_prov,
        bill_pkg=bill_pkg,
        bill_month=bill_month,
        bill_factor=2.0,
        dip_prov=dip_prov,
        dip_month=dip_month,
        dip_share=float(rng.uniform(0.09, 0.14)),
    )
