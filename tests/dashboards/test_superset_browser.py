"""Headless Chromium opens the dashboards as a province user: charts render, no error alerts,
Chinese UI, nothing fetched from outside hosts. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboards.catalogue import DASHBOARDS

pytestmark = [pytest.mark.superset, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
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
ERROR_SELECTORS = ".ant-alert-error, [data-test=error-message], .alert-danger"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("username,prov", [("gd_analyst", "44")])
@pytest.mark.parametrize("dash", DASHBOARDS, ids=lambda d: d.slug)
def test_dashboard_renders_for_province_user(superset_instance, browser, dash, username, prov):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    outside: list[str] = []
    page.on(
        "response",
        lambda r: (
            outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None) else None
        ),
    )
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{superset_instance.url}/login/")
        page.fill("[data-test=username-input]", username)
        page.fill("[data-test=password-input]", superset_instance.password(username))
        page.click("[data-test=login-button]")
        page.wait_for_url(lambda u: "/login" not in u, wait_until="commit")

        page.goto(f"{superset_instance.url}/superset/dashboard/{dash.slug}/")
        page.wait_for_selector(f"text={dash.title_zh}")
        # every chart has drawn: an echarts canvas or a table body with rows
        for chart in dash.charts:
            holder = page.locator(".dashboard-component-chart-holder", has_text=chart.title_zh)
            drawn = holder.locator("canvas, table tbody tr").first
            drawn.wait_for(state="visible")
        page.wait_for_load_state("networkidle")
        errors = page.locator(ERROR_SELECTORS).all_inner_texts()
        assert errors == [], f"error alerts on {dash.slug}: {errors}"
        assert page.locator("text=看板").count() > 0, "the UI should be in Chinese"

        # the province user's table shows only its own province
        table = page.locator(".dashboard-component-chart-holder table tbody").first
        if table.count():
            text = table.inner_text()
            others = [p for p in ("11", "31") if f"\t{p}\t" in f"\t{text}\t".replace("\n", "\t")]
            assert others == [], f"{username} sees provinces {others}"

        shots = superset_instance.home / "superset" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        shot = shots / f"{dash.slug}-{username}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / shot.name)
        assert outside == [], f"the page loaded from outside hosts: {outside}"
    finally:
        page.close()
