"""A GET whose connect timed out or found no route is not tried again (docs/retries.md):
silence is silence, and the callers that wait for a BMC (power waits, the failover) read
again on their own schedule; four attempts cost one silent read some 24 s with the default
5 s connect timeout.  A refused connection keeps its three attempts (nothing was sent: a
BMC web server restarting)."""

from __future__ import annotations

import errno
import logging
import socket

import pytest
from transport_loopback import make_transport

from hamnhw import noanswer
from hamnhw.connection import Timeouts
from hamnhw.errors import BmcUnreachable
from hamnhw.sim import ManualClock
from hamnhw.transport import coopsocket
from hamnhw.transport.retry import RetryPolicy

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

SYSTEM = "/redfish/v1/Systems/1"


@pytest.mark.parametrize(("raised", "reason", "attempts"), [
    (TimeoutError("timed out"), noanswer.CONNECT_TIMEOUT, 1),
    (OSError(errno.EHOSTUNREACH, "No route to host"), noanswer.HOST_UNREACHABLE, 1),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), noanswer.HOST_UNREACHABLE, 1),
    (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), noanswer.REFUSED, 3),
], ids=["connect-timeout", "no-route-to-host", "no-route-to-network", "refused"])
def test_a_get_that_never_connected_is_tried_again_only_when_refused(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        raised: OSError, reason: str, attempts: int) -> None:
    tried: list[float] = []

    def connect(_address: object, timeout: float) -> socket.socket:
        tried.append(timeout)
        raise raised

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setattr(coopsocket, "tcp",  # a cooperative task connects so
                        lambda _hub, host, port, timeout: connect((host, port), timeout))
    clock = ManualClock()
    transport = make_transport("redfish+http://192.0.2.1:443",
                               timeouts=Timeouts(connect=5, read=5, operation=60),
                               retry=RetryPolicy(sleep=clock.sleep, clock=clock.clock))
    with caplog.at_level(logging.WARNING, logger="hamnhw"), \
            pytest.raises(BmcUnreachable) as info:
        transport.get(SYSTEM)
    assert info.value.reason == reason
    assert tried == [5.0] * attempts  # each attempt given the whole connect timeout
    assert clock.sleeps == [1.0] * (attempts - 1)
    assert len([r for r in caplog.records if "retrying" in r.getMessage()]) == attempts - 1
