"""Helpers for running the real ``hamnhw`` CLI in-process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from cli_helpers import FLEET_NAMES, FLEET_PASSWORD

from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ManualClock


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credential or config variable of the developer leaks in; cwd has no config."""
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.configpath.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Power waits poll without sleeping; returns the sleeps asked for."""
    sleeps: list[float] = []
    monkeypatch.setattr(options, "poll_policy",
                        lambda: PollPolicy(interval=0.01, timeout=30, sleep=sleeps.append))
    return sleeps


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """Power waits poll on a manual clock (share it with ``SimCluster(clock=...)``): they
    never sleep."""
    manual = ManualClock()
    monkeypatch.setattr(options, "poll_policy",
                        lambda: PollPolicy(interval=0.5, clock=manual, sleep=manual.sleep))
    return manual


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """GET retries of the transport do not sleep; returns the delays asked for."""
    from hamnhw.transport import redfish, retry

    delays: list[float] = []
    monkeypatch.setattr(redfish, "RetryPolicy",
                        lambda *a, **kw: retry.RetryPolicy(*a, **{"sleep": delays.append, **kw}))
    return delays


@pytest.fixture(scope="module")
def fleet_cluster() -> Iterator[Any]:
    """Simulated BMCs node001-003 and primary on loopback, for the fan-out tests."""
    from hamnhw.sim import ServerSpec, SimCluster

    with SimCluster([ServerSpec(name=n, password=FLEET_PASSWORD) for n in FLEET_NAMES]) as sim:
        yield sim


@pytest.fixture
def fleet_config(fleet_cluster: Any, tmp_path: Any, closed_port: int) -> Any:
    """./hamnhw.toml: node001-003 and [primary] on ``fleet_cluster`` (node002 off, the others
    on, no request recorded yet), node004 refusing connections, group rack1 = node001 and
    node003."""
    for server in fleet_cluster:
        server.set_power("On" if server.name != "node002" else "Off")
        server.clear_requests()
    pw = tmp_path / "bmc.pw"
    pw.write_text(FLEET_PASSWORD + "\n")
    pw.chmod(0o600)
    per_node = f'username = "{fleet_cluster["node001"].username}"\npassword_file = "bmc.pw"\n'
    tables = [f'[nodes.{s.name}]\nbmc = "{s.url}"\n' for s in fleet_cluster
              if s.name != "primary"]
    tables.append(f'[nodes.node004]\nbmc = "redfish+http://127.0.0.1:{closed_port}"\n')
    text = "\n".join(t + per_node for t in tables)
    text += f'\n[primary]\nbmc = "{fleet_cluster["primary"].url}"\n{per_node}'
    text += '\n[groups]\nrack1 = ["node001", "node003"]\n'
    # the pair's journal in this test's directory, never the machine's /var/lib/hamnhw
    text += '\n[pair]\njournal_dir = "journal"\n'
    path = tmp_path / "hamnhw.toml"
    path.write_text(text)
    return path
