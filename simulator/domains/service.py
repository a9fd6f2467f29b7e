"""Customer service: hotline calls (HOTL), the agents' log-in sessions (AGNT), work orders
(WORK), appeals to the regulator (APPL) and the key accounts' leased circuits (CIRC), monthly and
on increment days.

Its own random stream (``sim.stream("service")``): it reads the state the other domains leave
(dissatisfaction, arrears, outages) but draws nothing from the shared stream, so every older
interface of a seed keeps its bytes. The agent sessions, added later, draw from a stream of
their own (``sim.stream("agent_sessions")``) for the same reason: the service stream's draws,
and so HOTL, WORK, APPL and CIRC, are as they were. Planted truth: enquiry surges (a topic
rising in one city for a few days), outage calls, the call centre's behaviour by customer tier,
SLA breaches of the circuits, and the agents' true occupancy (truth/enquiry_surges.csv,
service_tiers.csv, sla_breaches.csv, agent_occupancy.csv)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simulator.columns import lpad, or_null
from simulator.context import Day, Domain, Month, Sim
from simulator.sampling import choice, days_in
from simulator.timeline import date_of

NAME = "service"
SESSIONS = "agent_sessions"  # the random stream of the agents' log-in sessions

# IVR topics (code_values ivr_node) of an ordinary call, by weight; broadband callers have theirs
NODES = {"11": 25, "12": 20, "13": 8, "14": 4, "21": 8, "31": 15, "32": 6, "41": 6}
NODES_FBB = {"11": 20, "12": 10, "22": 30, "31": 15, "41": 8}
SURGE_NODES = {"11": 3, "12": 3, "13": 2, "14": 1, "31": 2, "32": 1}
SURGE_CAUSE = {
    "11": "话费争议 (a tariff change on the bills)",
    "12": "套餐流量查询 (a package campaign)",
    "13": "积分活动 (a points promotion)",
    "14": "国际漫游 (a holiday season abroad)",
    "31": "业务办理 (a new offer to sign up for)",
    "32": "停复机 (a suspension run)",
}
SELF_SERVICE = {
    "11": 0.7,
    "12": 0.65,
    "13": 0.5,
    "14": 0.3,
    "21": 0.2,
    "22": 0.2,
    "31": 0.35,
    "32": 0.6,
    "41": 0.0,
}
# by vip level 0 regular, 1 silver, 2 gold, 3 diamond: priority routing shortens the queue
TIER_QUEUE_S = np.array([40.0, 25.0, 12.0, 5.0])  # mean wait for an agent (exponential)
TIER_PATIENCE_S = np.array([120.0, 140.0, 160.0, 180.0])  # mean time before hanging up
TIER_SELF_SERVICE = np.array([1.0, 0.9, 0.7, 0.5])  # VIPs ask for an agent more often
ANSWER_S = 15
# work orders: time limit (h) by order type (1 complaint 2 request 3 fault) and vip level
LIMIT_HOURS = {"1": [48, 36, 24, 12], "2": [72, 48, 48, 24], "3": [24, 24, 12, 8]}
DEPT_SLOWNESS = {"01": 0.9, "02": 1.0, "03": 1.1, "04": 1.0, "05": 0.8, "06": 1.5}
CMPL_BY_NODE = {"11": "020101", "12": "020201", "13": "040101", "14": "030101", "21": "010101"}
CMPL_BY_NODE.update({"22": "010401", "31": "040201", "32": "050101", "41": "050201"})
DEPT_BY_L1 = {"01": "02", "02": "03", "03": "01", "04": "04", "05": "01", "06": "01"}
# circuits of the key accounts
CIRCUIT_TYPES = {"01": 5, "02": 3, "03": 2}
BANDWIDTH = np.array([20, 50, 100, 200, 500, 1000])
SLA_AVAIL = np.array([99.5, 99.7, 99.9])
SLA_RESTORE = np.array([240, 240, 120])
# agents' shifts (班次), seconds of the day: 早班 08:00-16:00 and 晚班 14:00-22:00; a call answered
# from 15:00 falls in the late shift. An agent with calls in both works a double shift (one
# session from the early shift's start to the late shift's end).
SHIFT_START = np.array([8 * 3600, 14 * 3600])
SHIFT_END = np.array([16 * 3600, 22 * 3600])
LATE_SHIFT_FROM = 15 * 3600
# not ready (示忙) in a session: a 10-minute break per 2 hours logged in, a 30-minute meal break
# in a session of 6 hours or more
BREAK_EVERY_S, BREAK_S, MEAL_FROM_S, MEAL_S = 7200, 600, 6 * 3600, 1800


@dataclass
class Plan:
    """What the domain decides once per run and keeps between months."""

    surges: pd.DataFrame  # city, node, start, end, calls
    agents: list[np.ndarray]  # per province: agent ids
    circ_group: np.ndarray  # customer index of the key account
    circ_id: pa.Array
    circ_type: np.ndarray
    circ_bw: np.ndarray
    circ_city: np.ndarray
    circ_prov: np.ndarray
    circ_sla_avail: np.ndarray
    circ_sla_restore: np.ndarray
    breaches: set[tuple[int, int]]  # planted (circuit, month index)
    appeals: list[pd.DataFrame] = field(default_factory=list)  # pending, by accept day
    circ_months: list[pd.DataFrame] = field(default_factory=list)  # for the SLA truth
    calls: list[np.ndarray] = field(default_factory=list)  # vip level of offered calls
    occupancy: list[pd.DataFrame] = field(default_factory=list)  # sessions, for the truth


class ServiceDomain(Domain):
    interfaces = ("HOTL", "AGNT", "WORK", "APPL", "CIRC")

    def write_month(self, sim: Sim, month: Month) -> None:
        plan, rng = _plan(sim), sim.stream(NAME)
        w, s, u = sim.world, sim.state, month.usage
        ok = month.in_month & ~w.s_fraud
        lam = (0.22 * np.exp(0.5 * np.clip(s.d, 0, None)) + 0.3 * (s.status == 21)) * u.in_frac
        subs = np.repeat(np.arange(w.n), np.where(ok, rng.poisson(lam), 0))
        day = days_in(rng, sim.tl, u.serve_from[subs], u.serve_to[subs], "voice")
        node = _nodes(sim, rng, subs)
        extra = _extra_calls(sim, rng, ok, month.first, month.last)
        subs, day, node = (
            np.concatenate([a, b]) for a, b in zip((subs, day, node), extra, strict=True)
        )
        _write(sim, plan, rng, month.period, subs, day, node)
        _write_appeals(sim, plan, month.period, month.first, month.last)
        _write_circuits(sim, plan, rng, month.period, month.m, month.first, month.last)

    def increment_day(self, sim: Sim, day: Day) -> None:
        plan, rng = _plan(sim), sim.stream(NAME)
        w, s, today = sim.world, sim.state, day.day
        ok = day.window.in_service & ~w.s_fraud
        lam = (0.22 * np.exp(0.5 * np.clip(s.d, 0, None)) + 0.3 * (s.status == 21)) / 30
        subs = np.repeat(np.arange(w.n), np.where(ok, rng.poisson(lam), 0))
        node = _nodes(sim, rng, subs)
        extra = _extra_calls(sim, rng, ok, today, today)
        subs = np.concatenate([subs, extra[0]])
        node = np.concatenate([node, extra[2]])
        _write(sim, plan, rng, day.period, subs, np.full(len(subs), today), node)
        _write_appeals(sim, plan, day.period, today, today)
        m = int(sim.tl.month_of_day(np.array([today]))[0])
        _write_circuits(sim, plan, rng, day.period, m, today, today)

    def truth(self, sim: Sim) -> dict[str, pd.DataFrame]:
        plan = _plan(sim)
        geo = sim.world.geo
        surges = plan.surges
        span_last = sim.tl.end_day - 1
        written = surges[
            (surges["start"] >= sim.tl.month_first(0)) & (surges["start"] <= span_last)
        ]
        rows = [
            {
                "kind": "enquiry_surge",
                "prov_code": geo.prov_codes[geo.city_prov[r.city]],
                "city_code": geo.city_code[r.city],
                "ivr_node": r.node,
                "cell_id": "",
                "start_date": date_of(int(r.start)).isoformat(),
                "end_date": date_of(int(min(r.end, span_last))).isoformat(),
                "description": f"咨询激增: {SURGE_CAUSE[r.node]}, {r.end - r.start + 1} 天",
            }
            for r in written.itertuples()
        ]
        w, inc = sim.world, sim.inc
        for c, start, end in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):
            if end >= sim.tl.month_first(0) and start <= span_last:
                rows.append(
                    {
                        "kind": "cell_outage",
                        "prov_code": geo.prov_codes[w.cell_prov[c]],
                        "city_code": geo.city_code[geo.county_city[w.cell_county[c]]],
                        "ivr_node": "21",
                        "cell_id": w.cell_id[int(c)].as_py(),
                        "start_date": date_of(int(start)).isoformat(),
                        "end_date": date_of(int(min(end, span_last))).isoformat(),
                        "description": "基站故障: 网络故障申告 (fault calls from the cell's subscribers)",
                    }
                )
        tiers = pd.DataFrame(
            {
                "vip_level": [str(v) for v in range(4)],
                "mean_queue_seconds": TIER_QUEUE_S,
                "mean_patience_seconds": TIER_PATIENCE_S,
                "self_service_factor": TIER_SELF_SERVICE,
                "expected_answered_pct": 100 * _p_answer(np.inf),
                "expected_answer_15s_pct": 100 * _p_answer(ANSWER_S),
            }
        ).round(3)
        months = pd.concat(plan.circ_months) if plan.circ_months else pd.DataFrame()
        breaches = pd.DataFrame()
        if len(months):
            g = months.groupby(["circuit", "month"], as_index=False).agg(
                days=("days", "sum"),
                outage=("outage", "sum"),
                max_restore=("max_restore", "max"),
            )
            g["availability_pct"] = 100 * (1 - g["outage"] / (g["days"] * 1440))
            sla_a = plan.circ_sla_avail[g["circuit"]]
            sla_r = plan.circ_sla_restore[g["circuit"]]
            g["availability_breach"] = g["availability_pct"] < sla_a
            g["restore_breach"] = g["max_restore"] > sla_r
            g = g[g["availability_breach"] | g["restore_breach"]]
            breaches = pd.DataFrame(
                {
                    "circuit_id": plan.circ_id.take(pa.array(g["circuit"].to_numpy())).to_pylist(),
                    "group_cust_id": w.cu_id.take(
                        pa.array(plan.circ_group[g["circuit"].to_numpy()])
                    ).to_pylist(),
                    "month": [sim.tl.month_date(int(m)).isoformat() for m in g["month"]],
                    "availability_pct": g["availability_pct"].round(4).to_numpy(),
                    "max_restore_minutes": g["max_restore"].to_numpy(),
                    "availability_breach": g["availability_breach"].to_numpy(),
                    "restore_breach": g["restore_breach"].to_numpy(),
                    "planted": [
                        (int(c), int(m)) in plan.breaches
                        for c, m in zip(g["circuit"], g["month"], strict=True)
                    ],
                }
            ).sort_values(["month", "circuit_id"])
        return {
            "enquiry_surges": pd.DataFrame(rows),
            "service_tiers": tiers,
            "sla_breaches": breaches,
            "agent_occupancy": _occupancy_truth(sim, plan),
        }


def _int_or_null(values: np.ndarray, null: np.ndarray) -> pa.Array:
    return or_null(pc.cast(pa.array(np.asarray(values, np.int64)), pa.string()), null)


def _p_answer(within: float) -> np.ndarray:
    """P(answered within ``within`` s) with exponential wait and patience, per tier."""
    q, p = 1 / TIER_QUEUE_S, 1 / TIER_PATIENCE_S
    return q / (q + p) * (1 - np.exp(-(q + p) * within))


def _plan(sim: Sim) -> Plan:
    if NAME in sim.domain_state:
        return sim.domain_state[NAME]  # type: ignore[return-value]
    rng, w, tl, geo = sim.stream(NAME), sim.world, sim.tl, sim.world.geo
    # enquiry surges in the bigger cities, after a month of history (so a baseline exists)
    city_of_sub = geo.county_city[w.s_county]
    city_subs = np.bincount(city_of_sub, minlength=len(geo.city_code))
    big = np.flatnonzero(city_subs >= max(40, np.sort(city_subs)[-min(12, len(city_subs))]))
    n_surge = int(np.clip(2 * len(geo.prov_codes), 4, 12))
    lo, hi = tl.month_first(1) + 3, tl.end_day - 1
    cities = rng.choice(big, n_surge, replace=len(big) < n_surge)
    starts = rng.integers(lo, max(hi - 2, lo + 1), n_surge)
    if sim.cfg.days >= 1:  # one surge in the daily window
        starts[-1] = tl.end_day - sim.cfg.days
    durs = rng.integers(2, 5, n_surge)
    surges = pd.DataFrame(
        {
            "city": cities,
            "node": choice(rng, SURGE_NODES, n_surge),
            "start": starts,
            "end": np.minimum(starts + durs - 1, tl.end_day - 1),  # within the data
            "calls": rng.integers(18, 31, n_surge),  # extra calls over the surge
        }
    )
    prov_subs = np.bincount(w.s_prov, minlength=len(geo.prov_codes))
    agents = [
        np.array([f"A{code}{k:04d}" for k in range(1, max(1, int(prov_subs[p] // 2000)) + 1)])
        for p, code in enumerate(geo.prov_codes)
    ]
    groups = np.flatnonzero((w.cu_type == 2) & (w.cu_nsubs > 0))
    per = np.minimum(1 + rng.poisson(1.0, len(groups)), 4)
    g = np.repeat(groups, per)
    n = len(g)
    circ_city = geo.county_city[w.cu_county[g]]
    planted = set()
    if n:
        k = min(n, 3 + n // 40)
        for c in rng.choice(n, k, replace=False):
            planted.add((int(c), int(rng.integers(0, sim.cfg.months))))
    sla = rng.integers(0, 3, n)
    plan = Plan(
        surges=surges,
        agents=agents,
        circ_group=g,
        circ_id=pc.binary_join_element_wise(
            pa.scalar("KC"),
            pa.array(geo.prov_codes).take(pa.array(w.cu_prov[g])),
            lpad(np.arange(n) + 1, 8),
            "",
        ),
        circ_type=choice(rng, CIRCUIT_TYPES, n),
        circ_bw=BANDWIDTH[rng.integers(0, len(BANDWIDTH), n)],
        circ_city=circ_city,
        circ_prov=w.cu_prov[g],
        circ_sla_avail=SLA_AVAIL[sla],
        circ_sla_restore=SLA_RESTORE[sla],
        breaches=planted,
    )
    sim.domain_state[NAME] = plan
    return plan


def _nodes(sim: Sim, rng: np.random.Generator, subs: np.ndarray) -> np.ndarray:
    fbb = choice(rng, NODES_FBB, len(subs))
    general = choice(rng, NODES, len(subs))
    node = np.where(sim.world.s_fbb[subs], fbb, general)
    upset = rng.random(len(subs)) < 0.3 * np.clip(sim.state.d[subs], 0, 1)
    return np.where(upset, "41", node)


def _extra_calls(
    sim: Sim, rng: np.random.Generator, ok: np.ndarray, first: int, last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Planted surges in a city and fault calls from the subscribers of a cell that is down."""
    w, geo, plan = sim.world, sim.world.geo, _plan(sim)
    city_of_sub = geo.county_city[w.s_county]
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for r in plan.surges.itertuples():
        if r.end >= first and r.start <= last:
            lo, hi = max(r.start, first), min(r.end, last)
            share = (hi - lo + 1) / (r.end - r.start + 1)
            pool = np.flatnonzero((city_of_sub == r.city) & ok & ~w.s_fbb)
            on = rng.choice(pool, rng.poisson(r.calls * share) if len(pool) else 0)
            out.append((on, rng.integers(lo, hi + 1, len(on)), np.full(len(on), r.node)))
    inc = sim.inc
    for c, start, end in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):
        if end >= first and start <= last:
            lo, hi = max(start, first), min(end, last)
            on = np.flatnonzero((w.s_cell == c) & ok)
            on = on[rng.random(len(on)) < min(0.6, 0.2 * (hi - lo + 1))]
            out.append((on, rng.integers(lo, hi + 1, len(on)), np.full(len(on), "21")))
    if not out:
        e = np.zeros(0, np.int64)
        return e, e, np.zeros(0, "<U2")
    return tuple(np.concatenate([o[i] for o in out]) for i in range(3))  # type: ignore[return-value]


