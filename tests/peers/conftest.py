"""Fixtures that start third-party Redfish and IPMI peers on 127.0.0.1 and stop them by PID.

Peers come from ``make peers-install`` (venvs under ``<repo>/.peers``, Debian packages as
root).  Where a peer is not installed, or ``../shared/mockups`` is absent, its tests skip
and say exactly why.  Each peer gets a free port and a fresh state dir under pytest's tmp.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peerconfig import sushy_fake_config, sushy_libvirt_config
from peerdata import (
    PASSWORD,
    SUSHY_REQ,
    USERNAME,
    CliResult,
    Peer,
)
from peeripmi import (
    PYGHMI_REQ,
    IpmiPeer,
    start_ipmi_sim,
    start_project_bmc,
    tools_missing,
)
from peerproc import (
    LOOPBACK,
    PeerProcess,
    cert_sha256,
    free_port,
    start_peer,
    wait_http,
)

REPO = Path(__file__).resolve().parents[2]
PEERS_DIR = Path(os.environ.get("HAMNHW_PEERS_DIR", REPO / ".peers"))
MOCKUPS = REPO.parent / "shared" / "mockups"
def _peer_tool(venv: str, tool: str, needs: str) -> Path:
    """Path of a peer executable, or skip the test saying what is missing and why."""
    path = PEERS_DIR / venv / "bin" / tool
    if not path.exists():
        pytest.skip(f"{tool} not installed at {path} ({needs}): run `make peers-install`")
    return path


def _started(process: PeerProcess, url: str, cafile: Path | None = None) -> PeerProcess:
    """Wait for the peer to answer; stop it by PID if it never does."""
    try:
        wait_http(process, url, cafile)
    except BaseException:
        process.stop()
        raise
    return process


@pytest.fixture(scope="session")
def peer_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Configs, state dirs, logs and PID files of all peers of this session."""
    return tmp_path_factory.mktemp("peers")


@pytest.fixture(scope="session")
def sushy_fake(peer_workdir: Path) -> Iterator[Peer]:
    """sushy-emulator, fake driver, HTTPS with its self-signed cert, basic auth admin."""
    emulator = _peer_tool("v-sushy", "sushy-emulator", f"PyPI {SUSHY_REQ}")
    workdir = peer_workdir / "sushy-fake"
    try:
        written = sushy_fake_config(workdir, emulator)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot make a test certificate with the openssl binary: {exc}")
    cert, port, config = written.cert, written.port, written.config
    assert cert is not None
    process = start_peer("sushy-fake", [str(emulator), "--config", str(config)], workdir)
    http_url = f"https://{LOOPBACK}:{port}"
    _started(process, f"{http_url}/redfish/v1/", cert)
    yield Peer(process, f"redfish://{LOOPBACK}:{port}", http_url, USERNAME, PASSWORD,
               cert, cert_sha256(cert))
    process.stop()


@pytest.fixture(scope="session")
def sushy_libvirt(peer_workdir: Path) -> Iterator[Peer]:
    """sushy-emulator on libvirt's in-process ``test:///default`` driver, plain HTTP."""
    needs = f"PyPI {SUSHY_REQ} on /usr/bin/python3 + Debian python3-libvirt, as root"
    emulator = _peer_tool("v-sushy-lv", "sushy-emulator", needs)
    written = sushy_libvirt_config(peer_workdir / "sushy-libvirt")
    port, config, workdir = written.port, written.config, written.config.parent
    process = start_peer("sushy-libvirt", [str(emulator), "--config", str(config)], workdir)
    http_url = f"http://{LOOPBACK}:{port}"
    _started(process, f"{http_url}/redfish/v1/")
    yield Peer(process, f"redfish+http://{LOOPBACK}:{port}", http_url)
    process.stop()


def _mockup(name: str) -> Path:
    """A DMTF mockup from ``<repo>/../shared/mockups``, or skip saying it is absent."""
    path = MOCKUPS / name
    if not (path / "index.json").is_file():
        pytest.skip(f"DMTF mockup absent: {path} (../shared/mockups beside the repo)")
    return path


