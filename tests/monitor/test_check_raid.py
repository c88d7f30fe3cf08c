"""``hamnhw check raid`` through the CLI against the simulator: plugin status, exit code,
perfdata, and hamnhw's own exit codes without ``--format nagios``."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from cli_helpers import run
from monitor_helpers import PASSWORD, assert_no_secret, specs

from hamnhw.models import Health, RaidType, Volume
from hamnhw.monitor.checks import judge_raid, plugin_output, raid_perfdata
from hamnhw.monitor.health import DriveHealth, RaidHealth, VolumeReading
from hamnhw.monitor.nagios import PerfDatum, Status, worst
from hamnhw.raid import VolumeState
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

_NUMBER = r"-?\d+(?:\.\d+)?"
PERF = re.compile(rf"^(?P<label>'[^']+'|[^ =']+)=(?:(?P<value>{_NUMBER})(?P<uom>s|%|B|c)?|"
                  rf"(?P<undetermined>U))(;(?:{_NUMBER})?){{0,4}}$")
"""The guidelines' grammar: a number with its unit, or a bare ``U`` (Icinga 2 refuses
``U%``); numbers never end in ``.``."""


def perfdata(line: str) -> dict[str, str]:
    """Labels and values after ``|``, each checked against the guidelines' grammar."""
    assert " | " in line, line
    found = {}
    for item in line.split(" | ", 1)[1].split():
        match = PERF.match(item)
        assert match, f"not plugin perfdata: {item!r}"
        found[match["label"]] = match["value"] or match["undetermined"]
    return found


def nagios(primary: SimServer, env: dict[str, str], *extra: str) -> tuple[int, list[str]]:
    result = run("check", "raid", primary.url, "--format", "nagios", *extra, env=env)
    assert_no_secret(result.stdout, result.stderr)
    return result.exit_code, result.stdout.splitlines()


def test_optimal_is_ok_with_perfdata(primary: SimServer, cli_env: dict[str, str]) -> None:
    code, lines = nagios(primary, cli_env)
    assert code == 0
    assert lines[0].startswith("RAID OK - ")
    perf = perfdata(lines[0])
    assert perf["degraded"] == "0" and perf["drives"] == "2" and perf["rebuild"] == "U"
    assert float(perf["time"]) > 0
    assert any("optimal" in line for line in lines[1:])


def test_injected_drive_failure_is_warning(cluster: SimCluster, primary: SimServer,
                                           cli_env: dict[str, str]) -> None:
    cluster.pull_drive(primary.drives[1].serial, "primary")
    code, lines = nagios(primary, cli_env)
    assert code == 1, lines
    assert lines[0].startswith("RAID WARNING - ") and "degraded" in lines[0]
    perf = perfdata(lines[0])
    assert perf["degraded"] == "1" and perf["drives"] == "1"


def test_rebuild_percent_in_perfdata(cluster: SimCluster, primary: SimServer,
                                     cli_env: dict[str, str]) -> None:
    cluster.bays.volumes[0].operation = ("Rebuilding", 40)
    code, lines = nagios(primary, cli_env)
    assert code == 1
    assert "rebuilding 40%" in lines[0]
    assert perfdata(lines[0])["rebuild"] == "40"


def test_unreachable_bmc_is_critical(cli_env: dict[str, str]) -> None:
    result = run("check", "raid", "redfish+http://127.0.0.1:9", "--format", "nagios",
                 "--timeout", "5", env=cli_env)
    assert result.exit_code == 2
    assert result.stdout.startswith("RAID CRITICAL - ")


def test_bmc_that_answers_too_late_is_critical(primary: SimServer,
                                               cli_env: dict[str, str]) -> None:
    """A BMC that takes the connection but never answers (BmcTimeout) is CRITICAL: the
    guidelines count a timeout talking to the device like a socket error, not UNKNOWN."""
    primary.inject("hang", method="GET", path="/redfish/v1/Systems")
    code, lines = nagios(primary, cli_env, "--timeout", "3")
    assert code == 2 and lines[0].startswith("RAID CRITICAL - "), lines
    assert "deadline exceeded" in lines[0], lines


