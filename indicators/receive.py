"""HQ side: take every complete package in the inbox, check it, load or reject it, and keep the
status of every province and period (``jingfen indicators receive``; flow ``indicators-receive``).

Outcomes of one package:
* **accepted** — all checks pass; its figures are loaded and it becomes the current version for
  its province and period; the version it replaces becomes **superseded** (kept, queryable).
  A package generated *earlier* than the current version (a late-arriving old one) is loaded but
  recorded as superseded at once: the newest generated version always wins.
* **rejected** — any check fails; every reason is stored and written in a notice for the province
  (``hq/notices/<prov>/``); the files go to ``hq/rejected/``.
* **duplicate** — the very same package (same name and signature) was received before: recorded,
  nothing loaded twice.

A package is late when it arrived (its signature file's time in the inbox) after the due time of
its period (``settings.due_at``). After the packages, the run refreshes the catalogue snapshot, the
centrally computed values for the 口径 check, and ``period_status``.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from indicators import store
from indicators.catalogue import Catalogue, load_catalogue
from indicators.package import Package, Record, complete_packages, parse_control
from indicators.settings import BEIJING, Province, due_at, hq_paths, load_keys, provinces
from indicators.validate import Reason, validate_package
from indicators.warehouse import WarehouseError, period_date, read_indicator_values


@dataclass
class Outcome:
    submission_id: int
    package: str
    prov: str
    period: str
    status: str
    is_late: bool
    reasons: list[Reason] = field(default_factory=list)
    note: str = ""


def now_beijing() -> datetime:
    return datetime.now(BEIJING).replace(tzinfo=None)


def _beijing_naive(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        return ts
    return ts.astimezone(BEIJING).replace(tzinfo=None)


def _generated_at(control: bytes) -> datetime | None:
    raw = parse_control(control).get("generated_at", "")
    try:
        return _beijing_naive(datetime.fromisoformat(raw))
    except ValueError:
        return None


def _sort_key(pkg: Package) -> tuple:
    gen = _generated_at(pkg.files[1].read_bytes()) or datetime.min
    return (pkg.name.prov, pkg.name.period, gen, pkg.name.seq)


def _values_table(sid: int, prov: str, period: str, records: list[Record]) -> pa.Table:
    grain = "day" if len(period) == 8 else "month"
    d = period_date(period)
    month = d.replace(day=1)
    n = len(records)
    return pa.table(
        {
            "submission_id": pa.array([sid] * n, pa.int32()),
            "prov_code": [prov] * n,
            "period": [period] * n,
            "period_grain": [grain] * n,
            "period_month": pa.array([month] * n, pa.date32()),
            "stat_date": pa.array([d if grain == "day" else None] * n, pa.date32()),
            "indicator_code": [r.indicator_code for r in records],
            "region_level": [r.region_level for r in records],
            "region_code": [r.region_code for r in records],
            "value": pa.array([r.value for r in records], pa.float64()),
            "numerator": pa.array([r.numerator for r in records], pa.float64()),
            "denominator": pa.array([r.denominator for r in records], pa.float64()),
            "unit": [r.unit for r in records],
        }
    )


def _write_notice(outcome: Outcome, delivered_at: datetime, due: datetime) -> Path:
    folder = hq_paths().notices(outcome.prov)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{outcome.package}.{outcome.status}.txt"
    if path.exists():
        path = folder / f"{outcome.package}.{outcome.submission_id}.{outcome.status}.txt"
    title = {
        "accepted": "已接收 accepted",
        "superseded": "已接收但已被更新版本取代 accepted, but superseded by a newer version",
        "rejected": "已退回 rejected",
        "duplicate": "重复报送 duplicate",
    }[outcome.status]
    lines = [
        f"总部指标上报回执 / HQ indicator upload receipt: {title}",
        f"package={outcome.package}",
        f"submission_id={outcome.submission_id}",
        f"province={outcome.prov}",
        f"period={outcome.period}",
        f"delivered_at={delivered_at.isoformat(sep=' ', timespec='seconds')} (Beijing)",
        f"due_at={due.isoformat(sep=' ', timespec='seconds')} (Beijing)",
        f"late={'yes' if outcome.is_late else 'no'}",
    ]
    if outcome.note:
        lines.append(f"note={outcome.note}")
    if outcome.reasons:
        lines.append(f"reasons ({len(outcome.reasons)}) — fix all and resubmit with the next SEQ:")
        lines += [f"  {i}. {reason}" for i, reason in enumerate(outcome.reasons, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _move(pkg: Package, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in pkg.files:
        shutil.move(str(f), dest / f.name)
    return dest


def receive_one(
    con,  # noqa: ANN001 - duckdb connection
    pkg: Package,
    catalogue: Catalogue,
    keys: dict[str, str],
    provs: dict[str, Province],
) -> Outcome:
    name = pkg.name
    dat, chk, sig = pkg.files
    data, control, sig_bytes = dat.read_bytes(), chk.read_bytes(), sig.read_bytes()
    delivered_at = _beijing_naive(datetime.fromtimestamp(sig.stat().st_mtime, BEIJING))
    due = due_at(name.period).replace(tzinfo=None)
    is_late = delivered_at > due
    signature = parse_control(sig_bytes).get("signature", "")
    ctl = parse_control(control)
    md5 = hashlib.md5(data).hexdigest()
    sid = con.execute("select coalesce(max(submission_id), 0) + 1 from submissions").fetchall()[0][
        0
    ]
    gen = _generated_at(control)
    outcome = Outcome(sid, name.stem, name.prov, name.period, "accepted", is_late)
    records: list[Record] = []
    superseded_by = duplicate_of = None
    is_current = False

    dup = con.execute(
        "select submission_id, status from submissions where package = ? and signature = ? "
        "and data_md5 = ? order by submission_id limit 1",
        [name.stem, signature, md5],
    ).fetchall()
    con.begin()
    try:
        if dup:
            duplicate_of = dup[0][0]
            outcome.status = "duplicate"
            outcome.note = f"the same package was received before as submission {dup[0][0]} ({dup[0][1]}); nothing loaded again"
        else:
            key = keys.get(name.prov)
            records, reasons = validate_package(
                name,
                data,
                control,
                sig_bytes,
                key.encode("ascii") if key else None,
                catalogue,
                provs.get(name.prov),
            )
            if reasons:
                outcome.status = "rejected"
                outcome.reasons = reasons
                con.executemany(
                    "insert into submission_reasons values (?, ?, ?, ?)",
                    [[sid, i, r.rule, r.detail] for i, r in enumerate(reasons, start=1)],
                )
            else:
                current = con.execute(
                    "select submission_id, generated_at, seq from submissions "
                    "where prov_code = ? and period = ? and is_current",
                    [name.prov, name.period],
                ).fetchall()
                if current and (current[0][1] or datetime.min, current[0][2]) > (
                    gen or datetime.min,
                    name.seq,
                ):
                    outcome.status = "superseded"
                    superseded_by = current[0][0]
                    outcome.note = (
                        f"generated before the current version (submission {current[0][0]}), "
                        "so it is kept but does not replace it"
                    )
                else:
                    is_current = True
                    if current:
                        con.execute(
                            "update submissions set status = 'superseded', is_current = false, "
                            "superseded_by = ? where submission_id = ?",
                            [sid, current[0][0]],
                        )
                        outcome.note = f"supersedes submission {current[0][0]}"
                values_tbl = _values_table(sid, name.prov, name.period, records)  # noqa: F841
                con.execute("insert into submission_values select * from values_tbl")
        root = hq_paths()
        if outcome.status == "rejected":
            stored = root.rejected / name.prov / f"{sid:06d}_{name.stem}"
        else:
            stored = root.received / name.prov / name.period / f"{sid:06d}_{name.stem}"
        d = period_date(name.period)
        con.execute(
            "insert into submissions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sid,
                name.stem,
                name.prov,
                name.period,
                name.grain,
                d.replace(day=1),
                d if name.grain == "day" else None,
                name.seq,
                gen,
                delivered_at,
                now_beijing(),
                due,
                is_late,
                ctl.get("catalogue_version"),
                len(records) if records else None,
                md5,
                signature,
                outcome.status,
                is_current,
                superseded_by,
                duplicate_of,
                len(outcome.reasons),
                str(stored),
            ],
        )
        con.commit()
    except Exception:
        con.rollback()
        raise
    _move(pkg, stored)
    _write_notice(outcome, delivered_at, due)
    return outcome


def refresh_catalogue(con, catalogue: Catalogue) -> None:  # noqa: ANN001
    rows = [
        [
            catalogue.version,
            i.code,
            i.name_zh,
            i.name_en,
            i.unit,
            i.grain,
            i.level,
            i.aggregation,
            i.mandatory,
            i.is_ratio,
            i.additive,
            i.scale,
        ]
        for i in catalogue.indicators.values()
    ]
    con.begin()
    con.execute("delete from catalogue")
    con.executemany("insert into catalogue values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()


def refresh_central(con, warehouse: Path | None = None) -> str:  # noqa: ANN001
    """Copy the centrally computed values for every province and period HQ holds figures for
    (and the national rows of those periods) from the warehouse, for the deviation report."""
    pairs = con.execute("select distinct prov_code, period from submission_values").fetchall()
    if not pairs:
        return "no submissions yet"
    periods = sorted({p for _, p in pairs})
    provs = sorted({p for p, _ in pairs}) + ["00"]
    try:
        rows = read_indicator_values(
            warehouse or hq_paths().warehouse_db, periods, provs, ("national", "province", "city")
        )
    except WarehouseError as e:
        return f"central values not refreshed: {e}"
    wanted = set(pairs)
    now = now_beijing()
    keep = [
        r
        for r in rows
        if (r["prov_code"], r["period"]) in wanted or r["region_level"] == "national"
    ]
    central_tbl = pa.table(  # noqa: F841 - read by the SQL below
        {
            "prov_code": [r["prov_code"] for r in keep],
            "period": [r["period"] for r in keep],
            "period_grain": [r["period_grain"] for r in keep],
            "indicator_code": [r["indicator_code"] for r in keep],
            "region_level": [r["region_level"] for r in keep],
            "region_code": [str(r["region_code"]) for r in keep],
            "value": pa.array([r["value"] for r in keep], pa.float64()),
            "numerator": pa.array([r["numerator"] for r in keep], pa.float64()),
            "denominator": pa.array([r["denominator"] for r in keep], pa.float64()),
            "refreshed_at": pa.array([now] * len(keep), pa.timestamp("us")),
        }
    )
    con.begin()
    con.execute("delete from central_values")
    con.execute("insert into central_values select * from central_tbl")
    con.commit()
    return f"{len(keep)} central values for {len(pairs)} province-periods"


def period_status_rows(subs: list[dict], provs: dict[str, Province], as_of: datetime) -> list[dict]:
    """One row per province per period that HQ has received anything for (pure).

    status: ``on_time`` / ``late`` by the current accepted version's arrival against the due time;
    ``rejected`` when versions arrived but none was accepted; ``missing`` when nothing arrived and
    the due time has passed; ``pending`` when nothing arrived yet but it is not due.
    """
    by_pp: dict[tuple[str, str], list[dict]] = {}
    for s in subs:
        by_pp.setdefault((s["prov_code"], s["period"]), []).append(s)
    periods = sorted({s["period"] for s in subs})
    out = []
    for period in periods:
        due = due_at(period).replace(tzinfo=None)
        d = period_date(period)
        grain = "day" if len(period) == 8 else "month"
        for prov in provs:
            versions = sorted(by_pp.get((prov, period), []), key=lambda s: s["submission_id"])
            counts = Counter(s["status"] for s in versions)
            current = next((s for s in versions if s["is_current"]), None)
            rejected = [s for s in versions if s["status"] == "rejected"]
            if current is not None:
                status = "late" if current["is_late"] else "on_time"
            elif rejected:
                status = "rejected"
            else:
                status = "missing" if as_of > due else "pending"
            out.append(
                {
                    "prov_code": prov,
                    "prov_name": provs[prov].name,
                    "period": period,
                    "period_grain": grain,
                    "period_month": d.replace(day=1),
                    "stat_date": d if grain == "day" else None,
                    "status": status,
                    "due_at": due,
                    "current_submission_id": current["submission_id"] if current else None,
                    "current_package": current["package"] if current else None,
                    "current_delivered_at": current["delivered_at"] if current else None,
                    "first_delivered_at": min((s["delivered_at"] for s in versions), default=None),
                    "versions": len(versions) - counts["duplicate"],
                    "accepted_versions": counts["accepted"] + counts["superseded"],
                    "rejected_versions": counts["rejected"],
                    "superseded_versions": counts["superseded"],
                    "duplicate_deliveries": counts["duplicate"],
                    "last_reasons": rejected[-1].get("reasons")
                    if (rejected and status == "rejected")
                    else None,
                    "as_of": as_of,
                }
            )
    return out


def refresh_status(con, as_of: datetime | None = None) -> Counter:  # noqa: ANN001
    as_of = as_of or now_beijing()
    cur = con.execute(
        "select s.*, (select string_agg('[' || r.rule || '] ' || r.detail, '\n' order by r.reason_no) "
        "from submission_reasons r where r.submission_id = s.submission_id) as reasons "
        "from submissions s order by submission_id"
    )
    cols = [d[0] for d in cur.description]
    subs = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    rows = period_status_rows(subs, provinces(), as_of)
    con.begin()
    con.execute("delete from period_status")
    if rows:
        keys = list(rows[0])
        con.executemany(
            f"insert into period_status ({', '.join(keys)}) values ({', '.join('?' for _ in keys)})",
            [[r[k] for k in keys] for r in rows],
        )
    con.commit()
    return Counter(r["status"] for r in rows)


def receive_all(
    inbox: Path | None = None,
    as_of: datetime | None = None,
    catalogue: Catalogue | None = None,
    warehouse: Path | None = None,
    log=None,  # noqa: ANN001 - a logging.Logger-like object
) -> dict:
    """Process every complete package in the inbox; returns a summary (JSON-able)."""
    paths = hq_paths().ensure()
    inbox = inbox or paths.inbox
    catalogue = catalogue or load_catalogue()
    keys = load_keys()
    provs = provinces()
    packages, waiting = complete_packages(inbox)
    packages.sort(key=_sort_key)
    outcomes: list[Outcome] = []
    errors: list[str] = []
    con = store.connect(paths.db)
    try:
        for pkg in packages:
            try:
                o = receive_one(con, pkg, catalogue, keys, provs)
            except Exception as e:  # one broken file must not stop the others; reported below
                errors.append(f"{pkg.name.stem}: {type(e).__name__}: {e}")
                continue
            outcomes.append(o)
            if log:
                log.info(
                    "%s: %s%s",
                    o.package,
                    o.status,
                    f" ({len(o.reasons)} reasons)" if o.reasons else "",
                )
        refresh_catalogue(con, catalogue)
        central = refresh_central(con, warehouse)
        status = refresh_status(con, as_of)
    finally:
        con.close()
    summary = {
        "received": len(outcomes),
        "accepted": [o.package for o in outcomes if o.status == "accepted"],
        "rejected": {
            o.package: [str(r) for r in o.reasons] for o in outcomes if o.status == "rejected"
        },
        "superseded_on_arrival": [o.package for o in outcomes if o.status == "superseded"],
        "duplicates": [o.package for o in outcomes if o.status == "duplicate"],
        "late": [o.package for o in outcomes if o.is_late and o.status != "duplicate"],
        "waiting": waiting,
        "central": central,
        "status": dict(status),
        "catalogue_version": catalogue.version,
    }
    if errors:
        raise RuntimeError(
            f"{len(errors)} package(s) could not be processed and were left in {inbox}: "
            + "; ".join(errors)
        )
    return summary
