"""The nightly deployment really runs on a schedule under a real `prefect server` on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def prefect_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait(f"{api}/health", 120)
        yield api, env
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_nightly_deployment_is_scheduled_daily(prefect_server, tmp_path):
    api, env = prefect_server
    env = dict(env, JINGFEN_HOME=str(tmp_path / "home"))
    serve = subprocess.Popen(
        [str(VENV_BIN / "jingfen"), "schedule", "--api-url", api, "--cron", "30 2 * * *"],
        env=env,
        stdout=(tmp_path / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 120
        dep = None
        while time.time() < deadline and dep is None:
            r = requests.get(f"{api}/deployments/name/nightly/nightly", timeout=5)
            if r.status_code == 200:
                dep = r.json()
            else:
                assert serve.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(1)
        assert dep is not None, "the nightly deployment was never registered"
        schedules = dep["schedules"]
        assert len(schedules) == 1 and schedules[0]["active"]
        assert schedules[0]["schedule"]["cron"] == "30 2 * * *"
        assert schedules[0]["schedule"]["timezone"] == "Asia/Shanghai"
        # The server's scheduler turns the schedule into upcoming runs at 02:30 Beijing time.
        runs: list = []
        while time.time() < deadline and not runs:
            runs = requests.post(
                f"{api}/flow_runs/filter",
                json={"flow_runs": {"deployment_id": {"any_": [dep["id"]]}}},
                timeout=5,
            ).json()
            time.sleep(1)
        assert runs, "no scheduled runs were created"
        assert all(r["state_type"] == "SCHEDULED" for r in runs)
        from datetime import datetime
        from zoneinfo import ZoneInfo

        for r in runs:
            t = datetime.fromisoformat(r["expected_start_time"]).astimezone(
                ZoneInfo("Asia/Shanghai")
            )
            assert (t.hour, t.minute) == (2, 30)
    finally:
        serve.terminate()
        serve.wait(30)
