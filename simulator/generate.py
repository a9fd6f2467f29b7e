"""The simulation: a month loop over vectorised subscriber state, writing one extract file per
interface x province x period (jingfen/interfaces.py, jingfen/extracts.py) and the ground truth
(truth/: true churn probability of every subscriber-month, planted incidents) apart from it.

Churn is a monthly hazard computed from what the extracts show about the month before (usage
decline, complaints, arrears and late payment, contract end, the main cell's drop rate, tenure,
competitor pressure of the city, prepaid). A latent dissatisfaction per subscriber drives those
observables, so usage falls and complaints rise before a subscriber leaves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jingfen.interfaces import INTERFACE_VERSION
from simulator.config import SimConfig
from simulator.incidents import Incidents, plan_incidents
from simulator.reference import Reference, load_reference
from simulator.timeline import Timeline, date_of
from simulator.world import NO_DAY, World, build_world
from simulator.writer import ExtractWriter

BURN_IN = 3  # months simulated before the first written month, so trends exist from month 0
TARGET_CHURN = 0.021
NULL_STR = pa.scalar(None, pa.string())

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
PAY_METHODS = np.array(["01", "02", "03", "04", "05", "06"])
SOURCES = np.array(["01", "02", "03", "04", "05"])
TOPUP_DENOMS = np.array([2000, 3000, 5000, 10000, 20000])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _lpad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()), width, "0"
    )


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights))
    w = np.array(list(weights.values()), float)
    return keys[rng.choice(len(keys), n, p=w / w.sum())]


def _days_in(
    rng: np.random.Generator, tl: Timeline, lo: np.ndarray, hi: np.ndarray, kind: str = "pay"
) -> np.ndarray:
    """A day in [lo, hi] per row, weighted by the day weights (rejection-free: inverse CDF over the span)."""
    lo = np.asarray(lo, np.int64)
    hi = np.maximum(np.asarray(hi, np.int64), lo)
    if lo.size == 0:
        return lo
    w = {"pay": tl.pay_w, "voice": tl.voice_w, "data": tl.data_w}[kind]
    cw = np.r_[0.0, np.cumsum(w)]
    a = cw[lo - tl.span_first]
    b = cw[hi - tl.span_first + 1]
    u = a + rng.random(lo.size) * (b - a)
    return np.clip(np.searchsorted(cw, u, side="right") - 1 + tl.span_first, lo, hi)


class Simulation:
    def __init__(
        self,
        cfg: SimConfig,
        ref: Reference,
        tl: Timeline,
        world: World,
        inc: Incidents,
        writer: ExtractWriter,
        rng: np.random.Generator,
    ) -> None:
        self.cfg, self.ref, self.tl, self.w, self.inc, self.out, self.rng = (
            cfg,
            ref,
            tl,
            world,
            inc,
            writer,
            rng,
        )
        w = world
        n = w.n
        pk = ref.packages
        self.pk_code = pa.array(pk["package_code"].tolist())
        self.pk_fee = (pk["monthly_fee_yuan"].to_numpy() * 100).astype(np.int64)
        self.pk_data = pk["data_gb"].to_numpy()
        self.pk_voice = pk["voice_min"].to_numpy()
        self.pk_net = pk["net_type"].to_numpy()
        self.pk_pay = pk["pay_type"].to_numpy()
        self._package_moves()
        geo = w.geo
        self.prov_str = pa.array(geo.prov_codes)
        self.city_str = pa.array(geo.city_code)
        county_str = pa.array([str(c) for c in geo.county_code])
        self.county_str = county_str
        s_city = geo.county_city[w.s_county]
        self.s_city = s_city
        # static per-subscriber strings, taken per month
        self.S = {
            "subs_id": w.s_id,
            "msisdn": w.s_msisdn,
            "cust_id": w.cu_id.take(pa.array(w.s_cust)),
            "prov": self.prov_str.take(pa.array(w.s_prov)),
            "city": self.city_str.take(pa.array(s_city)),
            "county": county_str.take(pa.array(w.s_county)),
            "open_date": tl.dates(w.s_open_day),
            "channel_id": w.ch_id.take(pa.array(w.s_channel)),
        }
        self.cell_county_str = county_str.take(pa.array(w.cell_county))
        self.cell_city_str = self.city_str.take(pa.array(geo.county_city[w.cell_county]))
        self.cell_prov_str = self.prov_str.take(pa.array(w.cell_prov))
        self.main_cell = pc.if_else(
            pa.array(w.s_cell < 0), NULL_STR, w.cell_id.take(pa.array(np.maximum(w.s_cell, 0)))
        )
        self.ch_l1 = w.ch_l1
        # dynamic state
        self.alive = w.s_arrival == -99
        self.pkg = w.s_pkg0.copy()
        self.term = w.s_term.copy()
        self.term_day = w.s_term_day.copy()
        self.contract_end = w.s_contract_end.copy()
        self.status = np.where(self.alive, 10, 0)
        self.status_day = w.s_open_day.copy()
        self.d = rng.normal(0, 0.6, n)
        self.drift = np.zeros(n, np.int8)
        self.hist_mou = np.tile(w.s_base_mou, (4, 1))
        self.hist_data = np.tile(w.s_base_data, (4, 1))
        self.cmpl = np.zeros((3, n), np.int16)
        self.late_prev = np.zeros(n, bool)
        self.arrears = np.zeros(n, np.int64)  # unpaid postpaid bills (fen)
        self.arrears_months = np.zeros(n, np.int8)
        self.balance = np.where(w.s_prepaid, rng.integers(1000, 8000, n), 0).astype(np.int64)
        self.bill_prev = np.zeros(n, np.int64)
        self.overbill_prev = np.zeros(n, np.int64)
        self.bank_debit = ~w.s_prepaid & (rng.random(n) < 0.3)
        self.pay_method = np.where(
            self.bank_debit, 1, rng.choice([0, 2, 3, 5], n, p=[0.08, 0.42, 0.42, 0.08])
        )
        self.has_vas = rng.random(n) < 0.35
        self.vas_level = rng.lognormal(np.log(600), 0.9, n)
        self.churn_month = np.full(n, 10**6)
        self.churn_day = np.full(n, 10**9)
        self.churn_kind = np.zeros(n, np.int8)
        self.shock = np.zeros(n)
        self.rate_mou = w.s_base_mou.copy()
        self.rate_data = w.s_base_data.copy()
        self.rate_sms = w.s_base_sms.copy()
        self.p_act = np.full(n, 0.9)
        self.acq_fen = np.zeros(n, np.int64)
        self.b0: float | None = None
        self.cell_drop_prev = w.cell_drop_base.copy()
        self.competitor = geo.competitor[s_city]
        # customers: created on the first open day of their subscribers
        self.cu_create = np.full(len(w.cu_prov), 10**9)
        np.minimum.at(self.cu_create, w.s_cust, w.s_open_day)
        # cell availability per day over the whole span (outages planted)
        span = tl.end_day - tl.span_first
        nc = len(w.cell_county)
        self.avail = np.clip(100 - np.abs(rng.normal(0, 0.08, (nc, span))), 99.2, 100.0)
        for c, s, e, a in zip(inc.out_cell, inc.out_start, inc.out_end, inc.out_avail, strict=True):
            self.avail[c, s - tl.span_first : e - tl.span_first + 1] = a + rng.normal(
                0, 3, e - s + 1
            ).clip(-8, 8)
        self.truth: list[pd.DataFrame] = []
        self.counter = {"events": 0, "payments": 0, "complaints": 0}
        self.acq_by_channel = np.zeros((max(cfg.months, 1) + 1, len(w.ch_prov)), np.int64)

    # ------------------------------------------------------------------ helpers
    def _package_moves(self) -> None:
        """Lookup tables: the 5G package a 4G package migrates to, and one step up / down."""
        fee, net, pay = self.pk_fee, self.pk_net, self.pk_pay
        act = self.ref.packages["is_active"].to_numpy()
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
        self.mig5g, self.pkg_up, self.pkg_down = mig, up, down

    def _emit(
        self,
        iface: str,
        period: str,
        prov: np.ndarray,
        cols: dict[str, pa.Array],
        sort_key: np.ndarray | None = None,
    ) -> None:
        """Write one file per province (empty files too: the delivery is complete)."""
        prov = np.asarray(prov)
        order = (
            np.lexsort((sort_key, prov))
            if sort_key is not None
            else np.argsort(prov, kind="stable")
        )
        table = pa.table(cols)
        if len(order) and not np.array_equal(order, np.arange(len(order))):
            table = table.take(pa.array(order))
        sp = prov[order]
        bounds = np.searchsorted(sp, np.arange(len(self.w.geo.prov_codes) + 1))
        for p, code in enumerate(self.w.geo.prov_codes):
            self.out.write(iface, code, period, table.slice(bounds[p], bounds[p + 1] - bounds[p]))

    def _ids(self, prefix: str, prov: np.ndarray, period: str, order_key: np.ndarray) -> pa.Array:
        """Serial numbers unique per interface: prefix + prov + period + 9-digit sequence within the file."""
        prov = np.asarray(prov)
        order = np.lexsort((order_key, prov))
        seq = np.empty(len(prov), np.int64)
        sp = prov[order]
        first = np.searchsorted(sp, sp)
        seq[order] = np.arange(len(prov)) - first + 1
        return pc.binary_join_element_wise(
            pa.scalar(prefix),
            self.prov_str.take(pa.array(prov)),
            pa.scalar(period),
            _lpad(seq, 9),
            "",
        )

    def _down(self, cells: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Share of the day a cell was down (0..1); broadband (cell -1) is never down."""
        a = self.avail[np.maximum(cells, 0), days - self.tl.span_first]
        return np.where(cells >= 0, (100 - a) / 100, 0.0)

    # ------------------------------------------------------------------ one month
    def step(self, m: int) -> None:
        tl, w, rng, inc = self.tl, self.w, self.rng, self.inc
        write = m >= 0
        first, nd = tl.month_first(m), tl.month_days(m)
        last = first + nd - 1
        period = tl.yyyymm(m)
        start_alive = self.alive.copy()
        arr = w.s_arrival == m
        ev: list[tuple] = []  # (subs idx, type code, day, sec, old pkg, new pkg, channel idx)

        # latent dissatisfaction
        sa = np.flatnonzero(start_alive)
        new_drift = start_alive & (self.drift == 0) & (rng.random(w.n) < 0.014)
        self.drift[new_drift] = rng.integers(2, 5, new_drift.sum())
        drifting = start_alive & (self.drift > 0)
        self.d[sa] = (
            0.8 * self.d[sa]
            + rng.normal(0, 0.42, len(sa))
            + 0.6 * drifting[sa]
            + self.shock[sa]
            + 0.04 * self.competitor[sa]
        )
        self.drift[drifting] -= 1
        self.shock[:] = 0
        self.d[arr] = rng.normal(-0.3, 0.6, arr.sum())
        self.hist_mou[:, arr] = w.s_base_mou[arr]
        self.hist_data[:, arr] = w.s_base_data[arr]

        # churn hazard from last month's observables
        churn = np.zeros(w.n, bool)
        p = np.zeros(w.n)
        if write:
            x, p_fraud = self._hazard_logit(m, first)
            if self.b0 is None:
                self.b0 = self._calibrate(x[start_alive & ~w.s_fraud])
            p = _sigmoid(x + self.b0)
            p = np.where(w.s_fraud, p_fraud, p)
            p = np.where(start_alive, p, 0.0)
            churn = start_alive & (rng.random(w.n) < p)
            ci = np.flatnonzero(churn)
            cday = _days_in(rng, tl, np.full(len(ci), first), np.full(len(ci), last))
            port_p = np.clip(0.18 + 0.3 * self.competitor[ci], 0.05, 0.5)
            kind = np.where(w.s_fbb[ci] | w.s_fraud[ci] | (rng.random(len(ci)) >= port_p), 1, 2)
            self.churn_month[ci], self.churn_day[ci], self.churn_kind[ci] = m, cday, kind
            ch_ev = np.where(
                kind == 2,
                -1,
                np.where(rng.random(len(ci)) < 0.6, w.prov_hall[w.s_prov[ci]], w.s_channel[ci]),
            )
            ev.append(
                (
                    ci,
                    np.where(kind == 2, "06", "05"),
                    cday,
                    rng.integers(9 * 3600, 20 * 3600, len(ci)),
                    self.pkg[ci],
                    np.full(len(ci), -1),
                    ch_ev,
                )
            )
            self._truth(m, np.flatnonzero(start_alive | arr), p, churn)
        stay = start_alive & ~churn
        in_month = start_alive | arr

        # arrivals: open (01) or port-in (07)
        ai = np.flatnonzero(arr)
        if len(ai):
            self.status[ai], self.status_day[ai] = 10, w.s_open_day[ai]
            ev.append(
                (
                    ai,
                    np.where(w.s_portin[ai], "07", "01"),
                    w.s_open_day[ai],
                    w.s_open_sec[ai],
                    np.full(len(ai), -1),
                    self.pkg[ai],
                    w.s_channel[ai],
                )
            )
            np.add.at(self.acq_by_channel[max(m, 0)], w.s_channel[ai], 1)

        # terminals, 5G migration and package changes
        if write:
            mob = stay & ~w.s_fbb & ~w.s_fraud
            t5 = w.term_5g[np.maximum(self.term, 0)] & (self.term >= 0)
            upg = np.flatnonzero(mob & ~t5 & (rng.random(w.n) < 0.025))
            t5ids = np.flatnonzero(w.term_5g)
            self.term[upg] = t5ids[rng.integers(0, len(t5ids), len(upg))]
            self.term_day[upg] = rng.integers(first, last + 1, len(upg))
            t5 = w.term_5g[np.maximum(self.term, 0)] & (self.term >= 0)
            is4g = self.pk_net[self.pkg] == "4G"
            migr = mob & is4g & t5 & (self.mig5g[self.pkg] != self.pkg) & (rng.random(w.n) < 0.04)
            r = rng.random(w.n)
            other = stay & ~w.s_fraud & ~migr & (r < 0.009)
            new_pkg = self.pkg.copy()
            new_pkg[migr] = self.mig5g[self.pkg[migr]]
            up = other & (r < 0.0055)
            new_pkg[up] = self.pkg_up[self.pkg[up]]
            dn = other & ~up
            new_pkg[dn] = self.pkg_down[self.pkg[dn]]
            chg = np.flatnonzero(new_pkg != self.pkg)
            cday = rng.integers(first, last + 1, len(chg))
            ev.append(
                (
                    chg,
                    np.full(len(chg), "02"),
                    cday,
                    rng.integers(8 * 3600, 22 * 3600, len(chg)),
                    self.pkg[chg],
                    new_pkg[chg],
                    np.where(
                        rng.random(len(chg)) < 0.65,
                        w.prov_echannel[w.s_prov[chg]],
                        w.prov_hall[w.s_prov[chg]],
                    ),
                )
            )
            self.pkg = new_pkg
            # contracts that ended last month: a third sign a new one
            ended = (
                stay & (self.contract_end >= tl.month_first(m - 1)) & (self.contract_end < first)
            )
            renew = ended & (rng.random(w.n) < 0.35)
            self.contract_end[renew] = (
                first
                + rng.integers(0, nd, renew.sum())
                + np.where(rng.random(renew.sum()) < 0.5, 365, 730)
            )

        # voluntary suspension (20) and resume
        if write:
            res = np.flatnonzero(stay & (self.status == 20) & (rng.random(w.n) < 0.5))
            rday = rng.integers(first, last + 1, len(res))
            self.status[res], self.status_day[res] = 10, rday
            ev.append(
                (
                    res,
                    np.full(len(res), "04"),
                    rday,
                    rng.integers(8 * 3600, 20 * 3600, len(res)),
                    np.full(len(res), -1),
                    np.full(len(res), -1),
                    w.prov_echannel[w.s_prov[res]],
                )
            )
            sus = np.flatnonzero(stay & (self.status == 10) & ~w.s_fbb & (rng.random(w.n) < 0.002))
            sday = rng.integers(first, last + 1, len(sus))
            self.status[sus], self.status_day[sus] = 20, sday
            ev.append(
                (
                    sus,
                    np.full(len(sus), "03"),
                    sday,
                    rng.integers(8 * 3600, 20 * 3600, len(sus)),
                    np.full(len(sus), -1),
                    np.full(len(sus), -1),
                    w.prov_hall[w.s_prov[sus]],
                )
            )

        # ---------------- usage
        serve_from = np.where(arr, w.s_open_day, first)
        serve_to = np.where(churn, self.churn_day, last)
        in_frac = np.where(in_month, (serve_to - serve_from + 1) / nd, 0.0)
        down_days = np.zeros(w.n)
        for c, s, e in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):  # a few outages
            if e >= first and s <= last:
                on = w.s_cell == c
                down_days[on] += self._down(
                    np.full(on.sum(), c), np.full(on.sum(), max(s, first))
                ) * (min(e, last) - max(s, first) + 1)
        susp = np.where(np.isin(self.status, (20, 21)) & start_alive, 0.15, 1.0)
        out_f = 1 - 0.85 * down_days / nd
        dis = np.exp(-0.55 * np.clip(self.d, 0, None))
        is5g = self.pk_net[self.pkg] == "5G"
        rate_mou = w.s_base_mou * tl.month_factor("voice", m) * dis * rng.lognormal(0, 0.16, w.n)
        rate_data = (
            w.s_base_data
            * tl.month_factor("data", m)
            * dis
            * np.where(is5g, 1.3, 1.0)
            * (1 + 0.006 * (m + BURN_IN))
            * rng.lognormal(0, 0.18, w.n)
        )
        rate_sms = w.s_base_sms * dis * rng.lognormal(0, 0.3, w.n)
        rate_mou *= susp * out_f
        rate_data *= susp * out_f
        rate_sms *= susp
        self.rate_mou, self.rate_data, self.rate_sms = rate_mou, rate_data, rate_sms
        mou = np.round(rate_mou * in_frac).astype(np.int64)
        data_mb = np.round(rate_data * in_frac, 2)
        sms = np.round(rate_sms * in_frac).astype(np.int64)
        p_act = np.clip(1 - np.exp(-rate_mou / 25 - rate_data / 400 - rate_sms / 20), 0.02, 0.995)
        p_act = np.where(w.s_fraud, rng.uniform(0.02, 0.12, w.n), p_act)
        self.p_act = p_act
        serve_days = np.where(in_month, serve_to - serve_from + 1, 0)
        active_days = rng.binomial(serve_days, p_act)
        active_days = np.where((mou + data_mb + sms) > 0, np.maximum(active_days, 1), 0)
        self.hist_mou = np.vstack([self.hist_mou[1:], rate_mou])
        self.hist_data = np.vstack([self.hist_data[1:], rate_data])
        self.shock += 0.9 * np.clip(down_days, 0, 3) / 3

        # ---------------- bills
        bill = self._bill(m, in_month, in_frac, mou, data_mb, sms)
        # ---------------- payments (bill of last month, prepaid top-ups) and arrears
        pay_rows = self._payments(m, first, last, stay, churn, bill, ev)
        # ---------------- complaints
        cmpl_rows, n_cmpl = self._complaints(
            m, first, last, in_month, in_frac, serve_from, serve_to, down_days
        )
        self.cmpl = np.vstack([self.cmpl[1:], n_cmpl[None, :].astype(np.int16)])

        # month-end status
        ci = np.flatnonzero(churn)
        self.status[ci] = np.where(self.churn_kind[ci] == 2, 91, 90)
        self.status_day[ci] = self.churn_day[ci]
        self.alive = stay | arr
        self.bill_prev = np.where(in_month, bill["total_due_fen"], 0)

        if write:
            self._write_month(
                m,
                period,
                first,
                last,
                in_month,
                churn,
                mou,
                data_mb,
                sms,
                active_days,
                bill,
                pay_rows,
                cmpl_rows,
                ev,
            )

    # ------------------------------------------------------------------ hazard
    def _hazard_logit(self, m: int, first: int) -> tuple[np.ndarray, np.ndarray]:
        w = self.w
        prev_mou, prev_data = self.hist_mou[-1], self.hist_data[-1]
        base_mou = self.hist_mou[:-1].mean(axis=0) + 5
        base_data = self.hist_data[:-1].mean(axis=0) + 50
        ratio = np.where(
            w.s_fbb,
            (prev_data + 50) / base_data,
            0.5 * (prev_mou + 5) / base_mou + 0.5 * (prev_data + 50) / base_data,
        )
        decline = np.clip(1 - ratio, 0, 1)
        cmpl3 = np.minimum(self.cmpl.sum(axis=0), 3)
        arrears = self.status == 21
        left = self.contract_end - first
        has_c = self.contract_end >= 0
        contract = np.where(
            has_c & (left >= -90) & (left <= 31), 1.0, np.where(has_c & (left > 62), -0.9, 0.0)
        )
        drop = self.cell_drop_prev[np.maximum(w.s_cell, 0)]
        drop_term = np.where(w.s_cell >= 0, 0.35 * np.clip(drop - 0.6, -0.4, 4), 0.0)
        tenure = (first - w.s_open_day) / 30.44
        x = (
            2.2 * decline
            + 0.5 * cmpl3
            + 1.3 * arrears
            + 0.9 * (self.arrears_months >= 2)
            + 0.5 * self.late_prev
            + contract
            + drop_term
            + np.where(tenure < 6, 0.7, np.where(tenure < 12, 0.35, 0.0))
            + self.competitor
            + 0.45 * w.s_prepaid
            - 0.35 * w.s_family
            - 0.3 * w.s_group
            - 0.2 * w.s_fbb
            + 0.25 * self._after_spring_festival(m)
        )
        fraud_t = m - w.s_arrival
        p_fraud = np.select([fraud_t <= 1, fraud_t == 2, fraud_t == 3], [0.03, 0.15, 0.6], 0.85)
        return x, p_fraud

    def _after_spring_festival(self, m: int) -> float:
        from simulator.timeline import SPRING_FESTIVAL

        prev = self.tl.month_date(m - 1)
        sf = SPRING_FESTIVAL.get(prev.year)
        return 1.0 if sf is not None and sf.month == prev.month else 0.0

    @staticmethod
    def _calibrate(x: np.ndarray) -> float:
        lo, hi = -15.0, 5.0
        for _ in range(50):
            mid = (lo + hi) / 2
            if _sigmoid(x + mid).mean() > TARGET_CHURN:
                hi = mid
            else:
                lo = mid
        return (lo + hi) / 2

    def _truth(self, m: int, idx: np.ndarray, p: np.ndarray, churn: np.ndarray) -> None:
        kind = np.where(churn[idx], self.churn_kind[idx], 0).astype(np.int8)
        self.truth.append((idx, np.full(len(idx), m, np.int16), p[idx].round(6), churn[idx], kind))

    # ------------------------------------------------------------------ bills
    def _bill(
        self,
        m: int,
        in_month: np.ndarray,
        in_frac: np.ndarray,
        mou: np.ndarray,
        data_mb: np.ndarray,
        sms: np.ndarray,
    ) -> dict[str, np.ndarray]:
        w, rng, inc = self.w, self.rng, self.inc
        n = w.n
        pkg = self.pkg
        fee = np.round(self.pk_fee[pkg] * np.clip(in_frac, 0, 1)).astype(np.int64)
        over = (
            (w.s_prov == inc.bill_prov) & (pkg == inc.bill_pkg) & (m == inc.bill_month) & in_month
        )
        overbill = np.where(over, np.round(fee * (inc.bill_factor - 1)).astype(np.int64), 0)
        fee = fee + overbill
        self.overbill_now = overbill
        mobile = ~w.s_fbb
        vmin = self.pk_voice[pkg] * in_frac
        voice = np.where(
            mobile,
            np.round(np.maximum(mou - vmin, 0) * np.where(self.pk_voice[pkg] == 0, 10, 15)),
            0,
        )
        data_gb = data_mb / 1024
        allow = self.pk_data[pkg] * in_frac
        data = np.where(mobile, np.minimum(np.maximum(data_gb - allow, 0) * 300, 6000).round(), 0)
        smsf = np.where(mobile, sms * 10, 0)
        vas = np.where(
            self.has_vas & mobile & ~w.s_fraud, self.vas_level * rng.lognormal(0, 0.2, n), 0
        ).round()
        roam = np.where(
            mobile & ~w.s_fraud & (rng.random(n) < 0.04), rng.lognormal(np.log(1500), 1.0, n), 0
        ).round()
        other = np.where(rng.random(n) < 0.02, rng.integers(500, 3000, n), 0)
        tenure = m - w.s_arrival
        disc = (
            np.where(w.s_family | w.s_group, 0.1, 0.0)
            + np.where((w.s_arrival >= 0) & (tenure < 3), 0.2, 0.0)
        ) * fee
        gross = fee + voice + data + smsf + vas + roam + other
        if m == inc.dip_month:
            disc = disc + np.where(w.s_prov == inc.dip_prov, inc.dip_share * gross, 0)
        disc = np.minimum(np.round(disc), gross)
        z = np.where(in_month, 1, 0)
        out = {
            "package_fee_fen": fee * z,
            "voice_fee_fen": voice * z,
            "data_fee_fen": data * z,
            "sms_fee_fen": smsf * z,
            "vas_fee_fen": vas * z,
            "roaming_fee_fen": roam * z,
            "other_fee_fen": other * z,
            "discount_fen": disc * z,
        }
        out = {k: v.astype(np.int64) for k, v in out.items()}
        out["total_due_fen"] = sum(out[k] for k in list(out)[:-1]) - out["discount_fen"]
        return out

    # ------------------------------------------------------------------ payments
    def _payments(
        self,
        m: int,
        first: int,
        last: int,
        stay: np.ndarray,
        churn: np.ndarray,
        bill: dict[str, np.ndarray],
        ev: list,
    ) -> dict[str, np.ndarray]:
        w, rng, tl = self.w, self.rng, self.tl
        n = w.n
        rows_i, rows_day, rows_amt, rows_bm = [], [], [], []
        post = ~w.s_prepaid & (stay | churn) & (self.bill_prev > 0)
        due = first + 19
        pressure = self.d + 0.9 * w.s_stress
        p_nonpay = _sigmoid(-4.8 + 1.0 * pressure)
        p_late = _sigmoid(-2.9 + 0.6 * pressure)
        r = rng.random(n)
        nonpay = post & ~self.bank_debit & (r < p_nonpay)
        late = post & ~self.bank_debit & ~nonpay & (r < p_nonpay + p_late)
        ontime = post & ~nonpay & ~late
        # churners settle their last bill only half the time
        nonpay |= churn & post & (rng.random(n) < 0.5)
        ontime &= ~nonpay
        late &= ~nonpay
        # 1) bills of last month
        oi = np.flatnonzero(ontime)
        od = np.where(
            self.bank_debit[oi],
            first + rng.integers(7, 12, len(oi)),
            _days_in(rng, tl, np.full(len(oi), first), np.full(len(oi), due)),
        )
        li = np.flatnonzero(late)
        ld = _days_in(rng, tl, np.full(len(li), min(due + 2, last)), np.full(len(li), last))
        for idx, day in ((oi, od), (li, ld)):
            rows_i.append(idx)
            rows_day.append(day)
            rows_amt.append(self.bill_prev[idx] + self.arrears[idx])
            rows_bm.append(np.full(len(idx), m - 1))
        self.arrears[oi] = 0
        self.arrears[li] = 0
        # late payers: suspended after the due date, resumed when they pay
        sus_day = np.minimum(due + rng.integers(1, 4, len(li)), ld)
        ev.append(
            (
                li,
                np.full(len(li), "03"),
                sus_day,
                rng.integers(0, 3600, len(li)) + 2 * 3600,
                np.full(len(li), -1),
                np.full(len(li), -1),
                np.full(len(li), -1),
            )
        )
        ev.append(
            (
                li,
                np.full(len(li), "04"),
                ld,
                rng.integers(10 * 3600, 22 * 3600, len(li)),
                np.full(len(li), -1),
                np.full(len(li), -1),
                np.full(len(li), -1),
            )
        )
        # 2) subscribers already in arrears settle or stay suspended
        old = stay & (self.status == 21) & ~w.s_prepaid
        settle = old & (rng.random(n) < np.clip(0.55 - 0.1 * self.d, 0.1, 0.9)) & ~nonpay
        si = np.flatnonzero(settle)
        sd = _days_in(rng, tl, np.full(len(si), first), np.full(len(si), last))
        rows_i.append(si)
        rows_day.append(sd)
        rows_amt.append(self.arrears[si] + np.where(ontime[si] | late[si], 0, self.bill_prev[si]))
        rows_bm.append(np.full(len(si), m - 1))
        self.arrears[si] = 0
        self.status[si], self.status_day[si] = 10, sd
        ev.append(
            (
                si,
                np.full(len(si), "04"),
                sd,
                rng.integers(10 * 3600, 22 * 3600, len(si)),
                np.full(len(si), -1),
                np.full(len(si), -1),
                np.full(len(si), -1),
            )
        )
        # new non-payers: suspended for arrears (21)
        ni = np.flatnonzero(nonpay & stay & (self.status != 21))
        nday = due + rng.integers(1, 4, len(ni))
        self.status[ni], self.status_day[ni] = 21, nday
        ev.append(
            (
                ni,
                np.full(len(ni), "03"),
                nday,
                rng.integers(0, 3600, len(ni)) + 2 * 3600,
                np.full(len(ni), -1),
                np.full(len(ni), -1),
                np.full(len(ni), -1),
            )
        )
        self.arrears[nonpay] += self.bill_prev[nonpay]
        self.arrears_months = np.where(self.status == 21, self.arrears_months + 1, 0).astype(
            np.int8
        )
        self.late_prev = late.copy()
        # 3) prepaid: top-ups against real-time charges; an empty balance suspends (21)
        pre = w.s_prepaid & (stay | churn)
        spend = bill["total_due_fen"]
        target = np.maximum(spend * 1.1, 1000)
        denom = TOPUP_DENOMS[
            np.clip(
                np.searchsorted(TOPUP_DENOMS, target * rng.lognormal(0, 0.4, n)),
                0,
                len(TOPUP_DENOMS) - 1,
            )
        ]
        lam = np.where(
            pre & ~churn, spend / denom * np.exp(-0.35 * np.clip(self.d, 0, None)) * 1.05, 0
        )
        lam = np.where(w.s_fraud, 0, lam)
        k = rng.poisson(lam)
        k = np.where(
            pre & ~churn & ~w.s_fraud & (self.balance < spend) & (k == 0) & (rng.random(n) < 0.7),
            1,
            k,
        )
        ti = np.repeat(np.arange(n), k)
        td = _days_in(rng, tl, np.full(len(ti), first), np.full(len(ti), last))
        rows_i.append(ti)
        rows_day.append(td)
        rows_amt.append(denom[ti])
        rows_bm.append(np.full(len(ti), -99))
        self.balance += np.bincount(ti, denom[ti], n).astype(np.int64) - np.where(pre, spend, 0)
        empty = np.flatnonzero(pre & stay & (self.balance < -300) & (self.status == 10))
        eday = rng.integers(first + 10, last + 1, len(empty))
        self.status[empty], self.status_day[empty] = 21, eday
        ev.append(
            (
                empty,
                np.full(len(empty), "03"),
                eday,
                rng.integers(0, 86400, len(empty)),
                np.full(len(empty), -1),
                np.full(len(empty), -1),
                np.full(len(empty), -1),
            )
        )
        back = np.flatnonzero(pre & stay & (self.balance >= 0) & (self.status == 21))
        self.status[back], self.status_day[back] = 10, last
        ev.append(
            (
                back,
                np.full(len(back), "04"),
                np.full(len(back), last),
                rng.integers(8 * 3600, 22 * 3600, len(back)),
                np.full(len(back), -1),
                np.full(len(back), -1),
                np.full(len(back), -1),
            )
        )
        # 4) refunds of last month's over-billing
        if m - 1 == self.inc.bill_month:
            ri = np.flatnonzero((self.overbill_prev > 0) & (stay | churn))
            rd = rng.integers(first + 3, first + 15, len(ri))
            rows_i.append(ri)
            rows_day.append(rd)
            rows_amt.append(-self.overbill_prev[ri])
            rows_bm.append(np.full(len(ri), m - 1))
        self.overbill_prev = self.overbill_now
        idx = np.concatenate(rows_i).astype(np.int64)
        bm = np.concatenate(rows_bm)
        method = self.pay_method[idx]
        method = np.where(
            bm == -99, rng.choice([0, 2, 3, 4, 5], len(idx), p=[0.1, 0.4, 0.35, 0.1, 0.05]), method
        )
        return {
            "idx": idx,
            "day": np.concatenate(rows_day).astype(np.int64),
            "amount": np.concatenate(rows_amt).astype(np.int64),
            "bill_month": bm,
            "method": method,
        }

    # ------------------------------------------------------------------ complaints
    def _complaints(
        self,
        m: int,
        first: int,
        last: int,
        in_month: np.ndarray,
        in_frac: np.ndarray,
        serve_from: np.ndarray,
        serve_to: np.ndarray,
        down_days: np.ndarray,
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        w, rng, inc = self.w, self.rng, self.inc
        n = w.n
        ok = in_month & ~w.s_fraud
        drop = self.cell_drop_prev[np.maximum(w.s_cell, 0)]
        lam = (
            0.011 * np.exp(0.75 * np.clip(self.d, 0, None))
            + 0.012 * np.clip(drop - 0.6, 0, 3) * (w.s_cell >= 0)
            + 0.04 * (self.status == 21)
        ) * in_frac
        k = np.where(ok, rng.poisson(lam), 0)
        gi = np.repeat(np.arange(n), k)
        gcat = np.where(
            w.s_fbb[gi], _choice(rng, CMPL_FBB, len(gi)), _choice(rng, CMPL_GENERAL, len(gi))
        )
        gcat = np.where((self.status[gi] == 21) & (rng.random(len(gi)) < 0.4), "020302", gcat)
        gday = rng.integers(serve_from[gi], serve_to[gi] + 1)
        parts_i, parts_cat, parts_day, parts_cell = (
            [gi],
            [gcat],
            [gday],
            [np.where(np.char.startswith(gcat, "01"), w.s_cell[gi], -1)],
        )
        # outage complaints: subscribers of a cell that is down, on the days it is down
        for c, s, e in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):
            if e >= first and s <= last:
                lo, hi = max(s, first), min(e, last)
                on = np.flatnonzero((w.s_cell == c) & ok)
                on = on[rng.random(len(on)) < min(0.5, 0.16 * (hi - lo + 1) / 3)]
                parts_i.append(on)
                parts_cat.append(_choice(rng, CMPL_OUTAGE, len(on)))
                parts_day.append(rng.integers(lo, hi + 1, len(on)))
                parts_cell.append(np.full(len(on), c))
        # billing error: the over-billed subscribers complain during the month
        if m == inc.bill_month:
            bi = np.flatnonzero((self.overbill_now > 0) & ok & (rng.random(n) < 0.15))
            parts_i.append(bi)
            parts_cat.append(_choice(rng, CMPL_BILLING_ERROR, len(bi)))
            parts_day.append(rng.integers(first, last + 1, len(bi)))
            parts_cell.append(np.full(len(bi), -1))
        idx = np.concatenate(parts_i).astype(np.int64)
        count = np.bincount(idx, minlength=n)
        return {
            "idx": idx,
            "cat": np.concatenate(parts_cat),
            "day": np.concatenate(parts_day).astype(np.int64),
            "cell": np.concatenate(parts_cell).astype(np.int64),
        }, count

    # ------------------------------------------------------------------ commissions
    def _commissions(self, m: int) -> dict[str, np.ndarray]:
        w, rng = self.w, self.rng
        paid_l1 = np.isin(self.ch_l1, (1, 3))  # social and direct-sales channels earn commission
        ch_i, sub_i, typ, amt = [], [], [], []
        if m >= 1:
            # 01 acquisition: for last month's new subscribers
            ai = np.flatnonzero((w.s_arrival == m - 1) & paid_l1[w.s_channel])
            a = np.minimum(self.pk_fee[w.s_pkg0[ai]] * 1.5, 15000)
            a = np.where(self.w.ch_type_codes_arr[w.s_channel[ai]] == "4010", 5000, a).astype(
                np.int64
            )
            a = np.maximum(a, 2000)
            self.acq_fen[ai] = a
            ch_i.append(w.s_channel[ai])
            sub_i.append(ai)
            typ.append(np.full(len(ai), "01"))
            amt.append(a)  # noqa: E702
            # 04 clawback: left within 3 months of opening, acquisition already paid
            ci = np.flatnonzero(
                (self.churn_month == m - 1)
                & (w.s_arrival >= 0)
                & (self.churn_month - w.s_arrival < 3)
                & (self.acq_fen > 0)
            )
            ch_i.append(w.s_channel[ci])
            sub_i.append(ci)
            typ.append(np.full(len(ci), "04"))
            amt.append(-self.acq_fen[ci])  # noqa: E702
            # 02 revenue share: 8% of last month's bills of subscribers acquired in the last 24 months
            tenure = (
                m
                - 1
                - np.where(
                    w.s_arrival >= 0,
                    w.s_arrival,
                    -24 + (w.s_open_day - self.tl.month_first(0)) / 30.44,
                )
            )
            share = (tenure <= 24) & paid_l1[w.s_channel] & (self.bill_prev > 0)
            rs = (
                np.bincount(w.s_channel[share], self.bill_prev[share] * 0.08, len(w.ch_prov))
                .round()
                .astype(np.int64)
            )
            rc = np.flatnonzero(rs > 0)
            ch_i.append(rc)
            sub_i.append(np.full(len(rc), -1))
            typ.append(np.full(len(rc), "02"))
            amt.append(rs[rc])  # noqa: E702
        if self.tl.month_date(m).month in (1, 4, 7, 10) and m >= 1:
            # 03 quarterly incentive to the best acquirers of the quarter
            q = self.acq_by_channel[max(0, m - 3) : m].sum(axis=0)
            elig = paid_l1 & (q > 0)
            if elig.any():
                thr = np.quantile(q[elig], 0.75)
                ic = np.flatnonzero(elig & (q >= thr))
                ch_i.append(ic)
                sub_i.append(np.full(len(ic), -1))
                typ.append(np.full(len(ic), "03"))  # noqa: E702
                amt.append((q[ic] * 3000 + rng.integers(0, 50, len(ic)) * 100).astype(np.int64))
        if not ch_i:
            return {
                "ch": np.zeros(0, np.int64),
                "sub": np.zeros(0, np.int64),
                "type": np.zeros(0, "<U2"),
                "amt": np.zeros(0, np.int64),
            }
        return {
            "ch": np.concatenate(ch_i).astype(np.int64),
            "sub": np.concatenate(sub_i).astype(np.int64),
            "type": np.concatenate(typ),
            "amt": np.concatenate(amt).astype(np.int64),
        }

    # ------------------------------------------------------------------ cells
    def _cell_days(
        self, days: np.ndarray, mou: np.ndarray, data_mb: np.ndarray, nd: int, include: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Daily KPIs for every cell on the given days, spreading the month's traffic of the
        subscribers camped on each cell over its days by the day weights."""
        w, rng, tl = self.w, self.rng, self.tl
        nc = len(w.cell_county)
        sel = include & (w.s_cell >= 0)
        v = np.bincount(w.s_cell[sel], mou[sel], nc) * 1.1 + rng.uniform(20, 200, nc)
        dgb = np.bincount(w.s_cell[sel], data_mb[sel], nc) / 1024 * 1.1 + rng.uniform(0.5, 5, nc)
        av = self.avail[:, days - tl.span_first]  # (cells, days)
        upf = 1 - 0.85 * (100 - av) / 100
        vw = tl.weight("voice", days)[None, :] * upf
        dw = tl.weight("data", days)[None, :] * upf
        norm_v = tl.weight("voice", days).mean() * nd
        norm_d = tl.weight("data", days).mean() * nd
        shape = (nc, len(days))
        voice = v[:, None] * vw / norm_v / 60 * rng.lognormal(0, 0.07, shape)
        data = dgb[:, None] * dw / norm_d * rng.lognormal(0, 0.07, shape)
        load = data / np.maximum(data.mean(axis=1, keepdims=True), 1e-6)
        down = av < 95
        drop = w.cell_drop_base[:, None] * rng.lognormal(0, 0.15, shape) + np.where(
            down, rng.uniform(3, 9, shape), 0
        )
        cong = np.clip(rng.lognormal(np.log(0.35), 0.5, shape) * load**1.5, 0, 20) + np.where(
            down, rng.uniform(5, 20, shape), 0
        )
        return {
            "voice": voice.round(2),
            "data": data.round(3),
            "drop": np.clip(drop, 0, 100).round(3),
            "cong": np.clip(cong, 0, 100).round(3),
            "avail": np.clip(av, 0, 100).round(3),
        }

    def _write_cells(self, period: str, days: np.ndarray, k: dict[str, np.ndarray]) -> None:
        w, tl = self.w, self.tl
        nc = len(w.cell_county)
        ci = np.repeat(np.arange(nc), len(days))
        di = np.tile(days, nc)
        cols = {
            "stat_date": tl.dates(di),
            "cell_id": w.cell_id.take(pa.array(ci)),
            "cell_name": w.cell_name.take(pa.array(ci)),
            "prov_code": self.cell_prov_str.take(pa.array(ci)),
            "city_code": self.cell_city_str.take(pa.array(ci)),
            "county_code": self.cell_county_str.take(pa.array(ci)),
            "net_type": pa.array(np.where(w.cell_net5g[ci], "5G", "4G")),
            "voice_traffic_erl": pa.array(k["voice"].ravel()),
            "data_traffic_gb": pa.array(k["data"].ravel()),
            "drop_rate": pa.array(k["drop"].ravel()),
            "congestion_rate": pa.array(k["cong"].ravel()),
            "availability": pa.array(k["avail"].ravel()),
        }
        self._emit("CELL", period, w.cell_prov[ci], cols, sort_key=np.arange(len(ci)))

    # ------------------------------------------------------------------ writing a month
    def _write_month(
        self,
        m: int,
        period: str,
        first: int,
        last: int,
        in_month: np.ndarray,
        churn: np.ndarray,
        mou: np.ndarray,
        data_mb: np.ndarray,
        sms: np.ndarray,
        active_days: np.ndarray,
        bill: dict[str, np.ndarray],
        pay: dict[str, np.ndarray],
        cmpl: dict[str, np.ndarray],
        ev: list,
    ) -> None:
        w, tl, S = self.w, self.tl, self.S
        si = np.flatnonzero(in_month)
        t = pa.array(si)
        prov = w.s_prov[si]
        # SUBS
        term = self.term[si]
        tmask = term < 0
        tk = pa.array(np.maximum(term, 0))
        cend = self.contract_end[si]
        self._emit(
            "SUBS",
            period,
            prov,
            {
                "subs_id": S["subs_id"].take(t),
                "msisdn": S["msisdn"].take(t),
                "cust_id": S["cust_id"].take(t),
                "prov_code": S["prov"].take(t),
                "city_code": S["city"].take(t),
                "county_code": S["county"].take(t),
                "package_code": self.pk_code.take(pa.array(self.pkg[si])),
                "pay_type": pa.array(np.where(w.s_prepaid[si], "1", "2")),
                "net_type": pa.array(self.pk_net[self.pkg[si]].astype(str)),
                "open_date": S["open_date"].take(t),
                "channel_id": S["channel_id"].take(t),
                "status": pc.cast(pa.array(self.status[si]), pa.string()),
                "status_date": tl.dates(np.minimum(self.status_day[si], last)),
                "terminal_brand": pc.if_else(pa.array(tmask), NULL_STR, w.term_brand.take(tk)),
                "terminal_model": pc.if_else(pa.array(tmask), NULL_STR, w.term_model.take(tk)),
                "is_5g_terminal": pa.array(
                    np.where(tmask, None, w.term_5g[np.maximum(term, 0)].astype(np.int8)), pa.int8()
                ),
                "terminal_date": tl.dates(
                    np.where(tmask, first, np.minimum(self.term_day[si], last)), mask=tmask
                ),
                "contract_end_date": tl.dates(np.where(cend < 0, first, cend), mask=cend < 0),
                "is_opt_out": pa.array(w.s_opt_out[si].astype(np.int8)),
            },
        )
        # CUST: customers with a subscriber in service during the month; closed when none is left
        cu_in = np.bincount(w.s_cust[si], minlength=len(w.cu_prov)) > 0
        cu_alive = np.bincount(w.s_cust[si][~churn[si]], minlength=len(w.cu_prov)) > 0
        ci = np.flatnonzero(cu_in)
        c = pa.array(ci)
        grp = w.cu_group[ci]
        gmask = (grp < 0) | ~cu_in[np.maximum(grp, 0)]
        birth = w.cu_birth[ci]
        cu_county = w.cu_county[ci]
        self._emit(
            "CUST",
            period,
            w.cu_prov[ci],
            {
                "cust_id": w.cu_id.take(c),
                "cust_name": w.cu_name.take(c),
                "cust_type": pa.array(np.array(["", "01", "02", "03"])[w.cu_type[ci]]),
                "cert_type": pa.array(np.array(["", "01", "02", "03"])[w.cu_cert_type[ci]]),
                "cert_no": w.cu_cert_no.take(c),
                "gender": pc.if_else(
                    pa.array(w.cu_gender[ci] == 0),
                    NULL_STR,
                    pc.cast(pa.array(w.cu_gender[ci]), pa.string()),
                ),
                "birth_date": tl.dates(
                    np.where(birth == NO_DAY, first, birth), mask=birth == NO_DAY
                ),
                "prov_code": self.prov_str.take(pa.array(w.cu_prov[ci])),
                "city_code": self.city_str.take(pa.array(w.geo.county_city[cu_county])),
                "county_code": self.county_str.take(pa.array(cu_county)),
                "address": w.cu_address.take(c),
                "contact_phone": w.cu_phone.take(c),
                "vip_level": pc.cast(pa.array(w.cu_vip[ci]), pa.string()),
                "group_cust_id": pc.if_else(
                    pa.array(gmask), NULL_STR, w.cu_id.take(pa.array(np.maximum(grp, 0)))
                ),
                "create_date": tl.dates(self.cu_create[ci]),
                "status": pa.array(np.where(cu_alive[ci], "1", "2")),
            },
        )
        # BILL
        bcols = {
            "bill_month": pa.array(np.full(len(si), period)),
            "subs_id": S["subs_id"].take(t),
            "cust_id": S["cust_id"].take(t),
            "prov_code": S["prov"].take(t),
            "city_code": S["city"].take(t),
            "package_code": self.pk_code.take(pa.array(self.pkg[si])),
        }
        for k in (
            "package_fee_fen",
            "voice_fee_fen",
            "data_fee_fen",
            "sms_fee_fen",
            "vas_fee_fen",
            "roaming_fee_fen",
            "other_fee_fen",
            "discount_fen",
            "total_due_fen",
        ):
            bcols[k] = pa.array(bill[k][si])
        due = np.where(w.s_prepaid[si], last, last + 20)
        bcols["due_date"] = tl.dates(due)
        self._emit("BILL", period, prov, bcols)
        # USGM
        self._emit(
            "USGM",
            period,
            prov,
            {
                "usage_month": pa.array(np.full(len(si), period)),
                "subs_id": S["subs_id"].take(t),
                "prov_code": S["prov"].take(t),
                "city_code": S["city"].take(t),
                "mou": pa.array(mou[si]),
                "data_mb": pa.array(data_mb[si]),
                "sms_cnt": pa.array(sms[si]),
                "active_days": pa.array(active_days[si]),
                "main_cell_id": self.main_cell.take(t),
            },
        )
        self._write_events(period, ev)
        self._write_payments(period, pay)
        self._write_complaints(period, cmpl, last)
        # CHNL
        nch = len(w.ch_prov)
        chx = pa.array(np.arange(nch))
        self._emit(
            "CHNL",
            period,
            w.ch_prov,
            {
                "channel_id": w.ch_id.take(chx),
                "channel_name": w.ch_name.take(chx),
                "channel_type_code": pa.array(w.ch_type_codes_arr),
                "prov_code": self.prov_str.take(pa.array(w.ch_prov)),
                "city_code": self.city_str.take(pa.array(w.geo.county_city[w.ch_county])),
                "county_code": self.county_str.take(pa.array(w.ch_county)),
                "open_date": tl.dates(w.ch_open_day),
                "status": pa.array(np.where(w.ch_close_month <= m, "0", "1")),
            },
        )
        # CMSN
        cm = self._commissions(m)
        cprov = w.ch_prov[cm["ch"]]
        self._emit(
            "CMSN",
            period,
            cprov,
            {
                "cmsn_id": self._ids("M", cprov, period, np.arange(len(cprov))),
                "settle_month": pa.array(np.full(len(cprov), period)),
                "channel_id": w.ch_id.take(pa.array(cm["ch"])),
                "subs_id": pc.if_else(
                    pa.array(cm["sub"] < 0),
                    NULL_STR,
                    w.s_id.take(pa.array(np.maximum(cm["sub"], 0))),
                ),
                "cmsn_type": pa.array(cm["type"].astype(str)),
                "amount_fen": pa.array(cm["amt"]),
                "prov_code": self.prov_str.take(pa.array(cprov)),
            },
            sort_key=np.arange(len(cprov)),
        )
        # CELL
        days = np.arange(first, last + 1)
        k = self._cell_days(days, self.rate_mou * 1.0, self.rate_data, len(days), in_month)
        self._write_cells(period, days, k)
        nc = len(w.cell_county)
        self.cell_drop_prev = k["drop"].mean(axis=1) if nc else self.cell_drop_prev
        self.cell_totals = (self.rate_mou.copy(), self.rate_data.copy(), in_month & ~churn)

    def _write_events(self, period: str, ev: list) -> None:
        w, tl = self.w, self.tl
        ev = [e for e in ev if len(e[0])]
        if ev:
            idx, typ, day, sec, old, new, ch = (
                np.concatenate([np.asarray(e[j]) for e in ev]) for j in range(7)
            )
        else:
            idx = day = sec = old = new = ch = np.zeros(0, np.int64)
            typ = np.zeros(0, "<U2")
        idx = idx.astype(np.int64)
        prov = w.s_prov[idx]
        key = day.astype(np.int64) * 86400 + sec
        t = pa.array(idx)
        eid = self._ids("E", prov, period, key)
        self._emit(
            "EVNT",
            period,
            prov,
            {
                "event_id": eid,
                "subs_id": self.S["subs_id"].take(t),
                "msisdn": self.S["msisdn"].take(t),
                "event_type": pa.array(typ.astype(str)),
                "event_time": tl.timestamps(day, sec),
                "prov_code": self.S["prov"].take(t),
                "city_code": self.S["city"].take(t),
                "old_package_code": pc.if_else(
                    pa.array(old < 0), NULL_STR, self.pk_code.take(pa.array(np.maximum(old, 0)))
                ),
                "new_package_code": pc.if_else(
                    pa.array(new < 0), NULL_STR, self.pk_code.take(pa.array(np.maximum(new, 0)))
                ),
                "channel_id": pc.if_else(
                    pa.array(ch < 0), NULL_STR, w.ch_id.take(pa.array(np.maximum(ch, 0)))
                ),
            },
            sort_key=key,
        )
        self.counter["events"] += len(idx)

    def _write_payments(self, period: str, pay: dict[str, np.ndarray]) -> None:
        w, tl, rng = self.w, self.tl, self.rng
        idx = pay["idx"]
        prov = w.s_prov[idx]
        sec = rng.integers(7 * 3600, 23 * 3600, len(idx))
        key = pay["day"] * 86400 + sec
        method = pay["method"]
        # e-payments through the province's app/web hall, cash at an owned hall, bank debit has no channel
        pch = np.where(
            np.isin(method, (2, 3, 5)),
            w.prov_echannel[prov],
            np.where(method == 0, w.prov_hall[prov], -1),
        )
        pch = np.where(method == 4, w.s_channel[idx], pch)  # top-up cards sold by the dealer
        bm = pay["bill_month"]
        t = pa.array(idx)
        months = {int(b): self.tl.yyyymm(int(b)) for b in np.unique(bm) if b != -99}
        keys = np.array(sorted(months)) if months else np.zeros(0, int)
        table = pa.array([months[k] for k in keys.tolist()], pa.string())
        bm_idx = np.searchsorted(keys, bm) if len(keys) else np.zeros(len(bm), int)
        bm_col = pc.if_else(
            pa.array(bm == -99),
            NULL_STR,
            table.take(pa.array(np.clip(bm_idx, 0, max(len(keys) - 1, 0))))
            if len(keys)
            else pa.nulls(len(bm), pa.string()),
        )
        self._emit(
            "PAYM",
            period,
            prov,
            {
                "pay_id": self._ids("P", prov, period, key),
                "subs_id": self.S["subs_id"].take(t),
                "cust_id": self.S["cust_id"].take(t),
                "prov_code": self.S["prov"].take(t),
                "city_code": self.S["city"].take(t),
                "pay_time": tl.timestamps(pay["day"], sec),
                "amount_fen": pa.array(pay["amount"]),
                "pay_method": pa.array(PAY_METHODS[method]),
                "pay_channel_id": pc.if_else(
                    pa.array(pch < 0), NULL_STR, w.ch_id.take(pa.array(np.maximum(pch, 0)))
                ),
                "bill_month": bm_col,
            },
            sort_key=key,
        )
        self.counter["payments"] += len(idx)

    def _write_complaints(self, period: str, c: dict[str, np.ndarray], data_end: int) -> None:
        w, tl, rng = self.w, self.tl, self.rng
        idx = c["idx"]
        n = len(idx)
        prov = w.s_prov[idx]
        sec = rng.integers(8 * 3600, 22 * 3600, n)
        key = c["day"] * 86400 + sec
        cat = c["cat"].astype(str)
        hours = rng.lognormal(np.log(20), 1.0, n)
        close_s = key + (hours * 3600).astype(np.int64)
        still_open = close_s > (self.tl.end_day * 86400 - 1)
        esc = rng.random(n) < np.where(np.char.startswith(cat, "02"), 0.08, 0.04)
        src = SOURCES[rng.choice(5, n, p=[0.55, 0.25, 0.1, 0.03, 0.07])]
        src = np.where(esc & (rng.random(n) < 0.5), "04", src)
        dd = self.d[idx]
        sat = np.clip(np.round(4.3 - 0.6 * dd - 0.8 * esc + rng.normal(0, 0.8, n)), 1, 5).astype(
            int
        )
        sat_null = still_open | (rng.random(n) < 0.3)
        cell = c["cell"]
        t = pa.array(idx)
        self._emit(
            "CMPL",
            period,
            prov,
            {
                "ticket_id": self._ids("T", prov, period, key),
                "accept_time": tl.timestamps(c["day"], sec),
                "subs_id": self.S["subs_id"].take(t),
                "msisdn": self.S["msisdn"].take(t),
                "prov_code": self.S["prov"].take(t),
                "city_code": self.S["city"].take(t),
                "county_code": self.S["county"].take(t),
                "source": pa.array(src),
                "category_code": pa.array(cat),
                "cell_id": pc.if_else(
                    pa.array(cell < 0), NULL_STR, w.cell_id.take(pa.array(np.maximum(cell, 0)))
                ),
                "is_escalated": pa.array(esc.astype(np.int8)),
                "close_time": tl.timestamps(
                    np.minimum(close_s // 86400, self.tl.end_day - 1),
                    close_s % 86400,
                    mask=still_open,
                ),
                "satisfaction": pc.if_else(
                    pa.array(sat_null), NULL_STR, pc.cast(pa.array(sat), pa.string())
                ),
            },
            sort_key=key,
        )
        self.counter["complaints"] += n

    # ------------------------------------------------------------------ daily files
    def daily(self) -> None:
        """USGD for the last usage days of the final month and the increment days; daily EVNT,
        PAYM, CELL and CMPL for each increment day after the last month."""
        cfg, tl, w, rng = self.cfg, self.tl, self.w, self.rng
        M = cfg.months
        mf = M - 1
        f_last = tl.month_first(M) - 1
        nd_f = tl.month_days(mf)
        usage_days = list(range(f_last - cfg.usage_days + 1, f_last + 1)) + list(
            range(f_last + 1, f_last + 1 + cfg.days)
        )
        alive_end = self.alive.copy()  # in service at the end of the final month
        mou_r, data_r, sms_r = self.rate_mou, self.rate_data, self.rate_sms
        inc_first = f_last + 1
        for day in usage_days:  # loop over days
            if day <= f_last:
                on = (
                    (w.s_arrival <= mf)
                    & (w.s_open_day <= day)
                    & (self.churn_day >= day)
                    & (self.churn_month >= mf)
                )
                on &= self.churn_month > mf - 1
            else:
                on = alive_end & (self.status < 90)
            on &= ~((self.status == 21) & (rng.random(w.n) < 0.9))
            act = on & (rng.random(w.n) < self.p_act)
            down = self._down(w.s_cell, np.full(w.n, day))
            f = (1 - 0.9 * down) / nd_f
            dm = np.round(
                mou_r * f * tl.weight("voice", np.array([day]))[0] * rng.gamma(2.0, 0.5, w.n)
            ).astype(np.int64)
            dd = np.round(
                data_r * f * tl.weight("data", np.array([day]))[0] * rng.gamma(2.5, 0.4, w.n), 2
            )
            ds = rng.poisson(sms_r * f)
            keep = np.flatnonzero(act & ((dm > 0) | (dd > 0) | (ds > 0)))
            t = pa.array(keep)
            ds_str = tl.dates(np.array([day]))[0].as_py()
            self._emit(
                "USGD",
                ds_str,
                w.s_prov[keep],
                {
                    "usage_date": pa.array(np.full(len(keep), ds_str)),
                    "subs_id": self.S["subs_id"].take(t),
                    "prov_code": self.S["prov"].take(t),
                    "mou": pa.array(dm[keep]),
                    "data_mb": pa.array(dd[keep]),
                    "sms_cnt": pa.array(ds[keep]),
                    "main_cell_id": self.main_cell.take(t),
                },
            )
        # increment days: events, payments, complaints, cell KPIs
        alive = alive_end & (self.status < 90)
        for day in range(inc_first, inc_first + cfg.days):  # loop over days
            period = tl.dates(np.array([day]))[0].as_py()
            ev: list[tuple] = []
            mob = alive & ~w.s_fbb & ~w.s_fraud
            is4g = self.pk_net[self.pkg] == "4G"
            t5 = w.term_5g[np.maximum(self.term, 0)] & (self.term >= 0)
            migr = np.flatnonzero(
                mob & is4g & t5 & (self.mig5g[self.pkg] != self.pkg) & (rng.random(w.n) < 0.04 / 30)
            )
            ev.append(
                (
                    migr,
                    np.full(len(migr), "02"),
                    np.full(len(migr), day),
                    rng.integers(8 * 3600, 22 * 3600, len(migr)),
                    self.pkg[migr],
                    self.mig5g[self.pkg[migr]],
                    w.prov_echannel[w.s_prov[migr]],
                )
            )
            self.pkg[migr] = self.mig5g[self.pkg[migr]]
            res = np.flatnonzero(alive & (self.status == 21) & (rng.random(w.n) < 0.03))
            self.status[res], self.status_day[res] = 10, day
            ev.append(
                (
                    res,
                    np.full(len(res), "04"),
                    np.full(len(res), day),
                    rng.integers(8 * 3600, 22 * 3600, len(res)),
                    np.full(len(res), -1),
                    np.full(len(res), -1),
                    np.full(len(res), -1),
                )
            )
            sus = np.flatnonzero(
                alive & (self.status == 10) & w.s_prepaid & (rng.random(w.n) < 0.002)
            )
            self.status[sus], self.status_day[sus] = 21, day
            ev.append(
                (
                    sus,
                    np.full(len(sus), "03"),
                    np.full(len(sus), day),
                    rng.integers(0, 86400, len(sus)),
                    np.full(len(sus), -1),
                    np.full(len(sus), -1),
                    np.full(len(sus), -1),
                )
            )
            self._write_events(period, ev)
            # payments: postpaid settling the final month's bill early, prepaid top-ups, arrears settled
            post = alive & ~w.s_prepaid & (self.bill_prev > 0) & ~self.bank_debit
            payer = np.flatnonzero(
                post & (rng.random(w.n) < 0.045 * tl.weight("pay", np.array([day]))[0])
            )
            pre = np.flatnonzero(alive & w.s_prepaid & ~w.s_fraud & (rng.random(w.n) < 0.035))
            denom = TOPUP_DENOMS[
                rng.choice(len(TOPUP_DENOMS), len(pre), p=[0.15, 0.3, 0.35, 0.15, 0.05])
            ]
            idx = np.concatenate([payer, pre, res]).astype(np.int64)
            # resumed today: prepaid top up, postpaid settle their arrears
            res_pre = w.s_prepaid[res]
            amount = np.concatenate(
                [
                    self.bill_prev[payer],
                    denom,
                    np.where(res_pre, 5000, np.maximum(self.arrears[res], self.bill_prev[res])),
                ]
            )
            bm = np.concatenate(
                [np.full(len(payer), mf), np.full(len(pre), -99), np.where(res_pre, -99, mf)]
            )
            method = np.where(
                bm == -99,
                rng.choice([0, 2, 3, 4, 5], len(idx), p=[0.1, 0.4, 0.35, 0.1, 0.05]),
                self.pay_method[idx],
            )
            self.bill_prev[payer] = 0
            self.arrears[res] = 0
            self._write_payments(
                period,
                {
                    "idx": idx,
                    "day": np.full(len(idx), day),
                    "amount": amount.astype(np.int64),
                    "bill_month": bm,
                    "method": method,
                },
            )
            # complaints: the monthly rate spread over days, plus outage complaints
            lam = (
                0.011 * np.exp(0.75 * np.clip(self.d, 0, None)) + 0.04 * (self.status == 21)
            ) / 30
            k = np.where(alive & ~w.s_fraud, rng.poisson(lam), 0)
            gi = np.repeat(np.arange(w.n), k)
            gcat = np.where(
                w.s_fbb[gi], _choice(rng, CMPL_FBB, len(gi)), _choice(rng, CMPL_GENERAL, len(gi))
            )
            parts = [(gi, gcat, np.where(np.char.startswith(gcat, "01"), w.s_cell[gi], -1))]
            for c, s, e in zip(
                self.inc.out_cell, self.inc.out_start, self.inc.out_end, strict=True
            ):
                if s <= day <= e:
                    on = np.flatnonzero((w.s_cell == c) & alive & ~w.s_fraud)
                    on = on[rng.random(len(on)) < 0.06]
                    parts.append((on, _choice(rng, CMPL_OUTAGE, len(on)), np.full(len(on), c)))
            ci = np.concatenate([p[0] for p in parts]).astype(np.int64)
            self._write_complaints(
                period,
                {
                    "idx": ci,
                    "cat": np.concatenate([p[1] for p in parts]),
                    "day": np.full(len(ci), day),
                    "cell": np.concatenate([p[2] for p in parts]).astype(np.int64),
                },
                day,
            )
            # cell KPIs of the day from the final month's traffic
            rm, rd, inm = self.cell_totals
            k2 = self._cell_days(np.array([day]), rm, rd, nd_f, inm)
            self._write_cells(period, np.array([day]), k2)

    # ------------------------------------------------------------------ truth
    def write_truth(self, truth: Path, summary: dict) -> None:
        w, tl, inc = self.w, self.tl, self.inc
        truth.mkdir(parents=True, exist_ok=True)
        parts = list(zip(*self.truth, strict=True)) if self.truth else [[np.zeros(0, int)]] * 5
        idx, mon, p, churned, kind = (np.concatenate(x) for x in parts)
        month_days = np.array([tl.month_first(int(k)) for k in range(self.cfg.months)], np.int32)
        table = pa.table(
            {
                "subs_id": w.s_id.take(pa.array(idx.astype(np.int64))),
                "month": pa.array(month_days[mon.astype(np.int64)], pa.date32())
                if len(mon)
                else pa.array([], pa.date32()),
                "p_churn": pa.array(p.astype(float)),
                "churned": pa.array(churned.astype(bool)),
                "churn_kind": pc.if_else(
                    pa.array(kind == 0),
                    NULL_STR,
                    pa.array(["", "cancel", "port_out"]).take(pa.array(kind.astype(np.int64))),
                ),
            }
        )
        df = pd.DataFrame({"month": mon, "p_churn": p, "churned": churned})
        pq.write_table(table, truth / "churn_probability.parquet")
        geo = w.geo
        rows = []
        for c, s, e, a in zip(inc.out_cell, inc.out_start, inc.out_end, inc.out_avail, strict=True):
            county = w.cell_county[c]
            rows.append(
                {
                    "kind": "cell_outage",
                    "prov_code": geo.prov_codes[w.cell_prov[c]],
                    "city_code": geo.city_code[geo.county_city[county]],
                    "county_code": str(geo.county_code[county]),
                    "cell_id": w.cell_id[int(c)].as_py(),
                    "package_code": "",
                    "channel_id": "",
                    "start_date": date_of(s).isoformat(),
                    "end_date": date_of(e).isoformat(),
                    "description": f"基站故障: 小区退服 {e - s + 1} 天, 可用率约 {a:.0f}% (cell down; drop rate, complaints and usage react)",
                }
            )
        bm0 = tl.month_date(inc.bill_month)
        bm1 = date_of(tl.month_first(inc.bill_month + 1) - 1)
        rows.append(
            {
                "kind": "billing_error",
                "prov_code": geo.prov_codes[inc.bill_prov],
                "city_code": "",
                "county_code": "",
                "cell_id": "",
                "package_code": self.pk_code[inc.bill_pkg].as_py(),
                "channel_id": "",
                "start_date": bm0.isoformat(),
                "end_date": bm1.isoformat(),
                "description": f"计费差错: 套餐月费重复收取 (package fee x{inc.bill_factor:g}) for one bill month; "
                "billing complaints spike that month, refunds next month",
            }
        )
        dm0 = tl.month_date(inc.dip_month)
        dm1 = date_of(tl.month_first(inc.dip_month + 1) - 1)
        rows.append(
            {
                "kind": "revenue_dip",
                "prov_code": geo.prov_codes[inc.dip_prov],
                "city_code": "",
                "county_code": "",
                "cell_id": "",
                "package_code": "",
                "channel_id": "",
                "start_date": dm0.isoformat(),
                "end_date": dm1.isoformat(),
                "description": f"省级收入下滑: 当月优惠减免增加, 收入约低于趋势 {inc.dip_share:.0%} (revenue below trend)",
            }
        )
        fraud = np.flatnonzero(w.ch_fraud_start >= 0)
        for ch in fraud:
            s = int(w.ch_fraud_start[ch])
            rows.append(
                {
                    "kind": "fraud_dealer",
                    "prov_code": geo.prov_codes[w.ch_prov[ch]],
                    "city_code": geo.city_code[geo.county_city[w.ch_county[ch]]],
                    "county_code": str(geo.county_code[w.ch_county[ch]]),
                    "cell_id": "",
                    "package_code": "",
                    "channel_id": w.ch_id[int(ch)].as_py(),
                    "start_date": tl.month_date(s).isoformat(),
                    "end_date": date_of(
                        tl.month_first(min(s + 4, self.cfg.months)) - 1
                    ).isoformat(),
                    "description": "养卡: 社会渠道批量开户, 新用户几乎不使用, 佣金结算后2-4个月内拆机",
                }
            )
        pd.DataFrame(rows).to_csv(truth / "incidents.csv", index=False, lineterminator="\n")
        pd.DataFrame(
            {
                "channel_id": [w.ch_id[int(c)].as_py() for c in fraud],
                "prov_code": [geo.prov_codes[w.ch_prov[c]] for c in fraud],
                "start_month": [
                    tl.month_date(int(w.ch_fraud_start[c])).strftime("%Y-%m") for c in fraud
                ],
            }
        ).to_csv(truth / "fraud_dealers.csv", index=False, lineterminator="\n")
        monthly = (
            df.groupby("month")
            .agg(
                subscribers=("p_churn", "size"),
                churned=("churned", "sum"),
                mean_p_churn=("p_churn", "mean"),
            )
            .reset_index()
        )
        monthly["month"] = [tl.month_date(int(k)) for k in monthly["month"]]
        manifest = {
            "config": self.cfg.as_dict(),
            "seed": self.cfg.seed,
            "interface_version": INTERFACE_VERSION,
            "subscribers_total": int(w.n),
            "customers_total": int(len(w.cu_prov)),
            "channels": int(len(w.ch_prov)),
            "cells": int(len(w.cell_county)),
            "fraud_dealers": int(len(fraud)),
            "fraud_subscribers": int(w.s_fraud.sum()),
            "churn_intercept": self.b0,
            "monthly_churn": [
                {
                    "month": r.month.isoformat(),
                    "subscribers": int(r.subscribers),
                    "churned": int(r.churned),
                    "rate": round(float(r.churned) / max(int(r.subscribers), 1), 5),
                    "mean_p_churn": round(float(r.mean_p_churn), 5),
                }
                for r in monthly.itertuples()
            ],
            "files": summary["files"],
            "rows": summary["rows"],
        }
        (truth / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def simulate(
    cfg: SimConfig, out: Path, truth: Path, progress: Callable[[str], None] | None = None
) -> dict:
    """Generate the extracts into ``out`` and the ground truth into ``truth``; returns a summary
    (files written, rows per interface, seconds)."""
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    out, truth = Path(out), Path(truth)
    ref = load_reference()
    tl = Timeline(cfg.start, cfg.months, BURN_IN, cfg.days)
    rng = np.random.default_rng(cfg.seed)
    world = build_world(ref, cfg, tl, rng)
    world.ch_type_codes_arr = np.array(world.ch_type_codes)[world.ch_type]  # type: ignore[attr-defined]
    inc = plan_incidents(world, ref, cfg, tl, rng)
    writer = ExtractWriter(out, cfg.encoding, cfg.gzip)
    sim = Simulation(cfg, ref, tl, world, inc, writer, rng)
    say(
        f"world: {world.n:,} subscribers over the run, {len(world.cu_prov):,} customers, "
        f"{len(world.ch_prov):,} channels, {len(world.cell_county):,} cells ({time.perf_counter() - t0:.1f}s)"
    )
    for m in range(-BURN_IN, cfg.months):  # loop over months
        sim.step(m)
        if m >= 0:
            say(
                f"month {tl.yyyymm(m)}: {int(sim.alive.sum()):,} in service at month end, "
                f"{writer.files} files so far ({time.perf_counter() - t0:.1f}s)"
            )
    sim.daily()
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
    sim.write_truth(truth, summary)
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    say(f"done: {writer.files} files, {sum(writer.rows.values()):,} rows in {summary['seconds']}s")
    return summary