def test_wrong_password_is_critical(primary: SimServer, cli_env: dict[str, str]) -> None:
    env = dict(cli_env, HAMNHW_PASSWORD="not-the-password")
    code, lines = nagios(primary, env)
    assert code == 2 and lines[0].startswith("RAID CRITICAL - ")


def test_bmc_that_cannot_tell_is_unknown(cli_env: dict[str, str]) -> None:
    spec = ServerSpec(name="blind", storage_view="simple_storage", password=PASSWORD)
    with SimCluster([spec]) as sim:
        code, lines = nagios(sim["blind"], cli_env)
    assert code == 3 and lines[0].startswith("RAID UNKNOWN - ")
    assert "did not tell" in lines[0]


def test_usage_error_is_unknown(cli_env: dict[str, str]) -> None:
    result = run("check", "raid", "--format", "nagios", env=cli_env)
    assert result.exit_code == 3
    assert result.stdout.startswith("RAID UNKNOWN - usage")


def test_several_nodes_give_the_worst(cluster: SimCluster, cli_env: dict[str, str]) -> None:
    primary, standby = cluster["primary"], cluster["standby"]
    cluster.pull_drive(primary.drives[0].serial, "primary")
    result = run("check", "raid", primary.url, standby.url, "redfish+http://127.0.0.1:9",
                 "--format", "nagios", "--timeout", "10", env=cli_env)
    assert result.exit_code == 2
    first = result.stdout.splitlines()[0]
    assert first.startswith("RAID CRITICAL - ")
    labels = perfdata(first)
    assert any(label.endswith("_degraded") for label in labels)


def test_without_nagios_format_hamnhw_exit_codes(cluster: SimCluster, primary: SimServer,
                                                 cli_env: dict[str, str]) -> None:
    result = run("--json", "check", "raid", primary.url, env=cli_env)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "OK"
    cluster.pull_drive(primary.drives[0].serial, "primary")
    result = run("--json", "check", "raid", primary.url, env=cli_env)
    assert result.exit_code == 5
    payload = json.loads(result.stdout)
    assert payload["volumes"][0]["state"] == "degraded"
    unreachable = run("check", "raid", "redfish+http://127.0.0.1:9", "--timeout", "5",
                      env=cli_env)
    assert unreachable.exit_code == 3


def test_real_subprocess_prints_no_secret(primary: SimServer, cli_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "hamnhw.cli.main", "--log-level", "debug",
                           "check", "raid", primary.url, "--format", "nagios"],
                          capture_output=True, text=True, env=cli_env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr


# -- the rules, on hand-made reads -----------------------------------------------------------
def _volume(state: VolumeState, percent: int | None = None) -> VolumeReading:
    return VolumeReading("V1", "mirror", state, percent, "RAID1")


def test_failed_volume_is_critical() -> None:
    outcome = judge_raid("mn", RaidHealth((_volume(VolumeState.FAILED),), ()), 0.1)
    assert outcome.status is Status.CRITICAL and "failed" in outcome.summary


def test_no_volume_is_critical_and_failed_drive_outside_volumes_warns() -> None:
    assert judge_raid("mn", RaidHealth((), ()), 0.1).status is Status.CRITICAL
    spare = DriveHealth("Bay3", "S3", "Bay 3", Health.CRITICAL)
    outcome = judge_raid("mn", RaidHealth((_volume(VolumeState.OPTIMAL),), (spare,)), 0.1)
    assert outcome.status is Status.WARNING


def test_worst_order() -> None:
    assert worst([Status.OK, Status.UNKNOWN]) is Status.UNKNOWN
    assert worst([Status.UNKNOWN, Status.WARNING]) is Status.WARNING
    assert worst([Status.WARNING, Status.CRITICAL, Status.UNKNOWN]) is Status.CRITICAL
    assert worst([]) is Status.OK


