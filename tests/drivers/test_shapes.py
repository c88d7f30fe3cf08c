"""The generic driver over hand-written documents in every service shape of issue 10 (DMTF
schemas: ComputerSystem NetworkInterfaces, NetworkAdapter, NetworkDeviceFunction, Port >= 1.4
``Ethernet.AssociatedMACAddresses``, NetworkPort ``AssociatedNetworkAddresses``, Chassis
``Links.Contains``/``Links.ComputerSystems``, Drive ``Status.State`` ``Absent`` and
``Links.Storage``, Volume ``Links.Drives``)."""

from __future__ import annotations

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver
from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.hpe import HpeIloDriver
from shape_docs import C1, CHASSIS, adapter, drive, link, links, nics_of, service, storage_docs

from hamnhw.models import LinkStatus, NicSource

# -- NICs ---------------------------------------------------------------------------------------

def test_port_associated_macs_of_a_smartnic_host() -> None:
    """No EthernetInterfaces; NetworkInterfaces -> NetworkAdapter whose Ports (>= 1.4) carry
    the MACs in Ethernet.AssociatedMACAddresses."""
    card = "/redfish/v1/Chassis/1/NetworkAdapters/DPU"
    docs = service({"NetworkInterfaces": link(f"{SYSTEM}/NetworkInterfaces")})
    docs[f"{SYSTEM}/NetworkInterfaces"] = {"Members": links(f"{SYSTEM}/NetworkInterfaces/DPU")}
    docs[f"{SYSTEM}/NetworkInterfaces/DPU"] = {"Links": {"NetworkAdapter": link(card)}}
    docs.update(adapter(card, ports={
        "0": {"PortId": "0", "LinkStatus": "LinkUp", "CurrentSpeedGbps": 100,
              "Ethernet": {"AssociatedMACAddresses": ["0C:42:A1:00:00:01"]}},
        "1": {"PortId": "1", "LinkStatus": "LinkDown",
              "Ethernet": {"AssociatedMACAddresses": ["0C:42:A1:00:00:02",
                                                      "0C:42:A1:00:00:03"]}}}))

    view, _ = nics_of(docs)

    assert [(n.id, n.mac, n.source, n.link, n.port) for n in view.nics] == [
        ("DPU/0", "0c:42:a1:00:00:01", NicSource.PORT, LinkStatus.UP, "0"),
        ("DPU/1", "0c:42:a1:00:00:02", NicSource.PORT, LinkStatus.DOWN, "1"),
        ("DPU/1/1", "0c:42:a1:00:00:03", NicSource.PORT, LinkStatus.DOWN, "1")]
    assert view.nics[0].speed_mbps == 100000


def test_network_port_associated_network_addresses() -> None:
    card = f"{C1}/NetworkAdapters/NIC.Slot.3"
    docs = service({}, {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, kind="NetworkPorts", ports={
        "NIC.Slot.3-1": {"PhysicalPortNumber": "1", "LinkStatus": "Up",
                         "CurrentLinkSpeedMbps": 10000,
                         "AssociatedNetworkAddresses": ["B0:26:28:00:00:01"]}}))

    view, _ = nics_of(docs)

    [nic] = view.nics
    assert (nic.mac, nic.source, nic.port, nic.speed_mbps) == (
        "b0:26:28:00:00:01", NicSource.NETWORK_PORT, "1", 10000)


def test_one_mac_seen_in_several_places_is_one_nic_completed_by_the_others() -> None:
    card = f"{C1}/NetworkAdapters/NIC1"
    docs = service({"EthernetInterfaces": link(f"{SYSTEM}/EthernetInterfaces")},
                   {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{SYSTEM}/EthernetInterfaces"] = {"Members": links(f"{SYSTEM}/EthernetInterfaces/1")}
    docs[f"{SYSTEM}/EthernetInterfaces/1"] = {"Id": "1", "MACAddress": "AA:00:00:00:00:01"}
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, Controllers=[{"Location": {"PartLocation": {
        "ServiceLabel": "Slot 1"}}}], functions={
            "1": {"Ethernet": {"MACAddress": "aa-00-00-00-00-01"},
                  "Links": {"PhysicalPortAssignment": link(f"{card}/Ports/1")}}},
        ports={"1": {"PortId": "1", "LinkStatus": "LinkUp", "CurrentSpeedGbps": 25,
                     "Ethernet": {"AssociatedMACAddresses": ["AA:00:00:00:00:01"]}}}))

    view, client = nics_of(docs)

    [nic] = view.nics
    assert (nic.id, nic.source, nic.uri) == ("1", NicSource.ETHERNET_INTERFACE,
                                             f"{SYSTEM}/EthernetInterfaces/1")
    assert (nic.link, nic.speed_mbps, nic.adapter, nic.location, nic.port) == (
        LinkStatus.UP, 25000, "NIC1", "Slot 1", "1")
    assert client.gets_of(f"{card}/Ports/1") == 1  # the port of the function: read once


