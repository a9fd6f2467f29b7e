"""The run every domain works on (``Sim``), the month or day it is in (``Month``, ``Day``), and
the contract of a domain (``Domain``). The orchestration is in generate.py, the domains in
domains/ (registered in domains/__init__.py)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simulator.columns import lpad
from simulator.config import SimConfig
from simulator.incidents import Incidents
from simulator.records import (
    Bill,
    ChurnTruth,
    Complaints,
    Events,
    Payments,
    Usage,
)
from simulator.reference import Reference
from simulator.state import Packages, State, Static
from simulator.timeline import Timeline
from simulator.world import World
from simulator.writer import ExtractWriter

BURN_IN = 3  # months simulated before the first written month, so trends exist from month 0


@dataclass
class Sim:
    """One run: configuration, reference data, calendar, world, planted incidents, the random
    generator, the writer, and the state the months change."""

    cfg: SimConfig
    ref: Reference
    tl: Timeline
    world: World
    inc: Incidents
    rng: np.random.Generator  # the run's one stream, shared by the domains in a fixed order
    writer: ExtractWriter
    packages: Packages
    static: Static
    state: State
    churn_truth: list[ChurnTruth] = field(default_factory=list)  # one record per written month
    _streams: dict[str, np.random.Generator] = field(default_factory=dict)
    # what a domain keeps for the whole run (its plan, its truth), by domain name
    domain_state: dict[str, object] = field(default_factory=dict)

    def stream(self, name: str) -> np.random.Generator:
        """A generator of its own for a domain added later, derived from the seed and the name:
        its draws leave the shared stream, and so every existing file of a seed, as they were."""
        if name not in self._streams:
            self._streams[name] = np.random.default_rng([self.cfg.seed, zlib.crc32(name.encode())])
        return self._streams[name]

    def emit(
        self,
        iface: str,
        period: str,
        prov: np.ndarray,
        cols: dict[str, pa.Array],
        sort_key: np.ndarray | None = None,
    ) -> None:
        """Write one file per province (empty files too: the delivery is complete), rows in
        province order (then ``sort_key``, else as given)."""
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
        codes = self.world.geo.prov_codes
        bounds = np.searchsorted(sp, np.arange(len(codes) + 1))
        for p, code in enumerate(codes):
            self.writer.write(
                iface, code, period, table.slice(bounds[p], bounds[p + 1] - bounds[p])
            )

    def ids(self, prefix: str, prov: np.ndarray, period: str, order_key: np.ndarray) -> pa.Array:
        """Serial numbers unique per interface: prefix + prov + period + 9-digit sequence within
        the file."""
        prov = np.asarray(prov)
        order = np.lexsort((order_key, prov))
        seq = np.empty(len(prov), np.int64)
        sp = prov[order]
        first = np.searchsorted(sp, sp)
        seq[order] = np.arange(len(prov)) - first + 1
        return pc.binary_join_element_wise(
            pa.scalar(prefix),
            self.static.prov.take(pa.array(prov)),
            pa.scalar(period),
            lpad(seq, 9),
            "",
        )

    def set_status(
        self,
        events: Events,
        subs: np.ndarray,
        status: int,
        day: int | np.ndarray,
        sec: np.ndarray,
        channel: np.ndarray | None = None,
    ) -> None:
        """Suspend (status 20 or 21: event 03) or resume (status 10: event 04) ``subs`` on
        ``day``."""
        self.state.status[subs], self.state.status_day[subs] = status, day
        events.add(subs, "04" if status == 10 else "03", day, sec, channel=channel)

    def down(self, cells: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Share of the day a cell was down (0..1); broadband (cell -1) is never down."""
        a = self.state.avail[np.maximum(cells, 0), days - self.tl.span_first]
        return np.where(cells >= 0, (100 - a) / 100, 0.0)


