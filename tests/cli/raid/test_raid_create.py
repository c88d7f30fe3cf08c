"""Every ``hamnhw raid`` command through the CLI against the simulator: create in both
dialects and through the fallback, 201 and 202 answers, on-reset with and without --reboot,
idempotent and pending re-runs, refusals that send nothing, delete, and --dry-run."""

from __future__ import annotations

import pytest
from cli_helpers import json_out, run
from raid_bench import STORAGE, TB, VOLUMES, drives


def test_show_lists_capabilities_spares_unassigned_and_health(cluster) -> None:
    bench = cluster(raid1=True)
    payload = bench.ok("show")
    [controller] = payload["controllers"]
    assert controller["apply_times"] == ["Immediate", "OnReset"]
    assert (controller["volume_creation"], controller["raid_types"]) == (True, ["RAID0", "RAID1"])
    [volume] = payload["volumes"]
    assert volume["raid_health"]["state"] == "optimal"
    assert volume["write_cache_policy"] == "WriteThrough" and volume["spare_drive_ids"] == []
    assert payload["spares"] == [] and payload["foreign"] is None
    assert payload["unassigned"] == ["RAIDController1/Bay3", "RAIDController1/Bay4"]
    assert payload["incomplete"] is False


def test_show_text_names_the_unknowns(cluster) -> None:
    bench = cluster(raid1=True)
    text = run("raid", "show", bench.server.url, env=bench.env).stdout
    assert "RAID controllers" in text and "optimal" in text
    assert "foreign: unknown (the BMC does not tell)" in text


def test_create_raid_type_dialect_then_idempotent_rerun(cluster) -> None:
    bench = cluster()
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--name", "mn")
    assert (created["changed"], created["pending"], created["dry_run"]) == (True, False, False)
    assert created["volume"]["drives"] == ["RAIDController1/Bay1", "RAIDController1/Bay2"]
    assert created["job"]["kind"] == "completed"
    [body] = bench.writes()
    assert body == {"RAIDType": "RAID1", "CapacityBytes": TB, "Name": "mn",
                    "@Redfish.OperationApplyTime": "Immediate",
                    "Links": {"Drives": [{"@odata.id": f"{STORAGE}/Drives/Bay1"},
                                         {"@odata.id": f"{STORAGE}/Drives/Bay2"}]}}
    again = bench.ok("create", "--level", "1", "--drives", "Bay2,Bay1", "--name", "mn")
    assert (again["changed"], again["volume_id"]) == (False, created["volume_id"])
    assert len(bench.writes()) == 1


def test_create_volume_type_dialect_from_capabilities(cluster) -> None:
    bench = cluster(dialect="VolumeType")
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2")
    [body] = bench.writes()
    assert body["VolumeType"] == "Mirrored" and "RAIDType" not in body
    assert "VolumeCreation capabilities" in created["notes"][0]
    assert created["volume"]["raid_type"] == "RAID1"


def test_create_falls_back_once_when_the_dialect_is_refused_as_unknown(cluster) -> None:
    bench = cluster(dialect="RAIDType", capabilities=False)
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2")
    first, second = bench.writes()
    assert "VolumeType" in first and "RAIDType" not in first
    assert second["RAIDType"] == "RAID1" and "VolumeType" not in second
    assert [r.status for r in bench.server.requests if r.method == "POST"
            and r.path == VOLUMES] == [400, 201]
    assert any("VolumeType refused as unknown" in n for n in created["notes"])


def other_property_unknown(monkeypatch, bench) -> None:
    """The first create is a 400 ``PropertyUnknown`` naming ``Name``, not the dialect's
    property (the BMC took the level but not something else)."""
    from hamnhw.sim import raid_actions
    real = raid_actions.create
    answers = [raid_actions.bad("PropertyUnknown", "The property Name is not known.", "Name")]
    monkeypatch.setattr(raid_actions, "create",
                        lambda state, body: answers.pop() if answers else real(state, body))


def plain_400(monkeypatch, bench) -> None:
    """The first create is a 400 whose message names no property at all."""
    bench.server.inject("error_5xx", count=1, path=VOLUMES, method="POST", status=400)


def plain_500(monkeypatch, bench) -> None:
    bench.server.inject("error_5xx", count=1, path=VOLUMES, method="POST", status=500)


@pytest.mark.parametrize("refusal,error", [(other_property_unknown, "BadRequestError"),
                                           (plain_400, "BadRequestError"),
                                           (plain_500, "ServerSideError")])
