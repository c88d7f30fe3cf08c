"""Pair protection through the CLI when the records cannot name what they protect: the MN's
RAID1 over drives that report no serial (its recorded volume id stays protected: the node's
name is demanded), and no failover recorded yet (each pair node may be the active MN, as the
fleet guard already counts it, unless ``[pair] active`` says which): deleting any volume of
a node that may be the active MN needs its name, as resetting it does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import json_out, run
from raid_bench import drives
from test_raid_protection import PW_ENV, VOLUME, Pair

from hamnhw.sim import DriveSpec, ServerSpec, SimCluster


def deletes(pair: Pair) -> list[object]:
    return [r for r in pair.writes("primary") if r.method == "DELETE" and "Volumes" in r.path]


def start(tmp_path: Path, primary_drives: tuple[DriveSpec, ...], pair_extra: str = "") -> Pair:
    """Primary (RAID1 over bays 1-2) and standby; a pair snapshot taken; no failover
    recorded."""
    specs = [ServerSpec(name="primary", power="On", drives=primary_drives, post_time=0.0),
             ServerSpec(name="standby", drives=drives("standby", 2), raid1=False)]
    sim = SimCluster(specs).start()
    text = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n{pair_extra}']
    text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
             for n in ("primary", "standby")]
    config = tmp_path / "hamnhw.toml"
    config.write_text("\n".join(text))
    snap = run("pair", "snapshot", "--config", str(config),
               env={PW_ENV: sim["primary"].password})
    assert snap.exit_code == 0, snap.output
    return Pair(sim, config)


@pytest.fixture
def blank_serials(tmp_path: Path) -> Iterator[Pair]:
    """The primary's RAID1 drives report a blank serial (the snapshot records none)."""
    pair = start(tmp_path, drives("primary", 4, {1: {"reported_serial": " "},
                                                  2: {"reported_serial": " "}}))
    yield pair
    pair.cluster.stop()


def test_the_recorded_raid1_over_drives_without_serials_needs_the_nodes_name(
        blank_serials: Pair) -> None:
    plan = json_out(blank_serials.cli("delete", "primary", VOLUME, "--dry-run"))
    assert plan["protection"]["protected"] is True, plan
    refused = blank_serials.cli("delete", "primary", VOLUME, "--yes")
    assert refused.exit_code == 2, refused.output
    message = json_out(refused)["error"]["message"]
    assert "recorded RAID1" in message and "--confirm-node primary" in message
    assert "no serial" in message  # why no serial is asked for
    assert deletes(blank_serials) == []
    done = blank_serials.cli("delete", "primary", VOLUME, "--yes", "--confirm-node", "primary")
    assert done.exit_code == 0, done.output
    assert json_out(done)["protection"]["protected"] is True
    assert len(deletes(blank_serials)) == 1


@pytest.fixture
def no_failover(tmp_path: Path) -> Iterator[Pair]:
    pair = start(tmp_path, drives("primary"))
    yield pair
    pair.cluster.stop()


def serials(pair: Pair) -> list[str]:
    found = [d.serial for d in pair.cluster["primary"].drives if d.bay in ("Bay 1", "Bay 2")]
    return [arg for serial in found for arg in ("--confirm-serial", serial)]


def test_before_any_failover_the_primary_may_be_the_active_mn(no_failover: Pair) -> None:
    plan = json_out(no_failover.cli("delete", "primary", VOLUME, "--dry-run"))
    assert plan["protection"]["active"] is True, plan
    refused = no_failover.cli("delete", "primary", VOLUME, "--yes", *serials(no_failover))
    assert refused.exit_code == 2, refused.output
    assert "--confirm-node primary" in json_out(refused)["error"]["message"]
    assert deletes(no_failover) == []
    done = no_failover.cli("delete", "primary", VOLUME, "--yes", *serials(no_failover),
                           "--confirm-node", "primary")
    assert done.exit_code == 0, done.output


def test_pair_active_in_the_config_names_the_active_mn(tmp_path: Path) -> None:
    pair = start(tmp_path, drives("primary"), 'active = "standby"\n')
    try:
        plan = json_out(pair.cli("delete", "primary", VOLUME, "--dry-run"))
        assert plan["protection"]["active"] is False, plan
        done = pair.cli("delete", "primary", VOLUME, "--yes", *serials(pair))
        assert done.exit_code == 0, done.output
    finally:
        pair.cluster.stop()


@pytest.fixture
def fresh_pair(tmp_path: Path) -> Iterator[Pair]:
    """A pair as ``hamnhw sim --pair`` starts it: no snapshot, no failover recorded; the
    standby holds a volume of its own (``STANDBY_VOLUME``, not the MN's RAID1)."""
    specs = [ServerSpec(name="primary", power="On", drives=drives("primary"), post_time=0.0),
             ServerSpec(name="standby", drives=drives("standby", 2))]
    with SimCluster(specs) as sim:
        text = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
        text += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\n'
                 f'password_env = "{PW_ENV}"\n' for n in ("primary", "standby")]
        config = tmp_path / "hamnhw.toml"
        config.write_text("\n".join(text))
        yield Pair(sim, config)


STANDBY_VOLUME = "RAIDController1/Volume2"
"""The standby's volume (the simulator numbers the volumes of its shared bays)."""


def standby_deletes(pair: Pair) -> list[object]:
    return [r for r in pair.writes("standby") if r.method == "DELETE" and "Volumes" in r.path]


def test_deleting_a_volume_of_the_possibly_active_mn_needs_its_name(fresh_pair: Pair) -> None:
    """Review: ``raid delete standby VOLUME --yes`` was sent with --yes alone while ``raid
    create standby ... --reboot`` asked --confirm-node standby: destroying a volume of the
    possibly-active MN is guarded as much as resetting it, its dry run predicting it."""
    refused = fresh_pair.cli("delete", "standby", STANDBY_VOLUME, "--yes")
    assert refused.exit_code == 2, refused.output
    message = json_out(refused)["error"]["message"]
    assert message == (f"the delete destroys volume {STANDBY_VOLUME} and its data; standby "
                       "is the active management node (possibly: no failover is recorded and no "
                       "[pair] active says which): type the node's name with --confirm-node "
                       "standby"), message
    dry = fresh_pair.cli("delete", "standby", STANDBY_VOLUME, "--yes", "--dry-run")
    assert dry.exit_code == 2, dry.output
    protection = json_out(dry)["protection"]
    assert protection["protected"] is True and protection["refused"]["exit_code"] == 2
    assert standby_deletes(fresh_pair) == []
    done = fresh_pair.cli("delete", "standby", STANDBY_VOLUME, "--yes", "--confirm-node",
                          "standby")
    assert done.exit_code == 0, done.output
    assert len(standby_deletes(fresh_pair)) == 1


def test_a_node_that_is_not_the_active_mn_deletes_with_yes_alone(tmp_path: Path) -> None:
    pair = start(tmp_path, drives("primary"), 'active = "primary"\n')
    try:
        created = pair.cli("create", "standby", "--level", "1", "--drives", "Bay1,Bay2")
        assert created.exit_code == 0, created.output
        volume = json_out(created)["volume_id"]
        done = pair.cli("delete", "standby", volume, "--yes")
        assert done.exit_code == 0, done.output
        assert json_out(done)["protection"]["protected"] is False
    finally:
        pair.cluster.stop()
