"""Subscribers: latent dissatisfaction, the churn hazard, arrivals, terminals and packages,
contracts, suspensions; the SUBS snapshot and the service events (EVNT) of every domain.

Churn is a monthly hazard computed from what the extracts show about the month before (usage
decline, complaints, arrears and late payment, contract end, the main cell's drop rate, tenure,
competitor pressure of the city, prepaid). A latent dissatisfaction per subscriber drives those
observables, so usage falls and complaints rise before a subscriber leaves."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.columns import take_or_null
from simulator.context import Day, Domain, Month, Sim
from simulator.records import ChurnTruth, Events
from simulator.sampling import days_in, sigmoid
from simulator.timeline import SPRING_FESTIVAL

TARGET_CHURN = 0.021  # monthly churn the intercept is calibrated to on the first month


class SubscribersDomain(Domain):
    interfaces = ("SUBS", "EVNT")

    def simulate_month(self, sim: Sim, month: Month) -> None:
        _dissatisfaction(sim, month)
        month.churn = _churn(sim, month) if month.write else np.zeros(sim.world.n, bool)
        _arrivals(sim, month)
        if month.write:
            _products_and_contracts(sim, month)
            _suspensions(sim, month)

    def close_month(self, sim: Sim, month: Month) -> None:
        s = sim.state
        ci = np.flatnonzero(month.churn)
        s.status[ci] = np.where(s.churn_kind[ci] == 2, 91, 90)
        s.status_day[ci] = s.churn_day[ci]
        s.alive = month.stay | month.arrivals

    def write_month(self, sim: Sim, month: Month) -> None:
        _write_subs(sim, month)
        write_events(sim, month.period, month.events)

    def increment_day(self, sim: Sim, day: Day) -> None:
        """4G->5G migrations, resumes after arrears and prepaid suspensions of the day (opens
        and cancellations are monthly only, so daily rows refer to the last SUBS snapshot)."""
        w, s, rng, pk = sim.world, sim.state, sim.rng, sim.packages
        alive, today = day.window.in_service, day.day
        mob = alive & ~w.s_fbb & ~w.s_fraud
        is4g = pk.net_type[s.pkg] == "4G"
        t5 = w.term_5g[np.maximum(s.term, 0)] & (s.term >= 0)
        migr = np.flatnonzero(
            mob & is4g & t5 & (pk.mig5g[s.pkg] != s.pkg) & (rng.random(w.n) < 0.04 / 30)
        )
        day.events.add(
            migr,
            "02",
            today,
            rng.integers(8 * 3600, 22 * 3600, len(migr)),
            old_pkg=s.pkg[migr],
            new_pkg=pk.mig5g[s.pkg[migr]],
            channel=w.prov_echannel[w.s_prov[migr]],
        )
        s.pkg[migr] = pk.mig5g[s.pkg[migr]]
        res = np.flatnonzero(alive & (s.status == 21) & (rng.random(w.n) < 0.03))
        sim.set_status(day.events, res, 10, today, rng.integers(8 * 3600, 22 * 3600, len(res)))
        day.resumed = res
        sus = np.flatnonzero(alive & (s.status == 10) & w.s_prepaid & (rng.random(w.n) < 0.002))
        sim.set_status(day.events, sus, 21, today, rng.integers(0, 86400, len(sus)))
        write_events(sim, day.period, day.events)


# ---------------------------------------------------------------------- the month
def _dissatisfaction(sim: Sim, month: Month) -> None:
    """AR(1) with "leaving" drifts, last month's shocks and competitor pressure; arrivals start
    fresh (and their usage history is their base)."""
    w, s, rng = sim.world, sim.state, sim.rng
    start_alive, arr = month.start_alive, month.arrivals
    sa = np.flatnonzero(start_alive)
    new_drift = start_alive & (s.drift == 0) & (rng.random(w.n) < 0.014)
    s.drift[new_drift] = rng.integers(2, 5, new_drift.sum())
    drifting = start_alive & (s.drift > 0)
    s.d[sa] = (
        0.8 * s.d[sa]
        + rng.normal(0, 0.42, len(sa))
        + 0.6 * drifting[sa]
        + s.shock[sa]
        + 0.04 * sim.static.competitor[sa]
    )
    s.drift[drifting] -= 1
    s.shock[:] = 0
    s.d[arr] = rng.normal(-0.3, 0.6, arr.sum())
    s.hist_mou[:, arr] = w.s_base_mou[arr]
    s.hist_data[:, arr] = w.s_base_data[arr]


def _churn(sim: Sim, month: Month) -> np.ndarray:
    """Who leaves this month (cancel or port out), when and where; the truth of every
    subscriber in the month."""
    w, s, rng, tl = sim.world, sim.state, sim.rng, sim.tl
    m, start_alive = month.m, month.start_alive
    x, p_fraud = _hazard_logit(sim, m, month.first)
    if s.b0 is None:
        s.b0 = _calibrate(x[start_alive & ~w.s_fraud])
    p = sigmoid(x + s.b0)
    p = np.where(w.s_fraud, p_fraud, p)
    p = np.where(start_alive, p, 0.0)
    churn = start_alive & (rng.random(w.n) < p)
    ci = np.flatnonzero(churn)
    cday = days_in(rng, tl, np.full(len(ci), month.first), np.full(len(ci), month.last))
    port_p = np.clip(0.18 + 0.3 * sim.static.competitor[ci], 0.05, 0.5)
    kind = np.where(w.s_fbb[ci] | w.s_fraud[ci] | (rng.random(len(ci)) >= port_p), 1, 2)
    s.churn_month[ci], s.churn_day[ci], s.churn_kind[ci] = m, cday, kind
    channel = np.where(
        kind == 2,
        -1,
        np.where(rng.random(len(ci)) < 0.6, w.prov_hall[w.s_prov[ci]], w.s_channel[ci]),
    )
    month.events.add(
        ci,
        np.where(kind == 2, "06", "05"),
        cday,
        rng.integers(9 * 3600, 20 * 3600, len(ci)),
        old_pkg=s.pkg[ci],
        channel=channel,
    )
    idx = np.flatnonzero(start_alive | month.arrivals)
    sim.churn_truth.append(
        ChurnTruth(
            subs=idx,
            month=np.full(len(idx), m, np.int16),
            p_churn=p[idx].round(6),
            churned=churn[idx],
            churn_kind=np.where(churn[idx], s.churn_kind[idx], 0).astype(np.int8),
        )
    )
    return churn


def _hazard_logit(sim: Sim, m: int, first: int) -> tuple[np.ndarray, np.ndarray]:
    """The churn logit (without intercept) from last month's observables, and the fixed
    leaving probability of 养卡 cards by months since opening."""
    w, s = sim.world, sim.state
    prev_mou, prev_data = s.hist_mou[-1], s.hist_data[-1]
    base_mou = s.hist_mou[:-1].mean(axis=0) + 5
    base_data = s.hist_data[:-1].mean(axis=0) + 50
    ratio = np.where(
        w.s_fbb,
        (prev_data + 50) / base_data,
        0.5 * (prev_mou + 5) / base_mou + 0.5 * (prev_data + 50) / base_data,
    )
    decline = np.clip(1 - ratio, 0, 1)
    cmpl3 = np.minimum(s.cmpl.sum(axis=0), 3)
    arrears = s.status == 21
    left = s.contract_end - first
    has_c = s.contract_end >= 0
    contract = np.where(
        has_c & (left >= -90) & (left <= 31), 1.0, np.where(has_c & (left > 62), -0.9, 0.0)
    )
    drop = s.cell_drop_prev[np.maximum(w.s_cell, 0)]
    drop_term = np.where(w.s_cell >= 0, 0.35 * np.clip(drop - 0.6, -0.4, 4), 0.0)
    tenure = (first - w.s_open_day) / 30.44
    x = (
        2.2 * decline
        + 0.5 * cmpl3
        + 1.3 * arrears
        + 0.9 * (s.arrears_months >= 2)
        + 0.5 * s.late_prev
        + contract
        + drop_term
        + np.where(tenure < 6, 0.7, np.where(tenure < 12, 0.35, 0.0))
        + sim.static.competitor
        + 0.45 * w.s_prepaid
        - 0.35 * w.s_family
        - 0.3 * w.s_group
        - 0.2 * w.s_fbb
        + 0.25 * _after_spring_festival(sim, m)
    )
    fraud_t = m - w.s_arrival
    p_fraud = np.select([fraud_t <= 1, fraud_t == 2, fraud_t == 3], [0.03, 0.15, 0.6], 0.85)
    return x, p_fraud


def _after_spring_festival(sim: Sim, m: int) -> float:
    prev = sim.tl.month_date(m - 1)
    sf = SPRING_FESTIVAL.get(prev.year)
    return 1.0 if sf is not None and sf.month == prev.month else 0.0


def _calibrate(x: np.ndarray) -> float:
    """The intercept that gives TARGET_CHURN on average (bisection)."""
    lo, hi = -15.0, 5.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if sigmoid(x + mid).mean() > TARGET_CHURN:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def _arrivals(sim: Sim, month: Month) -> None:
    """Opens (01) and port-ins (07) of the month, counted for their channel's commission."""
    w, s = sim.world, sim.state
    ai = np.flatnonzero(month.arrivals)
    if len(ai):
        s.status[ai], s.status_day[ai] = 10, w.s_open_day[ai]
        month.events.add(
            ai,
            np.where(w.s_portin[ai], "07", "01"),
            w.s_open_day[ai],
            w.s_open_sec[ai],
            new_pkg=s.pkg[ai],
            channel=w.s_channel[ai],
        )
        np.add.at(s.acq_by_channel[max(month.m, 0)], w.s_channel[ai], 1)


