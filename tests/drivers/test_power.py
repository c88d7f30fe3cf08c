"""Power wait logic with a fake clock: what is sent, how often, and when a state is believed."""

from __future__ import annotations

import logging

import pytest
from driver_fakes import RESET, SYSTEM, FakeClient, FakeClock, http_error, make_driver, minimal_docs

from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.errors import (
    BadRequestError,
    BmcTimeout,
    BmcUnreachable,
    ConfigError,
    ConflictError,
    ConnectionDropped,
    OperationFailed,
    PowerStateTimeout,
    SessionExpired,
    StateUnconfirmed,
    UnsupportedOperation,
)
from hamnhw.models import PowerRestorePolicy, PowerState

ALL_RESETS = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "PowerCycle", "ForceOn"]


def power(script: list, *, allowed: list[str] | None = ALL_RESETS, on_post=None,
          interval: float = 2.0, timeout: float = 60.0, system: dict | None = None):
    clock = FakeClock()
    client = FakeClient(minimal_docs(system, allowed), power_script=script, on_post=on_post)
    driver = make_driver(client, poll=clock.policy(interval, timeout))
    return driver.power, client, clock


def reset_types(client: FakeClient) -> list[str]:
    return [body["ResetType"] for path, body in client.sent("POST") if path == RESET]


def expired() -> SessionExpired:
    return SessionExpired("session expired", host="bmc.test")


def fail_posts(*failures: Exception):
    """``on_post`` raising ``failures`` on the first POSTs, in order; later POSTs succeed."""
    pending = list(failures)

    def on_post(path, body):
        if pending:
            raise pending.pop(0)
    return on_post


def test_off_needs_two_consecutive_off_reads() -> None:
    pw, client, clock = power(["On", "Off", "On", "Off", "Off"])

    result = pw.off()

    assert result.power_state is PowerState.OFF and result.changed and result.confirmed
    assert reset_types(client) == ["ForceOff"]
    assert client.gets_of(SYSTEM) == 5  # initial read + Off, On, Off, Off
    assert result.elapsed_s == clock.now == 6.0


@pytest.mark.parametrize("not_off", ["PoweringOff", None, "off", "garbage", 0])
def test_powering_off_null_and_garbage_are_not_off(not_off) -> None:
    pw, client, _ = power(["On", not_off, not_off, "Off", "Off"])

    result = pw.off()

    assert result.power_state is PowerState.OFF
    assert client.gets_of(SYSTEM) == 5


def test_conflict_when_already_off_is_success_without_change() -> None:
    def refuse(path, body):
        raise http_error(409)

    pw, client, _ = power(["On", "Off", "Off"], on_post=refuse)

    result = pw.off()

    assert (result.power_state, result.changed) == (PowerState.OFF, False)
    assert len(client.sent("POST")) == 1


def test_bad_request_when_not_in_target_propagates() -> None:
    def refuse(path, body):
        raise http_error(400)

    pw, client, _ = power(["On", "On"], on_post=refuse)

    with pytest.raises(BadRequestError):
        pw.off()
    assert len(client.sent("POST")) == 1


def test_conflict_with_single_off_read_then_on_is_not_success() -> None:
    def refuse(path, body):
        raise http_error(409)

    pw, _, _ = power(["On", "Off", "On"], on_post=refuse)

    with pytest.raises(ConflictError):
        pw.off()


def test_conflict_while_already_powering_off_waits_for_off() -> None:
    def refuse(path, body):
        raise http_error(409)

    pw, client, _ = power(["On", "PoweringOff", "PoweringOff", "Off", "Off"], on_post=refuse)

    result = pw.off()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True, True)
    assert len(client.sent("POST")) == 1


def test_timeout_raises_power_state_timeout_after_one_post() -> None:
    pw, client, clock = power(["On", "PoweringOff"], timeout=10.0)

    with pytest.raises(PowerStateTimeout) as info:
        pw.off()

    assert info.value.target == "off"
    assert info.value.last_state == "powering_off"
    assert info.value.elapsed_s == pytest.approx(10.0)
    assert clock.now == pytest.approx(10.0)
    assert len(client.sent("POST")) == 1


