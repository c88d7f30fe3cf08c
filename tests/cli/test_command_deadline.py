"""``--timeout S`` bounds the whole command on a hanging BMC, logout included: the work
(connecting, the action, its wait and every read) ends at S minus the logout's reserve, the
logout uses at most the rest.  And the soft-off escalation: ``--escalate-after`` is one rule
checked before anything is sent, and a GracefulShutdown whose answer was lost still
escalates to ForceOff (another request: nothing is re-sent).

The hangs are real sockets (bounded by the deadlines under test, each request's recorded as
the adapter got it: no wall time is asserted); the waits of the escalation tests run on the
simulator's ManualClock."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run
from faultproxy import FaultProxy, Seen

import hamnhw
from hamnhw import errors
from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.power import check_escalation
from hamnhw.deadline import Deadline
from hamnhw.interfaces import PollPolicy
from hamnhw.poll import LAST_READ_S
from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer
from hamnhw.transport.adapter import BmcAdapter

RESET = "/Actions/ComputerSystem.Reset"
SESSIONS = "/redfish/v1/SessionService/Sessions"
EPSILON = 1e-6
"""Float rounding between two readings of one deadline."""


def _env(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


@dataclasses.dataclass
class Bounds:
    """The deadline of the command (its :class:`CommandBudget`) and the one each request
    was sent under, as the adapter got them: a request ends at its deadline (the watchdog,
    tests/transport), so these prove the command's bound without timing it."""

    budgets: list[CommandBudget] = dataclasses.field(default_factory=list)
    requests: list[tuple[str, Deadline]] = dataclasses.field(default_factory=list)

    def of(self, method: str) -> list[Deadline]:
        return [deadline for sent, deadline in self.requests if sent == method]


@pytest.fixture
def bounds(monkeypatch: pytest.MonkeyPatch) -> Bounds:
    seen = Bounds()
    budget_init, adapter_send = CommandBudget.__init__, BmcAdapter.send

    def record_budget(budget: CommandBudget, seconds: float) -> None:
        budget_init(budget, seconds)
        seen.budgets.append(budget)

    def record_request(adapter: BmcAdapter, method: str, base_url: str, path: str,
                       *args, **kwargs):
        assert adapter.deadline is not None, f"{method} {base_url}{path} unbounded"
        seen.requests.append((method, adapter.deadline))
        return adapter_send(adapter, method, base_url, path, *args, **kwargs)

    monkeypatch.setattr(CommandBudget, "__init__", record_budget)
    monkeypatch.setattr(BmcAdapter, "send", record_request)
    return seen


@pytest.mark.e2e
def test_a_bmc_hanging_while_connecting_and_at_logout_ends_within_the_timeout(
        bounds: Bounds) -> None:
    with SimCluster([ServerSpec(name="hung", power="Off")]) as cluster:
        server = cluster["hung"]
        server.inject("hang", method="GET", path="/redfish/v1/Systems")
        server.inject("hang", method="DELETE")
        result = run("--json", "power", "on", "--timeout", "3", server.url, env=_env(server))
        out = json_out(result)
        assert result.exit_code == 1, out  # it answered the login: not "unreachable"
        assert out["error"]["type"] == "BmcTimeout"
        logouts = [r for r in server.requests if r.method == "DELETE"]
        assert len(logouts) == 1, "the logout was still tried"
        assert not any(r.method == "POST" and RESET in r.path for r in server.requests)
    [budget] = bounds.budgets
    assert budget.seconds == 3
    # --timeout 3 bounds connecting (the work's share) and the logout (the rest), not 5 s more
    work = [d for method, d in bounds.requests if method != "DELETE"]
    assert work and all(d.expires <= budget.work.expires + EPSILON for d in work)
    [logout] = bounds.of("DELETE")
    assert logout.expires <= budget.deadline.expires + EPSILON