def _products_and_contracts(sim: Sim, month: Month) -> None:
    """Terminal upgrades to 5G, 4G->5G package migration, package changes up and down, and a
    third of the contracts that ended last month renewed."""
    w, s, rng, tl, pk = sim.world, sim.state, sim.rng, sim.tl, sim.packages
    first, last, stay = month.first, month.last, month.stay
    mob = stay & ~w.s_fbb & ~w.s_fraud
    t5 = w.term_5g[np.maximum(s.term, 0)] & (s.term >= 0)
    upg = np.flatnonzero(mob & ~t5 & (rng.random(w.n) < 0.025))
    t5ids = np.flatnonzero(w.term_5g)
    s.term[upg] = t5ids[rng.integers(0, len(t5ids), len(upg))]
    s.term_day[upg] = rng.integers(first, last + 1, len(upg))
    t5 = w.term_5g[np.maximum(s.term, 0)] & (s.term >= 0)
    is4g = pk.net_type[s.pkg] == "4G"
    migr = mob & is4g & t5 & (pk.mig5g[s.pkg] != s.pkg) & (rng.random(w.n) < 0.04)
    r = rng.random(w.n)
    other = stay & ~w.s_fraud & ~migr & (r < 0.009)
    new_pkg = s.pkg.copy()
    new_pkg[migr] = pk.mig5g[s.pkg[migr]]
    up = other & (r < 0.0055)
    new_pkg[up] = pk.up[s.pkg[up]]
    dn = other & ~up
    new_pkg[dn] = pk.down[s.pkg[dn]]
    chg = np.flatnonzero(new_pkg != s.pkg)
    month.events.add(
        chg,
        "02",
        rng.integers(first, last + 1, len(chg)),
        rng.integers(8 * 3600, 22 * 3600, len(chg)),
        old_pkg=s.pkg[chg],
        new_pkg=new_pkg[chg],
        channel=np.where(
            rng.random(len(chg)) < 0.65,
            w.prov_echannel[w.s_prov[chg]],
            w.prov_hall[w.s_prov[chg]],
        ),
    )
    s.pkg = new_pkg
    ended = stay & (s.contract_end >= tl.month_first(month.m - 1)) & (s.contract_end < first)
    renew = ended & (rng.random(w.n) < 0.35)
    s.contract_end[renew] = (
        first
        + rng.integers(0, month.days, renew.sum())
        + np.where(rng.random(renew.sum()) < 0.5, 365, 730)
    )