def test_already_off_sends_nothing() -> None:
    pw, client, _ = power(["Off", "Off"])

    result = pw.off()

    assert (result.power_state, result.changed) == (PowerState.OFF, False)
    assert client.sent("POST") == []


def test_single_off_read_then_on_is_not_already_off() -> None:
    pw, client, _ = power(["Off", "On", "Off", "Off"])

    result = pw.off()

    assert result.changed
    assert reset_types(client) == ["ForceOff"]


def test_already_on_sends_nothing() -> None:
    pw, client, _ = power(["On"])

    assert pw.on().changed is False
    assert client.sent("POST") == []


def test_no_wait_returns_after_the_post_with_one_read() -> None:
    pw, client, clock = power(["Off", "PoweringOn", "On"])

    result = pw.on(wait=False)

    assert (result.power_state, result.changed) == (PowerState.POWERING_ON, True)
    assert result.confirmed is False
    assert reset_types(client) == ["On"]
    assert client.gets_of(SYSTEM) == 2
    assert clock.sleeps == []


def test_on_uses_force_on_when_on_is_not_allowed() -> None:
    pw, client, _ = power(["Off", "On"], allowed=["ForceOn", "ForceOff"])

    pw.on()

    assert reset_types(client) == ["ForceOn"]


def test_unlisted_reset_types_use_the_widely_supported_ones() -> None:
    pw, client, _ = power(["On", "PoweringOff", "On"], allowed=None, system=MARKS)

    pw.cycle()

    assert reset_types(client) == ["ForceRestart"]


def test_action_without_a_suitable_reset_type_is_unsupported() -> None:
    pw, client, _ = power(["On"], allowed=["On"])

    with pytest.raises(UnsupportedOperation, match=r"power\.off"):
        pw.off()
    assert client.sent("POST") == []


def test_session_expired_reads_state_then_resends_once() -> None:
    pw, client, _ = power(["On", "On", "Off", "Off"], on_post=fail_posts(expired()))

    result = pw.off()

    assert result.power_state is PowerState.OFF
    assert reset_types(client) == ["ForceOff", "ForceOff"]


def test_session_expired_when_already_in_target_does_not_resend() -> None:
    def expire(path, body):
        raise SessionExpired("session expired", host="bmc.test")

    pw, client, _ = power(["On", "Off", "Off", "Off"], on_post=expire)

    result = pw.off()

    assert result.power_state is PowerState.OFF
    assert len(client.sent("POST")) == 1


def test_session_expired_twice_propagates_after_two_posts() -> None:
    def expire(path, body):
        raise SessionExpired("session expired", host="bmc.test")

    pw, client, _ = power(["On"], on_post=expire)

    with pytest.raises(SessionExpired):
        pw.off()
    assert len(client.sent("POST")) == 2


def test_cycle_refused_when_off() -> None:
    pw, client, _ = power(["Off"])

    with pytest.raises(OperationFailed, match="off"):
        pw.cycle()
    assert client.sent("POST") == []


@pytest.mark.parametrize(("allowed", "expected"), [
    (ALL_RESETS, "PowerCycle"),
    (["On", "ForceOff", "ForceRestart"], "ForceRestart"),
])
def test_cycle_prefers_power_cycle_when_allowed(allowed, expected) -> None:
    pw, client, _ = power(["On", "Off", "On"], allowed=allowed, system=MARKS)

    result = pw.cycle()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert reset_types(client) == [expected]


def test_soft_off_escalates_to_force_off_after_the_grace_period() -> None:
    pw, client, clock = power(["On"] * 5 + ["PoweringOff", "Off", "Off"], interval=2.0)

    result = pw.soft_off(escalate_after=4.0)

    assert result.power_state is PowerState.OFF and result.changed
    assert result.escalation == "still-on"
    assert reset_types(client) == ["GracefulShutdown", "ForceOff"]
    assert clock.now == 8.0  # 4 s of grace, then 2 polls after ForceOff


def test_soft_off_that_lands_at_the_escalation_point_sends_no_force_off() -> None:
    pw, client, _ = power(["On"] * 4 + ["Off", "Off"], interval=2.0)

    result = pw.soft_off(escalate_after=4.0)

    assert (result.power_state, result.changed, result.escalation) == (
        PowerState.OFF, True, None)
    assert reset_types(client) == ["GracefulShutdown"]


