"""Headless Chromium opens every dashboard of the catalogue logged in (a province user for the
reports every province sees, hq for the 总部-only ones): every chart draws, no error alert,
Chinese UI, nothing fetched from outside hosts. Screenshots go to tests/artifacts/, and the
executive overview and the dashboards docs/dashboards.md shows, as seen by headquarters, to
docs/img/ (the README links overview.png)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from testkit.browser import DRAWN, ERROR_SELECTORS, RENDER_TIMEOUT_S

from dashboards.catalogue import (
    CUSTOMER_ANALYSIS,
    DAILY_MONITORS,
    DASHBOARDS,
    INDICATOR_OVERVIEW,
    PACKAGE_USAGE,
)

pytestmark = [pytest.mark.superset, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
DOCS_IMG = REPO / "docs" / "img"
# the dashboards docs/dashboards.md shows as headquarters sees them (the README links overview.png)
DOCS_IMAGES = {
    INDICATOR_OVERVIEW.slug: "overview.png",
    CUSTOMER_ANALYSIS.slug: "customer-analysis.png",
    PACKAGE_USAGE.slug: "package-usage.png",
    DAILY_MONITORS.slug: "daily-monitors.png",
}


def _open_and_check(superset_instance, page, dash) -> float:
    t0 = time.perf_counter()
    page.goto(f"{superset_instance.url}/superset/dashboard/{dash.slug}/")
    page.wait_for_selector(f"text={dash.title_zh}")
    if dash.markdown:
        page.wait_for_selector(".dashboard-markdown")
    holders = page.locator(".dashboard-component-chart-holder")
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while time.monotonic() < deadline:
        loading = page.locator(".dashboard-component-chart-holder .loading").count()
        if holders.count() >= len(dash.charts) and loading == 0:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"{dash.slug}: charts still loading after {RENDER_TIMEOUT_S} s")
    for chart in dash.charts:
        holder = page.locator(".dashboard-component-chart-holder", has_text=chart.title_zh)
        holder.first.scroll_into_view_if_needed()
        holder.locator(DRAWN).first.wait_for(state="attached", timeout=30_000)
    errors = page.locator(ERROR_SELECTORS).all_inner_texts()
    assert errors == [], f"error alerts on {dash.slug}: {errors}"
    assert page.locator("text=看板").count() > 0, "the UI should be in Chinese"
    return time.perf_counter() - t0


def _screenshot(superset_instance, page, name: str) -> Path:
    shots = superset_instance.home / "superset" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    return shot


@pytest.mark.parametrize("dash", DASHBOARDS, ids=lambda d: d.slug)
def test_dashboard_renders(superset_instance, pages, dash) -> None:
    username, other = ("hq_analyst", None) if dash.audience == "hq" else ("gd_analyst", "北京市")
    page, outside = pages(username)
    seconds = _open_and_check(superset_instance, page, dash)
    superset_instance.timings[f"browser_{dash.slug}_s"] = round(seconds, 1)
    if other is not None:
        # the province user's tables show only its own province (the 省份 column, by name)
        for table in page.locator(".dashboard-component-chart-holder table").all():
            headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
            if "省份" not in headers:
                continue
            col = headers.index("省份") + 1
            cells = table.locator(f"tbody tr td:nth-child({col})").all_inner_texts()
            assert other not in {c.strip() for c in cells}, (
                f"{username} sees province {other} on {dash.slug}"
            )
    _screenshot(superset_instance, page, f"{dash.slug}-{username}")
    assert outside == [], f"the page loaded from outside hosts: {outside}"


@pytest.mark.parametrize(
    "dash", [d for d in DASHBOARDS if d.slug in DOCS_IMAGES], ids=lambda d: d.slug
)
def test_dashboard_as_headquarters_for_the_docs(superset_instance, pages, dash) -> None:
    page, outside = pages("hq_analyst")
    page.set_viewport_size({"width": 1400, "height": 1800})
    _open_and_check(superset_instance, page, dash)
    # back to the top, and a moment for the grid to settle after the scrolling: a full-page
    # shot taken at once once showed the header over an empty grid
    holder = page.locator(".dashboard-component-chart-holder").first
    holder.scroll_into_view_if_needed()
    holder.locator(DRAWN).first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1500)
    shot = _screenshot(superset_instance, page, f"{dash.slug}-hq_analyst")
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, DOCS_IMG / DOCS_IMAGES[dash.slug])
    assert outside == []


@pytest.mark.parametrize(
    "word,code,report",
    [("离网", "CHURN_RATE", "subscriber-development"), ("arpu", "ARPU", "revenue-arpu")],
)
def test_indicator_dictionary_finds_indicators_and_their_reports(
    superset_instance, pages, word: str, code: str, report: str
) -> None:
    """A province analyst searches the 指标字典 by a word: every row left matches it, the
    indicator is there with its 口径, and its report is one click away."""
    import re

    from testkit.superset import query

    from dashboards.catalogue import DICTIONARY

    page, outside = pages("gd_analyst")
    _open_and_check(superset_instance, page, DICTIONARY)
    holder = page.locator(".dashboard-component-chart-holder").first
    search = holder.locator("input.ant-input[type=text]")
    # the search box says how many entries there are: all of them, for every role
    (total,) = query(superset_instance.warehouse, "select count(*) from rpt_indicator_dictionary")[
        0
    ]
    placeholder = search.get_attribute("placeholder") or ""
    assert re.search(r"\d+", placeholder) and int(re.search(r"\d+", placeholder).group()) == total
    search.fill(word)
    rows = holder.locator("table tbody tr")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and rows.count() >= 50:
        time.sleep(0.2)
    texts = [t.replace("\n", " ") for t in rows.all_inner_texts()]
    assert texts, f"searching {word!r} found nothing"
    assert all(word.lower() in t.lower() for t in texts), texts
    assert any(code in t for t in texts), f"{code} not found by {word!r}"
    hrefs = {a.get_attribute("href") for a in holder.locator("table tbody a").all()}
    assert f"/superset/dashboard/{report}/" in hrefs, hrefs
    assert outside == []