def _suspensions(sim: Sim, month: Month) -> None:
    """Voluntary suspension (20) and resume, at a hall or in the app."""
    w, s, rng = sim.world, sim.state, sim.rng
    first, last, stay = month.first, month.last, month.stay
    res = np.flatnonzero(stay & (s.status == 20) & (rng.random(w.n) < 0.5))
    sim.set_status(
        month.events,
        res,
        10,
        rng.integers(first, last + 1, len(res)),
        rng.integers(8 * 3600, 20 * 3600, len(res)),
        channel=w.prov_echannel[w.s_prov[res]],
    )
    sus = np.flatnonzero(stay & (s.status == 10) & ~w.s_fbb & (rng.random(w.n) < 0.002))
    sim.set_status(
        month.events,
        sus,
        20,
        rng.integers(first, last + 1, len(sus)),
        rng.integers(8 * 3600, 20 * 3600, len(sus)),
        channel=w.prov_hall[w.s_prov[sus]],
    )


# ---------------------------------------------------------------------- files
def _write_subs(sim: Sim, month: Month) -> None:
    """SUBS: every subscriber in service at any time in the month, with its month-end state."""
    w, s, tl, st, pk = sim.world, sim.state, sim.tl, sim.static, sim.packages
    first, last = month.first, month.last
    si = np.flatnonzero(month.in_month)
    t = pa.array(si)
    term = s.term[si]
    no_term = term < 0
    cend = s.contract_end[si]
    sim.emit(
        "SUBS",
        month.period,
        w.s_prov[si],
        {
            "subs_id": st.subs_id.take(t),
            "msisdn": st.msisdn.take(t),
            "cust_id": st.subs_cust_id.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "county_code": st.subs_county.take(t),
            "package_code": pk.code.take(pa.array(s.pkg[si])),
            "pay_type": pa.array(np.where(w.s_prepaid[si], "1", "2")),
            "net_type": pa.array(pk.net_type[s.pkg[si]].astype(str)),
            "open_date": st.subs_open_date.take(t),
            "channel_id": st.subs_channel_id.take(t),
            "status": pc.cast(pa.array(s.status[si]), pa.string()),
            "status_date": tl.dates(np.minimum(s.status_day[si], last)),
            "terminal_brand": take_or_null(w.term_brand, term),
            "terminal_model": take_or_null(w.term_model, term),
            "is_5g_terminal": pa.array(
                np.where(no_term, None, w.term_5g[np.maximum(term, 0)].astype(np.int8)), pa.int8()
            ),
            "terminal_date": tl.dates(
                np.where(no_term, first, np.minimum(s.term_day[si], last)), mask=no_term
            ),
            "contract_end_date": tl.dates(np.where(cend < 0, first, cend), mask=cend < 0),
            "is_opt_out": pa.array(w.s_opt_out[si].astype(np.int8)),
        },
    )


def write_events(sim: Sim, period: str, events: Events) -> None:
    """EVNT: the events of a month or an increment day, ids in time order per province."""
    w, tl, st, pk = sim.world, sim.tl, sim.static, sim.packages
    ev = events.combined()
    idx = ev.subs.astype(np.int64)
    prov = w.s_prov[idx]
    key = ev.day.astype(np.int64) * 86400 + ev.sec
    t = pa.array(idx)
    sim.emit(
        "EVNT",
        period,
        prov,
        {
            "event_id": sim.ids("E", prov, period, key),
            "subs_id": st.subs_id.take(t),
            "msisdn": st.msisdn.take(t),
            "event_type": pa.array(ev.event_type.astype(str)),
            "event_time": tl.timestamps(ev.day, ev.sec),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "old_package_code": take_or_null(pk.code, ev.old_pkg),
            "new_package_code": take_or_null(pk.code, ev.new_pkg),
            "channel_id": take_or_null(w.ch_id, ev.channel),
        },
        sort_key=key,
    )
