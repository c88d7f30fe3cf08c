"""The modules' writes and check mode, each module's ``main()`` run in this process (as
Ansible would run it, ``_ansible_check_mode`` included) against simulated BMCs on loopback:
check mode sends no write for every state of power and raid, ``changed`` is truthful for
the reads (power status, pair_check), boot honours ``persistent``, and raid enforces the
pair protection through ``confirm_serials``/``confirm_node`` (review of issue 15, item 6).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from ansiblerun import REPO, run_module

pytest.importorskip("ansible", reason="ansible-core is a test dependency (make venv)")

from hamnhw import pair
from hamnhw.config import load_config
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim.forward import TcpForwarder

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from ansible_collections.hamnhw.bmc.plugins.modules import boot, pair_check, power, raid

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

UNSAFE = {"POST", "PATCH", "PUT", "DELETE"}
PW_ENV = "T_WRITES_PW"


def four_drives(name: str) -> tuple[DriveSpec, ...]:
    return tuple(DriveSpec(serial=f"{name.upper()}-SN{i}", bay=f"Bay {i}") for i in range(1, 5))


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    """``w``: a RAID1 over bays 1-2 and two free drives; the pair: ``primary`` (its RAID1
    recorded by a pair snapshot, active in the journal) and ``standby``."""
    specs = [ServerSpec(name="w", power="On", drives=four_drives("w")),
             ServerSpec(name="primary", power="On", drives=four_drives("primary"),
                        post_time=0.0),
             ServerSpec(name="standby", drives=(), raid1=False),
             ServerSpec(name="r", power="On")]
    with SimCluster(specs) as cluster:
        yield cluster


def volume_of(sim: SimCluster, server: SimServer) -> str:
    """The id of the volume over ``server``'s drives, as the BMC lists it."""
    found = sim.bays.volumes_on({d.serial for d in server.drives})
    assert len(found) == 1, found
    return f"RAIDController1/{found[0].id}"


def writes(server: SimServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests
            if r.method in UNSAFE and "/SessionService/" not in r.path]


def on(server: SimServer, **args: Any) -> dict[str, Any]:
    """Module arguments addressing ``server`` by URL."""
    return {"bmc": server.url, "username": server.username, "password": server.password,
            **args}


@pytest.fixture
def w(sim: SimCluster) -> SimServer:
    server = sim["w"]
    server.clear_requests()
    return server


@pytest.mark.parametrize(("state", "power_now", "would"), [
    ("on", "Off", "On"), ("off", "On", "ForceOff"), ("soft_off", "On", "GracefulShutdown"),
    ("cycle", "On", None)])
def test_power_check_mode_sends_nothing_for_every_state(
        w: SimServer, capsys: pytest.CaptureFixture[str], state: str, power_now: str,
        would: str | None) -> None:
    w.set_power(power_now)
    w.clear_requests()
    result = run_module(power, on(w, state=state, _ansible_check_mode=True), capsys)
    assert result["changed"] is True, result
    assert result["plan"]["operation"] == f"power.{state}"
    if would is not None:
        assert would in result["plan"]["summary"]
    assert writes(w) == [] and w.power_state == power_now
    w.set_power("On")


