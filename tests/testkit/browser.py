"""Reading a dashboard as a person sees it: headless Chromium (Debian's, kept off the network),
the big-number tiles and table cells as drawn, the chart-data requests the page sends, and the
numbers parsed back from their d3 formats so they can be compared with the warehouse."""

from __future__ import annotations

import datetime as dt
import decimal
import html
import json
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from dashboards.generate import DashboardSpec

CHROMIUM = Path("/usr/bin/chromium")
# Keep Chromium off the network (STACK-NOTES "Browser checks").
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pings",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter,Translate",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
RENDER_TIMEOUT_S = 90
ERROR_SELECTORS = ".ant-alert-error, [data-test=error-message], .alert-danger"
# A drawn chart: an echarts canvas, a table row, a big number, a province of the China map (an
# SVG path), or the "no results" state.
DRAWN = (
    "canvas, table tbody tr, .header-line, .superset-legacy-chart-country-map path.region, "
    ".ant-empty, [class*=EmptyState], .no-results"
)
# The two ways a chart asks for data: the chart-data API and the legacy path (country map).
CHART_DATA_PATHS = ("/api/v1/chart/data", "/superset/explore_json/")
# What the table chart and the big number show for a missing value.
NULL_TEXTS = {"N/A", "—", "", "null", "No data", "暂无数据"}


@dataclass
class ChartRequest:
    """One chart-data request the page sent, and Superset's answer to it."""

    slice_id: int
    path: str  # path and query string, as sent (the dashboard id rides along)
    body: dict[str, Any]
    response: dict[str, Any]


@dataclass
class RenderedTable:
    headers: list[str]  # the column ids (``aria-labelledby`` of the cells: header-<column>)
    labels: list[str]  # what the header shows
    rows: list[list[str]]


@dataclass
class RenderedDashboard:
    slug: str
    username: str
    tiles: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key -> (big, sub)
    tables: dict[str, RenderedTable] = field(default_factory=dict)
    requests: dict[int, list[ChartRequest]] = field(default_factory=dict)
    seconds: float = 0.0


def _capture(requests: dict[int, list[ChartRequest]]):  # type: ignore[no-untyped-def]
    def on_response(resp) -> None:  # type: ignore[no-untyped-def]
        if not any(p in resp.url for p in CHART_DATA_PATHS) or resp.request.method != "POST":
            return
        try:
            body = request_body(resp.request.post_data or "{}")
            answer = resp.json()
        except Exception:  # the page was navigated away mid-response: nothing rendered from it
            return
        form = body.get("form_data") or {}
        slice_id = form.get("slice_id")
        if slice_id is None:  # a native filter fetching its values, not a chart
            return
        url = urlparse(resp.url)
        path = f"{url.path}?{url.query}" if url.query else url.path
        requests.setdefault(int(slice_id), []).append(
            ChartRequest(int(slice_id), path, body, answer)
        )

    return on_response


_FORM_FIELD = re.compile(r'name="form_data"\r?\n\r?\n(.*?)\r?\n--', re.S)


def request_body(post_data: str) -> dict[str, Any]:
    """A chart-data request's body: JSON (the chart-data API), or the legacy path's multipart
    form (multipart or url-encoded) whose ``form_data`` field holds the chart's form data (the
    country map)."""
    try:
        return json.loads(post_data)
    except ValueError:
        m = _FORM_FIELD.search(post_data)
        if m is not None:
            return {"form_data": json.loads(m.group(1))}
        return {"form_data": json.loads(parse_qs(post_data)["form_data"][0])}