def test_soft_off_without_escalation_sends_only_graceful_shutdown() -> None:
    pw, client, _ = power(["On", "PoweringOff", "Off", "Off"])

    result = pw.soft_off()

    assert result.power_state is PowerState.OFF
    assert reset_types(client) == ["GracefulShutdown"]


def test_soft_off_that_succeeds_in_time_does_not_escalate() -> None:
    pw, client, _ = power(["On", "Off", "Off"])

    pw.soft_off(escalate_after=30.0)

    assert reset_types(client) == ["GracefulShutdown"]


def test_reset_types_from_action_info() -> None:
    clock = FakeClock()
    docs = minimal_docs(MARKS, allowed=None)
    docs[SYSTEM]["Actions"]["#ComputerSystem.Reset"]["@Redfish.ActionInfo"] = "/ai"
    docs["/ai"] = {"Parameters": [{"Name": "ResetType", "AllowableValues": ["PowerCycle"]}]}
    client = FakeClient(docs, power_script=["On", "PoweringOn", "On"])

    make_driver(client, poll=clock.policy()).power.cycle()

    assert reset_types(client) == ["PowerCycle"]


def test_restore_policy_set_reads_back() -> None:
    pw, client, _ = power(["On"], system={"PowerRestorePolicy": "AlwaysOff"})

    assert pw.get_restore_policy() is PowerRestorePolicy.ALWAYS_OFF
    assert pw.set_restore_policy(PowerRestorePolicy.LAST_STATE) is PowerRestorePolicy.LAST_STATE
    assert client.sent("PATCH") == [(SYSTEM, {"PowerRestorePolicy": "LastState"})]


def test_restore_policy_absent_is_unsupported() -> None:
    pw, _, _ = power(["On"])

    with pytest.raises(UnsupportedOperation):
        pw.get_restore_policy()


# -- cycle: believed only with evidence of the reset -----------------------------------------

def move_mark(client: FakeClient, mark: str, fail_with: Exception | None = None):
    """``on_post`` that makes the reset take effect by moving a time mark of the system."""
    def on_post(path, body):
        target = client.docs[SYSTEM]
        for key in mark.split(".")[:-1]:
            target = target.setdefault(key, {})
        target[mark.split(".")[-1]] = "2024-05-01T10:00:09.000+00:00"
        if fail_with is not None:
            raise fail_with
    return on_post


MARKS = {"LastResetTime": "2024-05-01T10:00:00.000+00:00",
         "BootProgress": {"LastState": "OSRunning",
                          "LastStateTime": "2024-05-01T10:00:00.000+00:00"}}


def test_cycle_of_a_node_that_ignored_the_reset_fails_after_one_post() -> None:
    pw, client, clock = power(["On"], timeout=10.0, system=MARKS)

    with pytest.raises(OperationFailed, match="accepted the power cycle but the node never "
                                              "showed a reset") as info:
        pw.cycle()

    assert not isinstance(info.value, PowerStateTimeout)
    assert len(client.sent("POST")) == 1
    assert clock.now == pytest.approx(10.0)


def test_cycle_confirmed_by_a_transition_then_on() -> None:
    pw, client, _ = power(["On", "On", "PoweringOff", "Off", "PoweringOn", "On", "Off"],
                          system=MARKS)

    result = pw.cycle()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert client.gets_of(SYSTEM) == 6  # the On read before the transition does not count
    assert len(client.sent("POST")) == 1


@pytest.mark.parametrize("mark", ["LastResetTime", "BootProgress.LastStateTime"])
def test_cycle_confirmed_by_a_moved_time_mark_while_power_reads_on(mark) -> None:
    pw, client, _ = power(["On"], system=MARKS)
    client.on_post = move_mark(client, mark)

    result = pw.cycle()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert client.gets_of(SYSTEM) == 2  # before the POST, and the one read showing the reset


def test_a_time_mark_absent_before_the_post_proves_no_reset() -> None:
    pw, client, _ = power(["On"], timeout=4.0,
                          system={"BootProgress": {"LastStateTime": "2024-05-01T10:00:00Z"}})
    client.on_post = move_mark(client, "LastResetTime")

    with pytest.raises(OperationFailed, match="never showed a reset"):
        pw.cycle()
    assert len(client.sent("POST")) == 1


