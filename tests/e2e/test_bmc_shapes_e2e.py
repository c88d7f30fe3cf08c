"""Older and alternative BMC shapes, end to end: hamnhw.connect -> registry -> generic driver ->
real transport -> the simulator over loopback HTTP, one simulated server per shape.

Each test checks exact values against the server's spec: what the driver must find through
NetworkAdapters, SimpleStorage, chassis-linked drives and IndicatorLED, and what it must skip.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.interfaces import PollPolicy
from hamnhw.models import Health, LinkStatus, RaidType
from hamnhw.node import Node
from hamnhw.sim import NicSpec, ServerSpec, SimCluster, SimServer
from hamnhw.sim.resources import render
from hamnhw.sim.spec import NULL_MAC_NIC_ID, local_mac

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
CHASSIS = "/redfish/v1/Chassis/Chassis1"
ADAPTER = "NIC.Slot.1"
FAST_POLL = PollPolicy(interval=0.05, timeout=5.0)
BAD_MACS = {"BadEmpty": "", "BadZero": "00:00:00:00:00:00", "BadText": "not-a-mac"}
GOOD_NIC = NicSpec("Good1", local_mac("bad-adapters", 1), link_up=False, speed_mbps=10000)


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    bad = tuple(NicSpec(nic_id, mac) for nic_id, mac in BAD_MACS.items())
    specs = [
        ServerSpec(name="adapters", power="On", nic_view="network_adapters"),
        ServerSpec(name="both", power="On", nic_view="both"),
        ServerSpec(name="simple", power="On", storage_view="simple_storage"),
        ServerSpec(name="chassis-drives", power="On", storage_view="chassis_drives"),
        ServerSpec(name="led", power="On", identify_style="indicator_led"),
        ServerSpec(name="null-mac", power="On", null_mac_nic=True),
        ServerSpec(name="bad-adapters", power="On", nic_view="network_adapters",
                   nics=(GOOD_NIC, *bad)),
    ]
    with SimCluster(specs) as sim:
        yield sim


def connect(server: SimServer) -> Node:
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=FAST_POLL, timeout=10.0)


# -- NICs ------------------------------------------------------------------------------------

def test_network_adapters_view_hides_macs_from_the_system(cluster: SimCluster) -> None:
    state = cluster["adapters"].state
    interfaces = render(state, f"{SYSTEM}/EthernetInterfaces")
    assert interfaces is not None and interfaces["Members"] == []
    function = render(state, f"{CHASSIS}/NetworkAdapters/{ADAPTER}/NetworkDeviceFunctions/NIC1")
    assert function is not None
    assert function["Ethernet"]["MACAddress"] == state.spec.nics[0].mac


def test_macs_found_through_network_adapters_equal_the_spec(cluster: SimCluster) -> None:
    server = cluster["adapters"]
    with connect(server) as node:
        nics = node.nics.list()
    spec_nics = server.spec.nics
    assert [n.id for n in nics] == [f"{ADAPTER}/{n.id}" for n in spec_nics]
    assert [n.mac for n in nics] == [n.mac for n in spec_nics]
    assert [n.permanent_mac for n in nics] == [n.mac for n in spec_nics]
    assert [(n.link, n.speed_mbps) for n in nics] == [(LinkStatus.UP, 25000)] * 2
    assert any(r.path.endswith(f"{ADAPTER}/Ports/NIC1") for r in server.requests)


def test_both_views_prefer_system_ethernet_interfaces(cluster: SimCluster) -> None:
    server = cluster["both"]
    assert render(server.state, f"{CHASSIS}/NetworkAdapters") is not None
    with connect(server) as node:
        nics = node.nics.list()
    assert [(n.id, n.mac) for n in nics] == [(n.id, n.mac) for n in server.spec.nics]


def test_null_mac_nic_is_skipped_with_a_warning_naming_it(
        cluster: SimCluster, caplog: pytest.LogCaptureFixture) -> None:
    server = cluster["null-mac"]
    with caplog.at_level(logging.WARNING), connect(server) as node:
        nics = node.nics.list()
    by_id = {n.id: n for n in nics}
    assert (by_id[NULL_MAC_NIC_ID].mac, by_id[NULL_MAC_NIC_ID].permanent_mac) == (None, None)
    good = [n.mac for n in server.spec.nics if n.id != NULL_MAC_NIC_ID]
    assert [n.mac for n in nics if n.mac] == good
    warned = [r.getMessage() for r in caplog.records if NULL_MAC_NIC_ID in r.getMessage()]
    assert warned and all("unusable" in message for message in warned)


def test_malformed_adapter_macs_are_skipped_with_warnings_naming_them(
        cluster: SimCluster, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), connect(cluster["bad-adapters"]) as node:
        nics = node.nics.list()
    assert [(n.id, n.mac) for n in nics if n.mac] == [(f"{ADAPTER}/Good1", GOOD_NIC.mac)]
    assert {n.id for n in nics if n.mac is None} == {f"{ADAPTER}/{i}" for i in BAD_MACS}
    good = next(n for n in nics if n.mac)
    assert (good.link, good.speed_mbps) == (LinkStatus.DOWN, 10000)
    messages = " | ".join(r.getMessage() for r in caplog.records)
    for nic_id in BAD_MACS:
        assert f"{ADAPTER}/{nic_id}" in messages
    assert GOOD_NIC.id not in messages


def test_cli_json_nics_shows_the_adapter_macs(cluster: SimCluster) -> None:
    server = cluster["adapters"]
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    result = CliRunner().invoke(cli, ["--json", "nics", server.url], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert [n["mac"] for n in payload["nics"]] == [n.mac for n in server.spec.nics]
    assert [n["id"] for n in payload["nics"]] == [f"{ADAPTER}/{n.id}" for n in server.spec.nics]
    assert [n["mac"] for n in payload["bmc_nics"]] == [server.spec.bmc_mac]
    assert server.password not in result.output


# -- storage ---------------------------------------------------------------------------------

def test_simple_storage_drives_have_capacities_and_volumes_are_unknown(
        cluster: SimCluster) -> None:
    server = cluster["simple"]
    with connect(server) as node:
        inventory = node.inventory.inventory()
    assert inventory.drives is not None
    expected = [(f"SATA.Embedded.1/{d.bay}", d.model, d.capacity_bytes)
                for d in server.spec.drives]
    assert [(d.id, d.model, d.capacity_bytes) for d in inventory.drives] == expected
    assert [(d.serial, d.uri, d.health) for d in inventory.drives] == [(None, None, Health.OK)] * 2
    assert inventory.volumes is None
    assert inventory.controllers is not None
    assert [c.id for c in inventory.controllers] == ["SATA.Embedded.1"]


def test_simple_storage_view_has_no_storage_resource(cluster: SimCluster) -> None:
    state = cluster["simple"].state
    system = render(state, SYSTEM)
    assert system is not None and "Storage" not in system
    assert render(state, f"{SYSTEM}/Storage") is None
    chassis = render(state, CHASSIS)
    assert chassis is not None and "Drives" not in chassis["Links"]


def test_chassis_linked_drives_are_found_with_their_serials(cluster: SimCluster) -> None:
    server = cluster["chassis-drives"]
    storage = render(server.state, f"{SYSTEM}/Storage/RAIDController1")
    assert storage is not None and "Drives" not in storage
    with connect(server) as node:
        drives = node.raid.drives()
        volumes = node.raid.volumes()
    assert drives is not None
    assert [d.serial for d in drives] == [d.serial for d in server.spec.drives]
    assert [d.uri for d in drives] == [f"{CHASSIS}/Drives/Bay1", f"{CHASSIS}/Drives/Bay2"]
    assert [d.location for d in drives] == ["Bay 1", "Bay 2"]
    assert volumes is not None and [v.raid_type for v in volumes] == [RaidType.RAID1]
    assert volumes[0].drive_ids == ("chassis:Chassis1/Bay1", "chassis:Chassis1/Bay2")
    assert volumes[0].drive_ids == tuple(d.id for d in drives)


# -- identify LED ----------------------------------------------------------------------------

def test_identify_on_and_off_through_indicator_led(cluster: SimCluster) -> None:
    server = cluster["led"]
    server.clear_requests()
    with connect(server) as node:
        assert node.management.get_identify() is False
        assert node.management.set_identify(True) is True
        lit = render(server.state, SYSTEM)
        assert node.management.set_identify(False) is False
        off = render(server.state, SYSTEM)
    assert lit is not None and off is not None
    assert (lit["IndicatorLED"], off["IndicatorLED"]) == ("Lit", "Off")
    assert "LocationIndicatorActive" not in lit
    patches = [r.body for r in server.requests if r.method == "PATCH" and r.path == SYSTEM]
    assert patches == [{"IndicatorLED": "Lit"}, {"IndicatorLED": "Off"}]


def test_indicator_led_bmc_refuses_location_indicator_active(cluster: SimCluster) -> None:
    server = cluster["led"]
    answer = requests.patch(f"{server.http_url}{SYSTEM}", json={"LocationIndicatorActive": True},
                            auth=(server.username, server.password), timeout=10)
    assert answer.status_code == 400
    assert "PropertyUnknown" in answer.text
    system = render(server.state, SYSTEM)
    assert system is not None and system["IndicatorLED"] == "Off"


def test_unknown_shape_option_is_refused() -> None:
    with pytest.raises(ValueError, match="nic_view"):
        ServerSpec(nic_view="adapters")  # type: ignore[arg-type]
