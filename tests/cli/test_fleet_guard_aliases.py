"""The fleet ``--yes`` guard recognises the pair's MN however the command names it: the
config name, another config entry for its BMC, or its BMC URL spelt another way (trailing
slash, scheme or host case, the default port written out).  Through the real CLI, against
simulated BMCs on loopback: a refusal is exit 2 with nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import FLEET_PASSWORD, json_lines, run

from hamnhw.sim import SimCluster

pytestmark = pytest.mark.usefixtures("fleet_config", "no_retry_sleep")


def writes(cluster: SimCluster, name: str) -> list[object]:
    return [r for r in cluster[name].requests if r.method in ("POST", "PATCH")
            and "Session" not in r.path]


@pytest.mark.parametrize("spelling", ["slash", "scheme", "both", "localhost"])
def test_power_off_over_the_primarys_url_spelt_another_way_needs_yes(
        fleet_cluster: SimCluster, spelling: str) -> None:
    url = fleet_cluster["primary"].url
    scheme, rest = url.split("://", 1)
    other = {"slash": url + "/", "scheme": scheme.upper() + "://" + rest,
             "both": scheme.upper() + "://" + rest + "/",
             "localhost": url.replace("127.0.0.1", "LocalHost")}[spelling]
    env = {"HAMNHW_PASSWORD": FLEET_PASSWORD}
    refused = run("--json", "power", "off", other, "node001", "--username", "admin", env=env)
    assert refused.exit_code == 2, refused.output
    assert "--yes" in refused.output and "primary" in refused.output
    assert not writes(fleet_cluster, "primary") and not writes(fleet_cluster, "node001")
    assert fleet_cluster["primary"].power_state == "On"


def test_boot_over_a_config_alias_of_the_primary_needs_yes(fleet_cluster: SimCluster,
                                                            fleet_config: Path) -> None:
    text = fleet_config.read_text()
    fleet_config.write_text(text + f'\n[nodes.mn1]\nbmc = "{fleet_cluster["primary"].url}"\n'
                            'username = "admin"\npassword_file = "bmc.pw"\n')
    refused = run("--json", "boot", "mn1", "node001", "pxe")
    assert refused.exit_code == 2, refused.output
    assert "--yes" in refused.output
    assert not writes(fleet_cluster, "primary") and not writes(fleet_cluster, "node001")
    done = run("--json", "boot", "mn1", "node001", "pxe", "--yes")
    assert done.exit_code == 0, done.output
    assert {n.get("node") for n in json_lines(done.stdout)[:-1]} == {"mn1", "node001"}


def test_another_node_is_not_taken_for_the_primary(fleet_cluster: SimCluster) -> None:
    env = {"HAMNHW_PASSWORD": FLEET_PASSWORD}
    url = fleet_cluster["node001"].url
    done = run("--json", "restore-policy", url + "/", "node002", "always-off", "--username",
               "admin", env=env)
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("command", [("boot", "pxe"), ("restore-policy", "always-off")])
def test_a_dry_run_over_the_primary_predicts_the_refusal(fleet_cluster: SimCluster,
                                                         command: tuple[str, str]) -> None:
    """boot and restore-policy over several nodes including the pair's MN: the dry run
    says the real run would be refused and exits with its code, as power's does (review:
    it printed the plans and exited 0, the real run then exited 2)."""
    name, value = command
    planned = run("--json", name, "primary", "node001", value, "--dry-run")
    assert planned.exit_code == 2, planned.output
    plans = {p["node"]: p for p in json_lines(planned.stdout)[:-1]}
    assert {n: (p["refused"] or {}).get("exit_code") for n, p in plans.items()} == {
        "primary": 2, "node001": 2}
    assert "--yes" in plans["primary"]["refused"]["message"]
    confirmed = run("--json", name, "primary", "node001", value, "--dry-run", "--yes")
    assert confirmed.exit_code == 0, confirmed.output
    assert all(p["refused"] is None for p in json_lines(confirmed.stdout)[:-1])
    assert not writes(fleet_cluster, "primary") and not writes(fleet_cluster, "node001")
