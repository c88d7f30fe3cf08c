"""hamnhw.fanout left early (break, close, garbage collection, an exception in the loop,
KeyboardInterrupt): the hung BMC's request of this fan-out is aborted and every session
logged out within the logout's short grace, never after the read timeout; another
fan-out's requests in the same process are untouched."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import hamnhw
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.transport import watchdog

READ_TIMEOUT_S = 300.0
"""The hung request would last this long if not aborted (the deadline is longer still)."""
RETURNS_WITHIN_S = 20.0
"""Far below READ_TIMEOUT_S, far above the logout grace (5 s): a functional bound, not a
benchmark."""
HUNG = "/redfish/v1/Systems/1/Storage"


@pytest.fixture(params=[False, True], ids=["threads", "cooperative"])
def cluster(request: pytest.FixtureRequest) -> Iterator[SimCluster]:
    """The simulated BMCs; the fan-outs of the test run in threads, then as cooperative
    tasks (:mod:`hamnhw.coop`)."""
    with SimCluster([ServerSpec(name=name) for name in "abc"]) as sims:
        sims.cooperative = request.param  # type: ignore[attr-defined]
        yield sims


def _fanout(cluster: SimCluster, names: str) -> Iterator[hamnhw.NodeResult[Any]]:
    return hamnhw.fanout([cluster[name].url for name in names], lambda n: n.raid.status(),
                         username=cluster["a"].username, password=cluster["a"].password,
                         timeout=2 * READ_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
                         cooperative=cluster.cooperative)  # type: ignore[attr-defined]


def _sessions(cluster: SimCluster) -> dict[str, int]:
    return {server.name: len(server.state.sessions) for server in cluster}


def _hung_requests(cluster: SimCluster, name: str) -> int:
    return sum(1 for request in cluster[name].requests if request.path == HUNG)


def _until_hung(cluster: SimCluster, name: str) -> None:
    """Wait until ``name``'s request hangs (it is then the request in flight to abort)."""
    for _ in range(2000):
        if _hung_requests(cluster, name):
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{name}'s request never came")


Hung = Callable[[], None]


def _leave_by_break(results: Iterator[Any], hung: Hung) -> None:
    for _ in results:
        hung()
        break


def _leave_by_close(results: Any, hung: Hung) -> None:
    next(results)
    hung()
    results.close()


def _leave_by_gc(results: Iterator[Any], hung: Hung) -> None:
    next(results)
    hung()
    del results
    gc.collect()


def _leave_by_exception(results: Iterator[Any], hung: Hung) -> None:
    with pytest.raises(ValueError):
        for _ in results:
            hung()
            raise ValueError("the caller's loop body failed")


def _leave_by_keyboard_interrupt(results: Any, hung: Hung) -> None:
    next(results)
    hung()
    with pytest.raises(KeyboardInterrupt):
        results.throw(KeyboardInterrupt())


def _in_thread(leave: Callable[[], None]) -> threading.Thread:
    """Run ``leave`` in a thread and wait for it at most RETURNS_WITHIN_S."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            leave()
        except BaseException as exc:  # reported below
            failed.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(RETURNS_WITHIN_S)
    assert not failed, failed
    return thread


@pytest.mark.parametrize("leave", [_leave_by_break, _leave_by_close, _leave_by_gc,
                                   _leave_by_exception, _leave_by_keyboard_interrupt])
def test_leaving_aborts_the_hung_request_and_logs_out(cluster: SimCluster, leave: Any) -> None:
    cluster["b"].inject("hang", path=HUNG)
    thread = _in_thread(lambda: leave(_fanout(cluster, "ab"), lambda: _until_hung(cluster, "b")))
    assert not thread.is_alive(), "still waiting for the hung BMC's read timeout"
    assert _hung_requests(cluster, "b") == 1
    assert _sessions(cluster) == {"a": 0, "b": 0, "c": 0}


def test_leaving_one_fanout_leaves_another_running(cluster: SimCluster) -> None:
    """The abort is this fan-out's: another one hung on its own BMC keeps its request."""
    cluster["b"].inject("hang", path=HUNG)
    cluster["c"].inject("hang", path=HUNG)
    other: list[Any] = []
    running = threading.Thread(target=lambda: other.extend(_fanout(cluster, "c")), daemon=True)
    running.start()
    try:
        _until_hung(cluster, "c")
        armed = watchdog._SCHEDULER.pending()
        assert not _in_thread(lambda: _leave_by_break(
            _fanout(cluster, "ab"), lambda: _until_hung(cluster, "b"))).is_alive()
        assert running.is_alive() and not other
        assert watchdog._SCHEDULER.pending() >= armed  # c's request still armed, not fired
        assert _sessions(cluster)["c"] == 1
    finally:
        watchdog.abort_requests_in_flight()  # end c's request; its logout still runs
        running.join(RETURNS_WITHIN_S)
    assert not running.is_alive()
    assert [result.ok for result in other] == [False]
    assert _sessions(cluster) == {"a": 0, "b": 0, "c": 0}
