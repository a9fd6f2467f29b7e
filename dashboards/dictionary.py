"""指标字典 and 报表检索: which report and chart shows which indicator, generated from the
catalogue (dashboards/catalogue.py) into two dbt seeds, so the dictionary the business reads is
never written by hand a second time:

- ``seeds/report_index.csv``  one row per report (dashboard): slug, titles, what it shows;
- ``seeds/report_charts.csv`` one row per chart per indicator it shows.

dbt joins them with the indicator catalogue (seeds/indicators.csv) into
``rpt_indicator_dictionary`` (marts/indicators/), the table the 指标字典 dashboard searches.
``python -m dashboards generate`` writes them with the assets; ``--check`` fails when they
drift from the catalogue.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from dashboards.generate import ChartSpec, DashboardSpec
from jingfen.config import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "seeds"
INDEX_COLUMNS = ("report_slug", "report_title_zh", "report_title_en", "contents_zh", "contents_en")
CHART_COLUMNS = (
    "indicator_code",
    "report_slug",
    "chart_key",
    "chart_title_zh",
    "chart_title_en",
)


def chart_indicators(chart: ChartSpec, codes: Sequence[str], levels: dict[str, str]) -> list[str]:
    """The catalogued indicators a chart shows: a metric named by its code, a chart of
    mart_indicator_values narrowed to one code, or one listing a level (``level == 'L0'``);
    the 对标 table of mart_indicator_benchmark lists every L0 indicator."""
    known = set(codes)
    shown = [m for m in chart.all_metrics if m in known]
    for w in chart.where:
        if w.col == "indicator_code" and w.op == "==" and w.val in known:
            shown.append(str(w.val))
        if w.col == "level" and w.op == "==" and chart.dataset.table == "mart_indicator_values":
            shown += [c for c in codes if levels[c] == w.val]
    if chart.dataset.table == "mart_indicator_benchmark" and not any(
        w.col == "indicator_code" for w in chart.where
    ):
        shown += [c for c in codes if levels[c] == "L0"]
    return list(dict.fromkeys(shown))


def _rows_csv(columns: Sequence[str], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue()


def render_seeds(reports: Sequence[DashboardSpec]) -> dict[str, str]:
    """File name -> CSV text of the two seeds for these reports."""
    from dashboards.catalogue import indicator_rows

    catalogue = indicator_rows()
    codes = [r["indicator_code"] for r in catalogue]
    levels = {r["indicator_code"]: r["level"] for r in catalogue}
    index = [(d.slug, d.title_zh, d.title_en, d.description_zh, d.description_en) for d in reports]
    charts = [
        (code, d.slug, c.key, c.title_zh, c.title_en)
        for d in reports
        for c in d.charts
        for code in chart_indicators(c, codes, levels)
    ]
    return {
        "report_index.csv": _rows_csv(INDEX_COLUMNS, index),
        "report_charts.csv": _rows_csv(CHART_COLUMNS, sorted(charts)),
    }


def write_seeds(reports: Sequence[DashboardSpec], seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    out = []
    for name, text in render_seeds(reports).items():
        path = seeds_dir / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


def seeds_differ(reports: Sequence[DashboardSpec], seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Seed files that are missing or stale compared with the catalogue."""
    return sorted(
        name
        for name, text in render_seeds(reports).items()
        if not (seeds_dir / name).exists() or (seeds_dir / name).read_text(encoding="utf-8") != text
    )
