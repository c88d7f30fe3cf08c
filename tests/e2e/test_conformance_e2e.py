"""Every service shape of issue 10, end to end through the CLI as a user runs it:
``hamnhw --json nics|inventory|detect`` -> generic driver -> real transport -> the simulator
over loopback HTTP, one simulated server per shape (see ``ServerSpec`` and
``hamnhw.sim.shapes``).  Expected values come from the specs, never from the driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import DriveSpec, NicSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim.enclosure import parts
from hamnhw.sim.spec import fake_serial, local_mac

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
CARD = "NIC.Slot.2"
TWO_CONTROLLER_BAYS = ("Bay 1", "Bay 2", "Bay 5", "Bay 6")


def card(name: str) -> tuple[NicSpec, ...]:
    return (NicSpec("P1", local_mac(name, 0x21), speed_mbps=100000),
            NicSpec("P2", local_mac(name, 0x22), link_up=False, speed_mbps=100000))


def drives_in(name: str, bays: tuple[str, ...]) -> tuple[DriveSpec, ...]:
    return tuple(DriveSpec(serial=fake_serial(name, i), bay=bay) for i, bay in enumerate(bays))


SPECS = [
    ServerSpec(name="plain", power="On"),
    ServerSpec(name="tower", power="On", card_nics=card("tower")),
    ServerSpec(name="smartnic", power="On", nic_view="none", network_interfaces=True,
               card_nics=card("smartnic"), card_style="ports"),
    ServerSpec(name="netports", power="On", nic_view="none", card_nics=card("netports"),
               card_style="network_ports"),
    ServerSpec(name="no-nics", power="On", nic_view="none"),
    ServerSpec(name="empty-nics", power="On", nics=()),
    ServerSpec(name="backplane", power="On", storage_view="backplane"),
    ServerSpec(name="claimed", power="On", storage_view="enclosure"),
    ServerSpec(name="two-controllers", power="On", controllers=2,
               drives=drives_in("two-controllers", TWO_CONTROLLER_BAYS)),
    ServerSpec(name="bays", power="On", empty_bays=True, bay_count=4),
    ServerSpec(name="placeholders", power="On", serial="To Be Filled By O.E.M.",
               uuid="00000000-0000-0000-0000-000000000000",
               nics=(NicSpec("NIC1", "ff:ff:ff:ff:ff:ff"), NicSpec("NIC2", local_mac("ph", 2))),
               drives=(DriveSpec("PH-1", bay="Bay 1", reported_serial="Not Specified"),
                       DriveSpec("PH-2", bay="Bay 2", reported_serial="   "))),
    ServerSpec(name="blade", power="On", shared_enclosure=True),
    ServerSpec(name="pdu", power="On", systems="absent"),
    ServerSpec(name="starting", power="On", systems="empty"),
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster(SPECS) as sim:
        yield sim


@pytest.fixture
def sim(cluster: SimCluster) -> Iterator[SimCluster]:
    """The cluster, with every server's faults and request log cleared after the test."""
    yield cluster
    for server in cluster:
        server.clear_faults()
        server.clear_requests()


def run(server: SimServer, *args: str, path: str = "") -> tuple[int, dict[str, Any]]:
    """``hamnhw --json ARGS URL`` in-process; its exit code and JSON object."""
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", *args, server.url + path], env=env,
                                catch_exceptions=False)
    lines = result.stdout.strip().splitlines()
    assert lines, result.output
    payload: dict[str, Any] = json.loads(lines[-1])
    assert server.password not in result.output
    return result.exit_code, payload


def ok(server: SimServer, *args: str, path: str = "") -> dict[str, Any]:
    code, payload = run(server, *args, path=path)
    assert code == 0, payload
    return payload


def gets(server: SimServer) -> list[str]:
    return [r.path.rstrip("/") for r in server.requests if r.method == "GET"]


# -- NICs from every place ---------------------------------------------------------------------

def test_tower_reports_onboard_and_add_in_card_macs(sim: SimCluster) -> None:
    server = sim["tower"]
    out = ok(server, "nics")
    spec = server.spec
    assert [(n["mac"], n["source"]) for n in out["nics"]] == (
        [(n.mac, "EthernetInterface") for n in spec.nics]
        + [(n.mac, "NetworkDeviceFunction") for n in spec.card_nics])
    on_card = out["nics"][len(spec.nics):]
    assert [(n["id"], n["adapter"], n["location"], n["port"]) for n in on_card] == [
        (f"{CARD}/P1", CARD, "Slot 2", "P1"), (f"{CARD}/P2", CARD, "Slot 2", "P2")]
    assert [(n["link"], n["speed_mbps"]) for n in on_card] == [("up", 100000), ("down", 100000)]
    assert (out["incomplete"], out["warnings"]) == (False, [])


