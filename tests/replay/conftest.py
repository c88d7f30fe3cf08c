"""Replay fixtures: serve a recording under fixtures/ through ``responses``."""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterator

import pytest

from hamnhw.fixturetools.replay import ReplayedBmc, replay
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ManualClock

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"
SIM = FIXTURES / "redfish" / "hamnhw-sim" / "contoso-bmc_1.00"


@pytest.fixture
def replay_fixture() -> Iterator[Callable[..., ReplayedBmc]]:
    """``replay_fixture(dir, **options)`` -> a running :class:`ReplayedBmc`.

    The replay ends at test teardown, and there it asserts that every
    ordered exchange was requested.
    """
    with contextlib.ExitStack() as stack:
        yield lambda fixture_dir, **options: stack.enter_context(replay(fixture_dir, **options))


@pytest.fixture
def sim_recordings() -> pathlib.Path:
    """Directory of the simulator's recordings (``walk``, ``power-cycle``)."""
    return SIM


@pytest.fixture
def no_wait_poll(monkeypatch: pytest.MonkeyPatch) -> PollPolicy:
    """Power polling that never really sleeps: a manual clock that each sleep moves on, the
    transport's retry pauses included, with room for far more reads than any recording
    holds.  (Time that stood still would make a wait that reads until its budget ends, e.g.
    after an unanswered reset, never end.)"""
    from hamnhw.transport import redfish, retry

    clock = ManualClock(start=0.0)
    monkeypatch.setattr(redfish, "RetryPolicy", lambda *a, **kw: retry.RetryPolicy(
        *a, **{"sleep": clock.sleep, **kw}))
    return PollPolicy(interval=1.0, timeout=120.0, clock=clock.clock, sleep=clock.sleep)
