"""Payments: last month's postpaid bills paid on time, late or not at all (suspension for
arrears, 21), arrears settled, prepaid top-ups against real-time charges (an empty balance
suspends), refunds of over-billing; the PAYM file, monthly and on increment days."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from simulator.columns import or_null, take_or_null
from simulator.context import Day, Domain, Month, Sim
from simulator.records import NO_BILL_MONTH, Payments
from simulator.sampling import days_in, sigmoid

PAY_METHODS = np.array(["01", "02", "03", "04", "05", "06"])
TOPUP_DENOMS = np.array([2000, 3000, 5000, 10000, 20000])
TOPUP_METHODS = ([0, 2, 3, 4, 5], [0.1, 0.4, 0.35, 0.1, 0.05])  # a top-up's method, and weights


class PaymentsDomain(Domain):
    interfaces = ("PAYM",)

    def simulate_month(self, sim: Sim, month: Month) -> None:
        month.payments = _month_payments(sim, month)

    def write_month(self, sim: Sim, month: Month) -> None:
        write_payments(sim, month.period, month.payments)

    def increment_day(self, sim: Sim, day: Day) -> None:
        """Postpaid subscribers settling the final month's bill early, prepaid top-ups, and the
        subscribers resumed today (prepaid top up, postpaid settle their arrears)."""
        w, s, rng, tl = sim.world, sim.state, sim.rng, sim.tl
        alive, res, final = day.window.in_service, day.resumed, day.window.final_month
        post = alive & ~w.s_prepaid & (s.bill_prev > 0) & ~s.bank_debit
        payer = np.flatnonzero(
            post & (rng.random(w.n) < 0.045 * tl.weight("pay", np.array([day.day]))[0])
        )
        pre = np.flatnonzero(alive & w.s_prepaid & ~w.s_fraud & (rng.random(w.n) < 0.035))
        denom = TOPUP_DENOMS[
            rng.choice(len(TOPUP_DENOMS), len(pre), p=[0.15, 0.3, 0.35, 0.15, 0.05])
        ]
        idx = np.concatenate([payer, pre, res]).astype(np.int64)
        res_pre = w.s_prepaid[res]
        amount = np.concatenate(
            [
                s.bill_prev[payer],
                denom,
                np.where(res_pre, 5000, np.maximum(s.arrears[res], s.bill_prev[res])),
            ]
        )
        bill_month = np.concatenate(
            [
                np.full(len(payer), final),
                np.full(len(pre), NO_BILL_MONTH),
                np.where(res_pre, NO_BILL_MONTH, final),
            ]
        )
        method = _methods(sim, idx, bill_month)
        s.bill_prev[payer] = 0
        s.arrears[res] = 0
        write_payments(
            sim,
            day.period,
            Payments(
                subs=idx,
                day=np.full(len(idx), day.day),
                amount_fen=amount.astype(np.int64),
                bill_month=bill_month,
                method=method,
            ),
        )


def _methods(sim: Sim, idx: np.ndarray, bill_month: np.ndarray) -> np.ndarray:
    """A bill is paid the subscriber's usual way; a top-up's way is drawn."""
    top_up = sim.rng.choice(TOPUP_METHODS[0], len(idx), p=TOPUP_METHODS[1])
    return np.where(bill_month == NO_BILL_MONTH, top_up, sim.state.pay_method[idx])


def _month_payments(sim: Sim, month: Month) -> Payments:
    w, s, rng, tl = sim.world, sim.state, sim.rng, sim.tl
    m, first, last = month.m, month.first, month.last
    stay, churn, bill = month.stay, month.churn, month.bill
    n = w.n
    rows_i: list[np.ndarray] = []
    rows_day: list[np.ndarray] = []
    rows_amt: list[np.ndarray] = []
    rows_bm: list[np.ndarray] = []

    def pay(idx: np.ndarray, day: np.ndarray, amount: np.ndarray, bill_month: int) -> None:
        rows_i.append(idx)
        rows_day.append(day)
        rows_amt.append(amount)
        rows_bm.append(np.full(len(idx), bill_month))

    post = ~w.s_prepaid & (stay | churn) & (s.bill_prev > 0)
    due = first + 19
    pressure = s.d + 0.9 * w.s_stress
    p_nonpay = sigmoid(-4.8 + 1.0 * pressure)
    p_late = sigmoid(-2.9 + 0.6 * pressure)
    r = rng.random(n)
    nonpay = post & ~s.bank_debit & (r < p_nonpay)
    late = post & ~s.bank_debit & ~nonpay & (r < p_nonpay + p_late)
    ontime = post & ~nonpay & ~late
    # churners settle their last bill only half the time
    nonpay |= churn & post & (rng.random(n) < 0.5)
    ontime &= ~nonpay
    late &= ~nonpay
    # 1) bills of last month
    oi = np.flatnonzero(ontime)
    od = np.where(
        s.bank_debit[oi],
        first + rng.integers(7, 12, len(oi)),
        days_in(rng, tl, np.full(len(oi), first), np.full(len(oi), due)),
    )
    li = np.flatnonzero(late)
    ld = days_in(rng, tl, np.full(len(li), min(due + 2, last)), np.full(len(li), last))
    for idx, day in ((oi, od), (li, ld)):
        pay(idx, day, s.bill_prev[idx] + s.arrears[idx], m - 1)
    s.arrears[oi] = 0
    s.arrears[li] = 0
    # late payers: suspended after the due date, resumed when they pay
    sus_day = np.minimum(due + rng.integers(1, 4, len(li)), ld)
    month.events.add(li, "03", sus_day, rng.integers(0, 3600, len(li)) + 2 * 3600)
    month.events.add(li, "04", ld, rng.integers(10 * 3600, 22 * 3600, len(li)))
    # 2) subscribers already in arrears settle or stay suspended
    old = stay & (s.status == 21) & ~w.s_prepaid
    settle = old & (rng.random(n) < np.clip(0.55 - 0.1 * s.d, 0.1, 0.9)) & ~nonpay
    si = np.flatnonzero(settle)
    sd = days_in(rng, tl, np.full(len(si), first), np.full(len(si), last))
    pay(si, sd, s.arrears[si] + np.where(ontime[si] | late[si], 0, s.bill_prev[si]), m - 1)
    s.arrears[si] = 0
    sim.set_status(month.events, si, 10, sd, rng.integers(10 * 3600, 22 * 3600, len(si)))
    # new non-payers: suspended for arrears (21)
    ni = np.flatnonzero(nonpay & stay & (s.status != 21))
    nday = due + rng.integers(1, 4, len(ni))
    sim.set_status(month.events, ni, 21, nday, rng.integers(0, 3600, len(ni)) + 2 * 3600)
    s.arrears[nonpay] += s.bill_prev[nonpay]
    s.arrears_months = np.where(s.status == 21, s.arrears_months + 1, 0).astype(np.int8)
    s.late_prev = late.copy()
    # 3) prepaid: top-ups against real-time charges; an empty balance suspends (21)
    pre = w.s_prepaid & (stay | churn)
    spend = bill.total_due_fen
    target = np.maximum(spend * 1.1, 1000)
    denom = TOPUP_DENOMS[
        np.clip(
            np.searchsorted(TOPUP_DENOMS, target * rng.lognormal(0, 0.4, n)),
            0,
            len(TOPUP_DENOMS) - 1,
        )
    ]
    lam = np.where(pre & ~churn, spend / denom * np.exp(-0.35 * np.clip(s.d, 0, None)) * 1.05, 0)
    lam = np.where(w.s_fraud, 0, lam)
    k = rng.poisson(lam)
    k = np.where(
        pre & ~churn & ~w.s_fraud & (s.balance < spend) & (k == 0) & (rng.random(n) < 0.7),
        1,
        k,
    )
    ti = np.repeat(np.arange(n), k)
    td = days_in(rng, tl, np.full(len(ti), first), np.full(len(ti), last))
    pay(ti, td, denom[ti], NO_BILL_MONTH)
    s.balance += np.bincount(ti, denom[ti], n).astype(np.int64) - np.where(pre, spend, 0)
    empty = np.flatnonzero(pre & stay & (s.balance < -300) & (s.status == 10))
    eday = rng.integers(first + 10, last + 1, len(empty))
    sim.set_status(month.events, empty, 21, eday, rng.integers(0, 86400, len(empty)))
    back = np.flatnonzero(pre & stay & (s.balance >= 0) & (s.status == 21))
    sim.set_status(month.events, back, 10, last, rng.integers(8 * 3600, 22 * 3600, len(back)))
    # 4) refunds of last month's over-billing
    if m - 1 == sim.inc.bill_month:
        ri = np.flatnonzero((s.overbill_prev > 0) & (stay | churn))
        pay(ri, rng.integers(first + 3, first + 15, len(ri)), -s.overbill_prev[ri], m - 1)
    s.overbill_prev = bill.overbill_fen
    idx = np.concatenate(rows_i).astype(np.int64)
    bill_month = np.concatenate(rows_bm)
    return Payments(
        subs=idx,
        day=np.concatenate(rows_day).astype(np.int64),
        amount_fen=np.concatenate(rows_amt).astype(np.int64),
        bill_month=bill_month,
        method=_methods(sim, idx, bill_month),
    )


def write_payments(sim: Sim, period: str, pay: Payments) -> None:
    w, tl, rng, st = sim.world, sim.tl, sim.rng, sim.static
    idx = pay.subs
    prov = w.s_prov[idx]
    sec = rng.integers(7 * 3600, 23 * 3600, len(idx))
    key = pay.day * 86400 + sec
    method = pay.method
    # e-payments through the province's app/web hall, cash at an owned hall, bank debit has no
    # channel, top-up cards sold by the dealer
    channel = np.where(
        np.isin(method, (2, 3, 5)),
        w.prov_echannel[prov],
        np.where(method == 0, w.prov_hall[prov], -1),
    )
    channel = np.where(method == 4, w.s_channel[idx], channel)
    t = pa.array(idx)
    sim.emit(
        "PAYM",
        period,
        prov,
        {
            "pay_id": sim.ids("P", prov, period, key),
            "subs_id": st.subs_id.take(t),
            "cust_id": st.subs_cust_id.take(t),
            "prov_code": st.subs_prov.take(t),
            "city_code": st.subs_city.take(t),
            "pay_time": tl.timestamps(pay.day, sec),
            "amount_fen": pa.array(pay.amount_fen),
            "pay_method": pa.array(PAY_METHODS[method]),
            "pay_channel_id": take_or_null(w.ch_id, channel),
            "bill_month": _bill_months(sim, pay.bill_month),
        },
        sort_key=key,
    )


def _bill_months(sim: Sim, bill_month: np.ndarray) -> pa.Array:
    """YYYYMM of each bill paid, NULL for a top-up."""
    months = {int(b): sim.tl.yyyymm(int(b)) for b in np.unique(bill_month) if b != NO_BILL_MONTH}
    if not months:
        return or_null(pa.nulls(len(bill_month), pa.string()), bill_month == NO_BILL_MONTH)
    keys = np.array(sorted(months))
    table = pa.array([months[k] for k in keys.tolist()], pa.string())
    pos = np.clip(np.searchsorted(keys, bill_month), 0, len(keys) - 1)
    return or_null(table.take(pa.array(pos)), bill_month == NO_BILL_MONTH)
