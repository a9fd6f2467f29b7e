"""The ground truth, kept apart from the extracts in truth/: the true churn probability of every
subscriber-month, the planted incidents and fraud dealers, and a manifest of the run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jingfen.interfaces import INTERFACE_VERSION
from simulator.columns import or_null
from simulator.context import Sim
from simulator.domains import DOMAINS
from simulator.timeline import date_of

INCIDENT_BLANK = {
    "city_code": "",
    "county_code": "",
    "cell_id": "",
    "package_code": "",
    "channel_id": "",
}


def write_truth(sim: Sim, truth: Path, summary: dict) -> None:
    truth.mkdir(parents=True, exist_ok=True)
    monthly = _churn_probability(sim, truth)
    fraud = np.flatnonzero(sim.world.ch_fraud_start >= 0)
    pd.DataFrame(_incidents(sim, fraud)).to_csv(
        truth / "incidents.csv", index=False, lineterminator="\n"
    )
    _fraud_dealers(sim, fraud).to_csv(truth / "fraud_dealers.csv", index=False, lineterminator="\n")
    for domain in DOMAINS:
        for name, table in domain.truth(sim).items():
            table.to_csv(truth / f"{name}.csv", index=False, lineterminator="\n")
    w = sim.world
    manifest = {
        "config": sim.cfg.as_dict(),
        "seed": sim.cfg.seed,
        "interface_version": INTERFACE_VERSION,
        "subscribers_total": int(w.n),
        "customers_total": int(len(w.cu_prov)),
        "channels": int(len(w.ch_prov)),
        "cells": int(len(w.cell_county)),
        "fraud_dealers": int(len(fraud)),
        "fraud_subscribers": int(w.s_fraud.sum()),
        "churn_intercept": sim.state.b0,
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


def _churn_probability(sim: Sim, truth: Path) -> pd.DataFrame:
    """Writes churn_probability.parquet; returns the churn of each month."""
    tl = sim.tl
    recs = sim.churn_truth
    empty = np.zeros(0, int)
    idx, mon, p, churned, kind = (
        np.concatenate([getattr(r, f) for r in recs]) if recs else empty
        for f in ("subs", "month", "p_churn", "churned", "churn_kind")
    )
    month_days = np.array([tl.month_first(int(k)) for k in range(sim.cfg.months)], np.int32)
    table = pa.table(
        {
            "subs_id": sim.world.s_id.take(pa.array(idx.astype(np.int64))),
            "month": pa.array(month_days[mon.astype(np.int64)], pa.date32())
            if len(mon)
            else pa.array([], pa.date32()),
            "p_churn": pa.array(p.astype(float)),
            "churned": pa.array(churned.astype(bool)),
            "churn_kind": or_null(
                pa.array(["", "cancel", "port_out"]).take(pa.array(kind.astype(np.int64))),
                kind == 0,
            ),
        }
    )
    pq.write_table(table, truth / "churn_probability.parquet")
    monthly = (
        pd.DataFrame({"month": mon, "p_churn": p, "churned": churned})
        .groupby("month")
        .agg(
            subscribers=("p_churn", "size"),
            churned=("churned", "sum"),
            mean_p_churn=("p_churn", "mean"),
        )
        .reset_index()
    )
    monthly["month"] = [tl.month_date(int(k)) for k in monthly["month"]]
    return monthly


def _incidents(sim: Sim, fraud: np.ndarray) -> list[dict]:
    w, tl, inc, geo = sim.world, sim.tl, sim.inc, sim.world.geo
    rows = []
    for c, s, e, a in zip(inc.out_cell, inc.out_start, inc.out_end, inc.out_avail, strict=True):
        county = w.cell_county[c]
        rows.append(
            {
                "kind": "cell_outage",
                "prov_code": geo.prov_codes[w.cell_prov[c]],
                **INCIDENT_BLANK,
                "city_code": geo.city_code[geo.county_city[county]],
                "county_code": str(geo.county_code[county]),
                "cell_id": w.cell_id[int(c)].as_py(),
                "start_date": date_of(s).isoformat(),
                "end_date": date_of(e).isoformat(),
                "description": f"基站故障: 小区退服 {e - s + 1} 天, 可用率约 {a:.0f}% (cell down; drop rate, complaints and usage react)",
            }
        )
    rows.append(
        {
            "kind": "billing_error",
            "prov_code": geo.prov_codes[inc.bill_prov],
            **INCIDENT_BLANK,
            "package_code": sim.packages.code[inc.bill_pkg].as_py(),
            **_month_span(sim, inc.bill_month),
            "description": f"计费差错: 套餐月费重复收取 (package fee x{inc.bill_factor:g}) for one bill month; "
            "billing complaints spike that month, refunds next month",
        }
    )
    rows.append(
        {
            "kind": "revenue_dip",
            "prov_code": geo.prov_codes[inc.dip_prov],
            **INCIDENT_BLANK,
            **_month_span(sim, inc.dip_month),
            "description": f"省级收入下滑: 当月优惠减免增加, 收入约低于趋势 {inc.dip_share:.0%} (revenue below trend)",
        }
    )
    for ch in fraud:
        s = int(w.ch_fraud_start[ch])
        rows.append(
            {
                "kind": "fraud_dealer",
                "prov_code": geo.prov_codes[w.ch_prov[ch]],
                **INCIDENT_BLANK,
                "city_code": geo.city_code[geo.county_city[w.ch_county[ch]]],
                "county_code": str(geo.county_code[w.ch_county[ch]]),
                "channel_id": w.ch_id[int(ch)].as_py(),
                "start_date": tl.month_date(s).isoformat(),
                "end_date": date_of(tl.month_first(min(s + 4, sim.cfg.months)) - 1).isoformat(),
                "description": "养卡: 社会渠道批量开户, 新用户几乎不使用, 佣金结算后2-4个月内拆机",
            }
        )
    return rows


def _month_span(sim: Sim, m: int) -> dict[str, str]:
    return {
        "start_date": sim.tl.month_date(m).isoformat(),
        "end_date": date_of(sim.tl.month_first(m + 1) - 1).isoformat(),
    }


def _fraud_dealers(sim: Sim, fraud: np.ndarray) -> pd.DataFrame:
    w, tl = sim.world, sim.tl
    return pd.DataFrame(
        {
            "channel_id": [w.ch_id[int(c)].as_py() for c in fraud],
            "prov_code": [w.geo.prov_codes[w.ch_prov[c]] for c in fraud],
            "start_month": [
                tl.month_date(int(w.ch_fraud_start[c])).strftime("%Y-%m") for c in fraud
            ],
        }
    )
