"""The indicator catalogue (指标目录) as the upload checks see it, read from ``seeds/indicators.csv``.

The catalogue is written by the warehouse side; this module reads it as it appears (columns
``indicator_code, name_zh, name_en, level, unit, period_grain, aggregation, is_additive, scale,
formula_zh, ...``) and derives what the upload rules need:

* ``version`` — ``sha256:`` + the first 16 hex digits of the SHA-256 of the file's bytes (or the
  value of a ``catalogue_version`` column, if the file has one). Province and HQ must validate
  against the same catalogue, so a package that names another version is rejected.
* ``mandatory`` — the ``upload_mandatory`` column when present (1/true/yes/Y); otherwise every
  monthly indicator of level L0, L1 or L2, and every daily (monitoring) indicator.
* ``aggregation`` — ``sum`` (values add up), ``ratio`` (value = scale·numerator/denominator),
  ``change`` (value = scale·(numerator-denominator)/|denominator|), ``value`` (neither).
  ``is_additive`` says whether the values (sum) or the numerator and denominator (ratio, change)
  add up over regions: then province = sum of cities is checked, and national = sum of provinces.
* consistency rules — ``BUILTIN_RULES`` (净增 NET_ADDS = NEW_SUBS - CHURNED_SUBS), an
  ``upload_rule`` column, or a formula that is a plain sum/difference of catalogue codes: the
  indicator must equal that combination in every region of a package.
* ranges — ``min_value`` / ``max_value`` columns when present; otherwise values must be finite,
  and counts (户/个/件/笔) and percentage ratios non-negative unless net/change indicators.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jingfen.config import REPO_ROOT, settings

DEFAULT_CATALOGUE = REPO_ROOT / "seeds" / "indicators.csv"
MANDATORY_LEVELS = frozenset({"L0", "L1", "L2"})
COUNT_UNITS = frozenset({"户", "个", "件", "笔"})
# Upload consistency rules that hold by definition; the first alternative whose codes are all in
# the catalogue applies (a catalogue `upload_rule` column overrides): 净增 = 新增 - 离网, plus
# 迁入 - 迁出 where the catalogue carries moves between cities (net adds = closing - opening).
BUILTIN_RULES = {
    "NET_ADDS": (
        "NEW_SUBS - CHURNED_SUBS + MIGRATION_IN_SUBS - MIGRATION_OUT_SUBS",
        "NEW_SUBS - CHURNED_SUBS",
    ),
}

_GRAIN_WORDS = {
    "month": "month",
    "monthly": "month",
    "m": "month",
    "月": "month",
    "day": "day",
    "daily": "day",
    "d": "day",
    "日": "day",
}
_TRUE = {"1", "true", "t", "yes", "y", "是"}
_NEGATIVE_HINTS = re.compile(
    r"net|change|growth|yoy|mom|diff|delta|effect|净增|增长|变动|变化|同比|环比|效应", re.I
)
_TERM = re.compile(r"\s*([+-])?\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


class CatalogueError(ValueError):
    """The catalogue file cannot be read as an indicator catalogue."""


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    unit: str
    grain: str  # 'month' | 'day'
    level: str
    formula: str
    mandatory: bool
    aggregation: str  # sum | ratio | change | value
    scale: float
    additive: bool  # values (sum) or numerator and denominator (ratio, change) add up over regions
    min_value: float | None
    max_value: float | None
    rule: str = ""  # an explicit upload rule, e.g. "NEW_SUBS - CHURNED_SUBS"

    @property
    def is_ratio(self) -> bool:
        """Derived from a numerator and a denominator: ratio = scale·n/d, change = scale·(n-d)/|d|."""
        return self.aggregation in ("ratio", "change")

    def expected_value(self, numerator: float, denominator: float) -> float | None:
        if denominator == 0:
            return None
        if self.aggregation == "change":
            return self.scale * (numerator - denominator) / abs(denominator)
        return self.scale * numerator / denominator

    @property
    def never_negative(self) -> bool:
        """Counts (户/个/件/笔) and shares cannot be negative, unless a net/change indicator."""
        if self.min_value is not None:
            return self.min_value >= 0
        if self.aggregation in ("change", "value") or _NEGATIVE_HINTS.search(
            f"{self.code} {self.name_en} {self.name_zh}"
        ):
            return False
        return self.unit in COUNT_UNITS or (self.aggregation == "ratio" and self.unit == "%")


@dataclass(frozen=True)
class LinearRule:
    """``target = Σ sign·term`` for one region, e.g. NET_ADDS = NEW_SUBS - CHURN_SUBS."""

    target: str
    terms: tuple[tuple[int, str], ...]

    def describe(self) -> str:
        parts = []
        for i, (sign, code) in enumerate(self.terms):
            op = ("-" if sign < 0 else "") if i == 0 else (" - " if sign < 0 else " + ")
            parts.append(op + code)
        return f"{self.target} = {''.join(parts)}"


@dataclass(frozen=True)
class Catalogue:
    path: Path
    version: str
    indicators: dict[str, Indicator]
    rules: tuple[LinearRule, ...] = field(default=())

    def for_grain(self, grain: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.grain == grain]

    def mandatory(self, grain: str) -> list[Indicator]:
        return [i for i in self.for_grain(grain) if i.mandatory]

    def rules_for(self, grain: str) -> list[LinearRule]:
        return [r for r in self.rules if self.indicators[r.target].grain == grain]


def catalogue_path() -> Path:
    """``JINGFEN_INDICATOR_CATALOGUE`` (tests, another install) or ``seeds/indicators.csv``."""
    return settings().indicator_catalogue or DEFAULT_CATALOGUE


def load_catalogue(path: Path | None = None) -> Catalogue:
    path = Path(path or catalogue_path())
    if not path.exists():
        raise CatalogueError(
            f"indicator catalogue {path} does not exist; the warehouse's seeds/indicators.csv "
            "(or JINGFEN_INDICATOR_CATALOGUE) must name it"
        )
    return _build(path, path.read_bytes())


def _pick(row: dict[str, str], *names: str) -> str:
    for n in names:
        if n in row and row[n] is not None:
            return row[n].strip()
    return ""


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _grain(raw: str, path: Path, line: int) -> str:
    g = _GRAIN_WORDS.get(raw.strip().lower())
    if g is None:
        raise CatalogueError(
            f"{path}:{line}: period grain {raw!r} is neither month nor day "
            "(accepted: month/monthly/M, day/daily/D)"
        )
    return g


def _level(raw: str) -> str:
    raw = raw.strip().upper()
    return f"L{raw}" if raw.isdigit() else raw


@cache
def _build(path: Path, data: bytes) -> Catalogue:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower() for c in (reader.fieldnames or [])}
    if not ({"code", "indicator_code"} & cols):
        raise CatalogueError(f"{path}: no `code` column (columns: {sorted(cols)})")
    indicators: dict[str, Indicator] = {}
    versions: set[str] = set()
    for lineno, raw_row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "") for k, v in raw_row.items() if k}
        code = _pick(row, "code", "indicator_code")
        if not code:
            continue
        if code in indicators:
            raise CatalogueError(f"{path}:{lineno}: indicator code {code!r} appears twice")
        unit = _pick(row, "unit")
        formula = _pick(row, "formula", "formula_zh", "definition")
        level = _level(_pick(row, "level", "indicator_level"))
        grain = _grain(_pick(row, "period_grain", "grain", "period", "frequency"), path, lineno)
        if "upload_mandatory" in row:
            mandatory = _pick(row, "upload_mandatory").lower() in _TRUE
        else:
            mandatory = grain == "day" or level in MANDATORY_LEVELS
        aggregation = _pick(row, "aggregation").lower() or (
            "ratio" if "/" in formula or unit in ("%", "‰") else "sum"
        )
        additive_raw = _pick(row, "is_additive", "additive").lower()
        additive = (
            additive_raw in _TRUE if additive_raw else aggregation in ("sum", "ratio", "change")
        )
        scale = _float_or_none(_pick(row, "scale")) or (
            100.0 if unit == "%" else 1000.0 if unit == "‰" else 1.0
        )
        version = _pick(row, "catalogue_version")
        if version:
            versions.add(version)
        indicators[code] = Indicator(
            code=code,
            name_zh=_pick(row, "name_zh", "name"),
            name_en=_pick(row, "name_en"),
            unit=unit,
            grain=grain,
            level=level,
            formula=formula,
            mandatory=mandatory,
            aggregation=aggregation,
            scale=scale,
            additive=additive,
            rule=_pick(row, "upload_rule"),
            min_value=_float_or_none(_pick(row, "min_value")),
            max_value=_float_or_none(_pick(row, "max_value")),
        )
    if not indicators:
        raise CatalogueError(f"{path}: the catalogue has no indicators")
    if len(versions) > 1:
        raise CatalogueError(f"{path}: more than one catalogue_version: {sorted(versions)}")
    version = versions.pop() if versions else "sha256:" + hashlib.sha256(data).hexdigest()[:16]
    return Catalogue(path, version, indicators, tuple(_rules(indicators)))


def parse_linear_formula(formula: str, codes: set[str]) -> tuple[tuple[int, str], ...] | None:
    """``'A - B + C'`` -> ((1,'A'), (-1,'B'), (1,'C')) when every term is a known code, else None."""
    formula = formula.strip()
    if not formula or not re.fullmatch(r"[A-Za-z0-9_+\-\s]+", formula):
        return None
    lookup = {c.lower(): c for c in codes}
    terms: list[tuple[int, str]] = []
    pos = 0
    while pos < len(formula):
        m = _TERM.match(formula, pos)
        if not m or m.end() == pos:
            return None
        sign, name = m.group(1), m.group(2)
        if terms and sign is None:
            return None  # two names without an operator between them
        code = lookup.get(name.lower())
        if code is None:
            return None
        terms.append((-1 if sign == "-" else 1, code))
        pos = m.end()
    return tuple(terms) if len(terms) >= 2 else None


def _rules(indicators: dict[str, Indicator]) -> list[LinearRule]:
    codes = set(indicators)
    rules = []
    for ind in indicators.values():
        candidates = [ind.rule] if ind.rule else [*BUILTIN_RULES.get(ind.code, ()), ind.formula]
        terms = next(
            (t for t in (parse_linear_formula(c, codes - {ind.code}) for c in candidates) if t),
            None,
        )
        if terms and all(
            indicators[c].grain == ind.grain and not indicators[c].is_ratio for _, c in terms
        ):
            rules.append(LinearRule(ind.code, terms))
    return rules
