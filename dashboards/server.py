"""Run Superset for jingfen from the main environment: bootstrap, start, stop, and a REST client.

Superset lives in its own virtual environment (``.venv-superset``: it pins SQLAlchemy 1.4 and
pandas 2, the pipeline needs SQLAlchemy 2 and pandas 3). This module never imports Superset: it
runs its CLI (``.venv-superset/bin/superset``) and gunicorn as subprocesses and talks to the
running server over HTTP.

State, all under ``JINGFEN_HOME/superset`` (directory mode 0700):

======================  ====================================================================
``secret_key``          Flask secret, created by superset_config.py on first load (0600)
``admin_password``      the ``admin`` user's password (0600): JINGFEN_ADMIN_PASSWORD or generated
``superset.db``         SQLite metadata, unless JINGFEN_SUPERSET_DB_URI names another database
``bootstrap.json``      what the last successful bootstrap did (makes a second call instant)
``server.json``         pid and port of the running server; ``gunicorn.pid`` gunicorn's own
``celery.json``         pids of the Celery worker and beat of the scheduled reports
``celery/``             their SQLite broker and result store, beat's schedule file
``logs/``               gunicorn and bootstrap logs
``users/``              generated passwords of provisioned users (see dashboards.access)
======================  ====================================================================
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from jingfen.config import REPO_ROOT, settings

CONFIG_PATH = Path(__file__).resolve().parent / "superset_config.py"
ADMIN_USERNAME = "admin"
DEFAULT_PORT = 8088


class SupersetError(RuntimeError):
    """Something about Superset went wrong; the message says what and where to look."""


# ---- paths and environment -------------------------------------------------------------------
def superset_venv() -> Path:
    """The Superset environment: JINGFEN_SUPERSET_VENV or <repo>/.venv-superset."""
    return settings().superset_venv or REPO_ROOT / ".venv-superset"


def state_dir() -> Path:
    """JINGFEN_HOME/superset, created owner-only."""
    d = settings().paths.superset
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    (d / "logs").mkdir(exist_ok=True)
    return d


def _bin(name: str) -> Path:
    path = superset_venv() / "bin" / name
    if not path.exists():
        raise SupersetError(
            f"{path} does not exist: create the Superset environment first with "
            "`make superset-env` (it installs requirements/superset.txt into .venv-superset)."
        )
    return path


def superset_env() -> dict[str, str]:
    """Environment for Superset subprocesses: our config, state under JINGFEN_HOME, no telemetry."""
    home = settings().paths.home
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(
        JINGFEN_HOME=str(home),
        SUPERSET_CONFIG_PATH=str(CONFIG_PATH),
        SUPERSET_HOME=str(home / "superset"),
        FLASK_APP="superset",
        DO_NOT_TRACK="1",
        SCARF_ANALYTICS="false",
        PATH=f"{superset_venv() / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    )
    cfg = settings()
    # superset_config.py reads these (it cannot import jingfen); jingfen.toml values included
    env.update(
        JINGFEN_SMTP_HOST=cfg.smtp_host,
        JINGFEN_SMTP_PORT=str(cfg.smtp_port),
        JINGFEN_SMTP_STARTTLS=str(cfg.smtp_starttls).lower(),
        JINGFEN_SMTP_SSL=str(cfg.smtp_ssl).lower(),
        JINGFEN_SMTP_USER=cfg.smtp_user or "",
        JINGFEN_SMTP_PASSWORD=cfg.smtp_password or "",
        JINGFEN_SMTP_MAIL_FROM=cfg.smtp_mail_from,
    )
    if cfg.superset_db_uri:
        env["JINGFEN_SUPERSET_DB_URI"] = cfg.superset_db_uri
    return env


def _write_owner_only(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def stored_secret(path: Path, configured: str | None = None) -> tuple[str, bool]:
    """The ``configured`` password if set (from the settings), else the one stored at ``path``,
    else a new one.

    Stored owner-only at ``path`` either way. Returns (password, changed): changed is True when
    the stored value was created or replaced (the caller then has to apply it).
    """
    current = path.read_text().strip() if path.exists() else None
    wanted = configured or current or secrets.token_urlsafe(15)
    if wanted != current:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_owner_only(path, wanted + "\n")
        return wanted, True
    return wanted, False


def admin_password() -> str:
    """The admin password (JINGFEN_ADMIN_PASSWORD, or generated once and kept owner-only)."""
    path = state_dir() / "admin_password"
    if not path.exists() and not settings().admin_password:
        raise SupersetError(f"{path} does not exist: run the Superset bootstrap first.")
    return stored_secret(path, settings().admin_password)[0]


def metadata_db_uri() -> str:
    return settings().superset_db_uri or (
        f"sqlite:///{state_dir() / 'superset.db'}?check_same_thread=false"
    )


def _superset_version() -> str:
    site = superset_venv() / "lib"
    found = sorted(site.glob("python3*/site-packages/apache_superset-*.dist-info"))
    if not found:
        raise SupersetError(
            f"apache-superset is not installed in {superset_venv()}: run `make superset-env`."
        )
    return found[-1].name.removeprefix("apache_superset-").removesuffix(".dist-info")


def _run(args: list[str], step: str, log: Path, timeout: float = 600) -> str:
    """Run a Superset CLI step, appending its output to ``log``; fail with a sentence.
    Returns the step's output."""
    start = log.stat().st_size if log.exists() else 0
    with log.open("a") as fh:
        fh.write(f"\n$ {' '.join(args)}\n")
        fh.flush()
        proc = subprocess.run(
            args,
            env=superset_env(),
            cwd=state_dir(),
            stdout=fh,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise SupersetError(
            f"Superset bootstrap step '{step}' failed (exit {proc.returncode}); "
            f"the last lines of {log} are:\n{tail}"
        )
    with log.open("rb") as fh:
        fh.seek(start)
        return fh.read().decode(errors="replace")


# ---- bootstrap -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BootstrapResult:
    changed: bool
    seconds: float
    admin_password_file: Path


def bootstrap(force: bool = False) -> BootstrapResult:
    """Create or upgrade the Superset metadata database, the admin user and the default roles.

    Idempotent: it records what it did in ``bootstrap.json`` (Superset version, metadata
    database, admin password digest, config digest); a second call with nothing changed
    returns at once without touching anything.
    """
    t0 = time.perf_counter()
    sdir = state_dir()
    password, password_changed = stored_secret(sdir / "admin_password", settings().admin_password)
    uri = metadata_db_uri()
    stamp_path = sdir / "bootstrap.json"
    stamp = {
        "superset_version": _superset_version(),
        "metadata_db_sha256": hashlib.sha256(uri.encode()).hexdigest(),
        "admin_password_sha256": hashlib.sha256(password.encode()).hexdigest(),
        "config_sha256": hashlib.sha256(CONFIG_PATH.read_bytes()).hexdigest(),
    }
    sqlite_file = sdir / "superset.db"
    db_present = not uri.startswith("sqlite:") or sqlite_file.exists()
    if (
        not force
        and db_present
        and stamp_path.exists()
        and json.loads(stamp_path.read_text()) == stamp
    ):
        return BootstrapResult(False, time.perf_counter() - t0, sdir / "admin_password")

    log = sdir / "logs" / "bootstrap.log"
    superset = str(_bin("superset"))
    _run([superset, "db", "upgrade"], "db upgrade", log)
    created = _run(
        [
            superset, "fab", "create-admin",
            "--username", ADMIN_USERNAME,
            "--firstname", "jingfen",
            "--lastname", "admin",
            "--email", "admin@jingfen.local",
            "--password", password,
        ],
        "fab create-admin",
        log,
    )  # fmt: skip
    admin_is_new = f"Admin User {ADMIN_USERNAME} created" in created
    if not admin_is_new and (password_changed or not stamp_path.exists()):
        # create-admin leaves an existing admin alone: make its password the stored one.
        _run(
            [superset, "fab", "reset-password", "--username", ADMIN_USERNAME,
             "--password", password],
            "fab reset-password",
            log,
        )  # fmt: skip
    _run([superset, "init"], "init", log)
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    return BootstrapResult(True, time.perf_counter() - t0, sdir / "admin_password")


# ---- server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_info() -> dict[str, Any] | None:
    """``{"pid", "port", "url"}`` of the running server, or None if none is running."""
    path = state_dir() / "server.json"
    if not path.exists():
        return None
    info: dict[str, Any] = json.loads(path.read_text())
    if not _alive(int(info["pid"])):
        return None
    return info


def base_url() -> str:
    info = server_info()
    if info is None:
        raise SupersetError(
            f"Superset is not running for JINGFEN_HOME={settings().paths.home}: start it with "
            "`python -m dashboards start` (or `make superset-start`)."
        )
    return str(info["url"])


def wait_healthy(url: str, proc: subprocess.Popen[bytes] | None, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise SupersetError(
                f"Superset (gunicorn) exited with code {proc.returncode} while starting; "
                f"the last lines of {log} are:\n{tail}"
            )
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SupersetError(f"Superset did not answer {url}/health within {timeout:.0f} s; see {log}.")


def workers() -> int:
    """gunicorn worker processes: JINGFEN_SUPERSET_WORKERS, or one per core within 2..4 (chart
    queries are CPU-bound in DuckDB and in Superset's result processing)."""
    return settings().superset_workers or min(4, max(2, os.cpu_count() or 1))


def start(
    port: int | None = None, timeout: float = 90, reports: bool | None = None
) -> subprocess.Popen[bytes]:
    """Start gunicorn serving Superset on 127.0.0.1:``port`` and wait until /health answers;
    then (unless ``reports`` is False or JINGFEN_SUPERSET_REPORTS=false) the Celery worker and
    beat of the scheduled reports (:func:`start_celery`).

    ``JINGFEN_SUPERSET_WORKERS`` gunicorn workers (default: one per core, 2 to 4), 4 threads
    each; the caches are files, so the workers share them.

    The server runs in its own session (it outlives the caller); stop it with :func:`stop`.
    """
    sdir = state_dir()
    running = server_info()
    if running is not None:
        raise SupersetError(
            f"Superset is already running for this JINGFEN_HOME (pid {running['pid']}, "
            f"{running['url']}); stop it first with `python -m dashboards stop`."
        )
    port = port or settings().superset_port or DEFAULT_PORT
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise SupersetError(f"Port {port} on 127.0.0.1 is already in use; choose another.")
    log = sdir / "logs" / "gunicorn.log"
    args = [
        str(_bin("gunicorn")),
        "-w", str(workers()),
        "-k", "gthread",
        "--threads", "4",
        "--timeout", "120",
        "-b", f"127.0.0.1:{port}",
        "--pid", str(sdir / "gunicorn.pid"),
        "--error-logfile", str(log),
        "superset.app:create_app()",
    ]  # fmt: skip
    with log.open("a") as fh:
        proc = subprocess.Popen(
            args,
            env=superset_env(),
            cwd=sdir,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    (sdir / "server.json").write_text(json.dumps({"pid": proc.pid, "port": port, "url": url}))
    try:
        wait_healthy(url, proc, timeout, log)
    except BaseException:
        _terminate(proc.pid)
        (sdir / "server.json").unlink(missing_ok=True)
        raise
    if settings().superset_reports if reports is None else reports:
        start_celery(url)
    return proc


def _terminate(pid: int, timeout: float = 20) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = 0 if _alive(pid) else pid
        if done == pid or not _alive(pid):
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def stop() -> bool:
    """Stop the server started by :func:`start` (and its Celery worker and beat) for this
    JINGFEN_HOME. False if no server ran."""
    stop_celery()
    sdir = state_dir()
    info = server_info()
    (sdir / "server.json").unlink(missing_ok=True)
    if info is None:
        return False
    _terminate(int(info["pid"]))
    return True


# ---- Celery worker and beat (Alerts & Reports) ----------------------------------------------
CELERY_APP = "superset.tasks.celery_app:app"


def celery_info() -> dict[str, Any] | None:
    """``{"worker", "beat", "url"}`` pids of the running Celery processes, or None."""
    path = state_dir() / "celery.json"
    if not path.exists():
        return None
    info: dict[str, Any] = json.loads(path.read_text())
    if not any(_alive(int(info[k])) for k in ("worker", "beat")):
        return None
    return info


def start_celery(url: str, timeout: float = 240) -> dict[str, Any]:
    """Start the Celery worker (one process: a screenshot keeps a core busy for 12-15 s) and
    beat (``reports.scheduler`` every minute) that run the reports, rendering pages of the
    Superset at ``url``; wait until the worker answers. Returns their pids."""
    if celery_info() is not None:
        raise SupersetError(
            "The Celery worker of the reports already runs for this JINGFEN_HOME; "
            "stop Superset first with `python -m dashboards stop`."
        )
    sdir = state_dir()
    cdir = sdir / "celery"
    cdir.mkdir(exist_ok=True)
    env = {**superset_env(), "JINGFEN_WEBDRIVER_BASEURL": url.rstrip("/") + "/"}
    celery = str(_bin("celery"))
    procs: dict[str, subprocess.Popen[bytes]] = {}
    commands = {
        "worker": [celery, "--app", CELERY_APP, "worker", "--pool", "prefork", "-c", "1",
                   "-O", "fair", "--loglevel", "INFO", "-n", f"jingfen-reports-{os.getpid()}@%h"],
        "beat": [celery, "--app", CELERY_APP, "beat", "--loglevel", "INFO",
                 "--schedule", str(cdir / "beat-schedule")],
    }  # fmt: skip
    for name, args in commands.items():
        log = sdir / "logs" / f"celery-{name}.log"
        with log.open("a") as fh:
            procs[name] = subprocess.Popen(
                args, env=env, cwd=sdir, stdout=fh, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
    info = {"worker": procs["worker"].pid, "beat": procs["beat"].pid, "url": url}
    (sdir / "celery.json").write_text(json.dumps(info))
    log = sdir / "logs" / "celery-worker.log"
    start = log.stat().st_size if log.exists() else 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                stop_celery()
                raise SupersetError(
                    f"The Celery {name} of the reports exited with code {proc.returncode} while "
                    f"starting; see {sdir / 'logs' / f'celery-{name}.log'}."
                )
        with log.open("rb") as fh:
            fh.seek(start)
            if b" ready." in fh.read():
                return info
        time.sleep(0.5)
    stop_celery()
    raise SupersetError(
        f"The Celery worker of the reports was not ready within {timeout:.0f} s; see {log}."
    )


def stop_celery() -> bool:
    """Stop the Celery worker and beat of this JINGFEN_HOME. False if none ran."""
    path = state_dir() / "celery.json"
    info = celery_info()
    path.unlink(missing_ok=True)
    if info is None:
        return False
    for key in ("beat", "worker"):
        _terminate(int(info[key]), timeout=30)
    return True


# ---- REST client -----------------------------------------------------------------------------
class SupersetClient:
    """A logged-in session against Superset's REST API (bearer token + CSRF token + cookie)."""

    def __init__(self, url: str, username: str, password: str, timeout: float = 60) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self.timeout = timeout
        self.session = requests.Session()
        resp = self.session.post(
            f"{self.url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=timeout,
        )
        if resp.status_code != 200:
            raise SupersetError(
                f"Logging in to {self.url} as {username!r} failed ({resp.status_code}): "
                f"{_message(resp)}."
            )
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        self._refresh_token = resp.json().get("refresh_token")
        csrf = self.request("GET", "/api/v1/security/csrf_token/").json()["result"]
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.url})

    @classmethod
    def as_admin(cls, url: str | None = None) -> SupersetClient:
        """A client for the admin user of this JINGFEN_HOME's running server."""
        return cls(url or base_url(), ADMIN_USERNAME, admin_password())

    def request(
        self, method: str, path: str, expect: tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        resp = self.session.request(method, f"{self.url}{path}", **kwargs)
        if resp.status_code == 401 and self._refresh():  # the access token lasts 15 minutes
            resp = self.session.request(method, f"{self.url}{path}", **kwargs)
        if resp.status_code not in expect:
            raise SupersetError(
                f"Superset answered {resp.status_code} to {method} {path} "
                f"(as {self.username}): {_message(resp)}."
            )
        return resp

    def _refresh(self) -> bool:
        """A new access token from the login's refresh token (False if there is none or
        Superset refuses it)."""
        token = getattr(self, "_refresh_token", None)
        if not token:
            return False
        resp = requests.post(
            f"{self.url}/api/v1/security/refresh",
            headers={"Authorization": f"Bearer {token}"},
            timeout=self.timeout,
        )
        if resp.status_code != 200:
            return False
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        return True

    def get(self, path: str, **params: Any) -> Any:
        if params:
            params = {k: _rison(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        return self.request("GET", path, params=params).json()

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json_body, **kwargs).json()

    def put(self, path: str, json_body: Any = None) -> Any:
        return self.request("PUT", path, json=json_body).json()

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def get_all(self, resource: str, **query: Any) -> list[dict[str, Any]]:
        """Every row of a list endpoint (``/api/v1/<resource>/``), following pages."""
        rows: list[dict[str, Any]] = []
        page = 0
        while True:
            q = {**query, "page": page, "page_size": 100}
            body = self.get(f"/api/v1/{resource}/", q=q)
            rows.extend(body["result"])
            if len(rows) >= body.get("count", 0) or not body["result"]:
                return rows
            page += 1


def _message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:300].strip() or resp.reason
    if isinstance(body, dict):
        for key in ("message", "msg", "errors", "error"):
            if key in body:
                return json.dumps(body[key], ensure_ascii=False)[:500]
    return json.dumps(body, ensure_ascii=False)[:500]


def _rison(value: Any) -> str:
    """Encode a value in Rison, the URL-friendly JSON Superset's list endpoints take as ``q``."""
    if value is None:
        return "!n"
    if value is True:
        return "!t"
    if value is False:
        return "!f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        if (
            value
            and all(ch.isascii() and (ch.isalnum() or ch in "-_./~") for ch in value)
            and not (value[0].isdigit() or value[0] == "-")
        ):
            return value
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'"
    if isinstance(value, list | tuple):
        return "!(" + ",".join(_rison(v) for v in value) + ")"
    if isinstance(value, dict):
        return "(" + ",".join(f"{_rison(str(k))}:{_rison(v)}" for k, v in value.items()) + ")"
    raise TypeError(f"cannot encode {type(value).__name__} in rison")
