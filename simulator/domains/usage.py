"""Usage: minutes, data and SMS of the month from each subscriber's base rates, seasonality,
dissatisfaction, suspension and outages of the main cell (USGM), and the daily usage (USGD) of
the last usage days of the final month and the increment days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.context import BURN_IN, DailyWindow, Domain, Month, Sim
from simulator.records import Usage


class UsageDomain(Domain):
    interfaces = ("USGM", "USGD")

    def simulate_month(self, sim: Sim, month: Month) -> None:
        w, s, rng, tl, inc = sim.world, sim.state, sim.rng, sim.tl, sim.inc
        m, first, last, nd = month.m, month.first, month.last, month.days
        in_month = month.in_month
        serve_from = np.where(month.arrivals, w.s_open_day, first)
        serve_to = np.where(month.churn, s.churn_day, last)
        in_frac = np.where(in_month, (serve_to - serve_from + 1) / nd, 0.0)
        down_days = np.zeros(w.n)
        for c, start, end in zip(inc.out_cell, inc.out_start, inc.out_end, strict=True):
            if end >= first and start <= last:  # a few outages
                on = w.s_cell == c
                down_days[on] += sim.down(
                    np.full(on.sum(), c), np.full(on.sum(), max(start, first))
                ) * (min(end, last) - max(start, first) + 1)
        susp = np.where(np.isin(s.status, (20, 21)) & month.start_alive, 0.15, 1.0)
        out_f = 1 - 0.85 * down_days / nd
        dis = np.exp(-0.55 * np.clip(s.d, 0, None))
        is5g = sim.packages.net_type[s.pkg] == "5G"
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
        s.rate_mou, s.rate_data, s.rate_sms = rate_mou, rate_data, rate_sms
        mou = np.round(rate_mou * in_frac).astype(np.int64)
        data_mb = np.round(rate_data * in_frac, 2)
        sms = np.round(rate_sms * in_frac).astype(np.int64)
        p_act = np.clip(1 - np.exp(-rate_mou / 25 - rate_data / 400 - rate_sms / 20), 0.02, 0.995)
        s.p_act = np.where(w.s_fraud, rng.uniform(0.02, 0.12, w.n), p_act)
        serve_days = np.where(in_month, serve_to - serve_from + 1, 0)
        active_days = rng.binomial(serve_days, s.p_act)
        active_days = np.where((mou + data_mb + sms) > 0, np.maximum(active_days, 1), 0)
        s.hist_mou = np.vstack([s.hist_mou[1:], rate_mou])
        s.hist_data = np.vstack([s.hist_data[1:], rate_data])
        s.shock += 0.9 * np.clip(down_days, 0, 3) / 3
        month.usage = Usage(
            mou=mou,
            data_mb=data_mb,
            sms=sms,
            active_days=active_days,
            in_frac=in_frac,
            serve_from=serve_from,
            serve_to=serve_to,
            down_days=down_days,
        )

    def write_month(self, sim: Sim, month: Month) -> None:
        st, u = sim.static, month.usage
        si = np.flatnonzero(month.in_month)
        t = pa.array(si)
        sim.emit(
            "USGM",
            month.period,
            sim.world.s_prov[si],
            {
                "usage_month": pa.array(np.full(len(si), month.period)),
                "subs_id": st.subs_id.take(t),
                "prov_code": st.subs_prov.take(t),
                "city_code": st.subs_city.take(t),
                "mou": pa.array(u.mou[si]),
                "data_mb": pa.array(u.data_mb[si]),
                "sms_cnt": pa.array(u.sms[si]),
                "active_days": pa.array(u.active_days[si]),
                "main_cell_id": st.subs_main_cell.take(t),
            },
        )

    def write_daily(self, sim: Sim, window: DailyWindow) -> None:
        """USGD: the final month's rates spread over its last days and the increment days."""
        w, s, rng, tl, st = sim.world, sim.state, sim.rng, sim.tl, sim.static
        final = window.final_month
        for day in window.usage_days:  # loop over days
            if day <= window.final_last:
                on = (
                    (w.s_arrival <= final)
                    & (w.s_open_day <= day)
                    & (s.churn_day >= day)
                    & (s.churn_month >= final)
                )
            else:
                on = window.in_service
            on = on & ~((s.status == 21) & (rng.random(w.n) < 0.9))
            act = on & (rng.random(w.n) < s.p_act)
            f = (1 - 0.9 * sim.down(w.s_cell, np.full(w.n, day))) / window.final_days
            dm = np.round(
                s.rate_mou * f * tl.weight("voice", np.array([day]))[0] * rng.gamma(2.0, 0.5, w.n)
            ).astype(np.int64)
            dd = np.round(
                s.rate_data * f * tl.weight("data", np.array([day]))[0] * rng.gamma(2.5, 0.4, w.n),
                2,
            )
            ds = rng.poisson(s.rate_sms * f)
            keep = np.flatnonzero(act & ((dm > 0) | (dd > 0) | (ds > 0)))
            t = pa.array(keep)
            date = tl.dates(np.array([day]))[0].as_py()
            sim.emit(
                "USGD",
                date,
                w.s_prov[keep],
                {
                    "usage_date": pa.array(np.full(len(keep), date)),
                    "subs_id": st.subs_id.take(t),
                    "prov_code": st.subs_prov.take(t),
                    "mou": pa.array(dm[keep]),
                    "data_mb": pa.array(dd[keep]),
                    "sms_cnt": pa.array(ds[keep]),
                    "main_cell_id": st.subs_main_cell.take(t),
                },
            )