@pytest.mark.parametrize("script", [
    ["On", None, "garbage", "On"],  # unreadable states are not a transition
    ["PoweringOn", "PoweringOn", "On"],  # a transition already under way before the POST
])
def test_cycle_without_evidence_is_not_confirmed(script) -> None:
    pw, client, _ = power(script, timeout=6.0, system=MARKS)

    with pytest.raises(OperationFailed, match="never showed a reset"):
        pw.cycle()
    assert len(client.sent("POST")) == 1


def test_cycle_that_reset_but_never_came_back_on_times_out_on_the_on_state() -> None:
    pw, _, _ = power(["On", "PoweringOff", "Off"], timeout=6.0)

    with pytest.raises(PowerStateTimeout) as info:
        pw.cycle()

    assert (info.value.target, info.value.last_state) == ("on", "off")


def test_cycle_no_wait_is_unconfirmed() -> None:
    pw, client, clock = power(["On", "On"], system=MARKS)

    result = pw.cycle(wait=False)

    assert (result.power_state, result.confirmed) == (PowerState.ON, False)
    assert (result.method, result.unconfirmed_reason) == ("reset", "no-wait")
    assert len(client.sent("POST")) == 1 and clock.sleeps == []


def test_off_no_wait_reports_the_single_read_unconfirmed() -> None:
    pw, client, _ = power(["On", "Off", "On"])

    result = pw.off(wait=False)

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True, False)
    assert client.gets_of(SYSTEM) == 2


# -- the re-send after an expired session goes through the first send's handling -------------

def test_cycle_after_an_expired_session_resends_when_the_read_shows_no_reset() -> None:
    pw, client, _ = power(["On", "On", "Off", "On"], on_post=fail_posts(expired()),
                          system=MARKS)

    result = pw.cycle()

    assert result.power_state is PowerState.ON
    assert reset_types(client) == ["PowerCycle", "PowerCycle"]


def test_cycle_after_an_expired_session_that_did_reset_is_not_resent() -> None:
    pw, client, _ = power(["On"], system=MARKS)
    client.on_post = move_mark(client, "LastResetTime", fail_with=expired())

    result = pw.cycle()

    assert (result.power_state, result.confirmed) == (PowerState.ON, True)
    assert len(client.sent("POST")) == 1


@pytest.mark.parametrize(("script", "outcome"), [
    (["On", "On", "Off", "Off"], "already off"),
    (["On", "On", "On"], ConflictError),
])
def test_conflict_on_the_resend_is_handled_like_on_the_first_send(script, outcome) -> None:
    pw, client, _ = power(script, on_post=fail_posts(expired(), http_error(409)))

    if outcome is ConflictError:
        with pytest.raises(ConflictError):
            pw.off()
    else:
        result = pw.off()
        assert (result.power_state, result.changed) == (PowerState.OFF, False)
    assert len(client.sent("POST")) == 2


# -- soft_off escalation must leave ForceOff time ---------------------------------------------

@pytest.mark.parametrize(("escalate_after", "timeout"), [(30.0, 30.0), (45.0, 30.0),
                                                         (60.0, None)])
def test_soft_off_escalation_not_before_the_timeout_is_a_config_error(escalate_after,
                                                                      timeout) -> None:
    pw, client, _ = power(["On"], timeout=60.0)

    with pytest.raises(ConfigError) as info:
        pw.soft_off(escalate_after=escalate_after, timeout=timeout)

    assert f"({escalate_after:g} s)" in str(info.value)
    assert f"({timeout or 60.0:g} s)" in str(info.value)
    assert client.sent("POST") == []


def test_soft_off_escalation_without_wait_is_unconfirmed_after_force_off() -> None:
    pw, client, _ = power(["On"] * 5 + ["PoweringOff", "Off"], interval=2.0)

    result = pw.soft_off(escalate_after=4.0, wait=False, timeout=10.0)

    assert (result.power_state, result.changed, result.confirmed) == (
        PowerState.POWERING_OFF, True, False)
    assert reset_types(client) == ["GracefulShutdown", "ForceOff"]