def test_a_refusal_for_another_reason_is_not_resent(cluster, monkeypatch, refusal,
                                                    error: str) -> None:
    """Only a 400 naming the dialect's property as unknown earns the one fallback POST
    (review 8, item 4): another 400 (or a 5xx) ends the create, sent once; the fallback
    was there to send (the same BMC falls back in the test above)."""
    bench = cluster(dialect="RAIDType", capabilities=False)
    refusal(monkeypatch, bench)
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2")
    assert (result.exit_code, json_out(result)["error"]["type"]) == (1, error), result.output
    [body] = bench.writes()
    assert "VolumeType" in body and bench.ok("show")["volumes"] == []


def test_create_answered_202_follows_the_task_to_the_end(cluster) -> None:
    bench = cluster(create_answer="task", task_seconds=20.0)
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2")
    assert (created["job"]["kind"], created["job"]["state"]) == ("task", "completed")
    monitor_reads = [r for r in bench.server.requests if "TaskMonitors" in r.path]
    assert len(monitor_reads) >= 2
    assert created["volume"]["raid_type"] == "RAID1"


def test_on_reset_create_is_pending_and_a_rerun_says_so(cluster) -> None:
    bench = cluster()
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2",
                       "--apply-time", "on-reset")
    assert (created["pending"], created["apply_time"], created["job"]["state"]) == (
        True, "on-reset", "pending")
    assert bench.writes()[0]["@Redfish.OperationApplyTime"] == "OnReset"
    assert not bench.writes("POST", "/redfish/v1/Systems/1/Actions")
    again = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2",
                     "--apply-time", "on-reset")
    assert (again["changed"], again["pending"]) == (False, True)
    assert len(bench.writes()) == 1
    assert bench.ok("show")["volumes"] == []


@pytest.mark.parametrize("power", ["On", "Off"])
def test_on_reset_create_with_reboot_applies_and_shows_the_volume(cluster, power: str) -> None:
    bench = cluster(power=power)
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2",
                       "--apply-time", "on-reset", "--reboot")
    assert (created["pending"], created["job"]["state"]) == (False, "completed")
    assert created["volume"]["drives"] == ["RAIDController1/Bay1", "RAIDController1/Bay2"]
    resets = bench.writes("POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset")
    assert resets == [{"ResetType": "PowerCycle" if power == "On" else "On"}]


def test_a_pending_create_rerun_with_reboot_resets_and_waits(cluster) -> None:
    bench = cluster()
    bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--apply-time", "on-reset")
    applied = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2",
                       "--apply-time", "on-reset", "--reboot")
    assert applied["pending"] is False and applied["volume"]["raid_type"] == "RAID1"
    assert len(bench.writes()) == 1


def test_reboot_without_on_reset_is_a_usage_error(cluster) -> None:
    bench = cluster()
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2", "--reboot")
    assert result.exit_code == 2 and bench.server.requests == []


def test_a_bmc_that_only_stages_refuses_an_immediate_create(cluster) -> None:
    bench = cluster(apply_times=("OnReset",))
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation")
    assert "--apply-time on-reset" in error["message"] and bench.writes() == []


def test_on_reset_refused_where_the_bmc_advertises_no_apply_time(cluster) -> None:
    bench = cluster(apply_times=None)
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2",
                       "--apply-time", "on-reset")
    assert result.exit_code == 1 and bench.writes() == []
    assert "OperationApplyTimeSupport" in json_out(result)["error"]["message"]