def test_perfdata_grammar() -> None:
    """Review 9-14 item 8."""
    assert PerfDatum("rebuild", None, "%", min=0, max=100).render() == "rebuild=U;;;0;100"
    assert PerfDatum("time", 0.0004, "s", min=0).render() == "time=0.0004s;;;0"
    assert PerfDatum("time", 1e-9, "s", min=0).render() == "time=0s;;;0"
    assert PerfDatum("t", 2.0, "s").render() == "t=2s"
    degraded = {p.label: p for p in raid_perfdata(RaidHealth((), ()), 0.1)}["degraded"]
    assert degraded.render() == "degraded=0;0;;0"  # warn range 0..0: one degraded warns
    for datum in raid_perfdata(RaidHealth(None, None), 0.00001):
        assert PERF.match(datum.render()), datum.render()


def test_perfdata_and_text_are_safe() -> None:
    assert PerfDatum("a b", 1.5, "s", min=0).render() == "'a b'=1.5s;;;0"
    out = plugin_output("RAID", [judge_raid("n|x\nevil", RaidHealth((), ()), 0.0)])
    first = out.render().splitlines()[0]
    assert first.count("|") == 1 and "\n" not in first


def test_classification_comes_from_the_raid_status() -> None:
    from hamnhw.monitor.health import from_status
    from hamnhw.raid import RaidStatus, VolumeHealth

    volume = Volume("V1", None, "m", RaidType.RAID1, None, Health.OK)
    status = RaidStatus(None, (volume,), (), {"V1": VolumeHealth(VolumeState.REBUILDING, 42,
                                                                 "member Bay2 rebuilding")},
                        (), (), None)
    (reading,) = from_status(status).volumes or ()
    assert (reading.state, reading.percent, reading.reason) == (
        VolumeState.REBUILDING, 42, "member Bay2 rebuilding")
    unclassified = RaidStatus(None, (volume,), None, {}, None, None, None)
    assert (from_status(unclassified).volumes or ())[0].state is VolumeState.UNKNOWN
    assert specs()[0].name == "primary"


def test_failed_drive_injected_in_the_raid_model_is_warning(
        cluster: SimCluster, primary: SimServer, cli_env: dict[str, str]) -> None:
    cluster.fail_drive(primary.drives[1].serial)
    code, lines = nagios(primary, cli_env)
    assert code == 1, lines
    assert "degraded" in lines[0] and perfdata(lines[0])["degraded"] == "1"


def test_failed_volume_is_critical_end_to_end(cluster: SimCluster, primary: SimServer,
                                               cli_env: dict[str, str]) -> None:
    for drive in primary.drives[:2]:
        cluster.fail_drive(drive.serial)
    code, lines = nagios(primary, cli_env)
    assert code == 2, lines
    assert lines[0].startswith("RAID CRITICAL - ") and "failed" in lines[0]


def test_a_member_that_could_not_be_read_is_unknown_not_ok(primary: SimServer,
                                                           cli_env: dict[str, str]) -> None:
    """A partial read never passes as fact: the RAID1's second member answers 404, so the
    volume's own Status ("OK") cannot say the mirror is whole: UNKNOWN, never OK."""
    member = primary.drives[1]
    primary.inject("error_5xx", status=404, method="GET",
                   path="/redfish/v1/Systems/1/Storage/RAIDController1/Drives/"
                   + member.bay.replace(" ", ""))
    code, lines = nagios(primary, cli_env)
    assert code == 3, lines
    assert lines[0].startswith("RAID UNKNOWN - "), lines[0]
    assert any("not read" in line for line in lines[1:]), lines


def test_a_volume_collection_without_members_is_unknown_not_no_volume(
        primary: SimServer, cli_env: dict[str, str]) -> None:
    """A Volumes collection without ``Members`` does not say there is no volume: UNKNOWN
    (3), never "RAID CRITICAL - no RAID volume"."""
    primary.inject("no_members", method="GET",
                   path="/redfish/v1/Systems/1/Storage/RAIDController1/Volumes")
    code, lines = nagios(primary, cli_env)
    assert code == 3, lines
    assert lines[0].startswith("RAID UNKNOWN - "), lines[0]
    assert "no RAID volume" not in lines[0]
    shown = run("raid", "show", primary.url, "--check", env=cli_env)
    assert shown.exit_code == 5 and "no RAID volume exists" not in shown.stdout
    assert "check: unknown" in shown.stdout and "/Volumes has no Members" in shown.stdout