# -- warm resets: BootProgress.LastState as evidence, or no evidence mark at all ---------------

def script_boot_stages(client: FakeClient, stages: list[str]) -> None:
    """Successive GETs of the system read these ``BootProgress.LastState``; the last sticks."""
    plain_get = client.get

    def get(path):
        doc = plain_get(path)
        if path == SYSTEM:
            doc["BootProgress"] = {"LastState": stages.pop(0) if len(stages) > 1 else stages[0]}
        return doc
    client.get = get


WARM = ["On", "ForceOff", "GracefulShutdown", "ForceRestart"]  # iLO 5, Supermicro: no PowerCycle


@pytest.mark.parametrize(("stages", "reads"), [
    (["OSRunning", "SystemHardwareInitializationComplete", "OSRunning"], 2),  # back to POST
    (["OSBootStarted", "OSRunning", "MemoryInitializationStarted"], 3),  # new boot after progress
])
def test_warm_reset_confirmed_by_boot_progress_going_back(stages, reads) -> None:
    pw, client, _ = power(["On"], allowed=WARM)
    script_boot_stages(client, list(stages))

    result = pw.cycle()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert reset_types(client) == ["ForceRestart"]
    assert client.gets_of(SYSTEM) == reads


def test_boot_progress_moving_forward_is_no_evidence_of_a_reset() -> None:
    pw, client, _ = power(["On"], allowed=WARM, timeout=6.0)
    script_boot_stages(client, ["OSBootStarted", "OSRunning"])

    with pytest.raises(OperationFailed, match="never showed a reset"):
        pw.cycle()
    assert len(client.sent("POST")) == 1


@pytest.mark.parametrize("system", [None, {"BootProgress": {"LastState": "OEM"}},
                                    {"BootProgress": {"LastState": "None"}}])
def test_cycle_without_any_reset_mark_is_off_then_on_confirmed(system, caplog) -> None:
    # initial read, the off change's read, two Off reads, the on change's read, On
    pw, client, _ = power(["On", "On", "Off", "Off", "Off", "On"], allowed=WARM, system=system)
    caplog.set_level(logging.INFO, logger="hamnhw")

    result = pw.cycle()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.ON, True, True)
    assert (result.method, result.unconfirmed_reason) == ("off-on", None)
    assert reset_types(client) == ["ForceOff", "On"]
    assert client.gets_of(SYSTEM) == 6
    assert "cycling as off (confirmed by two Off reads), then on" in caplog.text


def test_off_on_cycle_needs_two_off_reads_before_sending_on() -> None:
    pw, client, _ = power(["On", "On", "Off", "On", "Off", "Off", "Off", "On"], allowed=WARM)

    result = pw.cycle()

    assert result.method == "off-on" and result.confirmed
    assert reset_types(client) == ["ForceOff", "On"]
    assert client.gets_of(SYSTEM) == 8


def test_off_on_cycle_without_wait_confirms_off_and_leaves_on_unconfirmed() -> None:
    pw, client, _ = power(["On", "On", "Off", "Off", "Off", "PoweringOn"], allowed=WARM)

    result = pw.cycle(wait=False)

    assert (result.method, result.confirmed, result.unconfirmed_reason) == (
        "off-on", False, "no-wait")
    assert reset_types(client) == ["ForceOff", "On"]


def test_off_on_cycle_that_never_reads_off_times_out_without_sending_on() -> None:
    pw, client, _ = power(["On"], allowed=WARM, timeout=6.0)

    with pytest.raises(PowerStateTimeout) as info:
        pw.cycle()

    assert info.value.target == "off"
    assert reset_types(client) == ["ForceOff"]


def test_cycle_refused_while_powering_off() -> None:
    pw, client, _ = power(["PoweringOff"])

    with pytest.raises(OperationFailed, match="powering off; wait for it or power it on"):
        pw.cycle()
    assert client.sent("POST") == []


# -- a connection dropped under the POST: read, never re-send ---------------------------------

def dropped() -> ConnectionDropped:
    return ConnectionDropped("connection dropped after sending", host="bmc.test")


