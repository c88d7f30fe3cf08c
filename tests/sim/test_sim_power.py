"""Power transitions, boot progress, boot override, PATCH validation and task monitors."""

from __future__ import annotations

import pytest
from simclient import RESET, SYSTEM, Bmc

from hamnhw.sim import RESET_TYPES, ServerSpec


@pytest.fixture
def slow(start_cluster):
    """A server spending 10 s in PoweringOn/PoweringOff, POST 3 s, OS up 6 s after On."""
    spec = ServerSpec(name="slow", power_delay=10.0, post_time=3.0, boot_time=6.0)
    server = start_cluster(spec)["slow"]
    client = Bmc(server)
    yield server, client
    client.close()


def state(client: Bmc) -> tuple[str, str]:
    system = client.system()
    return system["PowerState"], system["BootProgress"]["LastState"]


def test_power_on_goes_through_powering_on_and_boot_progress(slow, clock):
    server, client = slow
    assert state(client) == ("Off", "None")
    assert client.reset("On").status_code == 204
    assert state(client) == ("PoweringOn", "None")
    clock.advance(9.9)
    assert state(client) == ("PoweringOn", "None")
    clock.advance(0.1)
    assert state(client) == ("On", "SystemHardwareInitializationComplete")
    clock.advance(3.0)
    assert state(client) == ("On", "OSBootStarted")
    clock.advance(3.0)
    assert state(client) == ("On", "OSRunning")
    assert server.power_state == "On"
    assert server.boot_progress == "OSRunning"


def test_force_off_goes_through_powering_off(slow, clock):
    server, client = slow
    server.set_power("On")
    assert client.reset("ForceOff").status_code == 204
    assert state(client)[0] == "PoweringOff"
    clock.advance(10)
    assert state(client) == ("Off", "None")


def test_power_cycle_when_off_is_a_conflict_with_extended_info(bmc):
    response = bmc.reset("PowerCycle")
    assert response.status_code == 409
    info = response.json()["error"]["@Message.ExtendedInfo"]
    assert "PowerCycle" in info[0]["Message"]
    assert bmc.system()["PowerState"] == "Off"


def test_on_when_on_is_a_conflict(bmc, primary):
    primary.set_power("On")
    assert bmc.reset("On").status_code == 409


def test_power_cycle_reboots(slow, clock):
    server, client = slow
    server.set_power("On")
    assert client.reset("PowerCycle").status_code == 204
    assert state(client)[0] == "PoweringOff"
    clock.advance(10)
    assert state(client)[0] == "PoweringOn"
    clock.advance(10)
    assert state(client) == ("On", "SystemHardwareInitializationComplete")


def test_reset_validation(bmc):
    actions = bmc.system()["Actions"]["#ComputerSystem.Reset"]
    assert actions["target"] == RESET
    assert actions["ResetType@Redfish.AllowableValues"] == list(RESET_TYPES)
    assert bmc.post(RESET, {"ResetType": "Nmi"}).status_code == 400
    assert bmc.post(RESET, {}).status_code == 400
    assert bmc.request("POST", RESET, data=b"{not json").status_code == 400


def test_one_time_boot_override_clears_after_next_boot(bmc, primary):
    response = bmc.patch(SYSTEM, {"Boot": {"BootSourceOverrideTarget": "Pxe",
                                           "BootSourceOverrideEnabled": "Once"}})
    assert response.status_code == 200
    boot = bmc.system()["Boot"]
    assert (boot["BootSourceOverrideTarget"], boot["BootSourceOverrideEnabled"]) == ("Pxe", "Once")
    assert "Pxe" in boot["BootSourceOverrideTarget@Redfish.AllowableValues"]
    bmc.reset("On")
    boot = bmc.system()["Boot"]
    assert boot["BootSourceOverrideEnabled"] == "Disabled"


