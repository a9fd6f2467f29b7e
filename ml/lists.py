"""Exported lists (名单) a caller can use: one export for every list (retention today; win-back
and upsell lists next).

A list is a frame with one row per subscriber. ``add_names`` puts the name beside each code
(province, city, package, pay type, network type) from the warehouse dimensions (``dim_region``,
``dim_package``; the seeds they are built from when the warehouse lacks them);
``caller_reasons`` keeps only the actionable reasons (ml/reasons.py ``ACTIONABLE``), at most three,
and says so when the model gave fewer; ``export`` (jingfen/sheets.py) writes the chosen columns under Chinese
headers as CSV and Excel, and refuses an unmasked phone number.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from jingfen.config import REPO_ROOT
from jingfen.sheets import export  # noqa: F401 — the lists' export (lists.export)
from ml import reasons, warehouse

SEEDS = REPO_ROOT / "seeds"
UNKNOWN = "未知"
REASON_SLOTS = 3


@dataclass(frozen=True)
class Names:
    """Code -> (Chinese, English) name, per kind of code."""

    province: dict[str, tuple[str, str]]
    city: dict[str, tuple[str, str]]
    package: dict[str, tuple[str, str]]
    pay_type: dict[str, tuple[str, str]]
    net_type: dict[str, tuple[str, str]]

    def reason_labels(self) -> dict[str, dict[str, tuple[str, str]]]:
        """Names for the category features worded as reasons (ml/reasons.py ``labels``)."""
        return {"package_code": self.package}


# code column -> (name column, Names field)
NAME_COLUMNS: dict[str, tuple[str, str]] = {
    "prov_code": ("prov_name", "province"),
    "city_code": ("city_name", "city"),
    "package_code": ("package_name", "package"),
    "pay_type": ("pay_type_name", "pay_type"),
    "net_type": ("net_type_name", "net_type"),
}


def _pairs(frame: pd.DataFrame, code: str, zh: str, en: str) -> dict[str, tuple[str, str]]:
    frame = frame.dropna(subset=[code]).drop_duplicates(subset=[code])
    return {
        str(r[0]): (str(r[1]), str(r[2]) if pd.notna(r[2]) else str(r[1]))
        for r in frame[[code, zh, en]].itertuples(index=False)
    }


def _from_frames(
    regions: pd.DataFrame, provinces: pd.DataFrame, packages: pd.DataFrame, codes: pd.DataFrame
) -> Names:
    pay = codes[codes.code_set == "pay_type"]
    net = codes[codes.code_set == "net_type"]
    return Names(
        province=_pairs(provinces, "prov_code", "prov_name", "prov_name_en"),
        city=_pairs(regions, "city_code", "city_name", "city_name_en"),
        package=_pairs(packages, "package_code", "package_name", "package_name_en"),
        pay_type=_pairs(pay, "code", "name_zh", "name_en"),
        net_type=_pairs(net, "code", "name_zh", "name_en"),
    )


def load_names(con: duckdb.DuckDBPyConnection | None = None) -> Names:
    """Names from the warehouse dimensions when ``con`` has them, else from the seeds."""
    if con is not None and all(
        warehouse.table_exists(con, "main", t) for t in ("dim_region", "dim_package", "code_values")
    ):
        regions = con.execute(
            "select distinct prov_code, prov_name, prov_name_en, city_code, city_name,"
            " city_name_en from main.dim_region"
        ).df()
        packages = con.execute(
            "select package_code, package_name, package_name_en from main.dim_package"
        ).df()
        codes = con.execute("select code_set, code, name_zh, name_en from main.code_values").df()
        return _from_frames(regions, regions, packages, codes)
    read = lambda name: pd.read_csv(SEEDS / name, dtype=str, keep_default_na=False)  # noqa: E731
    return _from_frames(
        read("regions.csv"), read("provinces.csv"), read("packages.csv"), read("code_values.csv")
    )


def add_names(frame: pd.DataFrame, names: Names) -> pd.DataFrame:
    """A copy with ``prov_name``, ``city_name``, ``package_name``, ``pay_type_name``,
    ``net_type_name`` beside the
    codes the frame has; a code the dimensions do not know reads 未知 (never the code)."""
    out = frame.copy()
    for code_col, (name_col, kind) in NAME_COLUMNS.items():
        if code_col not in out:
            continue
        table = getattr(names, kind)
        named = out[code_col].map(
            lambda c, table=table: table.get(str(c), (UNKNOWN,))[0] if pd.notna(c) else UNKNOWN
        )
        if name_col in out:
            out = out.drop(columns=[name_col])
        out.insert(out.columns.get_loc(code_col) + 1, name_col, named.astype("string"))
    return out


def caller_reasons(frame: pd.DataFrame, k: int = REASON_SLOTS) -> pd.DataFrame:
    """``reason_1`` .. ``reason_k`` (Chinese) from the frame's ``reason_i_code``/``reason_i_zh``,
    keeping only actionable codes in their order (scores written before reasons were limited to
    actionable ones may hold others), and ``reason_note`` saying why a row has fewer than ``k``."""
    slots = [i for i in range(1, 10) if f"reason_{i}_code" in frame and f"reason_{i}_zh" in frame]
    kept: list[list[str]] = []
    dropped: list[int] = []
    for row in frame[[c for i in slots for c in (f"reason_{i}_code", f"reason_{i}_zh")]].itertuples(
        index=False
    ):
        texts, skipped = [], 0
        for j in range(len(slots)):
            code, text = row[2 * j], row[2 * j + 1]
            if pd.isna(code) or pd.isna(text):
                continue
            if reasons.theme(code) is None:
                skipped += 1
                continue
            texts.append(str(text))
        kept.append(texts[:k])
        dropped.append(skipped)
    out = pd.DataFrame(index=frame.index)
    for i in range(k):
        out[f"reason_{i + 1}"] = pd.array(
            [t[i] if len(t) > i else pd.NA for t in kept], dtype="string"
        )
    notes = []
    for texts, skipped in zip(kept, dropped, strict=True):
        if len(texts) >= k:
            notes.append("")
        elif not texts:
            notes.append("模型未给出可沟通的风险因素")
        else:
            notes.append(f"模型仅给出 {len(texts)} 条可沟通的风险因素")
        if skipped:
            notes[-1] = (
                notes[-1] + "；" if notes[-1] else ""
            ) + f"另有 {skipped} 条不宜沟通的因素未列出"
    out["reason_note"] = pd.array(notes, dtype="string")
    return out