def open_dashboard(page: Any, url: str, dash: DashboardSpec, username: str) -> RenderedDashboard:
    """Open ``dash`` in ``page`` (logged in as ``username``), wait until every chart has drawn
    and answered, and read its tiles and tables."""
    out = RenderedDashboard(dash.slug, username)
    handler = _capture(out.requests)
    page.on("response", handler)
    t0 = time.perf_counter()
    try:
        page.goto(f"{url}/superset/dashboard/{dash.slug}/")
        page.wait_for_selector(f"text={dash.title_zh}")
        for chart in dash.charts:
            holder = _holder(page, chart.key)
            holder.scroll_into_view_if_needed()  # charts out of view are not drawn
            holder.locator(DRAWN).first.wait_for(state="attached", timeout=RENDER_TIMEOUT_S * 1000)
        deadline = time.monotonic() + RENDER_TIMEOUT_S
        while time.monotonic() < deadline:
            loading = page.locator(".dashboard-component-chart-holder .loading").count()
            if loading == 0 and len(out.requests) >= len(dash.charts):
                break
            time.sleep(0.3)
        for chart in dash.charts:
            holder = _holder(page, chart.key)
            if chart.kind == "big_number":
                big = holder.locator(".header-line")
                sub = holder.locator(".subheader-line")
                out.tiles[chart.key] = (
                    big.inner_text().strip() if big.count() else "",
                    sub.inner_text().strip() if sub.count() else None,
                )
            elif chart.kind in ("table", "agg_table"):
                out.tables[chart.key] = read_table(holder)
    finally:
        page.remove_listener("response", handler)
    out.seconds = time.perf_counter() - t0
    return out


def _holder(page: Any, key: str) -> Any:
    # The layout id CHART-<key> (dashboards.generate) anchors each chart's holder.
    return page.locator(f".dashboard-component-chart-holder:has(#CHART-{key})").first


def read_table(holder: Any) -> RenderedTable:
    """The table chart's header and every row of its body (all rows are in the page: the
    table chart does not paginate unless told to)."""
    headers = holder.locator("thead th")
    ids = [(h or "").removeprefix("header-") for h in _attrs(headers, "id")]
    labels = [t.strip() for t in headers.all_inner_texts()]
    cells = [t.strip() for t in holder.locator("tbody tr td").all_inner_texts()]
    n = len(ids)
    rows = [cells[i : i + n] for i in range(0, len(cells), n)] if n else []
    return RenderedTable(ids, labels, rows)


def _attrs(locator: Any, name: str) -> list[str | None]:
    return [locator.nth(i).get_attribute(name) for i in range(locator.count())]


# ---- numbers as d3-format prints them -------------------------------------------------------
_SI = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "µ": -6, "m": -3, "": 0,
       "k": 3, "M": 6, "G": 9, "T": 12, "P": 15}  # fmt: skip
_NUMBER = re.compile(r"^([+\-−]?)([0-9][0-9,]*)(?:\.([0-9]+))?([yzafpnµmkMGTP]?)(%?)$")


def parse_number(text: str) -> tuple[float, float] | None:
    """A number as d3-format printed it (``1,234.57``, ``-1.2k``, ``+3.5%``, ``−0.20``) and half
    a unit of its last printed digit (what rounding may have hidden); None if it is no number."""
    m = _NUMBER.match(text.strip().replace("\u2009", "").replace(" ", ""))
    if not m:
        return None
    sign, whole, frac, si, pct = m.groups()
    digits = len(frac or "")
    scale = 10.0 ** _SI[si] / (100.0 if pct else 1.0)
    value = float(f"{whole.replace(',', '')}.{frac or '0'}") * scale
    if sign in ("-", "−"):
        value = -value
    return value, 0.5 * 10.0**-digits * scale


def as_float(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int | float | decimal.Decimal):
        f = float(v)
        return None if math.isnan(f) else f
    return None


def shows(text: str, value: Any, slack: float = 0.0) -> bool:
    """Does the rendered ``text`` show the warehouse ``value`` (numbers within the rounding of
    their printed digits, plus ``slack``; NULL as N/A or nothing; dates as the table chart
    prints them; text with its white space collapsed, as HTML draws it)?"""
    text = text.strip()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text in NULL_TEXTS
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, dt.datetime | dt.date):
        return text == value.strftime("%Y-%m-%d")
    f = as_float(value)
    if f is not None:
        parsed = parse_number(text)
        if parsed is None:
            return False
        shown, half_unit = parsed
        return abs(shown - f) <= half_unit * (1 + 1e-9) + slack + 1e-9 * max(1.0, abs(f))
    return text == collapse(str(value))


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def collapse(text: str) -> str:
    """Text as the page draws it: HTML tags rendered (the table chart renders HTML, e.g. the
    dictionary's report links) and white space collapsed."""
    if _TAG.search(text):
        text = html.unescape(_TAG.sub("", text))
    return " ".join(text.split())


def percent_change(value: float, before: float | None) -> float | None:
    """The big number's subheader: (latest - earlier) / |earlier| (Superset's big number)."""
    if before is None or before == 0:
        return None
    return (value - before) / abs(before)