@pytest.mark.e2e
def test_a_single_hung_request_gets_the_timeout_less_the_logout_reserve(
        bounds: Bounds) -> None:
    """``power status --timeout 4`` on a BMC hanging on its one read: connecting, the login
    and that read share the work's deadline, none has a share of its own, so the hung read
    is given what is left of the 4 s less the logout's 1 s (a review saw "after 2.0 s": half
    the timeout kept for a logout); the message says where the rest went."""
    with SimCluster([ServerSpec(name="hung", power="Off")]) as cluster:
        server = cluster["hung"]
        server.inject("hang", method="GET", path="/redfish/v1/Systems/1")
        result = run("--json", "power", "status", "--timeout", "4", server.url,
                     env=_env(server))
        out = json_out(result)
        assert result.exit_code == 1, out
        assert out["error"]["type"] == "BmcTimeout"
        assert "GET /redfish/v1/Systems/1: operation deadline exceeded (the 4 s deadline " \
               "less the 1 s kept for logging out)" in out["error"]["message"]
        assert [r.method for r in server.requests if r.method == "DELETE"] == ["DELETE"]
    [budget] = bounds.budgets
    assert budget.reserve == 1.0
    hung = [d for method, d in bounds.requests if method == "GET"][-1]
    assert hung is budget.work  # the command's work deadline itself, not a share of it
    assert abs(hung.expires - (budget.deadline.expires - 1.0)) < EPSILON
    [logout] = bounds.of("DELETE")
    assert logout.expires <= budget.deadline.expires + EPSILON


@pytest.mark.parametrize(("timeout", "reserve"), [
    (1.0, 0.5), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0), (8.0, 2.0), (12.0, 3.0), (20.0, 5.0),
    (120.0, 5.0)])
def test_the_logout_reserve_is_a_quarter_between_one_and_five_seconds(
        timeout: float, reserve: float) -> None:
    budget = CommandBudget(timeout)
    assert budget.reserve == reserve
    assert budget.work.seconds == timeout - reserve and budget.work.stated == timeout


def _hang_after_the_reset(request: Seen, seen: list[Seen]) -> str | None:
    """The BMC accepts the reset, then hangs on every GET and on the logout."""
    reset_done = any(r.method == "POST" and RESET in r.path for r in seen[:-1])
    return "hang" if reset_done and request.method in ("GET", "DELETE") else None


@pytest.mark.e2e
def test_a_bmc_hanging_after_the_reset_stops_the_wait_before_the_logout_reserve(
        bounds: Bounds) -> None:
    with SimCluster([ServerSpec(name="bmc", power="Off")]) as cluster, \
            FaultProxy(cluster["bmc"].url, _hang_after_the_reset) as proxy:
        result = run("--json", "power", "on", "--timeout", "4", proxy.url,
                     env=_env(cluster["bmc"]))
        out = json_out(result)
        assert result.exit_code == 1, out
        assert out["error"]["type"] == "StateUnconfirmed"
        assert "accepted, then the BMC stopped answering" in out["error"]["message"]
        [logout] = proxy.requests("DELETE", SESSIONS)
        [reset] = proxy.requests("POST", RESET)
        assert reset.at < logout.at
        assert cluster["bmc"].power_state != "Off", "the reset went through"
    [budget] = bounds.budgets
    _login, reset_sent = (i for i, (method, _) in enumerate(bounds.requests) if method == "POST")
    after_reset = bounds.requests[reset_sent + 1:]
    # The wait's reads (hung) ended with the work, 4 s minus the logout's reserve; the
    # logout got the reserve, not 5 s more.
    reads = [d for method, d in after_reset if method == "GET"]
    assert reads and all(d.expires <= budget.work.expires + EPSILON for d in reads)
    [logout_bound] = bounds.of("DELETE")
    assert logout_bound.expires <= budget.deadline.expires + EPSILON


def _gets_hang_after_the_reset(request: Seen, seen: list[Seen]) -> str | None:
    reset_done = any(r.method == "POST" and RESET in r.path for r in seen[:-1])
    return "hang" if reset_done and request.method == "GET" else None


