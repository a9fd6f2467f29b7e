"""A real Superset for the dashboard tests: bootstrapped in a temporary JINGFEN_HOME, started on
a free port, loaded with the assets and access config, stopped at the end of the session."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from superset_testkit import jingfen_home, write_warehouse

from dashboards import access, server
from dashboards.deploy import deploy
from dashboards.server import SupersetClient

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class SupersetInstance:
    home: Path
    url: str
    admin: SupersetClient
    chart_ids: dict[str, int]  # chart uuid -> id
    dashboard_ids: dict[str, int]  # slug -> id
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse" / "jingfen.duckdb"

    def login(self, username: str) -> SupersetClient:
        with jingfen_home(self.home):
            password, _ = access.user_password(username)
        return SupersetClient(self.url, username, password)

    def password(self, username: str) -> str:
        with jingfen_home(self.home):
            return access.user_password(username)[0]


@pytest.fixture(scope="session")
def superset_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupersetInstance]:
    if not (server.superset_venv() / "bin" / "superset").exists():
        pytest.fail(
            f"{server.superset_venv()} has no Superset: run `make superset-env` before the "
            "superset tests (or deselect them with -m 'not superset')."
        )
    home = tmp_path_factory.mktemp("superset") / "home"
    timings: dict[str, float] = {}
    with jingfen_home(home):
        write_warehouse(home / "warehouse" / "jingfen.duckdb")
        t0 = time.perf_counter()
        first = server.bootstrap()
        timings["bootstrap_s"] = round(time.perf_counter() - t0, 2)
        assert first.changed
        t0 = time.perf_counter()
        server.start(server.free_port())
        timings["start_s"] = round(time.perf_counter() - t0, 2)
        try:
            admin = SupersetClient.as_admin()
            t0 = time.perf_counter()
            deployed = deploy(admin)
            timings["deploy_s"] = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            access.provision_access(access.DEFAULT_CONFIG, admin)
            timings["provision_s"] = round(time.perf_counter() - t0, 2)
            chart_ids = {str(c["uuid"]): c["id"] for c in admin.get_all("chart")}
            inst = SupersetInstance(
                home=home,
                url=admin.url,
                admin=admin,
                chart_ids=chart_ids,
                dashboard_ids=deployed["dashboards"],
                timings=timings,
            )
            yield inst
        finally:
            server.stop()
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "superset-timings.json").write_text(json.dumps(timings, indent=2) + "\n")


@pytest.fixture
def in_superset_home(superset_instance: SupersetInstance) -> Iterator[SupersetInstance]:
    """Run the test with JINGFEN_HOME pointing at the Superset instance's home."""
    with jingfen_home(superset_instance.home):
        yield superset_instance
