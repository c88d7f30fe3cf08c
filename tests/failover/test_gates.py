"""The old-node checks read by read: Off must be read exactly twice in a row, a failed read
is read again, and only a BMC silent for the whole budget (no connection made, no route) is
unreachable; a read left unanswered on a connection opened earlier is read again on a new
one before the wait is judged."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterable, Iterator

import pytest

from hamnhw import noanswer
from hamnhw.deadline import Deadline
from hamnhw.errors import (
    AccessDenied,
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    HamnhwError,
    ServerSideError,
    TlsError,
)
from hamnhw.failover.engine import Stop
from hamnhw.failover.gates import NOT_OFF, OFF, UNREACHABLE, poll_power
from hamnhw.failover.powerops import wait_off
from hamnhw.failover.states import State
from hamnhw.models import PowerState
from hamnhw.poll import LAST_READ_S, PollPolicy

ON_, OFF_ = PowerState.ON, PowerState.OFF
DOWN = object()
"""A read that fails: the BMC is silent (the connect timed out)."""
KEPT = object()
"""A read left unanswered on a kept-alive connection opened earlier (undecided)."""


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Node:
    """A node whose BMC answers the given reads, then repeats the last one."""

    def __init__(self, reads: Iterable[object]) -> None:
        self.reads = list(reads)
        self.address = types.SimpleNamespace(netloc="bmc:443")
        self.power = self
        self.bounded: list[float] = []
        """The seconds of each read made within a deadline of its own."""

    @contextlib.contextmanager
    def operation(self, *, deadline: Deadline) -> Iterator[None]:
        self.bounded.append(deadline.seconds)
        yield

    def state(self) -> PowerState:
        return self.answer(self.reads.pop(0) if len(self.reads) > 1 else self.reads[0])

    @staticmethod
    def answer(value: object) -> PowerState:
        if value is DOWN:
            raise BmcUnreachable("connect timed out", host="bmc:443",
                                 reason=noanswer.CONNECT_TIMEOUT)
        if value is KEPT:
            raise BmcTimeout("read timed out", host="bmc:443", reason=noanswer.NO_ANSWER_REUSED)
        assert isinstance(value, PowerState)
        return value


def context(node: Node, heard: list[str] | None = None) -> types.SimpleNamespace:
    """A run's context around ``node``; what its BMC answered goes to ``heard``."""
    clock = FakeClock()
    node.clock = clock  # type: ignore[attr-defined]
    told = [] if heard is None else heard
    return types.SimpleNamespace(
        node=lambda _name, _deadline=None: node, state=State.AWAITING_DISKS,
        settings=types.SimpleNamespace(power_off_timeout=20.0),
        config=types.SimpleNamespace(nodes={}, node=lambda _name: types.SimpleNamespace(
            connect_timeout=1.0)),
        heard=lambda _name, what: told.append(what),
        poll=PollPolicy(interval=1.0, timeout=20.0, clock=clock, sleep=clock.sleep))


def test_off_between_on_reads_is_never_off() -> None:
    ctx = context(Node([OFF_, ON_] * 40))
    assert poll_power(ctx, "primary", "off?") == (NOT_OFF, ON_)
    flicker = Node([OFF_, PowerState.POWERING_OFF] * 40)
    assert poll_power(context(flicker), "primary", "off?")[0] == NOT_OFF
    assert not wait_off(context(flicker), flicker, 20.0, "off?")


def test_off_read_twice_in_a_row_is_off() -> None:
    assert poll_power(context(Node([PowerState.POWERING_OFF, OFF_, OFF_])), "p", "off?") == (
        OFF, OFF_)
    node = Node([OFF_, PowerState.UNKNOWN, OFF_, OFF_])
    assert wait_off(context(node), node, 20.0, "off?")


