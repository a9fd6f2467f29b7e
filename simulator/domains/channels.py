"""Channels: the CHNL snapshot and the commissions (CMSN) of social (20xx) and direct-sales
(40xx) channels: 01 acquisition, 02 revenue share, 03 quarterly incentive, 04 clawback."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.columns import take_or_null
from simulator.context import Domain, Month, Sim
from simulator.records import Commissions


class ChannelsDomain(Domain):
    interfaces = ("CHNL", "CMSN")

    def write_month(self, sim: Sim, month: Month) -> None:
        w, st, period = sim.world, sim.static, month.period
        chx = pa.array(np.arange(len(w.ch_prov)))
        sim.emit(
            "CHNL",
            period,
            w.ch_prov,
            {
                "channel_id": w.ch_id.take(chx),
                "channel_name": w.ch_name.take(chx),
                "channel_type_code": pa.array(st.channel_type_code),
                "prov_code": st.prov.take(pa.array(w.ch_prov)),
                "city_code": st.city.take(pa.array(w.geo.county_city[w.ch_county])),
                "county_code": st.county.take(pa.array(w.ch_county)),
                "open_date": sim.tl.dates(w.ch_open_day),
                "status": pa.array(np.where(w.ch_close_month <= month.m, "0", "1")),
            },
        )
        cm = _commissions(sim, month.m)
        prov = w.ch_prov[cm.channel]
        order = np.arange(len(prov))
        sim.emit(
            "CMSN",
            period,
            prov,
            {
                "cmsn_id": sim.ids("M", prov, period, order),
                "settle_month": pa.array(np.full(len(prov), period)),
                "channel_id": w.ch_id.take(pa.array(cm.channel)),
                "subs_id": take_or_null(w.s_id, cm.subs),
                "cmsn_type": pa.array(cm.cmsn_type.astype(str)),
                "amount_fen": pa.array(cm.amount_fen),
                "prov_code": st.prov.take(pa.array(prov)),
            },
            sort_key=order,
        )


def _commissions(sim: Sim, m: int) -> Commissions:
    w, s, rng, tl = sim.world, sim.state, sim.rng, sim.tl
    paid_l1 = np.isin(w.ch_l1, (1, 3))  # social and direct-sales channels earn commission
    ch_i: list[np.ndarray] = []
    sub_i: list[np.ndarray] = []
    typ: list[np.ndarray] = []
    amt: list[np.ndarray] = []

    def settle(channel: np.ndarray, subs: np.ndarray, cmsn_type: str, amount: np.ndarray) -> None:
        ch_i.append(channel)
        sub_i.append(subs)
        typ.append(np.full(len(channel), cmsn_type))
        amt.append(amount)

    if m >= 1:
        # 01 acquisition: for last month's new subscribers
        ai = np.flatnonzero((w.s_arrival == m - 1) & paid_l1[w.s_channel])
        a = np.minimum(sim.packages.fee_fen[w.s_pkg0[ai]] * 1.5, 15000)
        a = np.where(sim.static.channel_type_code[w.s_channel[ai]] == "4010", 5000, a)
        a = np.maximum(a.astype(np.int64), 2000)
        s.acq_fen[ai] = a
        settle(w.s_channel[ai], ai, "01", a)
        # 04 clawback: left within 3 months of opening, acquisition already paid
        ci = np.flatnonzero(
            (s.churn_month == m - 1)
            & (w.s_arrival >= 0)
            & (s.churn_month - w.s_arrival < 3)
            & (s.acq_fen > 0)
        )
        settle(w.s_channel[ci], ci, "04", -s.acq_fen[ci])
        # 02 revenue share: 8% of last month's bills of subscribers acquired in the last 24 months
        tenure = (
            m
            - 1
            - np.where(
                w.s_arrival >= 0, w.s_arrival, -24 + (w.s_open_day - tl.month_first(0)) / 30.44
            )
        )
        share = (tenure <= 24) & paid_l1[w.s_channel] & (s.bill_prev > 0)
        rs = (
            np.bincount(w.s_channel[share], s.bill_prev[share] * 0.08, len(w.ch_prov))
            .round()
            .astype(np.int64)
        )
        rc = np.flatnonzero(rs > 0)
        settle(rc, np.full(len(rc), -1), "02", rs[rc])
    if tl.month_date(m).month in (1, 4, 7, 10) and m >= 1:
        # 03 quarterly incentive to the best acquirers of the quarter
        q = s.acq_by_channel[max(0, m - 3) : m].sum(axis=0)
        elig = paid_l1 & (q > 0)
        if elig.any():
            ic = np.flatnonzero(elig & (q >= np.quantile(q[elig], 0.75)))
            settle(
                ic,
                np.full(len(ic), -1),
                "03",
                (q[ic] * 3000 + rng.integers(0, 50, len(ic)) * 100).astype(np.int64),
            )
    if not ch_i:
        empty = np.zeros(0, np.int64)
        return Commissions(empty, empty, np.zeros(0, "<U2"), empty)
    return Commissions(
        channel=np.concatenate(ch_i).astype(np.int64),
        subs=np.concatenate(sub_i).astype(np.int64),
        cmsn_type=np.concatenate(typ),
        amount_fen=np.concatenate(amt).astype(np.int64),
    )
