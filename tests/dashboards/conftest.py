"""A real Superset over a real warehouse for the dashboard tests, one per session.

The warehouse is the session's standard warehouse (tests/conftest.py, ``standard_warehouse``),
copied into Superset's own temporary JINGFEN_HOME because some tests publish into it. Superset
bootstraps in a child process (its own JINGFEN_HOME; the bootstrap is mostly subprocess time)
while the standard warehouse is built, if nobody built it yet; then Superset starts on a free
port, the whole catalogue is deployed and config/access.yaml applied. Stopped at the end of the
session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from testkit.browser import CHROMIUM, CHROMIUM_ARGS, RENDER_TIMEOUT_S
from testkit.superset import jingfen_home
from testkit.warehouse import StandardWarehouse, copy_home

from dashboards import access, server
from dashboards.deploy import deploy
from dashboards.server import SupersetClient

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


# Superset's access tokens expire after 15 minutes (flask-jwt-extended's default) and the
# client does not refresh them: log the admin in again when its token is older than this.
ADMIN_TOKEN_MAX_AGE_S = 600


@dataclass
class SupersetInstance:
    home: Path
    url: str
    chart_ids: dict[str, int]  # chart uuid -> id
    dashboard_ids: dict[str, int]  # slug -> id
    timings: dict[str, float] = field(default_factory=dict)
    _admin: SupersetClient | None = None
    _admin_at: float = 0.0

    @property
    def admin(self) -> SupersetClient:
        """The admin's client, logged in again before its token would expire (a session under
        load runs the dashboard tests for longer than a token lives)."""
        if self._admin is None or time.monotonic() - self._admin_at > ADMIN_TOKEN_MAX_AGE_S:
            with jingfen_home(self.home):
                self._admin = SupersetClient.as_admin(self.url)
            self._admin_at = time.monotonic()
        return self._admin

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse" / "jingfen.duckdb"

    def login(self, username: str) -> SupersetClient:
        return SupersetClient(self.url, username, self.password(username))

    def password(self, username: str) -> str:
        with jingfen_home(self.home):
            return access.user_password(username)[0]


def _write_timings(timings: dict[str, float]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "superset-timings.json").write_text(json.dumps(timings, indent=2) + "\n")


_BOOTSTRAP = (
    "from dashboards.server import bootstrap\n"
    "r = bootstrap()\n"
    "print(round(r.seconds, 1), 'changed' if r.changed else 'unchanged')"
)


@pytest.fixture(scope="session")
def superset_instance(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    prefect_harness: None,
) -> Iterator[SupersetInstance]:
    if not (server.superset_venv() / "bin" / "superset").exists():
        pytest.fail(
            f"{server.superset_venv()} has no Superset: run `make superset-env` before the "
            "superset tests (or deselect them with -m 'not superset')."
        )
    home = tmp_path_factory.mktemp("superset") / "home"
    home.mkdir()
    timings: dict[str, float] = {}
    t_session = time.perf_counter()
    # A child process, not a thread: JINGFEN_HOME is process-wide and the standard warehouse
    # may be building in this process (under its own home) meanwhile.
    t0 = time.perf_counter()
    boot = subprocess.Popen(
        [sys.executable, "-c", _BOOTSTRAP],
        env={**os.environ, "JINGFEN_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        standard: StandardWarehouse = request.getfixturevalue("standard_warehouse")
    finally:
        boot_out = boot.communicate()[0]
    # both done: the bootstrap and, unless an earlier test had built it, the standard warehouse
    timings["bootstrap_and_warehouse_s"] = round(time.perf_counter() - t0, 1)
    timings.update({f"warehouse_{k}_s": v for k, v in standard.timings.items()})
    if boot.returncode != 0:
        pytest.fail(f"Superset's bootstrap failed (exit {boot.returncode}):\n{boot_out}")
    seconds, state = (boot_out.strip().splitlines() or [""])[-1].partition(" ")[::2]
    assert state == "changed", boot_out  # a fresh home: every step ran
    timings["bootstrap_s"] = float(seconds)
    t0 = time.perf_counter()
    copy_home(standard.home, home)
    timings["copy_home_s"] = round(time.perf_counter() - t0, 1)

    with jingfen_home(home), pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
        t0 = time.perf_counter()
        server.start(server.free_port(), reports=False)  # test_superset_reports starts Celery
        timings["start_s"] = round(time.perf_counter() - t0, 1)
        try:
            admin = SupersetClient.as_admin()
            admin_at = time.monotonic()
            t0 = time.perf_counter()
            deployed = deploy(admin)
            timings["deploy_s"] = round(time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            access.provision_access(access.DEFAULT_CONFIG, admin)
            timings["provision_s"] = round(time.perf_counter() - t0, 1)
            timings["setup_total_s"] = round(time.perf_counter() - t_session, 1)
            yield SupersetInstance(
                home=home,
                url=admin.url,
                _admin=admin,
                _admin_at=admin_at,
                chart_ids={str(c["uuid"]): c["id"] for c in admin.get_all("chart")},
                dashboard_ids=deployed["dashboards"],
                timings=timings,
            )
        finally:
            server.stop()
            timings["session_total_s"] = round(time.perf_counter() - t_session, 1)
            _write_timings(timings)


@pytest.fixture
def in_superset_home(superset_instance: SupersetInstance) -> Iterator[SupersetInstance]:
    """Run the test with JINGFEN_HOME pointing at the Superset instance's home."""
    with jingfen_home(superset_instance.home):
        yield superset_instance


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def pages(superset_instance, browser):
    """One logged-in page per user, reused across dashboards and test files (logging in costs
    seconds): ``pages(username)`` gives the page and the list of outside hosts it reached."""
    opened = {}

    def get(username: str):
        if username not in opened:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(RENDER_TIMEOUT_S * 1000)
            outside: list[str] = []
            page.on(
                "response",
                lambda r: (
                    outside.append(r.url)
                    if urlparse(r.url).hostname not in ("127.0.0.1", None)
                    else None
                ),
            )
            page.goto(f"{superset_instance.url}/login/")
            page.fill("[data-test=username-input]", username)
            page.fill("[data-test=password-input]", superset_instance.password(username))
            page.click("[data-test=login-button]")
            page.wait_for_url(lambda u: "/login" not in u, wait_until="commit")
            opened[username] = (page, outside)
        return opened[username]

    yield get
    for page, _ in opened.values():
        page.close()