def test_a_failed_read_is_read_again_and_unreachable_needs_the_whole_budget() -> None:
    assert poll_power(context(Node([DOWN, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    assert poll_power(context(Node([OFF_, DOWN, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    assert poll_power(context(Node([DOWN])), "p", "off?") == (UNREACHABLE,
                                                               PowerState.UNKNOWN)
    assert poll_power(context(Node([DOWN, PowerState.POWERING_OFF, DOWN])), "p",
                      "off?")[0] == NOT_OFF



def test_an_unknown_state_the_bmc_answered_is_an_answer_never_silence() -> None:
    """``Paused`` or ``null`` is what the BMC said: the wait stops naming it (it crashed on
    an empty error list), and with one silent read among them it is still not pulled cords."""
    for reads in ([PowerState.UNKNOWN], [DOWN, PowerState.UNKNOWN],
                  [PowerState.UNKNOWN, DOWN, PowerState.UNKNOWN]):
        with pytest.raises(Stop, match="answered, with no power state hamnhw knows"):
            poll_power(context(Node(reads)), "primary", "off?")
    assert poll_power(context(Node([PowerState.UNKNOWN, ON_])), "p", "off?") == (NOT_OFF, ON_)

class Answering(Node):
    """A node whose BMC answers reads with errors (raised as they come), then states."""

    def state(self) -> PowerState:
        value = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        self.count = getattr(self, "count", 0) + 1
        if isinstance(value, HamnhwError):
            raise value
        return self.answer(value)


class SlowAnswering(Answering):
    """Each read takes ``seconds`` of the wait's clock."""

    def __init__(self, reads: Iterable[object], seconds: float) -> None:
        super().__init__(reads)
        self.seconds = seconds

    def state(self) -> PowerState:
        self.clock.sleep(self.seconds)  # type: ignore[attr-defined]
        return super().state()


def _5xx() -> ServerSideError:
    return ServerSideError(host="bmc:443", method="GET", path="/redfish/v1/Systems/1",
                           status=503)


def test_a_bmc_answering_5xx_is_read_again_and_never_unreachable() -> None:
    """Review 6: a 5xx is an answer: read again within the budget (Off twice after it is
    off), and a BMC still answering 5xx at the end stops the run, never "unreachable"."""
    assert poll_power(context(Answering([_5xx(), OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    with pytest.raises(Stop, match="still answered with errors") as stop:
        poll_power(context(Answering([_5xx()])), "primary", "off?")
    assert stop.value.needs is None and "503" in stop.value.reason
    # answered 5xx, then silent for the rest of the wait: still a stop (it answered within
    # this wait: its web server restarting looks the same); the next wait, silent
    # throughout, is the one pulled cords answer (outside review)
    with pytest.raises(Stop, match="still answered with errors"):
        poll_power(context(Answering([_5xx(), DOWN])), "p", "off?")
    assert poll_power(context(Answering([DOWN])), "p", "off?") == (
        UNREACHABLE, PowerState.UNKNOWN)


@pytest.mark.parametrize("error", [
    AuthenticationError("credentials rejected (HTTP 401)", host="bmc:443"),
    TlsError("TLS verification failed: Fingerprints did not match", host="bmc:443"),
    AccessDenied(host="bmc:443", method="GET", path="/redfish/v1/Systems/1", status=401),
], ids=["login-refused", "pin-mismatch", "access-denied"])
def test_a_final_answer_stops_at_the_first_read(error: HamnhwError) -> None:
    """A refused login or certificate is not read again (no login loop to lock the account)
    and is never taken as a BMC that does not answer."""
    node = Answering([error])
    with pytest.raises(Stop, match="primary's BMC answers") as stop:
        poll_power(context(node), "primary", "off?")
    assert node.count == 1 and stop.value.needs is None


def test_only_silence_is_unreachable() -> None:
    """A connect that timed out is silence; a refused connection, or a new connection
    accepted and left without an answer, is something at the BMC's address answering: a
    stop naming the address at the end of the wait, never "unreachable"."""
    timeout = BmcTimeout("GET /redfish/v1/Systems/1: connect timed out", host="bmc:443",
                         reason=noanswer.CONNECT_TIMEOUT)
    assert poll_power(context(Answering([timeout])), "p", "off?")[0] == UNREACHABLE
    refused = BmcUnreachable("cannot connect: [Errno 111] Connection refused",
                             host="10.0.0.5:443", refused=True)
    with pytest.raises(Stop, match=r"refuses connections: something at 10\.0\.0\.5:443 answers"
                       ) as stop:
        poll_power(context(Answering([refused])), "primary", "off?")
    assert stop.value.needs is None and "does not override" in stop.value.reason
    hung = BmcUnreachable("read timed out: the BMC never sent an HTTP answer", host="bmc:443",
                          reason=noanswer.NO_ANSWER_FRESH)
    node = Answering([hung, DOWN])  # a hung web server, then silent: it answered in this wait
    with pytest.raises(Stop, match="accepts connections at bmc:443 but sends no answer"):
        poll_power(context(node), "primary", "off?")
    assert node.count > 2  # read again within the wait


def test_a_kept_connection_left_unanswered_is_judged_by_a_new_one() -> None:
    """A read on a connection opened earlier that got no answer decides nothing: the next
    read (on a new connection) does, even when the first one used the whole budget."""
    assert poll_power(context(Answering([KEPT, DOWN])), "p", "off?") == (
        UNREACHABLE, PowerState.UNKNOWN)
    assert poll_power(context(Answering([KEPT, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    slow = BmcTimeout("read timed out", host="bmc:443", reason=noanswer.NO_ANSWER_REUSED,
                      elapsed_s=25.0)
    node = SlowAnswering([slow, DOWN], seconds=25.0)  # longer than the 20 s budget
    assert poll_power(context(node), "p", "off?") == (UNREACHABLE, PowerState.UNKNOWN)
    assert node.count == 2  # the read past the budget judged it
    refused = BmcUnreachable("refused", host="bmc:443", refused=True)
    with pytest.raises(Stop, match="refuses connections"):
        poll_power(context(SlowAnswering([slow, refused], seconds=25.0)), "p", "off?")
    with pytest.raises(Stop, match="told its silence from an answer") as stop:
        poll_power(context(Answering([KEPT])), "primary", "off?")
    assert stop.value.needs is None


def test_a_connect_cut_short_by_hamnhw_decides_nothing() -> None:
    """A read whose connect hamnhw's own limit cut short (the deadline had less left than
    the connect timeout, or a connect timeout under 1 s) is neither silence nor an answer:
    a later silent read decides; only cut reads stop the wait naming the limits to give."""
    cut = BmcUnreachable("no connection within the 0.3 s connect timeout", host="bmc:443",
                         reason=noanswer.CONNECT_CUT)
    assert poll_power(context(Answering([cut, DOWN])), "p", "off?") == (
        UNREACHABLE, PowerState.UNKNOWN)
    assert poll_power(context(Answering([cut, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    with pytest.raises(Stop, match="told its silence from an answer") as stop:
        poll_power(context(Answering([cut])), "primary", "off?")
    assert stop.value.needs is None
    assert "give [primary] a connect_timeout of 1 s or more" in str(stop.value)
    waited = BmcTimeout("no IPMI reply within the deadline", host="bmc:623",
                        reason=noanswer.REPLY_CUT)
    with pytest.raises(Stop, match="pyghmi's own wait"):
        poll_power(context(Answering([waited])), "primary", "off?")


def test_no_route_to_the_network_is_silence_that_names_this_hosts_network() -> None:
    """ENETUNREACH is silence (a router's ICMP network unreachable gives it too), but this
    host's own lack of a route gives it as well: the run warns to check this host's network
    before the phrase is typed."""
    no_net = BmcUnreachable("GET /redfish/v1/Systems/1: cannot connect: [Errno 101] Network "
                            f"is unreachable: {noanswer.NO_ROUTE_FROM_HERE}", host="bmc:443",
                            reason=noanswer.HOST_UNREACHABLE)
    ctx = context(Answering([no_net]))
    warned: list[str] = []
    ctx.warn = warned.append
    assert poll_power(ctx, "primary", "off?") == (UNREACHABLE, PowerState.UNKNOWN)
    assert len(warned) == 1 and "no route to the network from this host" in warned[0]
    assert "check this host's network before typing" in warned[0]
    ctx = context(Answering([DOWN]))
    ctx.warn = warned.append
    assert poll_power(ctx, "primary", "off?") == (UNREACHABLE, PowerState.UNKNOWN)
    assert len(warned) == 1  # a connect timeout says nothing of this host


def test_a_new_connection_left_unanswered_at_the_end_is_judged_by_another() -> None:
    """The wait's last read got no answer on a new connection (its read timeout outlived
    the wait): one more read on a new connection, bounded by the connect timeout, decides.
    It finds silence: the cords were pulled as the request waited (outside review).  It
    finds the same, or any answer: the BMC answered.  A new connection left unanswered
    within the wait and silence after it stays an answer (a BMC restarting looks so)."""
    hung = BmcTimeout("read timed out (on a new connection the BMC accepted)",
                      host="bmc:443", reason=noanswer.NO_ANSWER_FRESH, elapsed_s=30.0)
    heard: list[str] = []
    node = SlowAnswering([hung, DOWN], seconds=30.0)  # longer than the 20 s budget
    assert poll_power(context(node, heard), "p", "off?") == (UNREACHABLE, PowerState.UNKNOWN)
    assert node.count == 2 and node.bounded == [1.0 + LAST_READ_S] and heard == []
    node = SlowAnswering([hung, hung], seconds=30.0)
    with pytest.raises(Stop, match="accepts connections at bmc:443 but sends no answer"):
        poll_power(context(node, heard), "primary", "off?")
    assert node.count == 2 and heard == ["accepts connections at bmc:443 but sends no answer "
                                         "(its network stack is alive: a hung web server)"]
    assert poll_power(context(SlowAnswering([hung, OFF_], seconds=30.0)), "p", "off?") == (
        NOT_OFF, OFF_)  # read once: not Off twice
    with pytest.raises(Stop, match="accepts connections"):  # answered, then silent
        poll_power(context(Answering([hung, DOWN])), "primary", "off?")


def test_every_answer_of_the_bmc_is_heard() -> None:
    """What cancels a standing acknowledgement of silence: a state read, an error answered;
    silence and an undecided read are not heard."""
    heard: list[str] = []
    poll_power(context(Answering([DOWN, KEPT, OFF_, OFF_]), heard), "p", "off?")
    assert heard == ["reads off", "reads off"]
    heard.clear()
    with pytest.raises(Stop):
        poll_power(context(Answering([_5xx()]), heard), "p", "off?")
    assert len(heard) == 1 and heard[0].startswith("answers, with an error")
    heard.clear()
    assert poll_power(context(Answering([DOWN, KEPT]), heard), "p", "off?")[0] == UNREACHABLE
    assert heard == []


def test_a_bmc_that_sent_its_headers_then_stalled_answered() -> None:
    """A timeout after the status line and headers came is an answer (the BMC is up): read
    again, and never taken as silence that pulled cords could explain."""
    stalled = BmcTimeout("GET /redfish/v1/Systems/1: stalled in the body", host="bmc:443",
                         headers_came=True)
    assert poll_power(context(Answering([stalled, OFF_, OFF_])), "p", "off?") == (OFF, OFF_)
    with pytest.raises(Stop, match="still answered with errors"):
        poll_power(context(Answering([stalled])), "primary", "off?")

