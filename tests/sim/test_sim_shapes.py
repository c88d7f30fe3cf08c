"""The simulator's service shapes (hamnhw.sim.shapes, cards, enclosure), as documents."""

from __future__ import annotations

import pytest

from hamnhw.sim import NicSpec, ServerSpec
from hamnhw.sim.resources import render

ROOT = "/redfish/v1"
SYSTEM = f"{ROOT}/Systems/1"


@pytest.mark.parametrize(("option", "value"), [
    ("nic_view", "cards"), ("storage_view", "raid"), ("card_style", "lanes"),
    ("systems", "some"), ("controllers", 0), ("controllers", 9)])
def test_unknown_choices_are_refused(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        ServerSpec(**{option: value})  # type: ignore[arg-type]


def test_two_controllers_and_empty_bays(start_cluster) -> None:
    state = start_cluster(ServerSpec(name="n", power="On", controllers=2, bay_count=4,
                                     empty_bays=True))["n"].state
    storages = render(state, f"{SYSTEM}/Storage")
    assert storages is not None
    assert [m["@odata.id"].rsplit("/", 1)[-1] for m in storages["Members"]] == [
        "RAIDController1", "RAIDController2"]
    second = render(state, f"{SYSTEM}/Storage/RAIDController2")
    assert second is not None and "Volumes" not in second  # the volume lives on the first
    bays = [render(state, m["@odata.id"]) for m in second["Drives"]]
    assert [(b["Id"], b["Status"]["State"]) for b in bays if b] == [
        ("Disk.0", "Absent"), ("Disk.1", "Absent")]
    assert render(state, f"{SYSTEM}/Storage/RAIDController3") is None


def test_systems_absent_and_empty(start_cluster) -> None:
    cluster = start_cluster(ServerSpec(name="pdu", systems="absent"),
                            ServerSpec(name="starting", systems="empty"))
    assert "Systems" not in (render(cluster["pdu"].state, ROOT) or {})
    systems = render(cluster["starting"].state, f"{ROOT}/Systems")
    assert systems is not None and systems["Members"] == []


def test_card_styles_put_the_macs_where_their_schema_does(start_cluster) -> None:
    nic = NicSpec("P1", "02:00:00:00:00:01")
    cluster = start_cluster(*(ServerSpec(name=style, card_nics=(nic,), card_style=style)
                              for style in ("functions", "ports", "network_ports")))
    card = f"{ROOT}/Chassis/Chassis1/NetworkAdapters/NIC.Slot.2"
    function = render(cluster["functions"].state, f"{card}/NetworkDeviceFunctions/P1")
    assert function is not None and function["Ethernet"]["MACAddress"] == nic.mac
    port = render(cluster["ports"].state, f"{card}/Ports/P1")
    assert port is not None and port["Ethernet"]["AssociatedMACAddresses"] == [nic.mac]
    assert render(cluster["ports"].state, f"{card}/NetworkDeviceFunctions") is None
    legacy = render(cluster["network_ports"].state, f"{card}/NetworkPorts/P1")
    assert legacy is not None and legacy["AssociatedNetworkAddresses"] == [nic.mac]
