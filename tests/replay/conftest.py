"""Replay fixtures: serve a recording under fixtures/ through ``responses``."""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterator

import pytest

from hamnhw.fixturetools.replay import ReplayedBmc, replay
from hamnhw.interfaces import PollPolicy

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
def no_wait_poll() -> PollPolicy:
    """Power polling that never sleeps; time stands still so no timeout fires."""
    return PollPolicy(interval=0.0, timeout=60.0, clock=lambda: 0.0, sleep=lambda _s: None)
