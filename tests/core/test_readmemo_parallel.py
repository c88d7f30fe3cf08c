"""The read memo with concurrent callers: one GET per resource even when several threads
ask for it at once, a collection's members read side by side (at most
:data:`~hamnhw.readmemo.PARALLEL_READS` at once), and an error of a read made side by
side met by the walk where a sequential read would have met it, without a second GET.

Parallelism is observed by barriers the fake BMC's answers wait at (a sequential client
breaks them: the test fails), never by timing."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hamnhw import readmemo
from hamnhw.errors import NotFoundError
from hamnhw.readmemo import MemoClient

R = "/redfish/v1"
DRIVES = [f"{R}/Chassis/1/Drives/{n}" for n in "abcdef"]


class BlockingBmc:
    """Answers every path with a small document; ``hold(path)`` makes the GETs of a path
    wait at ``gate`` (a barrier or an event) first, ``missing`` paths answer 404."""

    def __init__(self, gate: threading.Barrier | None = None, missing: tuple[str, ...] = ()):
        self.root: dict[str, Any] = {"UUID": "u-par"}
        self.host = "bmc.test"
        self.gate = gate
        self.missing = missing
        self.gets: list[str] = []
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()

    def get(self, path: str) -> dict[str, Any]:
        with self._lock:
            self.gets.append(path)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            first = len(self.gets) <= (self.gate.parties if self.gate else 0)
        try:
            if self.gate is not None and first:
                self.gate.wait()
            if path in self.missing:
                raise NotFoundError(host=self.host, method="GET", path=path, status=404)
            return {"@odata.id": path, "Id": path.rsplit("/", 1)[-1]}
        finally:
            with self._lock:
                self.in_flight -= 1


def test_members_are_read_side_by_side_then_answered_from_memory() -> None:
    bmc = BlockingBmc(threading.Barrier(3, timeout=10))
    memo = MemoClient(bmc)
    memo.prefetch(DRIVES[:3])  # the barrier breaks (BrokenBarrierError kept) unless 3 at once
    assert [memo.get(path)["@odata.id"] for path in DRIVES[:3]] == DRIVES[:3]
    assert sorted(bmc.gets) == DRIVES[:3], "one GET each, none read again"
    assert bmc.peak == 3


def test_at_most_parallel_reads_at_once() -> None:
    bmc = BlockingBmc(threading.Barrier(readmemo.PARALLEL_READS, timeout=10))
    memo = MemoClient(bmc)
    memo.prefetch(DRIVES)
    for path in DRIVES:
        memo.get(path)
    assert sorted(bmc.gets) == DRIVES
    assert bmc.peak == readmemo.PARALLEL_READS


def test_an_error_read_side_by_side_is_met_in_order_without_a_second_get() -> None:
    bmc = BlockingBmc(missing=(DRIVES[1], DRIVES[2]))
    memo = MemoClient(bmc)
    memo.prefetch(DRIVES[:4])
    assert memo.get(DRIVES[0])["Id"] == "a"
    with pytest.raises(NotFoundError) as first:
        memo.get(DRIVES[1])
    assert first.value.path == DRIVES[1]
    with pytest.raises(NotFoundError) as second:
        memo.get(DRIVES[2])
    assert second.value.path == DRIVES[2]
    assert memo.get(DRIVES[3])["Id"] == "d"
    assert sorted(bmc.gets) == DRIVES[:4]
    # The error is met once: asked again, the resource is read again (as without prefetch).
    with pytest.raises(NotFoundError):
        memo.get(DRIVES[1])
    assert bmc.gets.count(DRIVES[1]) == 2


def test_an_error_read_before_a_new_epoch_is_not_raised_after_it() -> None:
    bmc = BlockingBmc(missing=(DRIVES[0],))
    memo = MemoClient(bmc)
    memo.prefetch(DRIVES[:2])
    readmemo.new_epoch()
    bmc.missing = ()
    assert memo.get(DRIVES[0])["Id"] == "a", "read afresh in the new epoch"


def test_remembered_or_single_paths_are_not_read_ahead() -> None:
    bmc = BlockingBmc()
    memo = MemoClient(bmc)
    memo.get(DRIVES[0])
    memo.prefetch([DRIVES[0], DRIVES[1]])  # one missing: the walk reads it itself
    assert bmc.gets == [DRIVES[0]]
    memo.prefetch([f"{DRIVES[1]}?$select=Id", DRIVES[0]])
    assert bmc.gets == [DRIVES[0]]


@pytest.fixture
def held() -> Any:
    """A BMC whose GETs wait for ``release``, and ``waiting`` set once a second caller of
    the same path waits for the first one's answer (:class:`readmemo._Flight`)."""
    release, waiting = threading.Event(), threading.Event()
    outcome = readmemo._Flight.outcome

    def outcome_seen(flight: Any) -> Any:
        waiting.set()
        return outcome(flight)

    def hold(bmc: BlockingBmc) -> BlockingBmc:
        answer = bmc.get

        def slow_get(path: str) -> dict[str, Any]:
            release.wait(10)
            return answer(path)

        bmc.get = slow_get  # type: ignore[method-assign]
        return bmc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readmemo._Flight, "outcome", outcome_seen)
        yield hold, release, waiting


def test_concurrent_callers_of_one_path_share_one_get(held: Any) -> None:
    hold, release, waiting = held
    bmc = hold(BlockingBmc())
    memo = MemoClient(bmc)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(memo.get(DRIVES[0])))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    assert waiting.wait(10), "the second caller waits for the first one's GET"
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == [{"@odata.id": DRIVES[0], "Id": "a"}] * 2
    assert bmc.gets == [DRIVES[0]]


def test_a_shared_get_that_fails_fails_for_every_caller(held: Any) -> None:
    hold, release, waiting = held
    bmc = hold(BlockingBmc(missing=(DRIVES[0],)))
    memo = MemoClient(bmc)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            memo.get(DRIVES[0])
        except NotFoundError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert waiting.wait(10)
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 2 and all(isinstance(e, NotFoundError) for e in errors)
    assert bmc.gets == [DRIVES[0]]
