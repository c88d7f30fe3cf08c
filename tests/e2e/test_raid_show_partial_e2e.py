"""``hamnhw raid show`` over a partial read (review of issue 10, item 4): a RAID1 member the
BMC would not serve is unknown, not an optimal mirror, and ``--check`` fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

LOST = "/redfish/v1/Systems/1/Storage/RAIDController1/Drives/Bay2"


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="plain", power="On")]) as cluster:
        yield cluster["plain"]


def raid_show(server: SimServer, *args: str) -> tuple[int, dict[str, Any]]:
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", "raid", "show", *args, server.url], env=env,
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_member_not_read_is_unknown_and_check_fails(server: SimServer) -> None:
    server.inject("error_5xx", path=LOST, status=404)
    try:
        code, out = raid_show(server)
        checked_code, checked = raid_show(server, "--check")
    finally:
        server.clear_faults()
    assert code == 0 and out["incomplete"] is True
    assert any(LOST in w for w in out["warnings"])
    [volume] = out["volumes"]
    assert volume["drives"] == ["RAIDController1/Bay1", "RAIDController1/Bay2"]
    assert [d["id"] for d in out["drives"]] == ["RAIDController1/Bay1"]
    assert volume["raid_health"]["state"] == "unknown"
    assert "RAIDController1/Bay2 not read" in volume["raid_health"]["reason"]
    assert checked_code == 5
    assert (checked["check"]["ok"], checked["check"]["state"]) == (False, "unknown")
    assert "incomplete read" in checked["check"]["reason"]


def test_a_whole_read_is_optimal_and_check_passes(server: SimServer) -> None:
    code, out = raid_show(server, "--check")
    assert (code, out["incomplete"], out["check"]["state"]) == (0, False, "optimal")
    assert out["volumes"][0]["raid_health"]["state"] == "optimal"