def test_smartnic_macs_come_from_port_associated_mac_addresses(sim: SimCluster) -> None:
    server = sim["smartnic"]
    out = ok(server, "nics")
    assert [(n["mac"], n["source"]) for n in out["nics"]] == [
        (n.mac, "Port") for n in server.spec.card_nics]
    # reached through NetworkInterfaces and through the chassis: read once
    adapter = f"/redfish/v1/Chassis/Chassis1/NetworkAdapters/{CARD}"
    assert gets(server).count(adapter) == 1
    assert f"{SYSTEM}/NetworkInterfaces" in gets(server)


def test_deprecated_network_ports_give_their_associated_addresses(sim: SimCluster) -> None:
    server = sim["netports"]
    out = ok(server, "nics")
    assert [(n["mac"], n["source"], n["link"]) for n in out["nics"]] == [
        (n.mac, "NetworkPort", "up" if n.link_up else "down") for n in server.spec.card_nics]


def test_nics_are_null_when_the_system_links_no_place_for_them(sim: SimCluster) -> None:
    out = ok(sim["no-nics"], "nics")
    assert out["nics"] is None
    assert out["bmc_nics"] is not None


def test_nics_are_empty_only_for_a_linked_empty_collection(sim: SimCluster) -> None:
    assert ok(sim["empty-nics"], "nics")["nics"] == []


def nics_with_404(server: SimServer, path: str) -> dict[str, Any]:
    """``nics`` while ``path`` (and below) answers 404: the host's EthernetInterfaces MACs
    are all there, and the answer says it is incomplete."""
    server.inject("error_5xx", path=path, status=404)  # a 404 answer, in spite of the name
    out = ok(server, "nics")
    assert [n["mac"] for n in out["nics"]][:len(server.spec.nics)] == [
        n.mac for n in server.spec.nics]
    assert out["incomplete"] is True
    return out


def test_unreadable_bmc_nics_keep_the_host_nics(sim: SimCluster) -> None:
    out = nics_with_404(sim["plain"], "/redfish/v1/Managers/BMC/EthernetInterfaces")
    assert out["bmc_nics"] is None
    assert any("BMC NICs" in w and "404" in w for w in out["warnings"]), out["warnings"]


def after_system(server: SimServer) -> list[str]:
    """The GETs after the command read the system (login and detection left out)."""
    paths = gets(server)
    return paths[paths.index(SYSTEM) + 1:]


def test_sources_not_linked_cost_no_request(sim: SimCluster) -> None:
    """No NetworkInterfaces, no adapters, no SimpleStorage, no chassis Drives collection on
    this BMC: none is asked for; each document is read once.  The system links its chassis
    and that shows NICs and drives, so the Chassis collection is not searched (only a
    system linking no chassis, nothing showing a NIC or drive, or a driver hook asks)."""
    server = sim["plain"]
    ok(server, "nics")
    interfaces = f"{SYSTEM}/EthernetInterfaces"
    bmc = "/redfish/v1/Managers/BMC"
    # Detection settles on the System (its Manufacturer): the Manager is read once, by the
    # command itself (the BMC's own NICs; the inventory's BMC firmware).
    # Independent reads go side by side (hamnhw.readmemo.MemoClient.prefetch): their order
    # is not fixed, so each command's reads after the system are compared as a set (each
    # once: the list has no repeat).
    read = after_system(server)
    assert len(read) == len(set(read))
    assert sorted(read) == sorted([
        bmc, interfaces, f"{interfaces}/NIC1", f"{interfaces}/NIC2",
        "/redfish/v1/Chassis/Chassis1",
        f"{bmc}/EthernetInterfaces", f"{bmc}/EthernetInterfaces/eth0"])
    server.clear_requests()
    ok(server, "inventory")
    storage = f"{SYSTEM}/Storage/RAIDController1"
    read = after_system(server)
    assert len(read) == len(set(read))
    assert sorted(read) == sorted([
        bmc, f"{SYSTEM}/Storage", storage, "/redfish/v1/Chassis/Chassis1",
        f"{storage}/Drives/Bay1", f"{storage}/Drives/Bay2", f"{storage}/Volumes",
        f"{storage}/Volumes/Volume1"])


# -- drives: chassis, ids, bays, placeholders --------------------------------------------------

def test_drives_behind_a_contained_backplane(sim: SimCluster) -> None:
    server = sim["backplane"]
    out = ok(server, "inventory")
    assert [(d["id"], d["serial"]) for d in out["drives"]] == [
        (f"chassis:Backplane1/{d.bay.replace(' ', '')}", d.serial) for d in server.spec.drives]
    [volume] = out["volumes"]
    assert volume["drives"] == [d["id"] for d in out["drives"]]
    assert all(d["uri"].startswith("/redfish/v1/Chassis/Backplane1/Drives/") for d in out["drives"])


