"""How the ``raid`` commands name a volume or a drive, through the CLI against the simulator:
the id ``raid show`` prints, the resource's URI (its ``@odata.id`` path or a full URL), the
URI's last segment, a volume's name or a drive's serial; a name that fits no volume, or
several, is a usage error (exit 2) naming them, and nothing is sent."""

from __future__ import annotations

import pytest
from cli_helpers import json_out
from raid_bench import STORAGE, VOLUMES, Bench

import hamnhw
from hamnhw.errors import ConfigError
from hamnhw.sim import DriveSpec

VOLUME = "RAIDController1/Volume1"
VOLUME_PATH = f"{VOLUMES}/Volume1"


def deletes(bench: Bench) -> list[str]:
    return [r.path for r in bench.server.requests if r.method == "DELETE"
            and r.path.startswith(VOLUMES)]


def test_delete_by_the_volume_uri_path_or_url(cluster) -> None:
    bench = cluster(raid1=True)
    plan = bench.ok("delete", VOLUME_PATH, "--dry-run")
    assert (plan["changed"], plan["volume_id"]) == (True, VOLUME)
    deleted = bench.ok("delete", f"{bench.server.http_url}{VOLUME_PATH}/", "--yes")
    assert (deleted["changed"], deleted["volume_id"]) == (True, VOLUME)
    assert deletes(bench) == [VOLUME_PATH] and bench.ok("show")["volumes"] == []


def test_delete_of_a_name_no_volume_has_is_exit_2_naming_the_volumes(cluster) -> None:
    bench = cluster(raid1=True)
    for typo in ("RAIDController1/Volume11", f"{VOLUMES}/Volume9", "Volume"):
        result = bench.cli("delete", typo, "--yes")
        error = json_out(result)["error"]
        assert (result.exit_code, error["type"]) == (2, "ConfigError"), typo
        assert f"no volume {typo!r}" in error["message"] and VOLUME in error["message"]
    assert deletes(bench) == []
    assert [v["id"] for v in bench.ok("show")["volumes"]] == [VOLUME]


def test_a_name_two_volumes_answer_to_is_ambiguous_not_the_first(cluster) -> None:
    """Volume2 is *named* "Volume1": "Volume1" names Volume1 by its URI and Volume2 by its
    name, so neither is picked."""
    bench = cluster(raid1=True)
    other = bench.ok("create", "--level", "0", "--drives", "Bay3,Bay4", "--name",
                     "Volume1")["volume_id"]
    result = bench.cli("delete", "Volume1", "--yes")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (2, "ConfigError")
    assert "ambiguous" in error["message"]
    assert VOLUME in error["message"] and other in error["message"]
    assert deletes(bench) == []
    assert bench.ok("delete", other, "--dry-run")["volume_id"] == other  # the full id works


def test_rebuild_takes_the_volume_and_drive_by_uri(cluster) -> None:
    bench = cluster(raid1=True)
    bench.server.fail_drive(bench.serial(1))
    bench.server.pull_drive(bench.serial(1))
    bench.server.insert_drive(DriveSpec(serial="NEWDISK1", bay="Bay 1"))
    plan = bench.ok("rebuild", VOLUME_PATH, "--drive", f"{STORAGE}/Drives/Bay1",
                    "--confirm-serial", "NEWDISK1", "--dry-run")
    assert (plan["changed"], plan["volume_id"], plan["drives"]) == (
        True, VOLUME, ["RAIDController1/Bay1"])


def test_missing_ok_makes_a_delete_of_a_gone_volume_unchanged(cluster) -> None:
    """The library's ``missing_ok`` (the Ansible module's ``state: absent``): a name no
    volume has sends nothing and reports unchanged; a name several have is still an error."""
    bench = cluster(raid1=True)
    bench.ok("create", "--level", "0", "--drives", "Bay3,Bay4", "--name", "Volume1")
    with hamnhw.connect(bench.server.url, "admin", bench.server.password) as node:
        gone = node.raid.delete("RAIDController1/Volume7", missing_ok=True)
        assert (gone.changed, gone.job) == (False, None)
        with pytest.raises(ConfigError, match="ambiguous"):
            node.raid.plan_delete("Volume1", missing_ok=True)
    assert deletes(bench) == []
