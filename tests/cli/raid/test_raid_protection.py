"""Pair protection through the CLI: writes touching the pair's recorded RAID1 (``pair
snapshot``) need each drive's serial typed, and on the journal's active node its name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import json_out, run
from click.testing import Result
from raid_bench import drives

from hamnhw import pair
from hamnhw.config import load_config
from hamnhw.sim import DriveSpec, ServerSpec, SimCluster

PW_ENV = "RAID_PAIR_PW"
VOLUME = "RAIDController1/Volume1"


class Pair:
    def __init__(self, cluster: SimCluster, config: Path) -> None:
        self.cluster, self.config = cluster, config

    def cli(self, command: str, node: str, *args: str) -> Result:
        return run("--json", "raid", command, node, "--config", str(self.config), *args,
                   env={PW_ENV: self.cluster["primary" if node == "mn1" else node].password})

    def by_url(self, command: str, url: str, server: str, *args: str) -> Result:
        """The command addressed by a BMC URL (not a config name), the config still found."""
        return run("--json", "raid", command, url, "--config", str(self.config), "--username",
                   "admin", *args, env={"HAMNHW_PASSWORD": self.cluster[server].password})

    def writes(self, node: str) -> list[Any]:
        return [r for r in self.cluster[node].requests if r.method in ("POST", "PATCH", "DELETE")
                and "Session" not in r.path]

    def serial(self, node: str, bay: int) -> str:
        return next(d.serial for d in self.cluster[node].drives if d.bay == f"Bay {bay}")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Pair]:
    """Primary (on, RAID1 over bays 1-2, two spare disks) and standby (off, two disks); a
    pair snapshot taken; the journal records the primary as the active node."""
    specs = [ServerSpec(name="primary", power="On", drives=drives("primary"), post_time=0.0),
             ServerSpec(name="standby", drives=drives("standby", 2), raid1=False),
             ServerSpec(name="other", power="On", drives=(), post_time=0.0)]
    with SimCluster(specs) as sim:
        text = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
        text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
                 for n in ("primary", "standby")]
        text.append(f'[nodes.mn1]\nbmc = "{sim["primary"].url}/"\nusername = "admin"\n'
                    f'password_env = "{PW_ENV}"\n')
        config = tmp_path / "hamnhw.toml"
        config.write_text("\n".join(text))
        snap = run("pair", "snapshot", "--config", str(config),
                   env={PW_ENV: sim["primary"].password})
        assert snap.exit_code == 0, snap.output
        with pair.open_journal(load_config(str(config))) as journal:
            journal.set_active_node("primary", "test")
        yield Pair(sim, config)


def test_delete_of_the_pair_raid1_needs_both_serials_and_the_node(cluster: Pair) -> None:
    first, second = cluster.serial("primary", 1), cluster.serial("primary", 2)
    bare = cluster.cli("delete", "primary", VOLUME, "--yes")
    message = json_out(bare)["error"]["message"]
    assert bare.exit_code == 2 and "recorded RAID1" in message
    assert "--confirm-serial" in message and "--confirm-node primary" in message
    assert first not in message  # the serials are read off the drives, not copied from here
    serials_only = cluster.cli("delete", "primary", VOLUME, "--yes",
                               "--confirm-serial", first, "--confirm-serial", second)
    assert serials_only.exit_code == 2 and cluster.writes("primary") == []
    plan = json_out(cluster.cli("delete", "primary", VOLUME, "--dry-run"))
    assert plan["protection"]["protected"] is True and plan["protection"]["active"] is True
    done = cluster.cli("delete", "primary", VOLUME, "--yes", "--confirm-serial", first,
                       "--confirm-serial", second, "--confirm-node", "primary")
    assert done.exit_code == 0, done.output
    assert json_out(done)["protection"]["node"] == "primary"


def test_unprotected_drives_of_the_other_node_need_nothing(cluster: Pair) -> None:
    created = cluster.cli("create", "standby", "--level", "1", "--drives", "Bay1,Bay2",
                          "--apply-time", "on-reset")
    assert created.exit_code == 0, created.output
    assert json_out(created)["protection"] == {"node": "standby", "snapshot": True,
                                               "active": False, "protected": False,
                                               "reasons": [], "refused": None}


def test_rebuild_of_the_pair_raid1_on_the_active_node_needs_its_name(cluster: Pair) -> None:
    primary = cluster.cluster["primary"]
    failed = cluster.serial("primary", 1)
    primary.fail_drive(failed)
    primary.pull_drive(failed)
    primary.insert_drive(DriveSpec(serial="REPL-7", bay="Bay 1"))
    args = ("rebuild", "primary", VOLUME, "--drive", "Bay1", "--confirm-serial", "REPL-7")
    refused = cluster.cli(*args)
    assert refused.exit_code == 2 and "--confirm-node primary" in json_out(refused)["error"][
        "message"]
    assert cluster.cli(*args, "--confirm-node", "primary").exit_code == 0


def test_spare_dedicated_to_the_pair_raid1(cluster: Pair) -> None:
    args = ("spare", "primary", "--drive", "Bay3", "--volume", VOLUME)
    assert cluster.cli(*args).exit_code == 2
    ok = cluster.cli(*args, "--confirm-serial", cluster.serial("primary", 3),
                     "--confirm-node", "primary")
    assert ok.exit_code == 0, ok.output
    global_spare = cluster.cli("spare", "primary", "--drive", "Bay4")
    assert global_spare.exit_code == 0 and json_out(global_spare)["protection"]["protected"] \
        is False


def test_reboot_of_the_active_node_needs_its_name_and_its_raid1_serials(cluster: Pair) -> None:
    args = ("create", "primary", "--level", "1", "--drives", "Bay3,Bay4",
            "--apply-time", "on-reset", "--reboot")
    refused = cluster.cli(*args)
    assert refused.exit_code == 2 and "resetting primary" in json_out(refused)["error"][
        "message"]
    assert cluster.writes("primary") == []
    confirmed = cluster.cli(*args, "--confirm-node", "primary",
                            "--confirm-serial", cluster.serial("primary", 1),
                            "--confirm-serial", cluster.serial("primary", 2))
    assert confirmed.exit_code == 0, confirmed.output


def test_a_url_of_a_pair_bmc_is_protected_too(cluster: Pair) -> None:
    url = cluster.cluster["primary"].url
    result = run("--json", "raid", "delete", url, VOLUME, "--yes", "--config",
                 str(cluster.config), "--username", "admin",
                 env={"HAMNHW_PASSWORD": cluster.cluster["primary"].password})
    assert result.exit_code == 2 and "recorded RAID1" in json_out(result)["error"]["message"]


def spellings(url: str) -> list[str]:
    """Other ways to write a loopback BMC URL: a trailing slash, ``localhost``, an upper-case
    scheme, a system path."""
    rest = url.split("://", 1)[1]
    return [f"{url}/", url.replace("127.0.0.1", "localhost"),
            url.replace("redfish+http://", "REDFISH+HTTP://"),
            f"redfish+http://{rest.upper()}/redfish/v1/Systems/1"]


@pytest.mark.parametrize("index", range(4), ids=["slash", "localhost", "scheme", "system"])
def test_any_spelling_of_the_pair_bmc_is_the_pair_node(cluster: Pair, index: int) -> None:
    url = spellings(cluster.cluster["primary"].url)[index]
    result = cluster.by_url("delete", url, "primary", VOLUME, "--yes")
    message = json_out(result)["error"]["message"]
    assert result.exit_code == 2 and "recorded RAID1" in message, url
    assert "--confirm-node primary" in message
    plan = json_out(cluster.by_url("delete", url, "primary", VOLUME, "--dry-run"))
    assert (plan["protection"]["node"], plan["protection"]["active"]) == ("primary", True)
    assert cluster.writes("primary") == []


def test_another_config_name_for_the_pair_bmc_is_the_pair_node(cluster: Pair) -> None:
    bare = cluster.cli("delete", "mn1", VOLUME, "--yes")
    message = json_out(bare)["error"]["message"]
    assert bare.exit_code == 2 and "--confirm-node primary" in message
    assert cluster.writes("primary") == []
    done = cluster.cli("delete", "mn1", VOLUME, "--yes", "--confirm-node", "primary",
                       "--confirm-serial", cluster.serial("primary", 1),
                       "--confirm-serial", cluster.serial("primary", 2))
    assert done.exit_code == 0, done.output
    assert json_out(done)["protection"]["node"] == "primary"


def test_the_pair_disks_are_protected_in_a_server_outside_the_pair(cluster: Pair) -> None:
    """The RAID1's disks moved into a third server (not in the config) carry the volume
    there: deleting it needs their serials (typed in any case and spacing), though no node
    name (the server is no pair node)."""
    other = cluster.cluster["other"]
    first, second = cluster.serial("primary", 1), cluster.serial("primary", 2)
    for serial, bay in ((first, "Bay 1"), (second, "Bay 2")):
        cluster.cluster["primary"].pull_drive(serial)
        other.insert_drive(serial, bay)
    bare = cluster.by_url("delete", other.url, "other", VOLUME, "--yes")
    message = json_out(bare)["error"]["message"]
    assert bare.exit_code == 2 and "recorded RAID1" in message and "--confirm-node" not in message
    assert [r for r in other.requests if r.method == "DELETE" and "Volumes" in r.path] == []
    done = cluster.by_url("delete", other.url, "other", VOLUME, "--yes", "--confirm-serial",
                          first.lower(), "--confirm-serial", f" {second[:4]} {second[4:]} ")
    assert done.exit_code == 0, done.output
    protection = json_out(done)["protection"]
    assert (protection["node"], protection["protected"]) == (None, True)


def test_a_dry_run_predicts_the_refusal_of_the_real_run(cluster: Pair) -> None:
    """The dry run of a protected delete says it is protected and that the real run would be
    refused, and exits as the real run would (2), until the confirmations are given."""
    first, second = cluster.serial("primary", 1), cluster.serial("primary", 2)
    real = cluster.cli("delete", "primary", VOLUME, "--yes")
    dry = cluster.cli("delete", "primary", VOLUME, "--yes", "--dry-run")
    assert (real.exit_code, dry.exit_code) == (2, 2)
    refused = json_out(dry)["protection"]["refused"]
    assert refused == {"message": json_out(real)["error"]["message"], "exit_code": 2}
    text = run("raid", "delete", "primary", VOLUME, "--dry-run", "--config", str(cluster.config),
               env={PW_ENV: cluster.cluster["primary"].password})
    assert text.exit_code == 2
    assert "would send: DELETE" in text.output
    assert "protected: volume RAIDController1/Volume1 is the pair's recorded RAID1" in text.output
    assert "the real run would be refused (exit 2)" in text.output
    assert "--confirm-node primary" in text.output
    confirmed = ("--confirm-serial", first, "--confirm-serial", second, "--confirm-node",
                 "primary")
    ready = cluster.cli("delete", "primary", VOLUME, "--dry-run", *confirmed)
    assert ready.exit_code == 0 and json_out(ready)["protection"]["refused"] is None
    assert cluster.writes("primary") == []
