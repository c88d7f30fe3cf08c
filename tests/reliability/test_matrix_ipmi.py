"""Fault matrix rows over IPMI, against a pyghmi BMC child process on 127.0.0.1
(:mod:`ipmi_peer`): "node busy" and a cipher-suite mismatch.  A dead BMC (nothing on the
port) is tests/peers/test_ipmi_peers.py::test_cli_dead_port_exit_3_within_the_timeout."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import hamnhw
from hamnhw import errors
from hamnhw.models import PowerState
from hamnhw.procenv import child_env
from hamnhw.transport.ipmi_errors import CipherSuiteMismatch

pytestmark = pytest.mark.e2e
PEER = Path(__file__).with_name("ipmi_peer.py")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, Path]]]:
    """``peer(mode) -> (ipmi:// URL, its request log)``; stopped by PID at the end."""
    started: list[subprocess.Popen[str]] = []

    def start(mode: str) -> tuple[str, Path]:
        port, log = free_udp_port(), tmp_path / f"{mode}.log"
        log.write_text("")
        process = subprocess.Popen([sys.executable, str(PEER), mode, str(port), str(log)],
                                   stdout=subprocess.PIPE, text=True, env=child_env())
        started.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "READY"
        return f"ipmi://127.0.0.1:{port}", log

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.timeout(120)
def test_ipmi_node_busy_is_retried_with_backoff(peer) -> None:
    """"Node busy" (0xC0) twice on Get Chassis Status: the read is retried with backoff
    (bounded, docs/retries.md) and then answers; the BMC saw exactly three requests."""
    url, log = peer("busy")
    with hamnhw.connect(url, username="admin", password="password", timeout=60.0) as node:
        assert node.power.state() is PowerState.OFF
    assert log.read_text().count("chassis status") == 3


@pytest.mark.timeout(120)
def test_ipmi_cipher_suite_mismatch_is_typed_and_says_what_to_do(peer) -> None:
    """A BMC answering the SHA-256 proposal with SHA-1 data: CipherSuiteMismatch (exit 3 as
    unreachable) saying how to fix the BMC; no command reaches it."""
    url, log = peer("sha1")
    with pytest.raises(CipherSuiteMismatch, match="cipher suite 17") as info:
        hamnhw.connect(url, username="admin", password="password", timeout=30.0)
    assert isinstance(info.value, errors.BmcUnreachable)
    assert "password" not in str(info.value)
    assert log.read_text() == ""