def test_power_status_reports_no_change(w: SimServer, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    result = run_module(power, on(w, state="status"), capsys)
    assert (result["changed"], result["power_state"]) == (False, "on")
    assert writes(w) == []


def test_check_mode_says_already_off_only_after_two_reads(
        w: SimServer, capsys: pytest.CaptureFixture[str]) -> None:
    """Off is believed after two reads, by the plan as by the write."""
    w.set_power("Off")
    w.clear_requests()
    result = run_module(power, on(w, state="off", _ansible_check_mode=True), capsys)
    assert (result["changed"], result["plan"]["summary"]) == (False, "already off")
    reads = [r for r in w.requests if r.method == "GET" and r.path == "/redfish/v1/Systems/1"]
    assert len(reads) >= 2
    w.set_power("On")


@pytest.mark.parametrize(("args", "operation"), [
    ({"state": "absent"}, "delete"),
    ({"state": "spare", "drive": "RAIDController1/Bay3"}, "spare"),
    ({"state": "rebuild", "drive": "RAIDController1/Bay4", "confirm_serial": "W-SN4"},
     "rebuild"),
])
def test_raid_check_mode_sends_nothing_for_every_state(
        sim: SimCluster, w: SimServer, capsys: pytest.CaptureFixture[str],
        args: dict[str, Any], operation: str) -> None:
    if args["state"] != "spare":
        args = {**args, "volume": volume_of(sim, w)}
    if operation == "rebuild":
        w.fail_drive("W-SN2")
        w.clear_requests()
    result = run_module(raid, on(w, _ansible_check_mode=True, **args), capsys)
    assert result.get("failed") is not True, result
    assert (result["operation"], result["changed"]) == (operation, True)
    assert result["requests"], result
    assert writes(w) == []


def test_raid_present_over_a_volume_of_another_name_warns(
        sim: SimCluster, capsys: pytest.CaptureFixture[str]) -> None:
    """The volume over those drives is there: nothing sent, but the name and size asked
    for and not found are said (review 15 item 8)."""
    server = sim["r"]
    server.clear_requests()
    result = run_module(raid, on(server, drives=["RAIDController1/Bay1", "RAIDController1/Bay2"],
                                 name="not-its-name", size_bytes=12345), capsys)
    assert result.get("failed") is not True, result
    assert result["changed"] is False and writes(server) == []
    warnings = json.dumps(result["warnings"])
    assert "not 'not-its-name': left as it is" in warnings
    assert "not the 12345 asked for: left as it is" in warnings


def test_raid_errors_name_the_module_options(sim: SimCluster, w: SimServer,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The library's refusal names ``--confirm-serial``; the task's, ``confirm_serial``."""
    result = run_module(raid, on(w, state="rebuild", volume=volume_of(sim, w),
                                 drive="RAIDController1/Bay4", confirm_serial="NOT-IT"), capsys)
    assert result["failed"] is True and result["error"]["exit_code_name"] == "USAGE"
    assert result["msg"].endswith("confirm_serial 'NOT-IT' is not the serial of drive "
                                  "RAIDController1/Bay4 (see `hamnhw raid show`)")
    assert "--" not in result["msg"] and writes(w) == []


def test_boot_honours_persistent(w: SimServer, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_module(boot, on(w, target="pxe", persistent=True), capsys)
    assert (result["changed"], result["boot_override"]) == (True, "Pxe/Continuous")
    assert (w.state.boot_target, w.state.boot_enabled) == ("Pxe", "Continuous")
    once = run_module(boot, on(w, target="pxe"), capsys)
    assert (once["changed"], once["boot_override"]) == (True, "Pxe/Once")
    assert w.state.boot_enabled == "Once"


@pytest.fixture(scope="module")
def pair_config(sim: SimCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pair's config, a snapshot of its RAID1 taken, the primary active."""
    root = tmp_path_factory.mktemp("pair")
    text = [f'[pair]\nname = "mn"\njournal_dir = "{root / "journal"}"\n']
    text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
             for n in ("primary", "standby")]
    path = root / "hamnhw.toml"
    path.write_text("\n".join(text))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PW_ENV, sim["primary"].password)
        config = load_config(str(path))
        take_snapshot(config)
        with pair.open_journal(config) as journal:
            journal.set_active_node("primary", "test")
        yield str(path)


