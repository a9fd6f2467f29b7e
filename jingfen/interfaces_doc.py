"""Render the interface column tables for docs/interfaces.md from jingfen/interfaces.py."""

from __future__ import annotations

from jingfen.interfaces import INTERFACES

BEGIN = "<!-- BEGIN GENERATED: jingfen interfaces doc -->"
END = "<!-- END GENERATED -->"

PERIOD_TEXT = {
    "monthly": "monthly file (PERIOD = YYYYMM)",
    "daily": "daily file (PERIOD = YYYYMMDD)",
    "both": "monthly file for history, daily file for increments",
}


def render_tables() -> str:
    out: list[str] = [BEGIN]
    for i in INTERFACES.values():
        kind = "full snapshot" if i.snapshot else "increment"
        out.append(f"\n### {i.code} — {i.name_zh} ({i.name_en})\n")
        out.append(
            f"Grain: {i.grain}. Delivery: {PERIOD_TEXT[i.period]}, {kind}. "
            f"Key: `{', '.join(i.key)}`.\n"
        )
        out.append("| # | column | type | M | ref | PII | description |")
        out.append("|---|---|---|---|---|---|---|")
        for n, c in enumerate(i.columns, start=1):
            t = c.type + (f"({c.maxlen})" if c.maxlen else "")
            out.append(
                f"| {n} | `{c.name}` | {t} | {'M' if c.mandatory else ''} | "
                f"{c.ref or ''} | {'PII' if c.pii else ''} | {c.description} |"
            )
    out.append("\n" + END)
    return "\n".join(out)
