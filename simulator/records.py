"""Typed records that domains hand to each other within a month (or an increment day).

Every record is columnar: one numpy array per field, one element per row. Subscriber, package,
channel and cell fields are indexes into the world (``-1`` = none)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


def _concat(parts: list[np.ndarray], dtype: type | str) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


@dataclass(frozen=True)
class EventBatch:
    """Service events (EVNT) of one kind of change, one row per subscriber."""

    subs: np.ndarray  # subscriber index
    event_type: np.ndarray  # code: 01 open, 02 package change, 03 suspend, 04 resume, ...
    day: np.ndarray
    sec: np.ndarray  # second of the day
    old_pkg: np.ndarray  # package index, -1 none
    new_pkg: np.ndarray  # package index, -1 none
    channel: np.ndarray  # channel index, -1 none


class Events:
    """The events of a month or an increment day, collected from every domain in the order they
    happen in the simulation (the event ids follow time, not this order)."""

    def __init__(self) -> None:
        self.batches: list[EventBatch] = []

    def add(
        self,
        subs: np.ndarray,
        event_type: str | np.ndarray,
        day: int | np.ndarray,
        sec: np.ndarray,
        old_pkg: np.ndarray | None = None,
        new_pkg: np.ndarray | None = None,
        channel: np.ndarray | None = None,
    ) -> None:
        """Events of ``subs``; a single type code or day applies to all of them, a package or
        channel left out is none."""
        n = len(subs)
        none = np.full(n, -1)
        self.batches.append(
            EventBatch(
                subs=subs,
                event_type=np.full(n, event_type) if isinstance(event_type, str) else event_type,
                day=np.full(n, day) if np.isscalar(day) else np.asarray(day),
                sec=sec,
                old_pkg=none if old_pkg is None else old_pkg,
                new_pkg=none if new_pkg is None else new_pkg,
                channel=none if channel is None else channel,
            )
        )

    def combined(self) -> EventBatch:
        """All batches as one (empty arrays when there were no events)."""
        batches = [b for b in self.batches if len(b.subs)]
        if not batches:
            empty = np.zeros(0, np.int64)
            return EventBatch(empty, np.zeros(0, "<U2"), empty, empty, empty, empty, empty)
        return EventBatch(
            *(np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(EventBatch))
        )


@dataclass(frozen=True)
class Payments:
    """Payments (PAYM): bills paid, top-ups, arrears settled, refunds."""

    subs: np.ndarray
    day: np.ndarray
    amount_fen: np.ndarray  # negative for a refund
    bill_month: np.ndarray  # month index of the bill paid, NO_BILL_MONTH for a top-up
    method: np.ndarray  # index into PAY_METHODS


NO_BILL_MONTH = -99  # a prepaid top-up pays no bill


@dataclass(frozen=True)
class Complaints:
    """Complaint tickets (CMPL)."""

    subs: np.ndarray
    category: np.ndarray  # level-3 code of seeds/complaint_categories.csv
    day: np.ndarray
    cell: np.ndarray  # cell index named in the ticket, -1 none


@dataclass
class ComplaintParts:
    """Complaint tickets collected from several causes before they become one record."""

    subs: list[np.ndarray]
    category: list[np.ndarray]
    day: list[np.ndarray]
    cell: list[np.ndarray]

    @classmethod
    def start(cls) -> ComplaintParts:
        return cls([], [], [], [])

    def add(
        self, subs: np.ndarray, category: np.ndarray, day: np.ndarray, cell: np.ndarray
    ) -> None:
        self.subs.append(subs)
        self.category.append(category)
        self.day.append(day)
        self.cell.append(cell)

    def combined(self) -> Complaints:
        return Complaints(
            subs=np.concatenate(self.subs).astype(np.int64),
            category=np.concatenate(self.category),
            day=np.concatenate(self.day).astype(np.int64),
            cell=np.concatenate(self.cell).astype(np.int64),
        )


@dataclass(frozen=True)
class Usage:
    """A month's usage per subscriber (zero outside service) and the service window behind it."""

    mou: np.ndarray
    data_mb: np.ndarray
    sms: np.ndarray
    active_days: np.ndarray
    in_frac: np.ndarray  # share of the month in service
    serve_from: np.ndarray  # first day in service in the month
    serve_to: np.ndarray  # last day in service in the month
    down_days: np.ndarray  # days the main cell was down (fractional)


@dataclass(frozen=True)
class Bill:
    """A month's bill per subscriber, in fen; the fee fields are BILL's columns, in order."""

    package_fee_fen: np.ndarray
    voice_fee_fen: np.ndarray
    data_fee_fen: np.ndarray
    sms_fee_fen: np.ndarray
    vas_fee_fen: np.ndarray
    roaming_fee_fen: np.ndarray
    other_fee_fen: np.ndarray
    discount_fen: np.ndarray
    total_due_fen: np.ndarray
    overbill_fen: np.ndarray  # the planted billing error's share of package_fee_fen (truth)


@dataclass(frozen=True)
class Commissions:
    """Commission settlements (CMSN), one row per channel and type (and subscriber, where one)."""

    channel: np.ndarray
    subs: np.ndarray  # -1 for a channel-level amount
    cmsn_type: np.ndarray  # 01 acquisition, 02 revenue share, 03 incentive, 04 clawback
    amount_fen: np.ndarray


@dataclass(frozen=True)
class CellKpis:
    """Daily KPIs per cell: arrays of shape (cells, days)."""

    voice_erl: np.ndarray
    data_gb: np.ndarray
    drop_rate: np.ndarray
    congestion_rate: np.ndarray
    availability: np.ndarray


@dataclass(frozen=True)
class CellTraffic:
    """The final month's traffic rates per subscriber, spread over cells on increment days."""

    mou: np.ndarray
    data_mb: np.ndarray
    include: np.ndarray  # in service at the end of the month


@dataclass(frozen=True)
class ChurnTruth:
    """The true churn probability of every subscriber in service in a month (truth/)."""

    subs: np.ndarray
    month: np.ndarray
    p_churn: np.ndarray
    churned: np.ndarray
    churn_kind: np.ndarray  # 0 none, 1 cancel, 2 port out