def test_raid_check_mode_fails_as_the_protected_run_would(
        sim: SimCluster, pair_config: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Check mode predicts the real task: without the confirmations it fails as the real run
    does (USAGE, naming the module's options), nothing sent; with them it passes."""
    primary = sim["primary"]
    monkeypatch.setenv(PW_ENV, primary.password)
    primary.clear_requests()
    args = {"node": "primary", "config": pair_config, "state": "absent",
            "volume": volume_of(sim, primary), "_ansible_check_mode": True}
    bare = run_module(raid, args, capsys)
    assert bare.get("failed") is True, bare
    assert bare["error"]["exit_code_name"] == "USAGE" and "confirm_node primary" in bare["msg"]
    ready = run_module(raid, {**args, "confirm_serials": ["PRIMARY-SN1", "PRIMARY-SN2"],
                              "confirm_node": "primary"}, capsys)
    assert ready.get("failed") is not True, ready
    assert ready["protection"]["protected"] is True and ready["protection"]["refused"] is None
    assert writes(primary) == []


def test_raid_enforces_the_pair_protection(sim: SimCluster, pair_config: str,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting the pair's recorded RAID1 on the active node needs both serials and the
    node's name, named as the module's options; with them it runs."""
    primary = sim["primary"]
    monkeypatch.setenv(PW_ENV, primary.password)
    primary.clear_requests()
    args = {"node": "primary", "config": pair_config, "state": "absent",
            "volume": volume_of(sim, primary)}
    bare = run_module(raid, args, capsys)
    assert bare.get("failed") is True, bare
    assert bare["error"]["exit_code_name"] == "USAGE"
    assert "confirm_serials" in bare["msg"] and "confirm_node primary" in bare["msg"]
    assert "--confirm" not in bare["msg"]
    serials = ["PRIMARY-SN1", "PRIMARY-SN2"]
    no_name = run_module(raid, {**args, "confirm_serials": serials}, capsys)
    assert no_name["failed"] is True and writes(primary) == []
    done = run_module(raid, {**args, "confirm_serials": serials, "confirm_node": "primary"},
                      capsys)
    assert done.get("failed") is not True, done
    assert done["changed"] is True and done["protection"]["node"] == "primary"
    assert [m for m, _ in writes(primary)] == ["DELETE"]


def test_pair_check_reports_no_change(sim: SimCluster, pair_config: str,
                                      capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A read only: ``changed`` false whether the checks pass or fail."""
    monkeypatch.setenv(PW_ENV, sim["primary"].password)
    result = run_module(pair_check, {"config": pair_config, "timeout": 60}, capsys)
    assert result["changed"] is False
    assert result["failed_checks"] == [c["name"] for c in result["checks"]
                                       if c["status"] == "fail"]


def test_power_on_of_the_old_node_fails_once_its_disks_were_said_moved(
        sim: SimCluster, tmp_path: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: "ensure the MN nodes are on" during a failover must not start the old node
    after its disks moved: the module applies the CLI's run guard (by node name and by a BMC
    URL spelt another way), fails with changed false and sends nothing."""
    primary = sim["primary"]
    text = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
    text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
             for n in ("primary", "standby")]
    path = tmp_path / "hamnhw.toml"
    path.write_text("\n".join(text))
    monkeypatch.setenv(PW_ENV, primary.password)
    take_snapshot(load_config(str(path)))  # records the old node's System serial
    with pair.open_journal(load_config(str(path))) as journal:
        run = journal.create_run("failover", "primary", "standby", {}, state="awaiting_disks")
        journal.update_facts(run, {"disks_moved_by": "test"})
    primary.set_power("Off")
    primary.clear_requests()
    try:
        for target in ({"node": "primary"}, on(primary, bmc=primary.url + "/")):
            for state in ("on", "cycle"):
                result = run_module(power, {**target, "config": str(path), "state": state},
                                    capsys)
                assert result.get("failed") is True and result["changed"] is False, result
                assert "disks were said moved" in result["msg"], result
        with TcpForwarder(("127.0.0.1", primary.port)) as forwarder:  # an unknown address
            elsewhere = primary.url.rsplit(":", 1)[0] + f":{forwarder.port}"
            for state, check in (("on", False), ("cycle", False), ("on", True)):
                result = run_module(power, {**on(primary, bmc=elsewhere), "config": str(path),
                                            "state": state, "_ansible_check_mode": check},
                                    capsys)
                assert result.get("failed") is True and result["changed"] is False, result
                assert "System serial" in result["msg"], result
        assert writes(primary) == [] and primary.power_state == "Off"
        off = run_module(power, {"node": "primary", "config": str(path), "state": "off",
                                 "confirm_node": "primary"}, capsys)  # possibly the MN
        assert off.get("failed") is not True, off
    finally:
        primary.set_power("On")


def test_power_stops_the_active_mn_only_with_its_name_typed(
        sim: SimCluster, pair_config: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: off, soft_off and cycle of the pair's active MN (the journal's: primary),
    however addressed, apply the CLI's rule (``hamnhw power off primary`` needs --yes): the
    task fails with changed false and sends nothing, in check mode too, unless its name is
    typed in ``confirm_node``; the standby is a plain node."""
    primary = sim["primary"]
    monkeypatch.setenv(PW_ENV, primary.password)
    primary.set_power("On")
    primary.clear_requests()
    by_name = {"node": "primary", "config": pair_config}
    by_url = on(primary, bmc=primary.url + "/", config=pair_config)
    try:
        for target in (by_name, by_url):
            for state in ("off", "soft_off", "cycle"):
                for check in (False, True):
                    result = run_module(power, {**target, "state": state,
                                                "_ansible_check_mode": check}, capsys)
                    assert result.get("failed") is True and result["changed"] is False, result
                    assert result["error"]["exit_code_name"] == "USAGE"
                    assert "is the pair's active MN (failover journal): type its name with " \
                           "confirm_node primary" in result["msg"], result["msg"]
        wrong = run_module(power, {**by_name, "state": "off", "confirm_node": "standby"},
                           capsys)
        assert wrong.get("failed") is True and writes(primary) == []
        assert primary.power_state == "On"
        done = run_module(power, {**by_name, "state": "off", "confirm_node": "primary"},
                          capsys)
        assert done.get("failed") is not True and done["changed"] is True, done
        assert primary.power_state == "Off"
        standby = run_module(power, {"node": "standby", "config": pair_config,
                                     "state": "off"}, capsys)
        assert standby.get("failed") is not True, standby
    finally:
        primary.set_power("On")
