"""The request gate of one BMC: a few requests at once, a re-login alone (it waits for the
requests in flight, and new requests wait for it), re-entrant for its holder, every wait
bounded by the waiting thread's deadline.  Ordering is observed with events, not timing."""

from __future__ import annotations

import threading

import pytest

from hamnhw.deadline import Deadline
from hamnhw.transport.gate import GateTimeout, RequestGate


def long() -> Deadline:
    """A deadline no test reaches (made when used: one made at import runs out)."""
    return Deadline(30)


def hold_request(gate: RequestGate, entered: threading.Event,
                 release: threading.Event) -> threading.Thread:
    def run() -> None:
        with gate.request(long()):
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_requests_run_together_up_to_the_limit_then_wait_no_longer_than_the_deadline() -> None:
    gate = RequestGate(limit=2)
    release = threading.Event()
    entered = [threading.Event() for _ in range(2)]
    threads = [hold_request(gate, event, release) for event in entered]
    assert all(event.wait(10) for event in entered), "two requests in flight at once"
    with pytest.raises(GateTimeout), gate.request(Deadline(0.05)):
        pass
    release.set()
    for thread in threads:
        thread.join(10)
    assert gate.peak == 2
    with gate.request(long()):  # places given back
        pass


def test_a_waiting_request_goes_as_soon_as_a_place_is_given_back() -> None:
    gate = RequestGate(limit=1)
    release_first, release_second = threading.Event(), threading.Event()
    first, second = threading.Event(), threading.Event()
    threads = [hold_request(gate, first, release_first)]
    assert first.wait(10)
    threads.append(hold_request(gate, second, release_second))
    assert not second.wait(0.1), "the second request waits for the only place"
    release_first.set()
    assert second.wait(10), "woken when the place was given back, not at its deadline"
    release_second.set()
    for thread in threads:
        thread.join(10)
    assert gate.peak == 1


def test_exclusive_waits_for_requests_in_flight_and_new_requests_wait_for_it() -> None:
    gate = RequestGate()
    order: list[str] = []
    first_in, release_first = threading.Event(), threading.Event()
    first = hold_request(gate, first_in, release_first)
    assert first_in.wait(10)

    def relogin() -> None:
        with gate.exclusive(long()):
            order.append("relogin")
            with gate.request(long()):  # the holder's own requests pass (DELETE, POST)
                order.append("relogin's own request")

    def late_request() -> None:
        with gate.request(long()):
            order.append("late request")

    writer = threading.Thread(target=relogin)
    writer.start()
    for _ in range(2000):  # until the re-login waits for the request in flight
        if gate._writers_waiting:
            break
        threading.Event().wait(0.005)
    assert gate._writers_waiting == 1
    late = threading.Thread(target=late_request)
    late.start()
    # Neither may run while the first request is in flight.
    assert order == []
    release_first.set()
    for thread in (first, writer, late):
        thread.join(10)
    assert order == ["relogin", "relogin's own request", "late request"], \
        "a waiting re-login goes before a request that came after it"


def test_exclusive_is_bounded_by_the_deadline() -> None:
    gate = RequestGate()
    entered, release = threading.Event(), threading.Event()
    thread = hold_request(gate, entered, release)
    assert entered.wait(10)
    with pytest.raises(GateTimeout), gate.exclusive(Deadline(0.05)):
        pass
    assert gate._writers_waiting == 0
    release.set()
    thread.join(10)
    with gate.exclusive(long()), gate.exclusive(long()):  # re-entrant
        pass


def test_requests_queued_behind_a_relogin_that_timed_out_go_at_once() -> None:
    """A hung request holds a place; a re-login waiting for it runs out of time: the
    requests that queued behind the re-login are woken then, with places free, not left
    asleep until the hung request ends or their own deadline."""
    gate = RequestGate(limit=4)
    hung_in, release_hung = threading.Event(), threading.Event()
    hung = hold_request(gate, hung_in, release_hung)
    assert hung_in.wait(10)
    writer_done = threading.Event()

    def relogin() -> None:
        with pytest.raises(GateTimeout), gate.exclusive(Deadline(1.0)):
            pass
        writer_done.set()

    writer = threading.Thread(target=relogin)
    writer.start()
    for _ in range(2000):  # until the re-login waits for the hung request
        if gate._writers_waiting:
            break
        threading.Event().wait(0.005)
    reader_in, release_reader = threading.Event(), threading.Event()
    reader = hold_request(gate, reader_in, release_reader)
    assert writer_done.wait(10)
    # (the hung request lets go by itself after 10 s: well after this wait)
    assert reader_in.wait(5), "woken when the re-login gave up, not when the hung one ends"
    release_reader.set()
    release_hung.set()
    for thread in (hung, writer, reader):
        thread.join(10)
