"""Recall of the simulator's planted enquiry surges by the enquiry hot-spot mart
(mart_enquiry_hotspots), and its false alarms, measured against truth/enquiry_surges.csv.

A surge is found by a hot row of the same city and IVR topic dated from its first day to two days
after its last (the mart's window is the 3 days to a day). A hot-spot episode (city x topic x
month of hot rows) is a false alarm when no planted surge or cell outage (fault calls, topic 21)
of that city explains it within those dates. Report alone:
``python tests/testkit/service_recall.py JINGFEN_HOME``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd


@dataclass
class SurgeReport:
    surges: pd.DataFrame
    found: list[int] = field(default_factory=list)
    false_alarm_episodes: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def planted(self) -> pd.DataFrame:
        return self.surges[self.surges["kind"] == "enquiry_surge"]

    @property
    def recall(self) -> float:
        return len(self.found) / max(len(self.planted), 1)

    def lines(self) -> list[str]:
        out = [f"enquiry surges found: {len(self.found)} / {len(self.planted)}"]
        for i, r in self.planted.iterrows():
            mark = "found " if i in self.found else "MISSED"
            out.append(f"  {mark} {r.city_code} topic {r.ivr_node} {r.start_date}..{r.end_date}")
        out.append(f"false-alarm episodes: {len(self.false_alarm_episodes)}")
        out += [f"  {e}" for e in sorted(self.false_alarm_episodes)]
        return out


def _covers(r: pd.Series, day: pd.Timestamp) -> bool:
    return r.start_date <= day <= r.end_date + timedelta(days=2)


def measure(surges: pd.DataFrame, hot: pd.DataFrame) -> SurgeReport:
    surges = surges.copy()
    surges["ivr_node"] = surges["ivr_node"].astype(str)
    surges["city_code"] = surges["city_code"].astype(str)
    for c in ("start_date", "end_date"):
        surges[c] = pd.to_datetime(surges[c])
    hot = hot.copy()
    hot["stat_date"] = pd.to_datetime(hot["stat_date"])
    rep = SurgeReport(surges)
    for i, r in rep.planted.iterrows():
        same = hot[(hot["city_code"] == r.city_code) & (hot["ivr_node"] == r.ivr_node)]
        if any(_covers(r, d) for d in same["stat_date"]):
            rep.found.append(i)
    for h in hot.itertuples():
        near = surges[(surges["city_code"] == h.city_code) & (surges["ivr_node"] == h.ivr_node)]
        if not any(_covers(r, h.stat_date) for _, r in near.iterrows()):
            rep.false_alarm_episodes.add((h.city_code, h.ivr_node, h.stat_date.strftime("%Y-%m")))
    return rep


def measure_home(home: Path) -> SurgeReport:
    surges = pd.read_csv(home / "truth" / "enquiry_surges.csv", dtype=str)
    con = duckdb.connect(str(home / "warehouse" / "build" / "jingfen.duckdb"), read_only=True)
    try:
        hot = con.execute(
            "select stat_date, city_code, ivr_node from mart_enquiry_hotspots where is_hotspot"
        ).df()
    finally:
        con.close()
    return measure(surges, hot)


if __name__ == "__main__":
    print("\n".join(measure_home(Path(sys.argv[1])).lines()))
