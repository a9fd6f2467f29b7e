"""Province side: build a province's upload package from its warehouse (``jingfen indicators export``).

The package holds every catalogue indicator of the period's grain that the warehouse has for the
province, at province level and for every city of the province in ``seeds/regions.csv``. A city
the warehouse has no row for (no subscribers there) is written explicitly: 0 for a sum or value
indicator, an empty value over 0/0 for a ratio or change — but only where the province row exists, so a
missing indicator stays missing and HQ rejects the package rather than receiving made-up zeros.

Exporting is idempotent: when the newest package in the outbox already carries exactly these
figures under the same catalogue version, it is returned instead of writing a new version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from indicators.catalogue import Catalogue, load_catalogue
from indicators.package import (
    Package,
    PackageName,
    Record,
    check_period,
    complete_packages,
    format_data,
    parse_control,
    write_package,
)
from indicators.settings import Province, hq_paths, province_key, provinces
from indicators.warehouse import read_indicator_values


@dataclass
class ExportResult:
    package: Package
    records: int
    reused: bool
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "package": self.package.name.stem,
            "directory": str(self.package.directory),
            "records": self.records,
            "reused": self.reused,
            "warnings": self.warnings,
        }


def _clean(x: object) -> float | None:
    if x is None:
        return None
    f = float(x)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def build_records(
    catalogue: Catalogue, province: Province, period: str, rows: list[dict]
) -> tuple[list[Record], list[str]]:
    """Package records from warehouse rows of one province and period (pure)."""
    grain = "day" if len(period) == 8 else "month"
    warnings: list[str] = []
    by_key: dict[tuple[str, str, str], Record] = {}
    skipped: set[str] = set()
    for r in rows:
        code = r["indicator_code"]
        ind = catalogue.indicators.get(code)
        if ind is None or ind.grain != grain or r["period"] != period:
            skipped.add(code)
            continue
        if r["region_level"] not in ("province", "city"):
            continue
        rec = Record(
            indicator_code=code,
            period=period,
            region_level=r["region_level"],
            region_code=str(r["region_code"]),
            value=_clean(r["value"]),
            numerator=_clean(r.get("numerator")),
            denominator=_clean(r.get("denominator")),
            unit=r.get("unit") or ind.unit,
        )
        by_key[rec.key] = rec
    if skipped:
        warnings.append(
            f"left out {len(skipped)} indicator(s) not in the catalogue for {grain} packages: "
            + ", ".join(sorted(skipped)[:10])
        )
    present = {
        code for (code, level, region) in by_key if level == "province" and region == province.code
    }
    for ind in catalogue.for_grain(grain):
        if ind.mandatory and ind.code not in present:
            warnings.append(
                f"mandatory indicator {ind.code} ({ind.name_zh}) has no province row for "
                f"{province.code} {period} in the warehouse: HQ will reject the package"
            )
        if ind.code not in present:
            continue
        for city in province.cities:
            if (ind.code, "city", city) not in by_key:
                by_key[(ind.code, "city", city)] = Record(
                    ind.code,
                    period,
                    "city",
                    city,
                    None if ind.is_ratio else 0.0,
                    0.0 if ind.is_ratio else None,
                    0.0 if ind.is_ratio else None,
                    ind.unit,
                )
    return list(by_key.values()), warnings


def latest_package(prov: str, period: str) -> Package | None:
    packages, _ = complete_packages(hq_paths().outbox(prov))
    mine = [p for p in packages if p.name.prov == prov and p.name.period == period]
    return max(mine, key=lambda p: p.name.seq) if mine else None


def export_package(
    prov: str,
    period: str,
    warehouse: Path | None = None,
    catalogue: Catalogue | None = None,
    generated_at: datetime | None = None,
    force: bool = False,
) -> ExportResult:
    """Write (or reuse) the package for one province and period in ``hq/outbox/<prov>/``."""
    check_period(period)
    provs = provinces()
    if prov not in provs:
        raise ValueError(
            f"province {prov!r} is not one of the 31 GB/T 2260 codes in seeds/regions.csv"
        )
    catalogue = catalogue or load_catalogue()
    rows = read_indicator_values(warehouse or hq_paths().warehouse_db, [period], [prov])
    records, warnings = build_records(catalogue, provs[prov], period, rows)
    if not records:
        raise ValueError(
            f"the warehouse has no indicator values for province {prov} and period {period}: "
            "nothing to export"
        )
    data = format_data(records)
    last = latest_package(prov, period)
    if last is not None and not force:
        dat, chk, _ = last.files
        if (
            dat.read_bytes() == data
            and parse_control(chk.read_bytes()).get("catalogue_version") == catalogue.version
        ):
            return ExportResult(last, len(records), True, warnings)
    name = PackageName(prov, period, (last.name.seq + 1) if last else 1)
    pkg = write_package(
        hq_paths().outbox(prov),
        name,
        data,
        len(records),
        catalogue.version,
        province_key(prov),
        generated_at,
    )
    return ExportResult(pkg, len(records), False, warnings)
