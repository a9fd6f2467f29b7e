"""Days, months and their seasonality. A day is an int (days since 1970-01-01); month index 0 is
the first simulated month, negative indices are burn-in months that are simulated but not written.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = date(1970, 1, 1)
TABLE_FIRST = date(
    1990, 1, 1
)  # earliest date any field can hold (old open dates, birth dates: see BIRTH_FIRST)
TABLE_LAST = date(2040, 12, 31)
BIRTH_FIRST = date(1935, 1, 1)

# 春节 (Spring Festival) first day by year; the official holiday runs from two days before to six after.
SPRING_FESTIVAL = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}


def day_of(d: date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def add_months(first: date, n: int) -> date:
    y, m = divmod(first.year * 12 + first.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _strings(first: date, last: date, fmt: str) -> pa.Array:
    n = (last - first).days + 1
    return pa.array([(first + timedelta(days=i)).strftime(fmt) for i in range(n)])


class Timeline:
    """Month boundaries, string tables for fast date formatting, and day weights."""

    def __init__(self, start: str, months: int, burn_in: int, days: int) -> None:
        y, m = (int(x) for x in start.split("-"))
        self.first_month = date(y, m, 1)
        self.months = months
        self.burn_in = burn_in
        self.increment_days = days
        idx = range(-burn_in, months + 2)
        self._first = {i: day_of(add_months(self.first_month, i)) for i in idx}
        self.end_day = self._first[months] + days  # exclusive: first day not simulated
        self._base = day_of(TABLE_FIRST)
        self._birth_base = day_of(BIRTH_FIRST)
        self._ymd = _strings(TABLE_FIRST, TABLE_LAST, "%Y%m%d")
        self._birth_ymd = _strings(BIRTH_FIRST, TABLE_FIRST - timedelta(days=1), "%Y%m%d")
        secs = np.arange(86400)
        self._hms = pa.array(
            np.char.add(
                np.char.add(
                    np.char.zfill((secs // 3600).astype(str), 2),
                    np.char.zfill((secs // 60 % 60).astype(str), 2),
                ),
                np.char.zfill((secs % 60).astype(str), 2),
            ).tolist()
        )
        # weights per day over the whole simulated span
        self.span_first = self._first[-burn_in]
        span = np.arange(self.span_first, self._first[months + 1])
        self.voice_w, self.data_w, self.pay_w = self._weights(span)

    # ---- months
    def month_first(self, m: int) -> int:
        return self._first[m]

    def month_days(self, m: int) -> int:
        return self._first[m + 1] - self._first[m]

    def month_date(self, m: int) -> date:
        return add_months(self.first_month, m)

    def yyyymm(self, m: int) -> str:
        return self.month_date(m).strftime("%Y%m")

    def month_of_day(self, day: np.ndarray) -> np.ndarray:
        firsts = np.array([self._first[i] for i in sorted(self._first)])
        return np.searchsorted(firsts, day, side="right") - 1 - self.burn_in

    # ---- strings
    def dates(self, days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        """YYYYMMDD strings for day numbers (mask True = NULL)."""
        days = np.asarray(days, dtype=np.int64)
        if days.size and (days.min() < self._birth_base or days.max() > day_of(TABLE_LAST)):
            raise ValueError("a date fell outside the simulator's date table (1935-2040)")
        old = days < self._base
        if old.any():  # birth dates before 1990
            idx = np.where(old, days - self._birth_base, days - self._base)
            young = pc.take(self._ymd, pa.array(np.where(old, 0, idx)))
            born = pc.take(self._birth_ymd, pa.array(np.where(old, idx, 0)))
            out = pc.if_else(pa.array(old), born, young)
        else:
            out = pc.take(self._ymd, pa.array(days - self._base))
        if mask is not None and mask.any():
            out = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), out)
        return out

    def timestamps(
        self, days: np.ndarray, seconds: np.ndarray, mask: np.ndarray | None = None
    ) -> pa.Array:
        """YYYYMMDDHHMMSS strings (mask True = NULL)."""
        d = self.dates(days)
        t = pc.take(self._hms, pa.array(np.asarray(seconds, dtype=np.int64)))
        out = pc.binary_join_element_wise(d, t, "")
        if mask is not None and mask.any():
            out = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), out)
        return out

    # ---- seasonality
    def _weights(self, span: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dow = (span + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
        voice = np.where(dow == 5, 0.86, np.where(dow == 6, 0.80, 1.0))
        data = np.where(dow >= 5, 1.09, 1.0)
        pay = np.where(dow >= 5, 0.7, 1.0)
        for sf in SPRING_FESTIVAL.values():
            s = day_of(sf)
            hol = (span >= s - 2) & (span <= s + 6)
            voice = np.where(hol, 0.92, voice)
            voice = np.where((span == s - 1) | (span == s), 1.45, voice)  # 除夕 and 初一: greetings
            data = np.where(hol, data * 1.18, data)
            pay = np.where(hol, 0.45, pay)
        for y in range(1990, 2041):  # 国庆 Golden Week
            s = day_of(date(y, 10, 1))
            gw = (span >= s) & (span <= s + 6)
            data = np.where(gw, data * 1.08, data)
            voice = np.where(gw, voice * 0.9, voice)
        return voice, data, pay

    def weight(self, kind: str, days: np.ndarray) -> np.ndarray:
        arr = {"voice": self.voice_w, "data": self.data_w, "pay": self.pay_w}[kind]
        return arr[np.asarray(days) - self.span_first]

    def month_factor(self, kind: str, m: int) -> float:
        """Seasonal volume of month m relative to an average 30.4-day month."""
        d = np.arange(self.month_first(m), self.month_first(m + 1))
        return float(self.weight(kind, d).sum() / 30.4)