@pytest.mark.parametrize("script", [
    ["On", "PoweringOff", "Off", "Off"],  # under way
    ["On", "Off", "Off", "Off"],  # already done
])
def test_off_whose_post_dropped_but_the_node_shows_it_is_waited_out(script) -> None:
    pw, client, _ = power(script, on_post=fail_posts(dropped()))

    result = pw.off()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True, True)
    assert len(client.sent("POST")) == 1


def test_off_whose_post_dropped_without_effect_is_unconfirmed_after_the_budget() -> None:
    pw, client, clock = power(["On", "On"], on_post=fail_posts(dropped()), timeout=10.0)

    with pytest.raises(StateUnconfirmed, match="may have acted on it") as info:
        pw.off()

    assert isinstance(info.value.__cause__, ConnectionDropped)
    assert (info.value.request_sent, info.value.accepted) == (True, False)
    assert exit_code_for(info.value) == 1
    assert len(client.sent("POST")) == 1
    assert clock.now == pytest.approx(10.0), "the state was read for the whole budget"


def test_drop_followed_by_an_unreadable_node_is_unconfirmed_not_resent() -> None:
    pw, client, _ = power(["On"], on_post=fail_posts(dropped()), timeout=10.0)
    plain_get = client.get
    reads = []

    def get(path):
        reads.append(path)
        if reads.count(SYSTEM) > 1:
            raise http_error(503)
        return plain_get(path)
    client.get = get

    with pytest.raises(StateUnconfirmed) as info:
        pw.off()
    assert isinstance(info.value.__cause__, ConnectionDropped)
    assert len(client.sent("POST")) == 1


def test_cycle_whose_post_dropped_after_the_reset_is_confirmed() -> None:
    pw, client, _ = power(["On"], system=MARKS)
    client.on_post = move_mark(client, "LastResetTime", fail_with=dropped())

    result = pw.cycle()

    assert (result.power_state, result.confirmed) == (PowerState.ON, True)
    assert len(client.sent("POST")) == 1


def test_cycle_whose_post_dropped_without_a_reset_is_unconfirmed() -> None:
    pw, client, _ = power(["On"], system=MARKS, on_post=fail_posts(dropped()), timeout=6.0)

    with pytest.raises(StateUnconfirmed):
        pw.cycle()
    assert len(client.sent("POST")) == 1


# -- a reset answered after the read timeout: judged like a drop, polled, never re-sent -------

def late() -> BmcTimeout:
    return BmcTimeout("POST ...Reset: read timed out", host="bmc.test", elapsed_s=30.0)


def test_off_whose_answer_came_too_late_is_confirmed_by_later_reads() -> None:
    pw, client, _ = power(["On", "On", "On", "PoweringOff", "Off", "Off"],
                          on_post=fail_posts(late()))

    result = pw.off()

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True, True)
    assert len(client.sent("POST")) == 1


def test_off_whose_answer_never_came_and_no_read_shows_it_is_unconfirmed() -> None:
    pw, client, clock = power(["On"], on_post=fail_posts(late()), timeout=10.0)

    with pytest.raises(StateUnconfirmed, match="got no answer") as info:
        pw.off()

    assert info.value.last_state == "on"
    assert isinstance(info.value.__cause__, BmcTimeout)
    assert len(client.sent("POST")) == 1
    assert clock.now == pytest.approx(10.0)


def test_post_unanswered_when_the_operation_deadline_passed_reads_nothing_more() -> None:
    passed = BmcTimeout("POST ...Reset: operation deadline exceeded", host="bmc.test",
                        deadline_passed=True)
    pw, client, clock = power(["On"], on_post=fail_posts(passed))

    with pytest.raises(StateUnconfirmed, match="before the operation deadline"):
        pw.off()
    assert len(client.sent("POST")) == 1
    assert clock.sleeps == [] and client.gets_of(SYSTEM) == 1


# -- an accepted reset, then a silent BMC -----------------------------------------------------

def silent_after_post(client: FakeClient, failure: Exception, reads_lost: int | None = None):
    """GETs of the system raise ``failure`` after the first POST (``reads_lost`` of them, or
    all when None)."""
    plain_get = client.get
    lost = []

    def get(path):
        if path == SYSTEM and client.sent("POST") and (reads_lost is None
                                                        or len(lost) < reads_lost):
            lost.append(path)
            raise failure
        return plain_get(path)
    client.get = get