def _write(
    sim: Sim,
    plan: Plan,
    rng: np.random.Generator,
    period: str,
    subs: np.ndarray,
    day: np.ndarray,
    node: np.ndarray,
) -> None:
    w, tl, st = sim.world, sim.tl, sim.static
    n = len(subs)
    subs, day, node = subs.astype(np.int64), day.astype(np.int64), node.astype("<U2")
    prov = w.s_prov[subs]
    vip = w.cu_vip[w.s_cust[subs]].astype(np.int64)
    sec = rng.integers(8 * 3600, 22 * 3600, n)
    key = day * 86400 + sec
    cat = np.where(np.isin(node, ["31", "32"]), "3", "1")
    cat = np.where((node == "41") | (np.isin(node, ["21", "22"]) & (rng.random(n) < 0.4)), "2", cat)
    p_self = (
        np.array([SELF_SERVICE[x] for x in node]) * TIER_SELF_SERVICE[vip] if n else np.zeros(0)
    )
    self_service = rng.random(n) < p_self
    to_agent = ~self_service
    wait = rng.exponential(TIER_QUEUE_S[vip])
    patience = rng.exponential(TIER_PATIENCE_S[vip])
    answered = to_agent & (patience >= wait)
    queue = np.round(np.where(answered, wait, patience)).astype(np.int64)
    talk = np.round(rng.lognormal(np.log(np.where(cat == "2", 330, 170)), 0.5)).astype(np.int64)
    acw = np.round(rng.lognormal(np.log(np.where(cat == "2", 60, 30)), 0.5)).astype(np.int64)
    agent = np.array(
        [
            plan.agents[p][i % len(plan.agents[p])]
            for p, i in zip(prov, rng.integers(0, 10**6, n), strict=True)
        ],
        dtype="<U12",
    )
    plan.calls.append(vip[to_agent])
    call_id = sim.ids("H", prov, period, key)
    t = pa.array(subs)
    sim.emit(
        "HOTL",
        period,
        prov,
        {
            "call_id": call_id,
            "arrive_time": tl.timestamps(day, sec),
            "subs_id": st.subs_id.take(t),
            "caller_no": st.msisdn.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "vip_level": pc.cast(pa.array(vip), pa.string()),
            "ivr_node": pa.array(node.astype(str)),
            "call_category": pa.array(cat.astype(str)),
            "is_self_service": pa.array(self_service.astype(np.int8)),
            "is_to_agent": pa.array(to_agent.astype(np.int8)),
            "queue_seconds": _int_or_null(queue, ~to_agent),
            "is_answered": pa.array(answered.astype(np.int8)),
            "agent_id": or_null(pa.array(agent.astype(str)), ~answered),
            "talk_seconds": _int_or_null(talk, ~answered),
            "acw_seconds": _int_or_null(acw, ~answered),
        },
        sort_key=key,
    )
    a = np.flatnonzero(answered)
    answer = key[a] + queue[a]  # talk starts when the agent answers; after-call work follows
    _write_sessions(sim, plan, period, prov[a], day[a], agent[a], answer, talk[a] + acw[a])
    # work orders from the answered calls: complaints, requests, fault reports
    r = rng.random(n)
    otype = np.where(
        answered & (cat == "2") & (r < 0.7),
        "1",
        np.where(
            answered & np.isin(node, ["21", "22"]) & (r < 0.5),
            "3",
            np.where(answered & (node == "31") & (r < 0.4), "2", ""),
        ),
    )
    wo = np.flatnonzero(otype != "")
    created = key[wo] + queue[wo] + talk[wo]
    _write_orders(
        sim,
        plan,
        rng,
        period,
        subs[wo],
        created,
        otype[wo],
        node[wo],
        vip[wo],
        call_id.take(pa.array(wo)),
    )


