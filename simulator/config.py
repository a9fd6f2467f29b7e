"""The simulator's knobs: one frozen dataclass the CLI fills in."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from jingfen.interfaces import ENCODINGS


@dataclass(frozen=True)
class SimConfig:
    subscribers: int = 20_000  # subscribers in service at the start
    provinces: tuple[str, ...] | None = None  # None = all 31, weighted by population
    months: int = 13  # complete months of history (YoY needs 13)
    days: int = 3  # daily increment days after the last month
    # first month, YYYY-MM; None = anchored to today (see anchored_start): the history ends with
    # the last complete month and the increment days are the first days of this month
    start: str | None = None
    seed: int = 42
    encoding: str = "UTF-8"  # or "GBK"
    gzip: bool = False
    usage_days: int = (
        14  # USGD daily files for the last N days of the final month (+ increment days)
    )

    def __post_init__(self) -> None:
        if self.start is None:
            object.__setattr__(self, "start", anchored_start(self.months))
        if self.subscribers < 100:
            raise ValueError(f"subscribers must be at least 100, not {self.subscribers}")
        if not 1 <= self.months <= 60:
            raise ValueError(f"months must be between 1 and 60, not {self.months}")
        if not 0 <= self.days <= 27:
            raise ValueError(
                f"days (increment days after the last month) must be 0-27, not {self.days}"
            )
        if not 0 <= self.usage_days <= 28:
            raise ValueError(f"usage_days must be 0-28, not {self.usage_days}")
        if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", str(self.start)):
            raise ValueError(
                f"start must be a month written YYYY-MM (e.g. 2025-10), not {self.start!r}"
            )
        if self.encoding not in ENCODINGS:
            raise ValueError(f"encoding must be one of {ENCODINGS}, not {self.encoding!r}")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["provinces"] = list(self.provinces) if self.provinces else None
        return d


BEIJING = ZoneInfo("Asia/Shanghai")


def anchored_start(months: int, today: date | None = None) -> str:
    """The first month (YYYY-MM) of a history of ``months`` complete months that ends with the
    month before ``today`` (default: today in Beijing), so a simulated data set looks like
    tonight's: last month closed, this month's first days arriving as nightly increments."""
    today = today or datetime.now(BEIJING).date()
    index = today.year * 12 + today.month - 1 - months  # months back from this month
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
