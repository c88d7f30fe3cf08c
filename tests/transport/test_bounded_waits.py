"""Three bounds that nothing else checked, each over real loopback sockets with the requests
counted on the server side (each test fails when its bound is removed):

* a thread waiting for a place among the requests in flight to the same BMC
  (:data:`~hamnhw.transport.gate.MAX_IN_FLIGHT`) waits no longer than its own operation
  deadline;
* a GET that timed out is not sent again (docs/retries.md: a hung BMC is not asked twice);
* the DELETE of a session superseded by a re-login gets the logout grace, not what is left
  of the operation."""

from __future__ import annotations

import threading

import pytest
from transport_loopback import (
    SESSION_1,
    SESSIONS,
    TOKEN,
    answer,
    drip,
    first_session_expires,
    make_transport,
)

from hamnhw import errors
from hamnhw.connection import Timeouts
from hamnhw.transport.gate import MAX_IN_FLIGHT

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

SYSTEMS = "/redfish/v1/Systems"
SLOW = "/redfish/v1/Slow"


def test_a_thread_waits_for_a_request_place_no_longer_than_its_deadline(bmc) -> None:
    """Every place of the BMC's request gate is held by a request the BMC holds: the next
    request waits for a place no longer than its own deadline, and is never sent."""
    bmc.standard()
    arrived, released = threading.Semaphore(0), threading.Event()

    def slow(handler) -> None:
        arrived.release()
        released.wait(5)
        answer(handler)

    bmc.behave("GET", SLOW, slow)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=10, operation=30))
    transport.open()
    others = [threading.Thread(target=lambda: transport.get(SLOW))
              for _ in range(MAX_IN_FLIGHT)]
    for other in others:
        other.start()
    try:
        for _ in others:
            assert arrived.acquire(timeout=5), "the held requests are in flight at once"
        with transport.operation(0.3), pytest.raises(errors.BmcTimeout) as info:
            transport.get(SYSTEMS)
        # The other threads' requests are still held by the BMC: this one did not wait.
        assert not released.is_set()
        assert info.value.deadline_passed
        assert "other requests to this BMC were in flight" in info.value.message
    finally:
        released.set()
        for other in others:
            other.join(10)
        transport.close()
    assert bmc.count("GET", SYSTEMS) == 0
    assert bmc.count("GET", SLOW) == MAX_IN_FLIGHT


def test_a_get_that_timed_out_is_not_sent_again(bmc) -> None:
    bmc.standard()
    hung_once = threading.Event()

    def first_hangs(handler) -> None:
        if not hung_once.is_set():
            hung_once.set()
            handler.server.bmc.stop.wait(3)
            handler.close_connection = True
            return
        answer(handler)

    bmc.behave("GET", SYSTEMS, first_hangs)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=1, read=0.3, operation=10))
    with transport.open():
        with pytest.raises(errors.BmcTimeout) as info:
            transport.get(SYSTEMS)
        assert not info.value.deadline_passed, "the read timeout, not the deadline"
    assert bmc.count("GET", SYSTEMS) == 1


def test_the_superseded_session_gets_only_the_logout_grace(bmc) -> None:
    """The DELETE of the expired session drips its answer forever: it is abandoned after the
    grace (1 s here: connect 0.5 + read 0.5), and the fresh login and the GET still fit in
    the 8 s operation; without the grace the DELETE would take all of it."""
    bmc.standard()
    first_session_expires(bmc, [TOKEN, "tok-fresh-0000000002"])
    bmc.behave("DELETE", SESSION_1, drip)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=0.5, read=0.5, operation=30))
    transport.open()
    try:
        with transport.operation(8):
            assert transport.get(SYSTEMS) == {"Members": []}
    finally:
        bmc.stop.set()  # ends the drip
        transport.close()
    assert bmc.count("DELETE", SESSION_1) == 1
    assert bmc.count("POST", SESSIONS) == 2
