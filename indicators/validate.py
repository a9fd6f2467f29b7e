"""HQ's checks on one received package (pure: bytes in, records and reasons out).

Every rule is checked and every failure listed (up to ``MAX_PER_RULE`` lines per rule, then a
count), so a province can fix everything in one resubmission. Rules, in order:

| rule | what it checks |
|---|---|
| ``control`` | the control file has every key, and its file/province/period/seq/grain match the name |
| ``signature`` | HMAC-SHA256 with the province's key over control file + data file |
| ``checksum`` | MD5 and byte size of the data file equal the control file's |
| ``count`` | number of data lines equals ``records`` |
| ``catalogue_version`` | the package was made against HQ's current catalogue |
| ``format`` | every line has the 8 fields, numbers are numbers, the file ends with a line end |
| ``indicator`` | every code is in the catalogue, with the package's grain, period and unit |
| ``region`` | ``province`` rows carry the province's code, ``city`` rows one of its cities |
| ``duplicate_row`` | one row per indicator and region |
| ``completeness`` | every mandatory indicator for the province and for every one of its cities |
| ``range`` | values are finite, within min/max, non-negative where negatives make no sense; a value may be empty only for a ratio over a zero or empty denominator |
| ``ratio`` | a ratio's value agrees with its numerator and denominator (scale·n/d; change: scale·(n-d)/|d|) |
| ``consistency`` | formula rules such as 净增 NET_ADDS = NEW_SUBS - CHURN_SUBS, in every region |
| ``rollup`` | province = sum of its cities (additive indicators; numerator and denominator for ratios) |
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

from indicators.catalogue import Catalogue, Indicator
from indicators.package import (
    CONTROL_KEYS,
    PackageName,
    Record,
    parse_control,
    parse_data,
    verify,
)
from indicators.settings import Province

MAX_PER_RULE = 25
ABS_LIMIT = 1e13


@dataclass(frozen=True)
class Reason:
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail}"


class _Reasons:
    def __init__(self) -> None:
        self.items: list[Reason] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, rule: str, detail: str) -> None:
        self.counts[rule] += 1
        if self.counts[rule] <= MAX_PER_RULE:
            self.items.append(Reason(rule, detail))

    def result(self) -> list[Reason]:
        out = list(self.items)
        for rule, n in self.counts.items():
            if n > MAX_PER_RULE:
                out.append(Reason(rule, f"... and {n - MAX_PER_RULE} more {rule} problems"))
        return out


def _tolerance(values: list[float]) -> float:
    """Room for rounding in sums of decimals: half a cent per term plus a relative 1e-9."""
    return 0.005 * (len(values) + 1) + 1e-9 * max((abs(v) for v in values), default=0.0)


def validate_package(
    name: PackageName,
    data: bytes,
    control: bytes,
    sig: bytes,
    key: bytes | None,
    catalogue: Catalogue,
    province: Province | None,
) -> tuple[list[Record], list[Reason]]:
    r = _Reasons()
    stem = name.stem

    # -- the envelope: control file, signature, checksum, count, catalogue version
    ctl = parse_control(control)
    missing_keys = [k for k in CONTROL_KEYS if k not in ctl]
    if missing_keys:
        r.add("control", f"{name.control_name}: missing key(s) {', '.join(missing_keys)}")
    expected = {
        "file": name.data_name,
        "province": name.prov,
        "period": name.period,
        "grain": name.grain,
        "seq": f"{name.seq:03d}",
    }
    for k, v in expected.items():
        if k in ctl and ctl[k] != v:
            r.add("control", f"{name.control_name}: {k}={ctl[k]} but the package name says {v}")
    if province is None:
        r.add(
            "control", f"{stem}: province {name.prov} is not one of the 31 GB/T 2260 province codes"
        )
    if key is None:
        r.add(
            "signature",
            f"{name.sig_name}: HQ has no key for province {name.prov}, so the signature cannot be checked",
        )
    elif not verify(key, control, data, sig):
        r.add(
            "signature",
            f"{name.sig_name}: the HMAC-SHA256 signature does not match the control and data files "
            "(altered after signing, or signed with another key)",
        )
    md5 = hashlib.md5(data).hexdigest()
    if "md5" in ctl and ctl["md5"] != md5:
        r.add("checksum", f"{name.data_name}: MD5 is {md5} but the control file says {ctl['md5']}")
    if "bytes" in ctl and ctl["bytes"] != str(len(data)):
        r.add(
            "checksum",
            f"{name.data_name}: {len(data)} bytes but the control file says {ctl['bytes']} (truncated or padded)",
        )
    if "catalogue_version" in ctl and ctl["catalogue_version"] != catalogue.version:
        r.add(
            "catalogue_version",
            f"{name.control_name}: catalogue_version={ctl['catalogue_version']} but HQ's current "
            f"catalogue is {catalogue.version}: export again against the current seeds/indicators.csv",
        )

    records, format_errors = parse_data(data, name.data_name)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if "records" in ctl and ctl["records"] != str(lines):
        r.add(
            "count",
            f"{name.data_name}: {lines} data lines but the control file says records={ctl['records']}",
        )
    for e in format_errors:
        r.add("format", e)

    # -- the content
    cities = set(province.cities) if province else set()
    seen: dict[tuple[str, str, str], Record] = {}
    for rec in records:
        ind = catalogue.indicators.get(rec.indicator_code)
        where = f"{name.data_name}: {rec.indicator_code} {rec.region_level} {rec.region_code}"
        if ind is None:
            r.add(
                "indicator",
                f"{where}: indicator code {rec.indicator_code!r} is not in catalogue {catalogue.version}",
            )
            continue
        if ind.grain != name.grain:
            r.add(
                "indicator",
                f"{where}: {rec.indicator_code} is a {ind.grain} indicator, not for a {name.grain} package",
            )
        if rec.period != name.period:
            r.add(
                "indicator",
                f"{where}: period {rec.period} differs from the package's {name.period}",
            )
        if rec.unit != ind.unit:
            r.add(
                "indicator", f"{where}: unit {rec.unit!r} but the catalogue's unit is {ind.unit!r}"
            )
        if province is not None:
            if rec.region_level == "province" and rec.region_code != province.code:
                r.add("region", f"{where}: a province row must carry {province.code}")
            elif rec.region_level == "city" and rec.region_code not in cities:
                r.add(
                    "region",
                    f"{where}: {rec.region_code} is not a city of province {province.code}",
                )
            elif rec.region_level not in ("province", "city"):
                r.add("region", f"{where}: region level must be province or city")
        if rec.key in seen:
            r.add("duplicate_row", f"{where}: appears more than once")
        seen[rec.key] = rec
        _check_range(r, where, ind, rec)

    if province is not None:
        regions = [("province", province.code)] + [("city", c) for c in province.cities]
        for ind in catalogue.mandatory(name.grain):
            gaps = [code for level, code in regions if (ind.code, level, code) not in seen]
            if gaps:
                r.add(
                    "completeness",
                    f"{stem}: mandatory indicator {ind.code} ({ind.name_zh}) is missing for "
                    f"{len(gaps)} of {len(regions)} regions: {', '.join(gaps[:8])}{' ...' if len(gaps) > 8 else ''}",
                )
        _check_rules(r, stem, catalogue, name.grain, seen, regions)
        _check_rollup(r, stem, catalogue, seen, province)
    return records, r.result()


def _check_range(r: _Reasons, where: str, ind: Indicator, rec: Record) -> None:
    for label, v in (
        ("value", rec.value),
        ("numerator", rec.numerator),
        ("denominator", rec.denominator),
    ):
        if v is not None and (not math.isfinite(v) or abs(v) > ABS_LIMIT):
            r.add("range", f"{where}: {label} {v} is not a plausible number")
    if rec.value is None:
        if not (ind.is_ratio and not rec.denominator):
            r.add(
                "range",
                f"{where}: the value is empty (allowed only for a ratio whose denominator is 0 or empty)",
            )
        return
    v = rec.value
    if ind.is_ratio and rec.numerator is not None and rec.denominator:
        expect = ind.expected_value(rec.numerator, rec.denominator)
        if expect is not None and abs(v - expect) > 0.005 + 1e-6 * abs(expect):
            r.add(
                "ratio",
                f"{where}: value {v:g} does not agree with its numerator {rec.numerator:g} and "
                f"denominator {rec.denominator:g} (expected {expect:g})",
            )
    if ind.min_value is not None and v < ind.min_value:
        r.add("range", f"{where}: value {v} is below the catalogue minimum {ind.min_value}")
    if ind.max_value is not None and v > ind.max_value:
        r.add("range", f"{where}: value {v} is above the catalogue maximum {ind.max_value}")
    if v < 0 and ind.never_negative:
        r.add(
            "range", f"{where}: value {v} is negative, which {ind.code} ({ind.name_zh}) cannot be"
        )
    if ind.is_ratio and rec.denominator is not None and rec.denominator < 0:
        r.add("range", f"{where}: denominator {rec.denominator} is negative")


def _check_rules(
    r: _Reasons,
    stem: str,
    catalogue: Catalogue,
    grain: str,
    seen: dict[tuple[str, str, str], Record],
    regions: list[tuple[str, str]],
) -> None:
    for rule in catalogue.rules_for(grain):
        for level, code in regions:
            target = seen.get((rule.target, level, code))
            values = [getattr(seen.get((c, level, code)), "value", None) for _, c in rule.terms]
            if target is None or target.value is None or None in values:
                continue  # completeness reports the gap
            terms = [float(v) for v in values if v is not None]
            expect = math.fsum(s * v for (s, _), v in zip(rule.terms, terms, strict=True))
            if abs(target.value - expect) > _tolerance([target.value, *terms]):
                r.add(
                    "consistency",
                    f"{stem}: {level} {code}: {rule.describe()} does not hold: "
                    f"{rule.target} is {target.value:g} but the formula gives {expect:g}",
                )


def _check_rollup(
    r: _Reasons,
    stem: str,
    catalogue: Catalogue,
    seen: dict[tuple[str, str, str], Record],
    province: Province,
) -> None:
    by_indicator: dict[str, list[Record]] = defaultdict(list)
    for (code, level, region), rec in seen.items():
        if level == "city" and region in province.cities:
            by_indicator[code].append(rec)
    for code, city_recs in by_indicator.items():
        ind = catalogue.indicators.get(code)
        prov_rec = seen.get((code, "province", province.code))
        if ind is None or prov_rec is None or len(city_recs) != len(province.cities):
            continue  # a gap is a completeness problem, not a sum to compare
        if not ind.additive:
            continue
        fields = ("numerator", "denominator") if ind.is_ratio else ("value",)
        for f in fields:
            parts = [getattr(c, f) for c in city_recs]
            total = getattr(prov_rec, f)
            if total is None or any(p is None for p in parts):
                continue
            s = math.fsum(parts)
            if abs(total - s) > _tolerance([total, *parts]):
                r.add(
                    "rollup",
                    f"{stem}: {code} ({ind.name_zh}) {f}: province {province.code} is {total:g} but "
                    f"its {len(parts)} cities sum to {s:g}",
                )