@pytest.fixture(scope="session")
def localstorage_mockup() -> Path:
    """DMTF public-localstorage mockup (one rack server, a RAID controller)."""
    return _mockup("public-localstorage")


@pytest.fixture(scope="session")
def tower_mockup() -> Path:
    """DMTF public-tower mockup (an add-in NIC, drives behind four storage subsystems)."""
    return _mockup("public-tower")


def _static(peer_workdir: Path, mockup: Path) -> Iterator[Peer]:
    """sushy-static serving ``mockup`` read-only, plain HTTP, no auth; stopped by PID."""
    static = _peer_tool("v-sushy", "sushy-static", f"PyPI {SUSHY_REQ}")
    workdir = peer_workdir / f"sushy-static-{mockup.name}"
    workdir.mkdir()
    port = free_port()
    argv = [str(static), "-i", LOOPBACK, "-p", str(port), "-m", str(mockup)]
    process = start_peer("sushy-static", argv, workdir)
    http_url = f"http://{LOOPBACK}:{port}"
    _started(process, f"{http_url}/redfish/v1/")
    yield Peer(process, f"redfish+http://{LOOPBACK}:{port}", http_url)
    process.stop()


@pytest.fixture(scope="session")
def sushy_static(peer_workdir: Path, localstorage_mockup: Path) -> Iterator[Peer]:
    """sushy-static serving public-localstorage."""
    yield from _static(peer_workdir, localstorage_mockup)


@pytest.fixture(scope="session")
def sushy_static_tower(peer_workdir: Path, tower_mockup: Path) -> Iterator[Peer]:
    """sushy-static serving public-tower."""
    yield from _static(peer_workdir, tower_mockup)


@pytest.fixture(scope="session")
def hamnhw_cli(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., CliResult]:
    """Run the installed ``hamnhw`` console script; the password goes through
    ``HAMNHW_PASSWORD`` or a 0600 ``--password-file``, never argv."""
    script = Path(sys.executable).with_name("hamnhw")
    password_dir = tmp_path_factory.mktemp("cli")

    def run(*args: str, password: str | None = None, password_file: bool = False,
            timeout: float = 180.0) -> CliResult:
        argv, env = [str(script), *args], dict(os.environ)
        env.pop("HAMNHW_PASSWORD", None)
        if password is not None and password_file:
            path = password_dir / "password"
            path.write_text(password)
            path.chmod(0o600)
            argv.insert(len(argv) - 1, f"--password-file={path}")  # before NODE
        elif password is not None:
            env["HAMNHW_PASSWORD"] = password
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def ipmi_sim(tmp_path: Path) -> Iterator[IpmiPeer]:
    """A fresh OpenIPMI ``ipmi_sim`` (power off) on a free loopback UDP port."""
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    peer = start_ipmi_sim(tmp_path / "ipmi_sim")
    yield peer
    peer.process.stop()


@pytest.fixture
def start_pyghmi_bmc(tmp_path: Path) -> Iterator[Callable[..., IpmiPeer]]:
    """Starts hamnhw's pyghmi test BMC (power off) under the peers' pyghmi venv, with extra
    options (``"--power-delay", "8"``); every one started is stopped by PID at the end."""
    python = _peer_tool("v-pyghmi", "python", f"PyPI {PYGHMI_REQ}")
    reason = tools_missing()
    if reason:
        pytest.skip(reason)
    started: list[IpmiPeer] = []

    def start(*extra: str) -> IpmiPeer:
        started.append(start_project_bmc(python, tmp_path / f"bmc{len(started)}", *extra))
        return started[-1]

    yield start
    for peer in started:
        peer.process.stop()


@pytest.fixture
def pyghmi_bmc(start_pyghmi_bmc: Callable[..., IpmiPeer]) -> IpmiPeer:
    """hamnhw's pyghmi test BMC with its defaults."""
    return start_pyghmi_bmc()


@pytest.fixture(params=["ipmi_sim", "pyghmi_bmc"])
def ipmi_peer(request: pytest.FixtureRequest) -> IpmiPeer:
    """Each IPMI peer in turn."""
    peer: IpmiPeer = request.getfixturevalue(request.param)
    return peer