@dataclass
class Month:
    """One month of the loop and what its domains have produced so far. Month indexes below 0
    are burn-in months: simulated, never written."""

    m: int
    first: int  # first day
    last: int  # last day
    days: int
    period: str  # YYYYMM
    start_alive: np.ndarray  # in service at the start
    arrivals: np.ndarray  # opened or ported in during the month
    events: Events = field(default_factory=Events)
    # set by the domains, in DOMAINS order
    churn: np.ndarray = field(init=False)  # subscribers: left during the month
    usage: Usage = field(init=False)  # usage
    bill: Bill = field(init=False)  # billing
    payments: Payments = field(init=False)  # payments
    complaints: Complaints = field(init=False)  # complaints

    @classmethod
    def begin(cls, sim: Sim, m: int) -> Month:
        first, days = sim.tl.month_first(m), sim.tl.month_days(m)
        return cls(
            m=m,
            first=first,
            last=first + days - 1,
            days=days,
            period=sim.tl.yyyymm(m),
            start_alive=sim.state.alive.copy(),
            arrivals=sim.world.s_arrival == m,
        )

    @property
    def write(self) -> bool:
        return self.m >= 0

    @cached_property
    def stay(self) -> np.ndarray:
        """In service at the start and still at the end."""
        return self.start_alive & ~self.churn

    @cached_property
    def in_month(self) -> np.ndarray:
        """In service at some time in the month."""
        return self.start_alive | self.arrivals


@dataclass(frozen=True)
class DailyWindow:
    """The days after the month loop: USGD for the last usage days of the final month, then the
    increment days (daily files of subscribers in service at the end of the final month)."""

    final_month: int
    final_last: int  # last day of the final month
    final_days: int  # days in the final month
    usage_days: list[int]
    increment_days: list[int]
    in_service: np.ndarray  # at the end of the final month

    @classmethod
    def after(cls, sim: Sim) -> DailyWindow:
        cfg, tl = sim.cfg, sim.tl
        final = cfg.months - 1
        final_last = tl.month_first(cfg.months) - 1
        increment = list(range(final_last + 1, final_last + 1 + cfg.days))
        return cls(
            final_month=final,
            final_last=final_last,
            final_days=tl.month_days(final),
            usage_days=list(range(final_last - cfg.usage_days + 1, final_last + 1)) + increment,
            increment_days=increment,
            in_service=sim.state.alive & (sim.state.status < 90),
        )


@dataclass
class Day:
    """One increment day and what its domains have produced so far."""

    day: int
    period: str  # YYYYMMDD
    window: DailyWindow
    events: Events = field(default_factory=Events)
    resumed: np.ndarray = field(init=False)  # subscribers: resumed today (they pay today)


class Domain:
    """A business domain of the simulation: the state it changes and the interfaces it writes.

    Each hook runs for every domain in DOMAINS order (domains/__init__.py), phase by phase:
    ``simulate_month`` for all, then ``close_month`` for all, then (written months only)
    ``write_month`` for all; after the months ``write_daily`` once, then ``increment_day`` for
    each increment day. A domain reads what domains before it put on the ``Month``/``Day`` and
    in the state. A hook not overridden does nothing."""

    interfaces: tuple[str, ...] = ()  # the interfaces (jingfen/interfaces.py) it writes

    def simulate_month(self, sim: Sim, month: Month) -> None:
        """Change the state for the month; put what later domains need on ``month``."""

    def close_month(self, sim: Sim, month: Month) -> None:
        """Month-end state, after every domain has simulated the month."""

    def write_month(self, sim: Sim, month: Month) -> None:
        """Write the month's files (``sim.emit``)."""

    def write_daily(self, sim: Sim, window: DailyWindow) -> None:
        """Daily files that span the window (once, before the increment days)."""

    def increment_day(self, sim: Sim, day: Day) -> None:
        """Simulate and write one increment day."""

    def truth(self, sim: Sim) -> dict[str, pd.DataFrame]:
        """Ground-truth tables of the domain, written to truth/<name>.csv after the run."""
        return {}
