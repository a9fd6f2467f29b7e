"""Delivering a package to HQ's inbox: a directory, or SFTP to an SSH server (paramiko).

Targets:
* none — this install's own HQ inbox, ``JINGFEN_HOME/hq/inbox``;
* a path — any directory (a mounted share);
* ``sftp://user@host[:port]/remote/dir`` — SFTP with a private key file (``--key`` or
  ``JINGFEN_HQ_SFTP_KEY``) and the server's host key checked against a known_hosts file
  (``--known-hosts`` or ``JINGFEN_HQ_SFTP_KNOWN_HOSTS``, else the system's); unknown hosts are
  refused.

Each file is written under a ``.part`` name and renamed when complete, data and control file
first and the signature last, so HQ never takes a half-written package.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from indicators.package import Package
from indicators.settings import BEIJING, hq_paths
from jingfen.config import settings


class DeliveryError(RuntimeError):
    """A package could not be delivered."""


@dataclass(frozen=True)
class SftpTarget:
    user: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> SftpTarget:
        u = urlparse(url)
        if u.scheme != "sftp" or not u.hostname or not u.username:
            raise DeliveryError(f"SFTP target {url!r} must look like sftp://user@host[:port]/dir")
        return cls(unquote(u.username), u.hostname, u.port or 22, unquote(u.path) or ".")


def _deliver_dir(pkg: Package, target: Path) -> str:
    target.mkdir(parents=True, exist_ok=True)
    for src in pkg.files:
        tmp = target / (src.name + ".part")
        shutil.copyfile(src, tmp)  # copyfile, not copy2: the arrival time is the delivery time
        os.replace(tmp, target / src.name)
    return str(target)


def _deliver_sftp(
    pkg: Package, t: SftpTarget, key_file: str | None, known_hosts: str | None
) -> str:
    import paramiko  # type: ignore[import-untyped]

    key_file = key_file or settings().hq_sftp_key
    known_hosts = known_hosts or settings().hq_sftp_known_hosts
    client = paramiko.SSHClient()
    if known_hosts:
        client.load_host_keys(known_hosts)
    else:
        client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(
            t.host,
            port=t.port,
            username=t.user,
            key_filename=key_file,
            look_for_keys=key_file is None,
            allow_agent=False,
            timeout=20,
            banner_timeout=20,
            auth_timeout=20,
        )
        sftp = client.open_sftp()
        try:
            for src in pkg.files:
                remote = f"{t.path.rstrip('/')}/{src.name}"
                sftp.put(str(src), remote + ".part", confirm=True)
                sftp.posix_rename(remote + ".part", remote)
        finally:
            sftp.close()
    except (paramiko.SSHException, OSError) as e:
        raise DeliveryError(
            f"SFTP delivery of {pkg.name.stem} to {t.user}@{t.host}:{t.port}{t.path} failed: {e}"
        ) from e
    finally:
        client.close()
    return target_label(f"sftp://{t.user}@{t.host}:{t.port}{t.path}")


def deliver(
    pkg: Package,
    target: str | None = None,
    key_file: str | None = None,
    known_hosts: str | None = None,
) -> str:
    """Deliver a complete package; returns where it went and records a ``.delivered`` marker."""
    if not pkg.complete:
        raise DeliveryError(f"package {pkg.name.stem} in {pkg.directory} is incomplete")
    if target and target.startswith("sftp://"):
        where = _deliver_sftp(pkg, SftpTarget.parse(target), key_file, known_hosts)
    else:
        where = _deliver_dir(pkg, Path(target_label(target)))
    marker = pkg.directory / (pkg.name.stem + ".delivered")
    with marker.open("a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now(BEIJING).isoformat(timespec='seconds')} {where}\n")
    return where


def target_label(target: str | None) -> str:
    """The canonical name of a target, as recorded in ``.delivered`` markers."""
    if target and target.startswith("sftp://"):
        t = SftpTarget.parse(target)
        return f"sftp://{t.user}@{t.host}:{t.port}{t.path}"
    return str((Path(target) if target else hq_paths().inbox).resolve())


def was_delivered(pkg: Package, target: str | None = None) -> bool:
    marker = pkg.directory / (pkg.name.stem + ".delivered")
    if not marker.exists():
        return False
    label = target_label(target)
    return any(line.split(" ", 1)[-1] == label for line in marker.read_text().splitlines())