@pytest.mark.e2e
def test_library_wait_reads_end_with_the_wait_not_the_operation(bounds: Bounds) -> None:
    """``node.power.on(timeout=1)`` in a 120 s operation: a hung read of the wait is cut when
    the wait ends (plus its last read's allowance), not at the read timeout (10 s here)."""
    with SimCluster([ServerSpec(name="bmc", power="Off")]) as cluster, \
            FaultProxy(cluster["bmc"].url, _gets_hang_after_the_reset) as proxy:
        server = cluster["bmc"]
        with hamnhw.connect(proxy.url, server.username, server.password, read_timeout=10,
                            poll=PollPolicy(interval=0.2)) as node, \
                pytest.raises(errors.StateUnconfirmed, match="stopped answering"):
            node.power.on(timeout=1.0)
        assert len(proxy.requests("POST", RESET)) == 1
    _login, reset_sent = (i for i, (method, _) in enumerate(bounds.requests) if method == "POST")
    reads = [d for method, d in bounds.requests[reset_sent + 1:] if method == "GET"]
    # each read gets what is left of the 1 s wait and the allowance, not the 120 s operation
    assert reads and all(d.seconds <= 1.0 + LAST_READ_S for d in reads)


# -- soft-off escalation ----------------------------------------------------------------------


@pytest.fixture
def server(clock: ManualClock) -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="on", power="On")], clock=clock) as cluster:
        yield cluster["on"]


def _graceful_dropped(request: Seen, _seen: list[Seen]) -> str | None:
    """The connection of the GracefulShutdown is dropped before it reaches the BMC."""
    graceful = request.method == "POST" and b"GracefulShutdown" in request.body
    return "drop" if graceful else None


def _reset_types(server: SimServer) -> list[str]:
    return [r.body["ResetType"] for r in server.requests
            if r.method == "POST" and RESET in r.path]


def test_soft_off_escalates_when_the_graceful_shutdown_answer_is_lost(
        server: SimServer, caplog: pytest.LogCaptureFixture) -> None:
    with FaultProxy(server.url, _graceful_dropped) as proxy:
        result = run("--json", "power", "soft-off", "--timeout", "20", "--escalate-after", "4",
                     proxy.url, env=_env(server))
        assert len(proxy.requests("POST", RESET)) == 2
    assert result.exit_code == 0, result.output
    payload = json_out(result)
    assert (payload["power_state"], payload["changed"], payload["confirmed"]) == (
        "off", True, True)
    assert _reset_types(server) == ["ForceOff"], "GracefulShutdown never arrived, not re-sent"
    assert server.power_state == "Off"
    assert "GracefulShutdown was not confirmed" in caplog.text
    assert "escalating to ForceOff" in caplog.text


@pytest.mark.parametrize("json_mode", [True, False], ids=["json", "human"])
def test_soft_off_escalates_when_the_bmc_hangs_on_the_graceful_shutdown(
        server: SimServer, json_mode: bool, caplog: pytest.LogCaptureFixture) -> None:
    """The BMC keeps the GracefulShutdown's connection and never answers: the request is cut
    at the escalation time (not at the command's deadline or the read timeout), never sent
    again, and ForceOff (another request) powers the node off; the result says the
    graceful shutdown's outcome is unknown."""
    server.inject("hang", count=1, method="POST", path="/redfish/v1/Systems/1/Actions")
    result = run(*(["--json"] if json_mode else []), "power", "soft-off", "--timeout", "20",
                 "--escalate-after", "2", server.url, env=_env(server))
    assert result.exit_code == 0, result.output
    assert _reset_types(server) == ["GracefulShutdown", "ForceOff"], "nothing sent twice"
    assert server.power_state == "Off"
    if json_mode:
        payload = json_out(result)
        assert (payload["power_state"], payload["changed"], payload["confirmed"]) == (
            "off", True, True)
        assert payload["escalation"] == "graceful-unanswered"
    else:
        assert "forced off: the graceful shutdown got no answer: its outcome is unknown" in (
            result.stdout)
    assert "GracefulShutdown was not confirmed" in caplog.text


