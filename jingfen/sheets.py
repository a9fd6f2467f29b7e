"""Files a person opens: tables under Chinese headers as CSV (UTF-8 with BOM, so Excel opens
the Chinese right) and Excel workbooks (header frozen, column widths fitted).

Every header must be Chinese, and a column whose name says it holds a phone number
(``msisdn``) must hold masked numbers only (186****0001): a file that leaves the warehouse never
carries a full number. Used by the exported lists (ml/lists.py) and the key-account SLA reports
(dashboards/sla_reports.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_CJK = re.compile(r"[\u4e00-\u9fff]")
# masked as dbt's mask_middle does: a few characters kept at each end, the middle starred
# (186****0001, a broadband account KD4********0004)
_MASKED = re.compile(r"^[^*]{0,4}\*{4,}[^*]{0,4}$")

Sheet = tuple[pd.DataFrame, dict[str, str]]  # a frame and its columns (source -> header)


def width(value: object) -> int:
    """Display width in Excel columns: a Chinese character is about two."""
    text = "" if value is None or value is pd.NA else str(value)
    return len(text) + len(_CJK.findall(text))


def check(frame: pd.DataFrame, columns: dict[str, str]) -> None:
    """Raise ValueError unless every column exists, every header is Chinese and every phone
    number column is masked."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the list has no column(s) {missing} to export; it has {list(frame)}")
    english = [h for h in columns.values() if not _CJK.search(h)]
    if english:
        raise ValueError(f"every exported header must be Chinese; these are not: {english}")
    for col in columns:
        if "msisdn" in col:
            shown = frame[col].dropna().astype(str)
            bad = shown[~shown.str.fullmatch(_MASKED)]
            if len(bad):
                raise ValueError(
                    f"column {col} holds {len(bad)} phone number(s) that are not masked "
                    f"(like 186****0001, first: {bad.iloc[0][:3]}…); a list never carries a full "
                    "number"
                )


def headed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame``'s ``columns`` in order, renamed to their Chinese headers (checked)."""
    check(frame, columns)
    return frame[list(columns)].rename(columns=columns)


def write_workbook(path: Path, sheets: dict[str, Sheet]) -> Path:
    """An Excel workbook with one sheet per entry (sheet name -> frame and columns)."""
    tables = {name: headed(frame, columns) for name, (frame, columns) in sheets.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, table in tables.items():
            table.to_excel(xw, index=False, sheet_name=name)
            ws = xw.sheets[name]
            ws.freeze_panes = "A2"
            for i, header in enumerate(table.columns, start=1):
                longest = max(width(header), *(width(v) for v in table.iloc[:200, i - 1]))
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(
                    60, longest + 2
                )
    return path


def export(
    frame: pd.DataFrame,
    columns: dict[str, str],
    out_dir: Path,
    stem: str,
    sheet: str,
) -> dict[str, str]:
    """Write ``frame``'s ``columns`` (source column -> Chinese header, in order) as
    ``<stem>.csv`` and ``<stem>.xlsx`` (sheet ``sheet``)."""
    table = headed(frame, columns)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv = out_dir / f"{stem}.csv"
    table.to_csv(csv, index=False, encoding="utf-8-sig")
    xlsx = write_workbook(out_dir / f"{stem}.xlsx", {sheet: (frame, columns)})
    return {"csv": str(csv), "xlsx": str(xlsx), "rows": str(len(table))}
