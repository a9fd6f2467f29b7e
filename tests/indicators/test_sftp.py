"""SFTP delivery to a real OpenSSH server started here on 127.0.0.1 with throwaway keys."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest
from testkit.hq import MONTH, arrive_at

from indicators.export import export_package
from indicators.receive import receive_all
from indicators.settings import hq_paths
from indicators.transport import DeliveryError, deliver, was_delivered

SSHD = "/usr/sbin/sshd"
pytestmark = [
    pytest.mark.sftp,
    pytest.mark.skipif(
        not Path(SSHD).exists(),
        reason="openssh-server is not installed (scripts/install-system-deps.sh)",
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="sshd must start as root"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    d = tmp_path_factory.mktemp("sshd")
    _keygen(d / "host_key")
    _keygen(d / "client_key")
    shutil.copy(d / "client_key.pub", d / "authorized_keys")
    os.chmod(d / "authorized_keys", 0o600)
    port = _free_port()
    (d / "sshd_config").write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
PidFile {d}/sshd.pid
AuthorizedKeysFile {d}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
LogLevel ERROR
"""
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(d / "sshd_config"), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(d / "sshd.log", "w"),  # noqa: SIM115 - kept open for the server's life
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"sshd exited: {(d / 'sshd.log').read_text()}")
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("sshd did not start listening within 15 s")
    host_pub = (d / "host_key.pub").read_text().split()
    (d / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    user = os.environ.get("USER") or "root"
    yield {"port": port, "dir": d, "user": user}
    proc.terminate()
    proc.wait(timeout=10)


def test_sftp_delivery_to_a_real_server(hq_home, sshd):
    res = export_package("44", MONTH)
    inbox = hq_paths().inbox
    inbox.mkdir(parents=True, exist_ok=True)
    target = f"sftp://{sshd['user']}@127.0.0.1:{sshd['port']}{inbox}"
    where = deliver(
        res.package, target, str(sshd["dir"] / "client_key"), str(sshd["dir"] / "known_hosts")
    )
    assert where == target
    assert was_delivered(res.package, target) and not was_delivered(res.package, None)
    names = sorted(p.name for p in inbox.iterdir())
    assert names == sorted(f.name for f in res.package.files)  # no .part left behind
    for f in res.package.files:
        assert (inbox / f.name).read_bytes() == f.read_bytes()
    arrive_at(res.package.name.stem, datetime(2026, 11, 3, 10, 0))
    summary = receive_all()
    assert summary["accepted"] == [res.package.name.stem]


def test_sftp_refuses_an_unknown_host_key(hq_home, sshd, tmp_path):
    res = export_package("44", MONTH)
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    target = f"sftp://{sshd['user']}@127.0.0.1:{sshd['port']}{tmp_path}"
    with pytest.raises(DeliveryError, match="SFTP delivery of IND_44_202610_001"):
        deliver(res.package, target, str(sshd["dir"] / "client_key"), str(empty))
    assert not was_delivered(res.package, target)
