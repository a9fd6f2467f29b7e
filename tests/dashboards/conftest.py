"""A real Superset over a real warehouse for the dashboard tests, one per session.

The warehouse is built by the pipeline from a small simulated set (pipeline_warehouse.py) while
Superset bootstraps in a second thread (the bootstrap is mostly subprocess time); then Superset
starts on a free port in the same temporary JINGFEN_HOME, the whole catalogue is deployed and
config/access.yaml applied. Stopped at the end of the session.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pipeline_warehouse import build_pipeline_warehouse
from superset_testkit import jingfen_home

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
        return SupersetClient(self.url, username, self.password(username))

    def password(self, username: str) -> str:
        with jingfen_home(self.home):
            return access.user_password(username)[0]


def _write_timings(timings: dict[str, float]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "superset-timings.json").write_text(json.dumps(timings, indent=2) + "\n")


@pytest.fixture(scope="session")
def superset_instance(
    tmp_path_factory: pytest.TempPathFactory, prefect_harness: None
) -> Iterator[SupersetInstance]:
    if not (server.superset_venv() / "bin" / "superset").exists():
        pytest.fail(
            f"{server.superset_venv()} has no Superset: run `make superset-env` before the "
            "superset tests (or deselect them with -m 'not superset')."
        )
    home = tmp_path_factory.mktemp("superset") / "home"
    timings: dict[str, float] = {}
    t_session = time.perf_counter()
    with jingfen_home(home), pytest.MonkeyPatch.context() as mp:
        mp.setenv("PREFECT_LOGGING_LEVEL", "WARNING")
        boot: dict[str, object] = {}

        def bootstrap() -> None:
            t0 = time.perf_counter()
            try:
                boot["result"] = server.bootstrap()
            except BaseException as exc:  # re-raised in the main thread below
                boot["error"] = exc
            timings["bootstrap_s"] = round(time.perf_counter() - t0, 1)

        thread = threading.Thread(target=bootstrap, name="superset-bootstrap")
        thread.start()
        t0 = time.perf_counter()
        try:
            steps = build_pipeline_warehouse(home)
        finally:
            thread.join()
        timings["warehouse_s"] = round(time.perf_counter() - t0, 1)
        timings.update({f"warehouse_{k}_s": v for k, v in steps.items()})
        if "error" in boot:
            raise boot["error"]  # type: ignore[misc]
        assert boot["result"].changed  # type: ignore[attr-defined]

        t0 = time.perf_counter()
        server.start(server.free_port(), reports=False)  # test_superset_reports starts Celery
        timings["start_s"] = round(time.perf_counter() - t0, 1)
        try:
            admin = SupersetClient.as_admin()
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
                admin=admin,
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