def test_nics_unknown_when_nothing_is_linked_and_empty_when_linked_and_empty() -> None:
    view, client = nics_of(service({}))
    assert view.nics is None
    assert [p for _, p, _ in client.requests if "Network" in p or "Ethernet" in p] == []

    docs = service({"EthernetInterfaces": link(f"{SYSTEM}/EthernetInterfaces")})
    docs[f"{SYSTEM}/EthernetInterfaces"] = {"Members": []}
    assert nics_of(docs)[0].nics == ()


def test_a_network_interface_without_an_adapter_link_is_read_through_its_own_collections(
        ) -> None:
    iface = f"{SYSTEM}/NetworkInterfaces/NIC1"
    docs = service({"NetworkInterfaces": link(f"{SYSTEM}/NetworkInterfaces")})
    docs[f"{SYSTEM}/NetworkInterfaces"] = {"Members": links(iface)}
    docs.update(adapter(iface, functions={"1": {"Ethernet": {"MACAddress": "AA:00:00:00:00:09"}}}))

    view, _ = nics_of(docs)

    assert [(n.id, n.mac) for n in view.nics] == [("NIC1/1", "aa:00:00:00:00:09")]


def test_an_unreadable_adapter_is_a_warning_not_a_failure() -> None:
    docs = service({"EthernetInterfaces": link(f"{SYSTEM}/EthernetInterfaces")},
                   {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{SYSTEM}/EthernetInterfaces"] = {"Members": links(f"{SYSTEM}/EthernetInterfaces/1")}
    docs[f"{SYSTEM}/EthernetInterfaces/1"] = {"Id": "1", "MACAddress": "AA:00:00:00:00:01"}
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(f"{C1}/NetworkAdapters/Gone")}

    view, _ = nics_of(docs)

    assert [n.mac for n in view.nics] == ["aa:00:00:00:00:01"]
    assert view.incomplete
    assert view.warnings == (f"network adapter {C1}/NetworkAdapters/Gone not readable, "
                             f"skipped: GET {C1}/NetworkAdapters/Gone returned HTTP 404",)


# -- chassis: contained, claiming, shared, missing ------------------------------------------------

@pytest.mark.parametrize("driver", [GenericRedfishDriver, HpeIloDriver])
def test_chassis_rules_contained_claiming_shared_foreign_and_missing(
        driver: type[GenericRedfishDriver]) -> None:
    """The claiming ``DE`` (linked from nothing) is searched for in the Chassis collection
    only by a driver whose hook asks (HPE's storage enclosures): the linked chassis show
    drives, so the generic driver reads no collection."""
    enclosure, blade2, backplane, de = (f"{CHASSIS}/Enc", f"{CHASSIS}/B2", f"{CHASSIS}/BP",
                                        f"{CHASSIS}/DE")
    other = "/redfish/v1/Systems/2"
    docs = service({"Links": {"Chassis": links(C1, enclosure, f"{CHASSIS}/Gone")}}, {
        C1: {"Links": {"ComputerSystems": links(SYSTEM), "Contains": links(backplane)}},
        backplane: {"Id": "BP", "Links": {"Drives": links(f"{backplane}/Drives/0")}},
        de: {"Id": "DE", "Links": {"ComputerSystems": links(SYSTEM),
                                   "Drives": links(f"{de}/Drives/0")}},
        enclosure: {"Id": "Enc", "Links": {"ComputerSystems": links(SYSTEM, other),
                                           "Contains": links(blade2),
                                           "Drives": links(f"{enclosure}/Drives/mine",
                                                           f"{enclosure}/Drives/theirs")}},
        blade2: {"Id": "B2", "Links": {"ComputerSystems": links(other),
                                       "Drives": links(f"{blade2}/Drives/0")}},
    })
    docs.update({
        f"{backplane}/Drives/0": drive("BP-0"), f"{de}/Drives/0": drive("DE-0"),
        f"{enclosure}/Drives/mine": drive("ENC-MINE", Links={
            "Storage": link(f"{SYSTEM}/Storage/1")}),
        f"{enclosure}/Drives/theirs": drive("ENC-THEIRS", Links={
            "Storage": link(f"{other}/Storage/1")}),
        f"{blade2}/Drives/0": drive("B2-0"),
    })
    client = FakeClient(docs)

    inventory = make_driver(client, cls=driver).inventory.inventory()

    assert inventory.drives is not None
    searched = driver is HpeIloDriver
    claimed = [("chassis:DE/0", "DE-0")] if searched else []
    assert [(d.id, d.serial) for d in inventory.drives] == [  # own chassis, then shared
        ("chassis:BP/0", "BP-0"), *claimed, ("chassis:Enc/mine", "ENC-MINE")]
    assert client.gets_of(CHASSIS) == int(searched)
    assert client.gets_of(f"{enclosure}/Drives/theirs") == 1  # read, then left out
    assert client.gets_of(f"{blade2}/Drives/0") == 0  # another system's chassis: not followed
    assert inventory.incomplete
    assert [w.split(" not readable")[0] for w in inventory.warnings] == [
        f"chassis {CHASSIS}/Gone"]


# -- drives and volumes -------------------------------------------------------------------------

def test_drives_of_two_controllers_with_the_same_ids_are_qualified_by_their_storage() -> None:
    docs = storage_docs("RAID.Slot.1", "RAID.Slot.2")
    st = f"{SYSTEM}/Storage/RAID.Slot.2"
    docs[st]["Volumes"] = link(f"{st}/Volumes")
    docs[f"{st}/Volumes"] = {"Members": links(f"{st}/Volumes/0", f"{st}/Volumes/0")}
    docs[f"{st}/Volumes/0"] = {"Id": "0", "RAIDType": "RAID1",
                               "Links": {"Drives": links(f"{st}/Drives/0", f"{st}/Drives/1")}}

    inventory = make_driver(FakeClient(docs)).inventory.inventory()

    assert [d.id for d in inventory.drives or ()] == [
        "RAID.Slot.1/0", "RAID.Slot.1/1", "RAID.Slot.2/0", "RAID.Slot.2/1"]
    [volume] = inventory.volumes or ()  # linked twice, one volume
    assert (volume.id, volume.drive_ids) == ("RAID.Slot.2/0", ("RAID.Slot.2/0", "RAID.Slot.2/1"))


def test_drives_linked_twice_are_read_and_listed_once() -> None:
    """The chassis links the Storage's drive 0 again (same URI), and shows drive 1 under a
    second URI (same serial): two drives, each read once."""
    docs = storage_docs("1")
    st = f"{SYSTEM}/Storage/1"
    docs[st]["Drives"] += links(f"{st}/Drives/0/")
    docs[C1] = {"Links": {"Drives": links(f"{st}/Drives/0", f"{C1}/Drives/1")}}
    docs[f"{C1}/Drives/1"] = {"Id": "1", **drive("1-SN1")}
    client = FakeClient(docs)

    drives = make_driver(client).inventory.drives()

    assert [(d.id, d.serial) for d in drives or ()] == [("1/0", "1-SN0"), ("1/1", "1-SN1")]
    assert client.gets_of(f"{st}/Drives/0") == 1


def test_a_document_naming_another_drive_does_not_hide_it() -> None:
    """A wrong self ``@odata.id`` (DMTF public-tower has two) is not taken for the link."""
    docs = storage_docs("1")
    st = f"{SYSTEM}/Storage/1"
    docs[f"{st}/Drives/0"]["@odata.id"] = f"{st}/Drives/1"
    docs[f"{st}/Drives/1"]["@odata.id"] = f"{st}/Drives/0"

    drives = make_driver(FakeClient(docs)).inventory.drives()

    assert [d.serial for d in drives or ()] == ["1-SN0", "1-SN1"]


def test_absent_drives_are_empty_bays() -> None:
    docs = storage_docs("1")
    docs[f"{SYSTEM}/Storage/1/Drives/1"] = {
        "Id": "1", "Status": {"State": "Absent"},
        "PhysicalLocation": {"PartLocation": {"ServiceLabel": "Bay 2"}}}

    inventory = make_driver(FakeClient(docs)).inventory.inventory()

    assert [d.id for d in inventory.drives or ()] == ["1/0"]
    assert [(b.id, b.location) for b in inventory.empty_bays or ()] == [("1/1", "Bay 2")]


def test_placeholder_identity_of_the_system_and_drives_is_unknown() -> None:
    docs = storage_docs("1")
    docs[SYSTEM].update({"SerialNumber": "To Be Filled By O.E.M.", "Model": "Default string",
                         "UUID": "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "Manufacturer": " "})
    docs[f"{SYSTEM}/Storage/1/Drives/0"]["SerialNumber"] = "N/A"

    inventory = make_driver(FakeClient(docs)).inventory.inventory()

    system = inventory.system
    assert (system.serial, system.model, system.uuid, system.manufacturer) == (None,) * 4
    assert [d.serial for d in inventory.drives or ()] == [None, "1-SN1"]
