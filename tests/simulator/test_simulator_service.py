"""The customer-service domain (simulator/domains/service.py): hotline calls, work orders, appeals
and key-account circuits are consistent with each other and carry the planted truth."""

from __future__ import annotations

import pandas as pd


def _int(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", None))


def test_calls_are_self_served_answered_or_abandoned(small_run):
    calls = small_run.frame("HOTL")
    assert len(calls) > 1000
    self_served = calls["is_self_service"] == "1"
    to_agent = calls["is_to_agent"] == "1"
    answered = calls["is_answered"] == "1"
    assert (self_served != to_agent).all()
    assert not (answered & ~to_agent).any()
    assert (calls.loc[to_agent, "queue_seconds"] != "").all()
    assert (calls.loc[~to_agent, "queue_seconds"] == "").all()
    for col in ("agent_id", "talk_seconds", "acw_seconds"):
        assert (calls.loc[answered, col] != "").all(), col
        assert (calls.loc[~answered, col] == "").all(), col
    # abandoned callers gave up before an agent came: their wait is their patience
    assert 0.1 < (to_agent & ~answered).sum() / to_agent.sum() < 0.4


def test_better_tiers_are_answered_sooner(small_run):
    calls = small_run.frame("HOTL")
    offered = calls[calls["is_to_agent"] == "1"].copy()
    offered["fast"] = (offered["is_answered"] == "1") & (_int(offered["queue_seconds"]) <= 15)
    rate = offered.groupby("vip_level")["fast"].mean()
    truth = pd.read_csv(small_run.truth / "service_tiers.csv", dtype={"vip_level": str})
    assert list(truth["expected_answer_15s_pct"]) == sorted(truth["expected_answer_15s_pct"])
    assert rate["0"] < rate["2"], rate  # regular vs gold, both well populated


def test_work_orders_come_from_answered_calls_and_appeals_from_complaints(small_run):
    calls = small_run.frame("HOTL").set_index("call_id")
    orders = small_run.frame("WORK")
    assert len(orders) > 100
    src = calls.loc[orders["source_call_id"]]
    assert (src["is_answered"] == "1").all()
    assert (src["subs_id"].to_numpy() == orders["subs_id"].to_numpy()).all()
    assert (orders.loc[orders["order_type"] == "1", "category_code"] != "").all()
    assert (orders.loc[orders["order_type"] != "1", "category_code"] == "").all()
    closed = orders[orders["close_time"] != ""]
    assert (closed["close_time"] >= closed["create_time"]).all()
    # the tier sets the limit: a diamond complaint is due sooner than a regular one
    limits = orders[orders["order_type"] == "1"].groupby("vip_level")["limit_hours"].first()
    assert int(limits["3"]) < int(limits["0"])
    appeals = small_run.frame("APPL")
    assert len(appeals) > 0
    by_id = orders.set_index("order_id")
    linked = by_id.loc[appeals["order_id"]]
    assert (linked["order_type"] == "1").all()
    assert (appeals["accept_time"].to_numpy() > linked["create_time"].to_numpy()).all()


def test_planted_surges_raise_their_topic_in_their_city(small_run):
    calls = small_run.frame("HOTL")
    calls["day"] = pd.to_datetime(calls["arrive_time"].str[:8])
    surges = pd.read_csv(small_run.truth / "enquiry_surges.csv", dtype=str)
    planted = surges[surges["kind"] == "enquiry_surge"]
    assert len(planted) >= 4
    for r in planted.itertuples():
        same = calls[(calls["city_code"] == r.city_code) & (calls["ivr_node"] == r.ivr_node)]
        inside = same["day"].between(pd.Timestamp(r.start_date), pd.Timestamp(r.end_date))
        days = (pd.Timestamp(r.end_date) - pd.Timestamp(r.start_date)).days + 1
        per_day_in = inside.sum() / days
        per_day_out = (~inside).sum() / calls["day"].nunique()
        assert per_day_in > 5 * max(per_day_out, 0.2), (r, per_day_in, per_day_out)


def test_sla_truth_matches_the_circuit_days(small_run):
    days = small_run.frame("CIRC")
    days["month"] = pd.to_datetime(days["stat_date"]).dt.to_period("M").dt.start_time
    days["outage"] = _int(days["outage_minutes"])
    days["restore"] = _int(days["max_restore_minutes"]).fillna(0)
    g = days.groupby(["circuit_id", "month"]).agg(
        n=("outage", "size"),
        outage=("outage", "sum"),
        restore=("restore", "max"),
        sla_a=("sla_availability", "first"),
        sla_r=("sla_restore_minutes", "first"),
    )
    avail = 100 * (1 - g["outage"] / (g["n"] * 1440))
    breach = (avail < g["sla_a"].astype(float)) | (g["restore"] > g["sla_r"].astype(float))
    found = {(c, m.date().isoformat()) for c, m in g.index[breach]}
    truth = pd.read_csv(small_run.truth / "sla_breaches.csv", dtype=str)
    assert (truth["planted"] == "True").sum() >= 3
    assert found == set(zip(truth["circuit_id"], truth["month"], strict=True))


def _ts(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y%m%d%H%M%S")


def test_every_answered_call_lies_inside_a_session_of_its_agent_that_day(small_run):
    calls = small_run.frame("HOTL")
    calls = calls[calls["is_answered"] == "1"].copy()
    assert len(calls) > 500
    calls["start"] = _ts(calls["arrive_time"]) + pd.to_timedelta(
        _int(calls["queue_seconds"]), unit="s"
    )
    handle = _int(calls["talk_seconds"]) + _int(calls["acw_seconds"])
    calls["end"] = calls["start"] + pd.to_timedelta(handle, unit="s")
    calls["stat_date"] = calls["arrive_time"].str[:8]
    sessions = small_run.frame("AGNT")
    sessions["login"], sessions["logout"] = (
        _ts(sessions["login_time"]),
        _ts(sessions["logout_time"]),
    )
    assert (sessions["login_time"].str[:8] == sessions["stat_date"]).all()
    both = calls.reset_index().merge(sessions, on=["agent_id", "stat_date"], suffixes=("", "_s"))
    inside = both[(both["login"] <= both["start"]) & (both["end"] <= both["logout"])]
    assert (inside["prov_code"] == inside["prov_code_s"]).all()
    outside = calls.loc[~calls.index.isin(inside["index"])]
    assert outside.empty, outside[["call_id", "agent_id", "start", "end"]].head()
    # every session has a call of its agent (no session without work in the simulated centre)
    assert set(inside["session_id"]) == set(sessions["session_id"])


def test_sessions_are_shifts_with_breaks_that_leave_room_for_the_calls(small_run):
    sessions = small_run.frame("AGNT")
    login, logout = _ts(sessions["login_time"]), _ts(sessions["logout_time"])
    hours = (logout - login).dt.total_seconds() / 3600
    breaks = _int(sessions["break_seconds"])
    # a shift (早班 08-16, 晚班 14-22) or both (a double shift, 08-22), logged in a little
    # early and out a little late
    assert (hours.between(8, 8.6) | hours.between(14, 14.6)).mean() > 0.95, hours.describe()
    assert (hours < 16).all()
    start_h = login.dt.hour + login.dt.minute / 60
    assert (start_h.between(7.7, 8.0) | start_h.between(13.7, 14.0)).mean() > 0.95
    # breaks: about 10 minutes per 2 hours and a meal break, 8-25 % of the logged-in time
    assert (breaks / (hours * 3600)).between(0.08, 0.25).mean() > 0.95
    # one session per agent and day, never overlapping the next
    assert not sessions.duplicated(["agent_id", "stat_date"]).any()
    s = sessions.assign(login=login, logout=logout).sort_values(["agent_id", "login"])
    same = s["agent_id"].eq(s["agent_id"].shift())
    assert (s["login"][same] >= s["logout"].shift()[same]).all()


def test_occupancy_truth_is_the_sessions_and_calls_of_the_files(small_run):
    calls = small_run.frame("HOTL")
    calls = calls[calls["is_answered"] == "1"]
    calls = calls.assign(
        stat_date=pd.to_datetime(calls["arrive_time"].str[:8]).dt.date.astype(str),
        handle=_int(calls["talk_seconds"]) + _int(calls["acw_seconds"]),
    )
    sessions = small_run.frame("AGNT")
    sessions = sessions.assign(
        stat_date=pd.to_datetime(sessions["stat_date"]).dt.date.astype(str),
        logged_in=(_ts(sessions["logout_time"]) - _ts(sessions["login_time"])).dt.total_seconds(),
        breaks=_int(sessions["break_seconds"]),
    )
    got = sessions.groupby(["stat_date", "prov_code"]).agg(
        agents=("agent_id", "nunique"), logged_in=("logged_in", "sum"), breaks=("breaks", "sum")
    )
    got["handle"] = calls.groupby(["stat_date", "prov_code"])["handle"].sum()
    got["occupancy_pct"] = 100 * got["handle"] / (got["logged_in"] - got["breaks"])
    truth = pd.read_csv(
        small_run.truth / "agent_occupancy.csv", dtype={"prov_code": str}
    ).set_index(["stat_date", "prov_code"])
    assert len(truth) == len(got) > 300
    both = truth.join(got, how="inner", rsuffix="_files")
    assert len(both) == len(truth)
    assert (both["agents"] == both["agents_files"]).all()
    assert (both["logged_in_seconds"] == both["logged_in"]).all()
    assert (both["break_seconds"] == both["breaks"]).all()
    assert (both["handle_seconds"] == both["handle"]).all()
    assert ((both["occupancy_pct"] - both["occupancy_pct_files"]).abs() < 1e-3).all()
    assert truth["occupancy_pct"].between(0, 100).all()
