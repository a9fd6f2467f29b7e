"""The province side's nightly upload (指标上报): which periods a run sends, and one province's
package for a period exported and delivered to HQ's inbox unless it already was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from indicators.export import export_package
from indicators.transport import deliver, was_delivered


def upload_periods(today: date) -> dict[str, str]:
    """The periods a nightly run uploads on ``today``: yesterday's daily package and last
    month's monthly package (re-sent only if its figures changed)."""
    last_month = today.replace(day=1) - timedelta(days=1)
    return {
        "day": (today - timedelta(days=1)).strftime("%Y%m%d"),
        "month": last_month.strftime("%Y%m"),
    }


def export_and_deliver(prov: str, period: str, target: str | None) -> dict[str, Any]:
    """Export ``prov``'s package for ``period`` (unchanged figures reuse the existing package)
    and deliver it; ``delivered`` is None when that package had been delivered already."""
    result = export_package(prov, period)
    out = result.as_dict()
    out["delivered"] = (
        None if was_delivered(result.package, target) else deliver(result.package, target)
    )
    return out