def _write_sessions(
    sim: Sim,
    plan: Plan,
    period: str,
    prov: np.ndarray,
    day: np.ndarray,
    agent: np.ndarray,
    answer: np.ndarray,
    handle: np.ndarray,
) -> None:
    """The agents' log-in sessions (AGNT) around the calls they answered (``answer``: seconds
    since the epoch day 0 the agent picked up; ``handle``: talk + after-call work, s).

    One session per agent and day with an answered call, over the shifts of its calls: logged
    in from a little before the first shift (or the first call, if earlier) to a little after
    the last shift (or the end of the last call's after-call work, if later), so every answered
    call lies inside the session of its agent dated the day it arrived, and an agent's sessions
    never overlap. Breaks (示忙) follow the rule above, never more than 90 % of the time the
    session had no call. Draws only from its own stream."""
    rng = sim.stream(SESSIONS)
    calls = pd.DataFrame(
        {
            "agent": agent.astype(str),
            "day": day,
            "shift": (answer - day * 86400 >= LATE_SHIFT_FROM).astype(np.int64),
            "prov": prov,
            "start": answer,
            "end": answer + handle,
            "handle": handle,
        }
    )
    s = calls.groupby(["agent", "day"], as_index=False, sort=True).agg(
        prov=("prov", "first"),
        first_shift=("shift", "min"),
        last_shift=("shift", "max"),
        start=("start", "min"),
        end=("end", "max"),
        handle=("handle", "sum"),
    )
    n = len(s)
    d = s["day"].to_numpy(np.int64)
    login = np.minimum(
        d * 86400 + SHIFT_START[s["first_shift"]] - rng.integers(0, 900, n),  # up to 15 min early
        s["start"].to_numpy(np.int64) - rng.integers(30, 300, n),
    )
    logout = np.maximum(
        d * 86400 + SHIFT_END[s["last_shift"]] + rng.integers(0, 900, n),  # up to 15 min late
        s["end"].to_numpy(np.int64) + rng.integers(10, 120, n),
    )
    logged_in = logout - login
    planned = (logged_in // BREAK_EVERY_S) * BREAK_S + (logged_in >= MEAL_FROM_S) * MEAL_S
    planned = np.round(planned * rng.uniform(0.7, 1.3, n)).astype(np.int64)
    idle = np.maximum(logged_in - s["handle"].to_numpy(np.int64), 0)
    breaks = np.minimum(planned, (0.9 * idle).astype(np.int64))
    p = s["prov"].to_numpy(np.int64)
    plan.occupancy.append(
        pd.DataFrame(
            {
                "prov": p,
                "day": d,
                "agent": s["agent"].to_numpy(),
                "logged_in": logged_in,
                "breaks": breaks,
                "handle": s["handle"].to_numpy(np.int64),
            }
        )
    )
    sim.emit(
        "AGNT",
        period,
        p,
        {
            "stat_date": sim.tl.dates(d),
            "session_id": sim.ids("A", p, period, login),
            "agent_id": pa.array(s["agent"].to_numpy(), pa.string()),
            "prov_code": sim.static.prov.take(pa.array(p)),
            "login_time": sim.tl.timestamps(login // 86400, login % 86400),
            "logout_time": sim.tl.timestamps(logout // 86400, logout % 86400),
            "break_seconds": pa.array(breaks),
        },
        sort_key=login,
    )


def _occupancy_truth(sim: Sim, plan: Plan) -> pd.DataFrame:
    """True agent occupancy per province and day: (talk + after-call work) / (logged-in time −
    breaks) of the day's sessions."""
    cols = ["stat_date", "prov_code", "agents", "sessions", "logged_in_seconds"]
    cols += ["break_seconds", "handle_seconds", "occupancy_pct"]
    if not plan.occupancy:
        return pd.DataFrame(columns=cols)
    s = pd.concat(plan.occupancy, ignore_index=True)
    g = s.groupby(["day", "prov"], as_index=False, sort=True).agg(
        agents=("agent", "nunique"),
        sessions=("agent", "size"),
        logged_in_seconds=("logged_in", "sum"),
        break_seconds=("breaks", "sum"),
        handle_seconds=("handle", "sum"),
    )
    ready = g["logged_in_seconds"] - g["break_seconds"]
    g["occupancy_pct"] = (100 * g["handle_seconds"] / ready).round(4)
    g["stat_date"] = [date_of(int(x)).isoformat() for x in g["day"]]
    g["prov_code"] = [sim.world.geo.prov_codes[int(x)] for x in g["prov"]]
    return g[cols]


def _write_orders(
    sim: Sim,
    plan: Plan,
    rng: np.random.Generator,
    period: str,
    subs: np.ndarray,
    created: np.ndarray,
    otype: np.ndarray,
    node: np.ndarray,
    vip: np.ndarray,
    call_id: pa.Array,
) -> None:
    w, tl, st = sim.world, sim.tl, sim.static
    n = len(subs)
    prov = w.s_prov[subs]
    cat = np.array([CMPL_BY_NODE[x] for x in node], dtype="<U6") if n else np.zeros(0, "<U6")
    dept = np.array([DEPT_BY_L1[c[:2]] for c in cat], dtype="<U2") if n else np.zeros(0, "<U2")
    dept = np.where(otype == "2", "04", dept)
    dept = np.where(otype == "3", np.where(node == "22", "06", "02"), dept)
    dept = np.where(w.s_group[subs] & (otype != "3"), "05", dept)
    limit = np.array([LIMIT_HOURS[t][v] for t, v in zip(otype, vip, strict=True)], np.int64)
    slow = np.array([DEPT_SLOWNESS[d] for d in dept]) if n else np.zeros(0)
    hours = limit * slow * rng.lognormal(np.log(0.5), 0.7, n)
    overdue = hours > limit
    end = tl.end_day * 86400 - 1
    dispatch = created + rng.integers(120, 1800, n)
    close = created + (hours * 3600).astype(np.int64)
    reply = created + (0.9 * hours * 3600).astype(np.int64)
    reopen = (rng.random(n) < 0.05 + 0.12 * overdue) * (1 + (rng.random(n) < 0.2))
    d = sim.state.d[subs]
    sat = np.clip(
        np.round(4.4 - 1.2 * overdue - 0.8 * (reopen > 0) - 0.5 * d + rng.normal(0, 0.7, n)), 1, 5
    )
    still_open = close > end
    no_callback = still_open | (rng.random(n) < 0.25)

    def ts(x: np.ndarray, mask: np.ndarray) -> pa.Array:
        x = np.minimum(x, end)
        return tl.timestamps(x // 86400, x % 86400, mask=mask)

    order_id = sim.ids("W", prov, period, created)
    t = pa.array(subs)
    sim.emit(
        "WORK",
        period,
        prov,
        {
            "order_id": order_id,
            "create_time": tl.timestamps(created // 86400, created % 86400),
            "subs_id": st.subs_id.take(t),
            "contact_no": st.msisdn.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "vip_level": pc.cast(pa.array(vip), pa.string()),
            "order_type": pa.array(otype.astype(str)),
            "category_code": or_null(pa.array(cat.astype(str)), otype != "1"),
            "source_call_id": call_id,
            "department": pa.array(dept.astype(str)),
            "limit_hours": pa.array(limit),
            "dispatch_time": ts(dispatch, dispatch > end),
            "reply_time": ts(reply, reply > end),
            "close_time": ts(close, still_open),
            "reopen_cnt": pa.array(np.where(still_open, 0, reopen).astype(np.int64)),
            "satisfaction": or_null(
                pc.cast(pa.array(sat.astype(np.int64)), pa.string()), no_callback
            ),
        },
        sort_key=created,
    )
    # appeals: a complaint handled late, reopened or leaving the customer unhappy goes further
    p = 0.01 + 0.05 * overdue + 0.05 * (reopen > 0) + 0.05 * (~no_callback & (sat <= 2))
    ap = np.flatnonzero((otype == "1") & (rng.random(n) < p))
    if len(ap):
        accept = (
            np.minimum(close[ap], created[ap] + limit[ap] * 3600)
            + rng.integers(2, 16, len(ap)) * 86400
        )
        accept = accept - accept % 86400 + rng.integers(9 * 3600, 18 * 3600, len(ap))
        plan.appeals.append(
            pd.DataFrame(
                {
                    "subs": subs[ap],
                    "accept": accept,
                    "order_id": order_id.take(pa.array(ap)).to_numpy(zero_copy_only=False),
                    "category": cat[ap],
                    "close": accept + rng.integers(3, 16, len(ap)) * 86400,
                    "regulator": np.where(rng.random(len(ap)) < 0.8, "2", "1"),
                    "upheld": rng.random(len(ap)) < 0.3,
                }
            )
        )


def _write_appeals(sim: Sim, plan: Plan, period: str, first: int, last: int) -> None:
    w, tl, st = sim.world, sim.tl, sim.static
    pending = (
        pd.concat(plan.appeals)
        if plan.appeals
        else pd.DataFrame(
            {
                "subs": [],
                "accept": [],
                "order_id": [],
                "category": [],
                "close": [],
                "regulator": [],
                "upheld": [],
            }
        )
    )
    day = (pending["accept"] // 86400).to_numpy(np.int64)
    now = pending[(day >= first) & (day <= last)]
    plan.appeals = [pending[day > last]]
    subs = now["subs"].to_numpy(np.int64)
    accept = now["accept"].to_numpy(np.int64)
    close = now["close"].to_numpy(np.int64)
    still_open = close > tl.end_day * 86400 - 1
    prov = w.s_prov[subs]
    t = pa.array(subs)
    closed_at = np.where(still_open, accept, close)
    sim.emit(
        "APPL",
        period,
        prov,
        {
            "appeal_id": sim.ids("S", prov, period, accept),
            "accept_time": tl.timestamps(accept // 86400, accept % 86400),
            "subs_id": st.subs_id.take(t),
            "appellant_no": st.msisdn.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "regulator": pa.array(now["regulator"].astype(str).to_numpy(), pa.string()),
            "order_id": pa.array(now["order_id"].astype(str).to_numpy(), pa.string()),
            "category_code": pa.array(now["category"].astype(str).to_numpy(), pa.string()),
            "close_time": tl.timestamps(closed_at // 86400, closed_at % 86400, mask=still_open),
            "is_upheld": _int_or_null(now["upheld"].to_numpy(bool).astype(np.int8), still_open),
        },
        sort_key=accept,
    )


def _write_circuits(
    sim: Sim, plan: Plan, rng: np.random.Generator, period: str, m: int, first: int, last: int
) -> None:
    tl, geo = sim.tl, sim.world.geo
    nc, nd = len(plan.circ_group), last - first + 1
    circ = np.repeat(np.arange(nc), nd)
    day = np.tile(np.arange(first, last + 1), nc)
    faults = rng.poisson(0.006, nc * nd)
    fi = np.repeat(np.arange(nc * nd), faults)
    restore = np.round(rng.lognormal(np.log(15), 0.6, len(fi))).astype(np.int64)
    # a planted breach: one long outage on a day of the month
    for c, pm in plan.breaches:
        if pm == m:
            i = c * nd + int(rng.integers(0, nd))
            fi = np.append(fi, i)
            restore = np.append(restore, int(plan.circ_sla_restore[c] * rng.uniform(1.5, 4)))
    fault_cnt = np.bincount(fi, minlength=nc * nd)
    outage = np.minimum(np.bincount(fi, weights=restore, minlength=nc * nd), 1440).astype(np.int64)
    max_restore = np.zeros(nc * nd, np.int64)
    np.maximum.at(max_restore, fi, restore)
    prov = plan.circ_prov[circ]
    plan.circ_months.append(
        pd.DataFrame(
            {"circuit": circ, "month": m, "days": 1, "outage": outage, "max_restore": max_restore}
        )
    )
    sim.emit(
        "CIRC",
        period,
        prov,
        {
            "stat_date": tl.dates(day),
            "circuit_id": plan.circ_id.take(pa.array(circ)),
            "group_cust_id": sim.world.cu_id.take(pa.array(plan.circ_group[circ])),
            "circuit_type": pa.array(plan.circ_type[circ].astype(str)),
            "bandwidth_mbps": pa.array(plan.circ_bw[circ].astype(np.int64)),
            "prov_code": pa.array(geo.prov_codes).take(pa.array(prov)),
            "city_code": pa.array(geo.city_code).take(pa.array(plan.circ_city[circ])),
            "availability": pa.array(np.round(100 * (1 - outage / 1440), 4)),
            "fault_cnt": pa.array(fault_cnt.astype(np.int64)),
            "outage_minutes": pa.array(outage),
            "max_restore_minutes": _int_or_null(max_restore, fault_cnt == 0),
            "sla_availability": pa.array(plan.circ_sla_avail[circ]),
            "sla_restore_minutes": pa.array(plan.circ_sla_restore[circ].astype(np.int64)),
        },
        sort_key=circ * 100000 + day - first,
    )
