"""Complaints: tickets driven by dissatisfaction, the main cell's drop rate and arrears, plus
the planted outages (network complaints naming the cell) and billing error; the CMPL file,
monthly and on increment days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.columns import or_null, take_or_null
from simulator.context import Day, Domain, Month, Sim
from simulator.records import ComplaintParts, Complaints
from simulator.sampling import choice

# complaint leaves by cause (level-3 codes from seeds/complaint_categories.csv)
CMPL_GENERAL = {
    "010101": 5,
    "010102": 4,
    "010103": 3,
    "010201": 8,
    "010202": 3,
    "010301": 3,
    "010302": 2,
    "010303": 2,
    "020101": 5,
    "020102": 5,
    "020103": 2,
    "020201": 4,
    "020202": 4,
    "020301": 2,
    "030101": 3,
    "030102": 3,
    "030202": 2,
    "030301": 2,
    "040101": 4,
    "040102": 3,
    "040201": 3,
    "040202": 3,
    "050101": 2,
    "050102": 3,
    "050201": 3,
    "050202": 3,
    "060101": 1,
    "060102": 1,
    "060201": 1,
}
CMPL_FBB = {"010401": 6, "010402": 6, "030201": 2, "030202": 3, "020101": 2, "050202": 1}
CMPL_OUTAGE = {"010202": 5, "010301": 3, "010302": 4, "010101": 2, "010201": 3}
CMPL_BILLING_ERROR = {"020101": 6, "020201": 3}
ARREARS_COMPLAINT = "020302"
SOURCES = np.array(["01", "02", "03", "04", "05"])


class ComplaintsDomain(Domain):
    interfaces = ("CMPL",)

    def simulate_month(self, sim: Sim, month: Month) -> None:
        w, s, rng, inc, u = sim.world, sim.state, sim.rng, sim.inc, month.usage
        first, last = month.first, month.last
        n = w.n
        ok = month.in_month & ~w.s_fraud
        drop = s.cell_drop_prev[np.maximum(w.s_cell, 0)]
        lam = (
            0.011 * np.exp(0.75 * np.clip(s.d, 0, None))
            + 0.012 * np.clip(drop - 0.6, 0, 3) * (w.s_cell >= 0)
            + 0.04 * (s.status == 21)
        ) * u.in_frac
        gi = np.repeat(np.arange(n), np.where(ok, rng.poisson(lam), 0))
        gcat = _general_categories(sim, gi)
        gcat = np.where((s.status[gi] == 21) & (rng.random(len(gi)) < 0.4), ARREARS_COMPLAINT, gcat)
        gday = rng.integers(u.serve_from[gi], u.serve_to[gi] + 1)
        parts = ComplaintParts.start()
        parts.add(gi, gcat, gday, _network_cell(sim, gi, gcat))
        # outage complaints: subscribers of a cell that is down, on the days it is down
        for c, start, end in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):
            if end >= first and start <= last:
                lo, hi = max(start, first), min(end, last)
                on = np.flatnonzero((w.s_cell == c) & ok)
                on = on[rng.random(len(on)) < min(0.5, 0.16 * (hi - lo + 1) / 3)]
                parts.add(
                    on,
                    choice(rng, CMPL_OUTAGE, len(on)),
                    rng.integers(lo, hi + 1, len(on)),
                    np.full(len(on), c),
                )
        # billing error: the over-billed subscribers complain during the month
        if month.m == inc.bill_month:
            bi = np.flatnonzero((month.bill.overbill_fen > 0) & ok & (rng.random(n) < 0.15))
            parts.add(
                bi,
                choice(rng, CMPL_BILLING_ERROR, len(bi)),
                rng.integers(first, last + 1, len(bi)),
                np.full(len(bi), -1),
            )
        month.complaints = parts.combined()
        count = np.bincount(month.complaints.subs, minlength=n)
        s.cmpl = np.vstack([s.cmpl[1:], count[None, :].astype(np.int16)])

    def write_month(self, sim: Sim, month: Month) -> None:
        _write_complaints(sim, month.period, month.complaints)

    def increment_day(self, sim: Sim, day: Day) -> None:
        """The monthly rate spread over days, plus outage complaints."""
        w, s, rng = sim.world, sim.state, sim.rng
        alive, today = day.window.in_service, day.day
        lam = (0.011 * np.exp(0.75 * np.clip(s.d, 0, None)) + 0.04 * (s.status == 21)) / 30
        gi = np.repeat(np.arange(w.n), np.where(alive & ~w.s_fraud, rng.poisson(lam), 0))
        gcat = _general_categories(sim, gi)
        parts = ComplaintParts.start()
        parts.add(gi, gcat, np.full(len(gi), today), _network_cell(sim, gi, gcat))
        for c, start, end in zip(sim.inc.out_cell, sim.inc.out_start, sim.inc.out_end, strict=True):
            if start <= today <= end:
                on = np.flatnonzero((w.s_cell == c) & alive & ~w.s_fraud)
                on = on[rng.random(len(on)) < 0.06]
                parts.add(
                    on,
                    choice(rng, CMPL_OUTAGE, len(on)),
                    np.full(len(on), today),
                    np.full(len(on), c),
                )
        _write_complaints(sim, day.period, parts.combined())


def _general_categories(sim: Sim, subs: np.ndarray) -> np.ndarray:
    """The cause of each general complaint (broadband subscribers have their own)."""
    fbb = choice(sim.rng, CMPL_FBB, len(subs))
    general = choice(sim.rng, CMPL_GENERAL, len(subs))
    return np.where(sim.world.s_fbb[subs], fbb, general)


def _network_cell(sim: Sim, subs: np.ndarray, category: np.ndarray) -> np.ndarray:
    """Network complaints (01xxxx) name the subscriber's main cell."""
    return np.where(np.char.startswith(category, "01"), sim.world.s_cell[subs], -1)


