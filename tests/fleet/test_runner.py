"""The fan-out runner: every node's result, errors per node, bounds, one task per BMC, a
result out before its logout."""

from __future__ import annotations

import signal
import threading
from typing import Any

import pytest

from hamnhw.cli.exit_codes import aggregate
from hamnhw.errors import BmcUnreachable, ConfigError, Interrupted
from hamnhw.fleet.runner import Later, NodeResult, run_each


class Gauge:
    """Counts tasks running at once, overall and per key."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.most: dict[str, int] = {}

    def enter(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.now[key] = self.now.get(key, 0) + 1
                self.most[key] = max(self.most.get(key, 0), self.now[key])

    def leave(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.now[key] -= 1


def test_every_node_has_a_result_and_an_error_does_not_stop_the_others() -> None:
    def task(name: str) -> str:
        if name == "n3":
            raise BmcUnreachable("refused", host=name)
        return name.upper()

    results = list(run_each([f"n{i}" for i in range(10)], task, name=str, concurrency=3))
    by_node = {r.node: r for r in results}
    assert set(by_node) == {f"n{i}" for i in range(10)}
    assert isinstance(by_node["n3"].error, BmcUnreachable)
    assert not by_node["n3"].ok and by_node["n3"].value is None
    assert all(by_node[f"n{i}"].value == f"N{i}" for i in range(10) if i != 3)


def test_concurrency_bound_and_one_task_per_bmc_at_a_time() -> None:
    gauge = Gauge()
    barrier_hits: list[str] = []

    def task(item: tuple[str, str]) -> None:
        gauge.enter("all", item[1])
        # Let other threads run while this one is inside (no timing asserted).
        for _ in range(2000):
            barrier_hits.append(item[0])
        gauge.leave("all", item[1])

    items = [(f"n{i}", f"bmc{i % 3}") for i in range(30)]
    results = list(run_each(items, task, name=lambda i: i[0], bmc=lambda i: i[1],
                            concurrency=4))
    assert len(results) == 30 and all(r.ok for r in results)
    assert gauge.most["all"] <= 4
    assert all(gauge.most[f"bmc{k}"] == 1 for k in range(3))


def test_a_result_goes_out_before_its_logout_and_the_run_ends_after_it() -> None:
    released = threading.Event()
    logouts: list[str] = []
    turns = Gauge()

    def task(item: str) -> Later[str]:
        turns.enter("bmc")

        def logout() -> None:
            released.wait(10)
            logouts.append(item)
            turns.leave("bmc")

        return Later(item.upper(), logout)

    results = run_each(["a", "b"], task, name=str, bmc=lambda _item: "one BMC")
    first = next(results)
    assert first.value in ("A", "B") and logouts == [], "yielded while its logout waits"
    released.set()
    rest = list(results)
    assert sorted(r.value for r in [first, *rest]) == ["A", "B"]
    assert sorted(logouts) == ["a", "b"], "every logout done when the run ends"
    assert turns.most["bmc"] == 1, "the next task of the BMC starts after the logout"


def test_a_task_raising_a_base_exception_ends_the_run_with_it() -> None:
    def task(item: str) -> str:
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        list(run_each(["a"], task, name=str))


def test_fanout_below_one_is_refused() -> None:
    with pytest.raises(ConfigError):
        list(run_each(["a"], str, name=str, concurrency=0))


def test_interrupt_yields_what_ran_and_marks_what_never_started() -> None:
    release = threading.Event()

    def task(name: str) -> str:
        if name != "fast":
            release.wait(10)
        return name

    results = run_each(["fast", "slow", "p1", "p2"], task, name=str, concurrency=2)
    seen: list[NodeResult[Any]] = [next(results)]
    assert seen[0].node == "fast"
    release_later = threading.Timer(0.05, release.set)
    release_later.start()
    seen.append(results.throw(Interrupted(signal.SIGINT)))
    with pytest.raises(Interrupted):
        seen.extend(results)
    by_node = {r.node: r for r in seen}
    assert set(by_node) == {"fast", "slow", "p1", "p2"}
    assert by_node["slow"].ok  # running when the signal came: it ended and was reported
    assert isinstance(by_node["p2"].error, Interrupted)  # never started
    assert by_node["p2"].elapsed_s == 0.0


def test_each_interrupted_node_names_its_own_bmc() -> None:
    """Running (its interrupt raised without a host) or never started, each interrupted node
    has an ``Interrupted`` of its own naming its BMC, as its other errors would."""
    release = threading.Event()

    def task(name: str) -> str:
        if name != "fast":
            release.wait(10)
            raise Interrupted(signal.SIGINT)  # its request ended by the signal
        return name

    results = run_each(["fast", "slow", "p1", "p2"], task, name=str, concurrency=2,
                       host=lambda name: f"{name}.bmc:443")
    seen: list[NodeResult[Any]] = [next(results)]
    seen.append(results.throw(Interrupted(signal.SIGINT)))
    release.set()
    with pytest.raises(Interrupted):
        seen.extend(results)
    errors = {r.node: r.error for r in seen if r.node != "fast"}
    assert {node: str(error) for node, error in errors.items()} == {
        node: f"{node}.bmc:443: interrupted by SIGINT" for node in ("slow", "p1", "p2")}
    assert len({id(error) for error in errors.values()}) == 3


@pytest.mark.parametrize(("codes", "expected"), [
    ([0, 0], 0), ([], 0), ([2, 5, 1], 1), ([1, 4, 3], 3), ([2, 4], 4), ([3, 130], 130),
    ([143, 3], 143), ([5, 2], 5), ([2, 10], 2), ([10], 10),
])
def test_aggregate_exit_code(codes: list[int], expected: int) -> None:
    assert aggregate(codes) == expected


@pytest.mark.parametrize("cooperative", [False, True], ids=["threads", "cooperative"])
def test_a_node_whose_name_fails_is_raised_not_waited_for(cooperative: bool) -> None:
    """``name`` (or ``bmc``) failing for an item (``fanout`` given a dict with neither
    ``url`` nor ``name``) fails its task before it can tell its result: the caller gets
    that error instead of waiting for ever."""
    outcome: list[Any] = []

    def name(item: Any) -> str:
        return str(item["url"])

    def run() -> None:
        try:
            outcome.extend(run_each([{"url": "a"}, {"user": "b"}], lambda item: 1, name=name,
                                    cooperative=cooperative))
        except BaseException as exc:  # what the caller is told
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)  # a failure guard: it ends at once
    assert not thread.is_alive(), "waiting for a task that will never tell"
    assert isinstance(outcome[-1], KeyError)


@pytest.mark.parametrize("cooperative", [False, True], ids=["threads", "cooperative"])
def test_a_signal_while_the_nodes_are_handed_out_winds_down(
        monkeypatch: pytest.MonkeyPatch, cooperative: bool) -> None:
    """SIGINT while the nodes are still being handed to the pool (a large fan-out takes a
    while: ~30 ms per 1,000 nodes): as later, the node already handed out ends and logs
    out before the caller gets its result, the others each get an ``Interrupted``, then
    ``Interrupted`` is raised; the started node is not left running (a cooperative task
    on a daemon thread dies with the process, its session left on the BMC)."""
    from concurrent.futures import ThreadPoolExecutor

    from hamnhw import coop
    from hamnhw.fleet import runner

    base: Any = coop.TaskPool if cooperative else ThreadPoolExecutor

    first_running = threading.Event()

    class SignalOnSecond(base):  # type: ignore[misc, valid-type]
        handed = 0

        def submit(self, *args: Any, **kwargs: Any) -> Any:
            if SignalOnSecond.handed == 1:  # once the first node runs
                assert first_running.wait(30)
                raise Interrupted(signal.SIGINT)
            SignalOnSecond.handed += 1
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(coop, "TaskPool", SignalOnSecond)
    monkeypatch.setattr(runner, "ThreadPoolExecutor", SignalOnSecond)
    logged_out: list[str] = []

    def task(name: str) -> Later[str]:
        first_running.set()
        return Later(name, lambda: logged_out.append(name))

    seen: list[NodeResult[Any]] = []
    with pytest.raises(Interrupted):
        seen.extend(run_each(["n0", "n1", "n2"], task, name=str, cooperative=cooperative))
    assert logged_out == ["n0"]
    assert sorted((r.node, r.value, type(r.error).__name__) for r in seen) == [
        ("n0", "n0", "NoneType"), ("n1", None, "Interrupted"), ("n2", None, "Interrupted")]
