"""Helpers for running the real ``hamnhw`` CLI in-process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from hamnhw.cli import options
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ManualClock


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credential or config variable of the developer leaks in; cwd has no config."""
    for name in ("HAMNHW_PASSWORD", "HAMNHW_USERNAME", "HAMNHW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.config.SYSTEM_CONFIG", tmp_path / "no-system-config.toml")


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