REFUSALS = {
    "member": ({"raid1": True}, ["--drives", "Bay2,Bay3"], "is a member of volume"),
    "failed": ({"failed": 3}, ["--drives", "Bay3,Bay4"], "is not healthy"),
    "spare": ({"spare": 3}, ["--drives", "Bay3,Bay4"], "global hot spare"),
    "mixed": ({"disks": drives("node", overrides={2: {"protocol": "SATA", "media": "SSD"}})},
              ["--drives", "Bay1,Bay2"], "mixed protocol"),
    "too big": ({}, ["--drives", "Bay1,Bay2", "--size", str(2 * TB)], "larger than"),
    "level": ({}, ["--drives", "Bay1,Bay2,Bay3", "--level", "5"], "does not list RAID5"),
    "one drive": ({}, ["--drives", "Bay1"], "needs at least 2 drives"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_validation_refuses_before_sending_anything(cluster, case: str) -> None:
    setup, args, reason = REFUSALS[case]
    setup = dict(setup)
    failed, spare = setup.pop("failed", None), setup.pop("spare", None)
    bench = cluster(**setup)
    if failed:
        bench.server.fail_drive(bench.serial(failed))
    if spare:
        bench.server.set_hotspare(bench.serial(spare))
    level = [] if "--level" in args else ["--level", "1"]
    result = bench.cli("create", *level, *args)
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), error
    assert reason in error["message"]
    assert [r for r in bench.server.requests if r.method in ("POST", "PATCH", "DELETE")
            and "Session" not in r.path] == []


@pytest.mark.parametrize("args", [["--drives", "Bay9,Bay1"], ["--drives", "Bay1,Bay1"],
                                  ["--drives", "Bay1,Bay2", "--level", "7"]])
def test_usage_errors_exit_2_and_send_nothing(cluster, args: list[str]) -> None:
    bench = cluster()
    level = [] if "--level" in args else ["--level", "1"]
    result = bench.cli("create", *level, *args)
    assert result.exit_code == 2, result.output
    assert bench.writes() == []


def test_dry_run_prints_the_request_and_sends_nothing(cluster) -> None:
    bench = cluster()
    plan = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--dry-run",
                    "--write-cache", "ProtectedWriteBack")
    assert (plan["dry_run"], plan["changed"], plan["job"]) == (True, True, None)
    [request] = plan["requests"]
    assert (request["method"], request["path"]) == ("POST", VOLUMES)
    assert request["body"]["WriteCachePolicy"] == "ProtectedWriteBack"
    assert bench.writes() == []
    text = run("raid", "create", bench.server.url, "--level", "1", "--drives", "Bay1,Bay2",
               "--dry-run", env=bench.env).stdout
    assert "dry run: nothing sent" in text and f"would send: POST {VOLUMES}" in text


def test_delete_needs_yes_and_deletes_only_that_volume(cluster) -> None:
    bench = cluster(raid1=True)
    keep = bench.ok("create", "--level", "0", "--drives", "Bay3,Bay4")["volume_id"]
    gone = next(v["id"] for v in bench.ok("show")["volumes"] if v["id"] != keep)
    refused = bench.cli("delete", gone)
    assert refused.exit_code == 2 and bench.writes("DELETE", VOLUMES) == []
    plan = bench.ok("delete", gone, "--dry-run")
    assert plan["requests"][0]["method"] == "DELETE" and bench.writes("DELETE", VOLUMES) == []
    deleted = bench.ok("delete", gone, "--yes")
    assert deleted["changed"] is True
    assert [r.path for r in bench.server.requests if r.method == "DELETE"
            and r.path.startswith(VOLUMES)] == [f"{STORAGE}/Volumes/{gone.split('/')[-1]}"]
    assert [v["id"] for v in bench.ok("show")["volumes"]] == [keep]
    again = bench.cli("delete", gone, "--yes")
    error = json_out(again)["error"]
    assert (again.exit_code, error["type"]) == (2, "ConfigError")
    assert f"no volume {gone!r}" in error["message"] and keep in error["message"]
    assert len(bench.writes("DELETE", VOLUMES)) == 1


def test_delete_answered_202_follows_the_task_then_confirms(cluster) -> None:
    bench = cluster(raid1=True, create_answer="task", task_seconds=30.0)
    deleted = bench.ok("delete", "RAIDController1/Volume1", "--yes")
    assert (deleted["changed"], deleted["job"]["kind"], deleted["job"]["state"]) == (
        True, "task", "completed")
    assert bench.ok("show")["volumes"] == []


def test_generic_redfish_cannot_tell_foreign_drives_nor_import_them(cluster) -> None:
    import hamnhw
    from hamnhw.errors import UnsupportedOperation

    bench = cluster(raid1=True)
    with hamnhw.connect(bench.server.url, "admin", bench.server.password) as node:
        assert node.raid.foreign() is None
        with pytest.raises(UnsupportedOperation, match="import a foreign RAID configuration"):
            node.raid.import_foreign()


def test_import_foreign_dry_run_meets_the_unsupported_import_as_the_real_run(cluster) -> None:
    """Review: on generic Redfish the dry run exited 0 ("foreign drives: unknown / dry run:
    nothing sent") while the real run exits 1 (no import action): it predicts the error."""
    bench = cluster(raid1=True)
    real = bench.cli("import-foreign")
    dry = bench.cli("import-foreign", "--dry-run")
    assert (real.exit_code, dry.exit_code) == (1, 1), dry.output
    assert json_out(dry) == json_out(real)
    assert json_out(dry)["error"]["type"] == "UnsupportedOperation"
    text = run("raid", "import-foreign", bench.server.url, "--dry-run", env=bench.env)
    assert text.exit_code == 1
    assert "driver 'generic' does not support raid.import_foreign" in text.output
    assert [r for r in bench.server.requests if r.method in ("POST", "PATCH", "DELETE")
            and "Session" not in r.path] == []