def test_drives_of_an_unlinked_chassis_claiming_the_system(sim: SimCluster) -> None:
    server = sim["claimed"]
    out = ok(server, "inventory")
    expected = sorted(d.serial for d in server.spec.drives)
    assert sorted(d["serial"] for d in out["drives"]) == expected
    assert {d["id"].split("/")[0] for d in out["drives"]} == {"chassis:DE040000"}


def test_two_controllers_with_the_same_drive_ids_stay_apart(sim: SimCluster) -> None:
    server = sim["two-controllers"]
    before = ok(server, "inventory")["drives"]
    assert [d["id"] for d in before] == [
        "RAIDController1/Disk.0", "RAIDController1/Disk.1",
        "RAIDController2/Disk.0", "RAIDController2/Disk.1"]
    assert [d["serial"] for d in before] == [d.serial for d in server.spec.drives]

    new = DriveSpec(serial="NEW-DRIVE-1", bay="Bay 3")
    sim.insert_drive(new, "two-controllers", "Bay 3")
    try:
        after = ok(server, "inventory")["drives"]
    finally:
        sim.pull_drive("NEW-DRIVE-1", "two-controllers")
    ids = {d["serial"]: d["id"] for d in after}
    assert all(ids[d["serial"]] == d["id"] for d in before)  # nobody's id moved
    assert ids["NEW-DRIVE-1"] == "RAIDController1/Disk.2"


def test_empty_bays_are_listed_apart_not_as_drives(sim: SimCluster) -> None:
    server = sim["bays"]
    out = ok(server, "inventory")
    taken = [d.bay for d in server.spec.drives]
    assert [d["location"] for d in out["drives"]] == taken
    assert [b["location"] for b in out["empty_bays"]] == [
        b for b in server.spec.bay_names if b not in taken]
    assert all(b["uri"] for b in out["empty_bays"])


def test_placeholder_values_are_unknown(sim: SimCluster) -> None:
    server = sim["placeholders"]
    inventory = ok(server, "inventory")
    assert (inventory["system"]["serial"], inventory["system"]["uuid"]) == (None, None)
    assert [d["serial"] for d in inventory["drives"]] == [None, None]
    nics = ok(server, "nics")["nics"]
    assert [n["mac"] for n in nics] == [None, server.spec.nics[1].mac]


def test_a_partial_walk_says_so(sim: SimCluster) -> None:
    server = sim["plain"]
    lost = server.spec.drives[1]
    server.inject("error_5xx", path=f"{SYSTEM}/Storage/RAIDController1/Drives/"
                                    f"{lost.bay.replace(' ', '')}", status=404)
    out = ok(server, "inventory")
    assert [d["serial"] for d in out["drives"]] == [server.spec.drives[0].serial]
    assert out["incomplete"] is True
    assert any("Drives/Bay2" in w for w in out["warnings"]), out["warnings"]


def test_a_linked_chassis_that_404s_is_skipped_with_a_warning(sim: SimCluster) -> None:
    server = sim["tower"]
    out = nics_with_404(server, "/redfish/v1/Chassis/Chassis1")
    assert len(out["nics"]) == len(server.spec.nics)  # the card's chassis could not be read
    assert any("chassis /redfish/v1/Chassis/Chassis1" in w for w in out["warnings"])


# -- a shared blade enclosure --------------------------------------------------------------------

def test_blade_without_system_path_is_ambiguous_but_detect_answers(sim: SimCluster) -> None:
    server = sim["blade"]
    code, out = run(server, "inventory")
    assert code == 2 and "several systems" in out["error"]["message"]
    assert ok(server, "detect")["driver"] == "generic"


def test_blade_reports_only_what_belongs_to_its_system(sim: SimCluster) -> None:
    server = sim["blade"]
    found = parts(server.spec)
    inventory = ok(server, "inventory", path=SYSTEM)
    serials = [d["serial"] for d in inventory["drives"]]
    assert serials == [d.serial for d in server.spec.drives] + [found.own_serial]
    assert not set(found.other_serials) & set(serials)
    nics = ok(server, "nics", path=SYSTEM)["nics"]
    assert [n["mac"] for n in nics] == [n.mac for n in server.spec.nics] + [found.own_mac]
    assert "/redfish/v1/Chassis/Blade2/Drives" not in gets(server)  # another system's chassis


# -- services without a system -------------------------------------------------------------------

def test_service_without_systems_is_exit_2_and_detect_still_answers(sim: SimCluster) -> None:
    server = sim["pdu"]
    code, out = run(server, "inventory")
    assert code == 2
    assert "exposes no computer system" in out["error"]["message"]
    assert "/redfish/v1/Systems" not in gets(server)
    assert ok(server, "detect")["driver"] == "generic"


def test_empty_systems_collection_is_exit_1(sim: SimCluster) -> None:
    code, out = run(sim["starting"], "nics")
    assert code == 1 and "no ComputerSystem" in out["error"]["message"]