@pytest.mark.usefixtures("no_sleep")
def test_soft_off_whose_escalation_time_passed_while_connecting_forces_off_at_once() -> None:
    with SimCluster([ServerSpec(name="on", power="On")]) as cluster:
        server = cluster["on"]
        server.inject("latency", count=1, method="POST", path=SESSIONS, seconds=0.5)
        result = run("--json", "power", "soft-off", "--timeout", "20", "--escalate-after",
                     "0.1", server.url, env=_env(server))
        assert result.exit_code == 0, result.output
        assert json_out(result)["escalation"] == "at-once"
        assert _reset_types(server) == ["ForceOff"], "no GracefulShutdown after its time"


def test_library_soft_off_and_off_end_with_their_own_time_on_a_hung_reset() -> None:
    """``node.power.off(timeout=2)`` in a 120 s operation whose reads time out after 10 s: a
    hung reset POST is cut when the off's 2 s (and the allowance of a wait's last read) end,
    not at the read timeout; it may have been acted on: unconfirmed, not sent again.
    ``soft_off(escalate_after=2)`` cuts the hung GracefulShutdown at 2 s and forces the
    node off."""
    with SimCluster([ServerSpec(name="bmc", power="On")]) as cluster:
        server = cluster["bmc"]
        server.inject("hang", count=2, method="POST", path="/redfish/v1/Systems/1/Actions")
        with hamnhw.connect(server.url, server.username, server.password, read_timeout=10,
                            poll=PollPolicy(interval=0.2)) as node:
            with pytest.raises(errors.StateUnconfirmed, match="no answer before") as info:
                node.power.off(timeout=2.0)
            cause = info.value.__cause__
            assert isinstance(cause, errors.BmcTimeout) and cause.deadline_passed, cause
            result = node.power.soft_off(timeout=8.0, escalate_after=2.0)
        assert _reset_types(server) == ["ForceOff", "GracefulShutdown", "ForceOff"]
        assert (result.power_state.value, result.confirmed, result.escalation) == (
            "off", True, "graceful-unanswered")
        assert server.power_state == "Off"


def test_escalate_after_just_under_the_longest_wait_is_accepted_after_connecting(
        server: SimServer) -> None:
    # Connecting takes 0.3 s: a check of --escalate-after against what is left of the wait
    # after connecting (not the longest wait checked before) refused it with exit 2, after
    # the login and reads had been sent.
    longest = CommandBudget(20).longest_wait
    server.inject("latency", count=1, method="POST", path=SESSIONS, seconds=0.3)
    server.inject("ignore_reset", count=1)  # the OS does not shut down
    result = run("--json", "power", "soft-off", "--timeout", "20",
                 "--escalate-after", f"{longest - 0.05:g}", server.url, env=_env(server))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["power_state"] == "off"
    assert _reset_types(server) == ["GracefulShutdown", "ForceOff"]


@pytest.mark.parametrize("spent", [0.0, 0.3, 5.0])
def test_escalation_is_shorter_than_the_wait_exactly_when_checked_so(spent: float) -> None:
    budget = CommandBudget(20)
    wait = budget.longest_wait - spent  # what wait_seconds() gives after connecting
    for escalate in (budget.longest_wait - 0.01, budget.longest_wait - 3, 1.0):
        assert budget.escalate_after(escalate, wait) < wait
        assert budget.escalate_after(escalate, wait) == pytest.approx(max(0, escalate - spent))


@pytest.mark.parametrize(("escalate", "says"), [
    (0.0, "--escalate-after (0 s) must be more than 0 s"),
    (-1.0, "--escalate-after (-1 s) must be more than 0 s"),
    (float("nan"), "--escalate-after (nan s) must be more than 0 s"),
    (50.0, "--escalate-after (50 s) must be shorter than the longest wait (13 s): --timeout"),
])
def test_one_escalation_rule_for_the_command_and_the_ansible_module(escalate: float,
                                                                    says: str) -> None:
    """The rule both call (the module names its own options): refused before anything."""
    with pytest.raises(errors.ConfigError) as refused:
        check_escalation(escalate, CommandBudget(20).longest_wait)
    assert says in str(refused.value)
    check_escalation(None, 1.0)
    check_escalation(5.0, CommandBudget(20).longest_wait)
