"""Through the CLI against the simulator: bond members stay two NICs, an InfiniBand HCA shows
its port GUIDs, another blade's MACs and drives never become this node's (whether the
enclosure names its systems or not, however its adapter is reached), and unknown stays
null (review of issues 10 and 12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import DriveSpec, HcaPortSpec, NicSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim.enclosure import parts
from hamnhw.sim.spec import fake_serial, local_mac

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
BOND = local_mac("bonded", 1)
GUID = "0002:C903:00AA:BB01"

SPECS = [
    ServerSpec(name="bonded", power="On", nics=(
        NicSpec("NIC1", BOND), NicSpec("NIC2", local_mac("bonded", 2), bond_mac=BOND))),
    ServerSpec(name="hca", power="On", hca_ports=(HcaPortSpec("1", GUID),),
               network_interfaces=True),
    ServerSpec(name="blade-ni", power="On", shared_enclosure=True, network_interfaces=True),
    ServerSpec(name="blade-unnamed", power="On", shared_enclosure=True, network_interfaces=True,
               enclosure_names_systems=False, mezz_interface_collections=True),
    ServerSpec(name="bare-card", power="On", nic_view="none",
               card_nics=(NicSpec("P1", local_mac("bare-card", 1)),), card_style="bare"),
    ServerSpec(name="typed", power="On", drives=(
        DriveSpec(fake_serial("typed", 1), bay="Bay 1"),
        DriveSpec(fake_serial("typed", 2), bay="Bay 2",
                  media=0),  # type: ignore[arg-type]  # MediaType as a number: a BMC's bug
    )),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimCluster]:
    with SimCluster(SPECS) as cluster:
        yield cluster


def ok(server: SimServer, *args: str, path: str = "") -> dict[str, Any]:
    """``hamnhw --json ARGS URL``: exit 0 and its JSON object."""
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", *args, server.url + path], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return payload


def test_bond_members_showing_one_mac_are_two_nics(sim: SimCluster) -> None:
    nics = ok(sim["bonded"], "nics")["nics"]
    assert [(n["id"], n["mac"], n["permanent_mac"]) for n in nics] == [
        ("NIC1", BOND, BOND), ("NIC2", BOND, local_mac("bonded", 2))]


def test_an_infiniband_hca_shows_kind_and_port_guid(sim: SimCluster) -> None:
    out = ok(sim["hca"], "nics")
    ib = [n for n in out["nics"] if n["kind"] == "infiniband"]
    assert [(n["id"], n["mac"], n["port_guid"], n["location"], n["port"]) for n in ib] == [
        ("HCA.Slot.3/1", None, "00:02:c9:03:00:aa:bb:01", "Slot 3", "1")]
    assert {n["kind"] for n in out["nics"]} == {"ethernet", "infiniband"}


@pytest.mark.parametrize("name", ["blade-ni", "blade-unnamed"])
def test_another_blade_s_mac_and_drives_never_become_this_node_s(sim: SimCluster,
                                                                   name: str) -> None:
    """``blade-ni``: a NetworkInterface links the enclosure's adapter; ``blade-unnamed``: the
    enclosure names no system and the interface links its own collection too."""
    server = sim[name]
    found = parts(server.spec)
    macs = [n["mac"] for n in ok(server, "nics", path=SYSTEM)["nics"]]
    assert macs == [n.mac for n in server.spec.nics] + [found.own_mac]
    serials = [d["serial"] for d in ok(server, "inventory", path=SYSTEM)["drives"]]
    assert serials == [d.serial for d in server.spec.drives] + [found.own_serial]


def test_an_adapter_showing_no_ports_leaves_nics_null(sim: SimCluster) -> None:
    out = ok(sim["bare-card"], "nics")
    assert (out["nics"], out["incomplete"]) == (None, False)


def test_no_bay_shown_empty_means_empty_bays_unknown(sim: SimCluster) -> None:
    out = ok(sim["bonded"], "inventory")
    assert out["drives"] and out["empty_bays"] is None


def test_a_wrongly_typed_drive_is_skipped_with_a_warning_not_a_failed_command(
        sim: SimCluster) -> None:
    out = ok(sim["typed"], "inventory")
    assert [d["serial"] for d in out["drives"]] == [fake_serial("typed", 1)]
    assert out["incomplete"] is True
    assert any("Drives/Bay2 not usable" in w for w in out["warnings"]), out["warnings"]
