"""What the month loop works on: the package catalogue, the world's static columns, and the
mutable state of every subscriber and cell (one numpy array per quantity, one element each)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from simulator.columns import take_or_null
from simulator.incidents import Incidents
from simulator.records import CellTraffic
from simulator.reference import Reference
from simulator.timeline import Timeline
from simulator.world import World


@dataclass(frozen=True)
class Packages:
    """The package catalogue (seeds/packages.csv) as arrays, with the moves between packages."""

    code: pa.Array
    fee_fen: np.ndarray
    data_gb: np.ndarray
    voice_min: np.ndarray
    net_type: np.ndarray  # "4G" | "5G" | ...
    pay_type: np.ndarray
    mig5g: np.ndarray  # the 5G package a 4G package migrates to (itself if none)
    up: np.ndarray  # one step up in fee (itself if none)
    down: np.ndarray  # one step down in fee (itself if none)

    @classmethod
    def from_reference(cls, ref: Reference) -> Packages:
        pk = ref.packages
        fee = (pk["monthly_fee_yuan"].to_numpy() * 100).astype(np.int64)
        net = pk["net_type"].to_numpy()
        pay = pk["pay_type"].to_numpy()
        act = pk["is_active"].to_numpy()
        P = len(fee)
        mig, up, down = np.arange(P), np.arange(P), np.arange(P)
        for i in range(P):  # loop over ~20 packages
            compat = act & ((pay == pay[i]) | (pay == "0") | (pay[i] == "0"))
            c5 = np.flatnonzero(compat & (net == "5G"))
            if net[i] == "4G" and len(c5):
                mig[i] = c5[np.argmin(np.abs(fee[c5] - fee[i] * 1.1))]
            same = np.flatnonzero(compat & (net == net[i]))
            hi, lo = same[fee[same] > fee[i]], same[fee[same] < fee[i]]
            if len(hi):
                up[i] = hi[np.argmin(fee[hi])]
            if len(lo):
                down[i] = lo[np.argmax(fee[lo])]
        return cls(
            code=pa.array(pk["package_code"].tolist()),
            fee_fen=fee,
            data_gb=pk["data_gb"].to_numpy(),
            voice_min=pk["voice_min"].to_numpy(),
            net_type=net,
            pay_type=pay,
            mig5g=mig,
            up=up,
            down=down,
        )


@dataclass(frozen=True)
class Static:
    """Columns that do not change during the run, built once and taken per month."""

    prov: pa.Array  # per province index: its code
    city: pa.Array  # per city index
    county: pa.Array  # per county index
    # per subscriber
    subs_id: pa.Array
    msisdn: pa.Array
    subs_cust_id: pa.Array
    subs_prov: pa.Array
    subs_city: pa.Array
    subs_county: pa.Array
    subs_open_date: pa.Array
    subs_channel_id: pa.Array
    subs_main_cell: pa.Array  # NULL for broadband
    competitor: np.ndarray  # competitor pressure of the subscriber's city (logit shift of churn)
    # per customer
    cust_create_day: np.ndarray  # the first open day of its subscribers
    # per cell
    cell_prov: pa.Array
    cell_city: pa.Array
    cell_county: pa.Array
    # per channel
    channel_type_code: np.ndarray

    @classmethod
    def from_world(cls, w: World, tl: Timeline) -> Static:
        geo = w.geo
        prov = pa.array(geo.prov_codes)
        city = pa.array(geo.city_code)
        county = pa.array([str(c) for c in geo.county_code])
        s_city = geo.county_city[w.s_county]
        cust_create = np.full(len(w.cu_prov), 10**9)
        np.minimum.at(cust_create, w.s_cust, w.s_open_day)
        return cls(
            prov=prov,
            city=city,
            county=county,
            subs_id=w.s_id,
            msisdn=w.s_msisdn,
            subs_cust_id=w.cu_id.take(pa.array(w.s_cust)),
            subs_prov=prov.take(pa.array(w.s_prov)),
            subs_city=city.take(pa.array(s_city)),
            subs_county=county.take(pa.array(w.s_county)),
            subs_open_date=tl.dates(w.s_open_day),
            subs_channel_id=w.ch_id.take(pa.array(w.s_channel)),
            subs_main_cell=take_or_null(w.cell_id, w.s_cell),
            competitor=geo.competitor[s_city],
            cust_create_day=cust_create,
            cell_prov=prov.take(pa.array(w.cell_prov)),
            cell_city=city.take(pa.array(geo.county_city[w.cell_county])),
            cell_county=county.take(pa.array(w.cell_county)),
            channel_type_code=np.array(w.ch_type_codes)[w.ch_type],
        )


@dataclass
class State:
    """The mutable state of the run, grouped by the domain that changes it (others read it)."""

    # subscribers: life cycle, products, latent dissatisfaction
    alive: np.ndarray  # in service at the end of the last month simulated
    pkg: np.ndarray  # package index
    term: np.ndarray  # terminal model index, -1 none
    term_day: np.ndarray
    contract_end: np.ndarray  # day, -1 none
    status: (
        np.ndarray
    )  # 10 normal, 20 suspended, 21 suspended for arrears, 90 cancelled, 91 port out
    status_day: np.ndarray
    d: np.ndarray  # latent dissatisfaction, AR(1)
    drift: np.ndarray  # months left of a "leaving" drift
    shock: np.ndarray  # dissatisfaction added next month (outages)
    churn_month: np.ndarray  # month index of leaving (10**6 = never)
    churn_day: np.ndarray
    churn_kind: np.ndarray  # 0 none, 1 cancel, 2 port out
    b0: float | None  # churn intercept, calibrated on the first written month
    # usage
    hist_mou: np.ndarray  # (4, n) monthly minutes rate of the last four months
    hist_data: np.ndarray
    rate_mou: np.ndarray  # this month's rates (full month in service)
    rate_data: np.ndarray
    rate_sms: np.ndarray
    p_act: np.ndarray  # probability of an active day
    # billing and payments
    bill_prev: np.ndarray  # last month's bill (fen); 0 once paid early on an increment day
    overbill_prev: np.ndarray  # last month's over-billing (refunded this month)
    arrears: np.ndarray  # unpaid postpaid bills (fen)
    arrears_months: np.ndarray
    late_prev: np.ndarray  # paid last month's bill late
    balance: np.ndarray  # prepaid balance (fen)
    bank_debit: np.ndarray
    pay_method: np.ndarray  # index into PAY_METHODS
    has_vas: np.ndarray
    vas_level: np.ndarray  # fen per month
    # complaints
    cmpl: np.ndarray  # (3, n) complaints in each of the last three months
    # channels
    acq_fen: np.ndarray  # acquisition commission paid per subscriber (for clawbacks)
    acq_by_channel: np.ndarray  # (months + 1, channels) subscribers acquired
    # network
    avail: np.ndarray  # (cells, days of the span) availability %, outages planted
    cell_drop_prev: np.ndarray  # mean drop rate of last month per cell
    last_traffic: CellTraffic | None  # the last written month's traffic (for increment days)

    @classmethod
    def initial(
        cls, w: World, inc: Incidents, tl: Timeline, months: int, rng: np.random.Generator
    ) -> State:
        """The state before the first burn-in month. The order of the draws is part of the
        output: changing it changes every file of a seed."""
        n = w.n
        alive = w.s_arrival == -99
        d = rng.normal(0, 0.6, n)
        balance = np.where(w.s_prepaid, rng.integers(1000, 8000, n), 0).astype(np.int64)
        bank_debit = ~w.s_prepaid & (rng.random(n) < 0.3)
        pay_method = np.where(
            bank_debit, 1, rng.choice([0, 2, 3, 5], n, p=[0.08, 0.42, 0.42, 0.08])
        )
        has_vas = rng.random(n) < 0.35
        vas_level = rng.lognormal(np.log(600), 0.9, n)
        span = tl.end_day - tl.span_first
        nc = len(w.cell_county)
        avail = np.clip(100 - np.abs(rng.normal(0, 0.08, (nc, span))), 99.2, 100.0)
        for c, s, e, a in zip(inc.out_cell, inc.out_start, inc.out_end, inc.out_avail, strict=True):
            avail[c, s - tl.span_first : e - tl.span_first + 1] = a + rng.normal(
                0, 3, e - s + 1
            ).clip(-8, 8)
        return cls(
            alive=alive,
            pkg=w.s_pkg0.copy(),
            term=w.s_term.copy(),
            term_day=w.s_term_day.copy(),
            contract_end=w.s_contract_end.copy(),
            status=np.where(alive, 10, 0),
            status_day=w.s_open_day.copy(),
            d=d,
            drift=np.zeros(n, np.int8),
            shock=np.zeros(n),
            churn_month=np.full(n, 10**6),
            churn_day=np.full(n, 10**9),
            churn_kind=np.zeros(n, np.int8),
            b0=None,
            hist_mou=np.tile(w.s_base_mou, (4, 1)),
            hist_data=np.tile(w.s_base_data, (4, 1)),
            rate_mou=w.s_base_mou.copy(),
            rate_data=w.s_base_data.copy(),
            rate_sms=w.s_base_sms.copy(),
            p_act=np.full(n, 0.9),
            bill_prev=np.zeros(n, np.int64),
            overbill_prev=np.zeros(n, np.int64),
            arrears=np.zeros(n, np.int64),
            arrears_months=np.zeros(n, np.int8),
            late_prev=np.zeros(n, bool),
            balance=balance,
            bank_debit=bank_debit,
            pay_method=pay_method,
            has_vas=has_vas,
            vas_level=vas_level,
            cmpl=np.zeros((3, n), np.int16),
            acq_fen=np.zeros(n, np.int64),
            acq_by_channel=np.zeros((max(months, 1) + 1, len(w.ch_prov)), np.int64),
            avail=avail,
            cell_drop_prev=w.cell_drop_base.copy(),
            last_traffic=None,
        )