def test_continuous_override_survives_boot(bmc):
    bmc.patch(SYSTEM, {"Boot": {"BootSourceOverrideTarget": "Hdd",
                                "BootSourceOverrideEnabled": "Continuous"}})
    bmc.reset("On")
    boot = bmc.system()["Boot"]
    assert (boot["BootSourceOverrideTarget"], boot["BootSourceOverrideEnabled"]) == (
        "Hdd", "Continuous")


def test_bios_setup_override_enters_setup(bmc, primary, clock):
    bmc.patch(SYSTEM, {"Boot": {"BootSourceOverrideTarget": "BiosSetup",
                                "BootSourceOverrideEnabled": "Once"}})
    bmc.reset("On")
    clock.advance(60)
    assert primary.boot_progress == "SetupEntered"


@pytest.mark.parametrize("body", [
    {"PowerRestorePolicy": "Sometimes"},
    {"LocationIndicatorActive": "yes"},
    {"LocationIndicatorActive": 1},
    {"Boot": {"BootSourceOverrideTarget": "Floppy"}},
    {"Boot": {"Unknown": "x"}},
    {"PowerState": "On"},
    {"NoSuchProperty": 1},
])
def test_bad_patch_is_refused_and_changes_nothing(bmc, body):
    before = bmc.system()
    response = bmc.patch(SYSTEM, body)
    assert response.status_code == 400
    assert response.json()["error"]["@Message.ExtendedInfo"][0]["MessageId"]
    after = bmc.system()
    for key in ("PowerRestorePolicy", "LocationIndicatorActive", "Boot", "PowerState"):
        assert after[key] == before[key]


def test_patch_restore_policy_and_led(bmc):
    response = bmc.patch(SYSTEM, {"PowerRestorePolicy": "LastState",
                                  "LocationIndicatorActive": True})
    assert response.status_code == 200
    system = bmc.system()
    assert system["PowerRestorePolicy"] == "LastState"
    assert system["LocationIndicatorActive"] is True


def test_reset_as_task_monitor(start_cluster, clock):
    spec = ServerSpec(name="async", power_delay=5.0, reset_async=True)
    client = Bmc(start_cluster(spec)["async"])
    response = client.reset("On")
    assert response.status_code == 202
    monitor = response.headers["Location"]
    assert response.headers["Retry-After"] == "1"
    assert response.json()["TaskState"] == "Running"
    assert client.get(monitor).status_code == 202
    clock.advance(5)
    assert client.get(monitor).status_code == 204
    task = client.get("/redfish/v1/TaskService/Tasks/1").json()
    assert task["TaskState"] == "Completed"


def test_wrong_method_and_unknown_path(bmc):
    assert bmc.delete(SYSTEM).status_code == 405
    assert bmc.post("/redfish/v1/Managers/BMC", {}).status_code == 405
    assert bmc.get("/redfish/v1/Systems/2").status_code == 404
    assert bmc.patch("/redfish/v1/Nowhere", {"a": 1}).status_code == 404


def test_force_off_allowed_while_powering_on_but_nothing_while_powering_off(slow, clock):
    _, client = slow
    client.reset("On")
    assert client.reset("ForceOff").status_code == 204
    assert state(client)[0] == "PoweringOff"
    assert client.reset("On").status_code == 409
    assert client.reset("ForceOff").status_code == 409
    clock.advance(10)
    assert state(client)[0] == "Off"


def test_late_read_applies_each_step_at_its_own_time(start_cluster, clock):
    """A flap with delays, read long after: the host is On and booted since the right time."""
    spec = ServerSpec(name="late", power="On", power_delay=2, post_time=1, boot_time=100)
    server = start_cluster(spec)["late"]
    server.inject("power_flap", after=5, count=1)
    assert Bmc(server).reset("GracefulShutdown").status_code == 204
    # Off at t+2, PoweringOn at t+7, On at t+9; 50 s later it has been up 41 s.
    clock.advance(50)
    assert server.power_state == "On"
    assert server.boot_progress == "OSBootStarted"
    clock.advance(58)
    assert server.boot_progress == "OSBootStarted"
    clock.advance(1)
    assert server.boot_progress == "OSRunning"
