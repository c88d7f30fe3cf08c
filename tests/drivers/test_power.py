"""Power wait logic with a fake clock: what is sent, how often, and when a state is believed."""

from __future__ import annotations

import pytest
from driver_fakes import RESET, SYSTEM, FakeClient, FakeClock, http_error, make_driver, minimal_docs

from hamnhw.errors import (
    BadRequestError,
    ConflictError,
    OperationFailed,
    PowerStateTimeout,
    SessionExpired,
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


def test_off_needs_two_consecutive_off_reads() -> None:
    pw, client, clock = power(["On", "Off", "On", "Off", "Off"])

    result = pw.off()

    assert result.power_state is PowerState.OFF and result.changed
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
    assert reset_types(client) == ["On"]
    assert client.gets_of(SYSTEM) == 2
    assert clock.sleeps == []


def test_on_uses_force_on_when_on_is_not_allowed() -> None:
    pw, client, _ = power(["Off", "On"], allowed=["ForceOn", "ForceOff"])

    pw.on()

    assert reset_types(client) == ["ForceOn"]


def test_unlisted_reset_types_use_the_widely_supported_ones() -> None:
    pw, client, _ = power(["On", "On"], allowed=None)

    pw.cycle()

    assert reset_types(client) == ["ForceRestart"]


def test_action_without_a_suitable_reset_type_is_unsupported() -> None:
    pw, client, _ = power(["On"], allowed=["On"])

    with pytest.raises(UnsupportedOperation, match=r"power\.off"):
        pw.off()
    assert client.sent("POST") == []


def test_session_expired_reads_state_then_resends_once() -> None:
    failures = [SessionExpired("session expired", host="bmc.test")]

    def expire_once(path, body):
        if failures:
            raise failures.pop()

    pw, client, _ = power(["On", "On", "Off", "Off"], on_post=expire_once)

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
    pw, client, _ = power(["On", "On"], allowed=allowed)

    result = pw.cycle()

    assert (result.power_state, result.changed) == (PowerState.ON, True)
    assert reset_types(client) == [expected]


def test_soft_off_escalates_to_force_off_after_the_grace_period() -> None:
    pw, client, clock = power(["On"] * 5 + ["PoweringOff", "Off", "Off"], interval=2.0)

    result = pw.soft_off(escalate_after=4.0)

    assert result.power_state is PowerState.OFF and result.changed
    assert reset_types(client) == ["GracefulShutdown", "ForceOff"]
    assert clock.now == 8.0  # 4 s of grace, then 2 polls after ForceOff


def test_soft_off_that_lands_at_the_escalation_point_sends_no_force_off() -> None:
    pw, client, _ = power(["On"] * 4 + ["Off", "Off"], interval=2.0)

    result = pw.soft_off(escalate_after=4.0)

    assert (result.power_state, result.changed) == (PowerState.OFF, True)
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
    docs = minimal_docs(allowed=None)
    docs[SYSTEM]["Actions"]["#ComputerSystem.Reset"]["@Redfish.ActionInfo"] = "/ai"
    docs["/ai"] = {"Parameters": [{"Name": "ResetType", "AllowableValues": ["PowerCycle"]}]}
    client = FakeClient(docs, power_script=["On", "On"])

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
