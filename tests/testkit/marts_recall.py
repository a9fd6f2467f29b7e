"""How many of the simulator's planted incidents the subject marts find (recall) and how many
alerts point at nothing planted (false alarms).

The incidents come from ``JINGFEN_HOME/truth/incidents.csv`` (kind, prov_code, city_code,
county_code, cell_id, package_code, channel_id, start_date, end_date, description); the alerts
from ``mart_monitoring_alerts``. An alert finds an incident when it names the same kind, the same
place and overlaps its dates (a day of slack either side, since complaints trail a fault):

* a cell outage: an alert on the cell, or on the cell's city;
* a fraudulent dealer: an alert on the channel;
* a billing error or revenue dip (a province and a month): an alert in that province.

False alarms are counted as episodes — one per kind, place and month — among alerts that name a
cause (``CAUSAL_KINDS``) and are not explained by an incident of that kind: an alert on the
incident's province in its dates (a province-level KPI that moved because one of its cells went
down is right, only coarse), or on a fraudulent dealer up to 3 months after its last batch (its
subscribers are still recent acquisitions), explains it without counting as finding it.

Run ``python tests/testkit/marts_recall.py JINGFEN_HOME`` for the report.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

CAUSAL_KINDS = ("cell_outage", "billing_error", "revenue_dip", "fraud_dealer")
SLACK = timedelta(days=1)
FRAUD_TRAIL = timedelta(days=92)


@dataclass(frozen=True)
class Incident:
    kind: str
    prov_code: str
    city_code: str
    cell_id: str
    channel_id: str
    start: date
    end: date

    def label(self) -> str:
        where = self.cell_id or self.channel_id or self.city_code or self.prov_code
        return f"{self.kind} {where} {self.start}..{self.end}"


@dataclass(frozen=True)
class Alert:
    source: str
    kind: str
    region_level: str
    region_code: str
    prov_code: str
    city_code: str | None
    cell_id: str | None
    channel_id: str | None
    start: date
    end: date

    def episode(self) -> tuple[str, str, str, str]:
        where = self.cell_id or self.channel_id or self.region_code
        return (self.kind, self.region_level, where, self.start.strftime("%Y-%m"))


@dataclass
class RecallReport:
    incidents: list[Incident]
    found_by: dict[Incident, set[str]] = field(default_factory=dict)
    false_alarm_episodes: set[tuple[str, str, str, str]] = field(default_factory=set)
    alerts_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> list[Incident]:
        return [i for i in self.incidents if self.found_by.get(i)]

    @property
    def missed(self) -> list[Incident]:
        return [i for i in self.incidents if not self.found_by.get(i)]

    @property
    def recall(self) -> float:
        return len(self.found) / len(self.incidents) if self.incidents else 1.0

    def recall_by(self, sources: set[str], kinds: set[str] | None = None) -> tuple[int, int]:
        """(found, total) counting only alerts from ``sources``, over incidents of ``kinds``."""
        pool = [i for i in self.incidents if kinds is None or i.kind in kinds]
        return sum(1 for i in pool if self.found_by.get(i, set()) & sources), len(pool)

    def lines(self) -> list[str]:
        out = [
            f"incidents: {len(self.incidents)}, found {len(self.found)} "
            f"(recall {self.recall:.0%}), false-alarm episodes {len(self.false_alarm_episodes)}"
        ]
        for inc in self.incidents:
            by = ", ".join(sorted(self.found_by.get(inc, set()))) or "MISSED"
            out.append(f"  {inc.label()}: {by}")
        for ep in sorted(self.false_alarm_episodes):
            out.append(f"  false alarm: {' '.join(ep)}")
        return out


def _d(text: str) -> date:
    return date.fromisoformat(text[:10])


def read_incidents(path: Path) -> list[Incident]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Incident(
                kind=row["kind"],
                prov_code=row["prov_code"],
                city_code=row.get("city_code") or "",
                cell_id=row.get("cell_id") or "",
                channel_id=row.get("channel_id") or "",
                start=_d(row["start_date"]),
                end=_d(row["end_date"]),
            )
            for row in csv.DictReader(fh)
        ]


def read_alerts(db: Path) -> list[Alert]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select alert_source, alert_kind, region_level, region_code, prov_code, city_code, "
            "cell_id, channel_id, start_date, end_date from mart_monitoring_alerts"
        ).fetchall()
    finally:
        con.close()
    return [Alert(*r) for r in rows]


def finds(alert: Alert, inc: Incident) -> bool:
    """Whether ``alert`` points at ``inc``: same kind, same place, overlapping dates."""
    if alert.kind != inc.kind:
        return False
    if alert.end < inc.start - SLACK or alert.start > inc.end + SLACK:
        return False
    if inc.channel_id:
        return alert.channel_id == inc.channel_id
    if inc.cell_id:
        return alert.cell_id == inc.cell_id or (
            alert.region_level == "city" and alert.city_code == inc.city_code
        )
    return alert.prov_code == inc.prov_code


def explains(inc: Incident, alert: Alert) -> bool:
    """Whether ``inc`` accounts for ``alert`` (same kind, province and dates) — looser than
    :func:`finds`: used only to decide what is a false alarm. A fraudulent dealer's subscribers
    stay "recent acquisitions" for 3 months after its last batch, so its channel alerts may
    trail the incident by that much."""
    trail = FRAUD_TRAIL if inc.kind == "fraud_dealer" else SLACK
    return (
        alert.kind == inc.kind
        and alert.prov_code == inc.prov_code
        and (not inc.channel_id or alert.channel_id == inc.channel_id)
        and alert.end >= inc.start - SLACK
        and alert.start <= inc.end + trail
    )


def measure(incidents: list[Incident], alerts: list[Alert]) -> RecallReport:
    report = RecallReport(incidents=incidents)
    counts: dict[str, int] = defaultdict(int)
    for alert in alerts:
        counts[alert.kind] += 1
        hit = False
        for inc in incidents:
            if finds(alert, inc):
                report.found_by.setdefault(inc, set()).add(alert.source)
                hit = True
        explained = hit or any(explains(inc, alert) for inc in incidents)
        if not explained and alert.kind in CAUSAL_KINDS:
            report.false_alarm_episodes.add(alert.episode())
    report.alerts_by_kind = dict(counts)
    return report


def measure_home(home: Path) -> RecallReport:
    db = home / "warehouse" / "build" / "jingfen.duckdb"
    if not db.exists():
        db = home / "warehouse" / "jingfen.duckdb"
    return measure(read_incidents(home / "truth" / "incidents.csv"), read_alerts(db))


if __name__ == "__main__":
    rep = measure_home(Path(sys.argv[1]))
    print("\n".join(rep.lines()))
    print("alerts by kind:", dict(sorted(rep.alerts_by_kind.items())))
