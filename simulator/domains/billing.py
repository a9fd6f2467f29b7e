"""Billing: the month's bill of every subscriber in service (package fee pro rata, overage,
VAS, roaming, discounts; the planted billing error and revenue dip) and the BILL file."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pyarrow as pa

from simulator.context import Domain, Month, Sim
from simulator.records import Bill

BILL_AMOUNTS = [f.name for f in fields(Bill) if f.name != "overbill_fen"]  # BILL's columns


class BillingDomain(Domain):
    interfaces = ("BILL",)

    def simulate_month(self, sim: Sim, month: Month) -> None:
        month.bill = _bill(sim, month)

    def close_month(self, sim: Sim, month: Month) -> None:
        sim.state.bill_prev = np.where(month.in_month, month.bill.total_due_fen, 0)

    def write_month(self, sim: Sim, month: Month) -> None:
        w, st = sim.world, sim.static
        si = np.flatnonzero(month.in_month)
        t = pa.array(si)
        cols = {
            "bill_month": pa.array(np.full(len(si), month.period)),
            "subs_id": st.subs_id.take(t),
            "cust_id": st.subs_cust_id.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "package_code": sim.packages.code.take(pa.array(sim.state.pkg[si])),
        }
        for k in BILL_AMOUNTS:
            cols[k] = pa.array(getattr(month.bill, k)[si])
        cols["due_date"] = sim.tl.dates(np.where(w.s_prepaid[si], month.last, month.last + 20))
        sim.emit("BILL", month.period, w.s_prov[si], cols)


def _bill(sim: Sim, month: Month) -> Bill:
    w, s, rng, inc, pk = sim.world, sim.state, sim.rng, sim.inc, sim.packages
    m, in_month, u = month.m, month.in_month, month.usage
    in_frac = u.in_frac
    n = w.n
    pkg = s.pkg
    fee = np.round(pk.fee_fen[pkg] * np.clip(in_frac, 0, 1)).astype(np.int64)
    over = (w.s_prov == inc.bill_prov) & (pkg == inc.bill_pkg) & (m == inc.bill_month) & in_month
    overbill = np.where(over, np.round(fee * (inc.bill_factor - 1)).astype(np.int64), 0)
    fee = fee + overbill
    mobile = ~w.s_fbb
    vmin = pk.voice_min[pkg] * in_frac
    voice = np.where(
        mobile,
        np.round(np.maximum(u.mou - vmin, 0) * np.where(pk.voice_min[pkg] == 0, 10, 15)),
        0,
    )
    data_gb = u.data_mb / 1024
    allow = pk.data_gb[pkg] * in_frac
    data = np.where(mobile, np.minimum(np.maximum(data_gb - allow, 0) * 300, 6000).round(), 0)
    smsf = np.where(mobile, u.sms * 10, 0)
    vas = np.where(
        s.has_vas & mobile & ~w.s_fraud, s.vas_level * rng.lognormal(0, 0.2, n), 0
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
    items = {
        "package_fee_fen": fee,
        "voice_fee_fen": voice,
        "data_fee_fen": data,
        "sms_fee_fen": smsf,
        "vas_fee_fen": vas,
        "roaming_fee_fen": roam,
        "other_fee_fen": other,
    }
    fees = {k: (v * z).astype(np.int64) for k, v in items.items()}
    discount = (disc * z).astype(np.int64)
    return Bill(
        **fees,
        discount_fen=discount,
        total_due_fen=sum(fees.values()) - discount,
        overbill_fen=overbill,
    )