def _write_complaints(sim: Sim, period: str, c: Complaints) -> None:
    w, tl, rng, st = sim.world, sim.tl, sim.rng, sim.static
    idx = c.subs
    n = len(idx)
    prov = w.s_prov[idx]
    sec = rng.integers(8 * 3600, 22 * 3600, n)
    key = c.day * 86400 + sec
    cat = c.category.astype(str)
    hours = rng.lognormal(np.log(20), 1.0, n)
    close_s = key + (hours * 3600).astype(np.int64)
    still_open = close_s > (tl.end_day * 86400 - 1)
    esc = rng.random(n) < np.where(np.char.startswith(cat, "02"), 0.08, 0.04)
    src = SOURCES[rng.choice(5, n, p=[0.55, 0.25, 0.1, 0.03, 0.07])]
    src = np.where(esc & (rng.random(n) < 0.5), "04", src)
    sat = np.clip(
        np.round(4.3 - 0.6 * sim.state.d[idx] - 0.8 * esc + rng.normal(0, 0.8, n)), 1, 5
    ).astype(int)
    sat_null = still_open | (rng.random(n) < 0.3)
    t = pa.array(idx)
    sim.emit(
        "CMPL",
        period,
        prov,
        {
            "ticket_id": sim.ids("T", prov, period, key),
            "accept_time": tl.timestamps(c.day, sec),
            "subs_id": st.subs_id.take(t),
            "msisdn": st.msisdn.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "county_code": st.subs_county.take(t),
            "source": pa.array(src),
            "category_code": pa.array(cat),
            "cell_id": take_or_null(w.cell_id, c.cell),
            "is_escalated": pa.array(esc.astype(np.int8)),
            "close_time": tl.timestamps(
                np.minimum(close_s // 86400, tl.end_day - 1), close_s % 86400, mask=still_open
            ),
            "satisfaction": or_null(pc.cast(pa.array(sat), pa.string()), sat_null),
        },
        sort_key=key,
    )
