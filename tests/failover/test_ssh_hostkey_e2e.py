"""Follow-up C: ``[failover] ssh_host``: the new MN's SSH host key, read with ``ssh-keyscan``,
must match the one ``pair snapshot`` recorded.  Checked against a real OpenSSH ``sshd``
(Debian openssh-server, installed by tests/peers/install_peers.sh) started on 127.0.0.1 with a
host key generated in a temporary directory, and stopped by its PID."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from doubles import OperatorDouble
from pairsim import PairSim
from runs import coordinator, move, ready

from hamnhw.failover.probes import ssh_host_key

pytestmark = pytest.mark.e2e

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sshd:
    """``sshd -D`` on 127.0.0.1:``port`` with a host key of its own."""

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, key_name: str) -> Sshd:
        key = self.directory / key_name
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True, timeout=30)
        config = self.directory / "sshd_config"
        config.write_text(f"ListenAddress 127.0.0.1\nHostKey {key}\nPidFile "
                          f"{self.directory / 'sshd.pid'}\nUsePAM no\nStrictModes no\n"
                          "PasswordAuthentication no\nKbdInteractiveAuthentication no\n")
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config), "-p",
                                      str(self.port)], stdin=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while ssh_host_key(self.address, timeout=2) is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sshd did not start: {self.proc.stderr.read()!r}"
                                   if self.proc.stderr and self.proc.poll() is not None
                                   else "sshd did not answer")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    if not os.access(SSHD, os.X_OK) or shutil.which("ssh-keyscan") is None:
        pytest.fail("sshd or ssh-keyscan missing: run tests/peers/install_peers.sh (Debian "
                    "openssh-server)")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
    directory = tmp_path / "sshd"
    directory.mkdir()
    server = Sshd(directory, free_port())
    try:
        yield server.start("host_key_a")
    finally:
        server.stop()


def ssh_pair(start_pair: Callable[..., PairSim], sshd: Sshd) -> PairSim:
    sim = start_pair(failover={"ssh_host": sshd.address})
    ready(sim)  # pair snapshot: records the key sshd shows now
    return sim


def test_the_new_mn_shows_the_recorded_ssh_host_key(start_pair, sshd: Sshd) -> None:
    sim = ssh_pair(start_pair, sshd)
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "done", report.text()
    checks = {c["name"]: c for c in report.checks}
    assert checks["check: SSH host key"] | {"at": None} == {
        "name": "check: SSH host key", "passed": True, "detail": "matches the snapshot",
        "verdict": "pass", "at": None}


def test_a_different_ssh_host_key_fails_the_check_and_stops(start_pair, sshd: Sshd) -> None:
    sim = ssh_pair(start_pair, sshd)
    sshd.stop()
    sshd.start("host_key_b")  # another machine answers at the MN's address
    report = coordinator(sim, OperatorDouble(move(sim))).start(yes=True)
    assert report.outcome == "stopped" and report.state == "check", report.text()
    assert "SSH host key" in report.stop_reason
    checks = {c["name"]: c for c in report.checks}
    assert checks["check: SSH host key"]["passed"] is False
    assert "DIFFERS" in checks["check: SSH host key"]["detail"]