@pytest.mark.parametrize("failure", [
    BmcUnreachable("GET /redfish/v1/Systems/1: cannot connect: refused", host="bmc.test"),
    BmcTimeout("GET /redfish/v1/Systems/1: read timed out", host="bmc.test"),
], ids=["unreachable", "timeout"])
def test_accepted_reset_then_a_silent_bmc_is_unconfirmed_exit_1(failure) -> None:
    pw, client, clock = power(["On"], timeout=10.0)
    silent_after_post(client, failure)

    with pytest.raises(StateUnconfirmed, match="accepted, then the BMC stopped answering") as info:
        pw.off()

    assert "unconfirmed" in str(info.value)
    assert info.value.accepted is True
    assert exit_code_for(info.value) == 1, "it answered: not 'unreachable' (3)"
    assert len(client.sent("POST")) == 1
    assert clock.now == pytest.approx(10.0), "polled for the whole budget"


def test_a_bmc_silent_for_a_while_then_showing_off_is_confirmed() -> None:
    pw, client, _ = power(["On", "Off", "Off"])
    silent_after_post(client, BmcUnreachable("refused", host="bmc.test"), reads_lost=3)

    result = pw.off()

    assert (result.power_state, result.confirmed) == (PowerState.OFF, True)
    assert len(client.sent("POST")) == 1


def test_operation_deadline_passing_during_the_wait_ends_it_at_once() -> None:
    pw, client, clock = power(["On"], timeout=60.0)
    silent_after_post(client, BmcTimeout("GET: operation deadline exceeded", host="bmc.test",
                                         deadline_passed=True))

    with pytest.raises(StateUnconfirmed, match="operation deadline passed"):
        pw.off()
    assert clock.now == 0.0


def test_accepted_cycle_then_a_silent_bmc_is_unconfirmed() -> None:
    pw, client, _ = power(["On"], system=MARKS, timeout=6.0)
    silent_after_post(client, BmcUnreachable("refused", host="bmc.test"))

    with pytest.raises(StateUnconfirmed, match="the power cycle was accepted"):
        pw.cycle()


# -- soft-off escalation when GracefulShutdown is not offered or refused ----------------------

@pytest.mark.parametrize(("allowed", "refusal"), [
    (["On", "ForceOff"], None),
    (ALL_RESETS, 400),
    (ALL_RESETS, 409),
], ids=["not-offered", "400", "409"])
def test_soft_off_escalates_at_once_when_graceful_shutdown_is_unavailable(allowed, refusal,
                                                                         caplog) -> None:
    on_post = fail_posts(http_error(refusal)) if refusal else None
    pw, client, clock = power(["On", "On", "On", "Off", "Off"], allowed=allowed,
                              on_post=on_post)

    result = pw.soft_off(escalate_after=30.0)

    assert (result.power_state, result.changed, result.confirmed) == (PowerState.OFF, True, True)
    assert reset_types(client)[-1] == "ForceOff"
    assert len(reset_types(client)) == (2 if refusal else 1)
    assert result.escalation == ("not-offered" if refusal is None else "refused")
    assert clock.now < 30.0, "no grace period wasted on a shutdown that will not come"
    assert "escalating to ForceOff at once" in caplog.text
    assert ("not offered" if refusal is None else "refused") in caplog.text


@pytest.mark.parametrize(("allowed", "refusal", "error"), [
    (["On", "ForceOff"], None, UnsupportedOperation),
    (ALL_RESETS, 409, ConflictError),
], ids=["not-offered", "409"])
def test_soft_off_without_escalation_keeps_the_typed_error(allowed, refusal, error) -> None:
    on_post = fail_posts(http_error(refusal)) if refusal else None
    pw, client, _ = power(["On"], allowed=allowed, on_post=on_post)

    with pytest.raises(error):
        pw.soft_off()
    assert "ForceOff" not in reset_types(client)


def test_every_change_says_its_method() -> None:
    pw, _, _ = power(["On", "Off", "Off"])
    assert pw.off().method == "reset"
    assert pw.off().method == "reset"  # unchanged: nothing sent, still the reset method
