"""The generic driver over hand-written documents: one NIC per physical port (bonds, InfiniBand),
another system's drives and MACs never this node's (shared chassis with or without
``Links.ComputerSystems``, NetworkInterfaces into a blade enclosure's adapter), ids unique and
stable, null vs [] and unusable documents skipped (review of issues 10 and 12)."""

from __future__ import annotations

from typing import Any

from driver_fakes import SYSTEM, FakeClient, make_driver
from shape_docs import C1, CHASSIS, adapter, drive, link, links, nics_of, service, storage_docs

from hamnhw.models import LinkStatus, NicKind, NicSource

OTHER = "/redfish/v1/Systems/2"
ENC = f"{CHASSIS}/Enc"
ETHERNET = f"{SYSTEM}/EthernetInterfaces"


def two_systems(docs: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """``docs`` on a service listing a second system ``OTHER`` (the node's URL picks 1)."""
    docs["/redfish/v1/Systems"]["Members"].append(link(OTHER))
    docs[OTHER] = {"Id": "2", **other}
    return docs


def blade_view(docs: dict[str, Any]) -> Any:
    return make_driver(FakeClient(docs), url=f"redfish://bmc.test{SYSTEM}")


# -- one NIC per physical port -------------------------------------------------------------------

def bonded(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Two EthernetInterfaces, members of one bond: both show the bond's MAC as current."""
    docs = service({"EthernetInterfaces": link(ETHERNET)}, extra or {C1: {}})
    docs[ETHERNET] = {"Members": links(f"{ETHERNET}/NIC1", f"{ETHERNET}/NIC2")}
    docs[f"{ETHERNET}/NIC1"] = {"Id": "NIC1", "MACAddress": "b8:2a:72:dc:12:34",
                                "PermanentMACAddress": "b8:2a:72:dc:12:34"}
    docs[f"{ETHERNET}/NIC2"] = {"Id": "NIC2", "MACAddress": "b8:2a:72:dc:12:34",
                                "PermanentMACAddress": "b8:2a:72:dc:12:35"}
    return docs


def test_bond_members_sharing_a_current_mac_stay_two_nics() -> None:
    view, _ = nics_of(bonded())

    assert [(n.id, n.mac, n.permanent_mac) for n in view.nics] == [
        ("NIC1", "b8:2a:72:dc:12:34", "b8:2a:72:dc:12:34"),
        ("NIC2", "b8:2a:72:dc:12:34", "b8:2a:72:dc:12:35")]


def test_two_interfaces_without_permanent_macs_are_never_merged() -> None:
    docs = bonded()
    for nic in ("NIC1", "NIC2"):
        del docs[f"{ETHERNET}/{nic}"]["PermanentMACAddress"]

    view, _ = nics_of(docs)

    assert [n.id for n in view.nics] == ["NIC1", "NIC2"]


def test_adapter_functions_complete_the_bond_members_by_permanent_mac() -> None:
    card = f"{C1}/NetworkAdapters/NIC.Slot.1"
    docs = bonded({C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, functions={
        "2": {"Ethernet": {"MACAddress": "b8:2a:72:dc:12:34",
                           "PermanentMACAddress": "b8:2a:72:dc:12:35"},
              "Links": {"PhysicalPortAssignment": link(f"{card}/Ports/2")}},
        "1": {"Ethernet": {"MACAddress": "b8:2a:72:dc:12:34",
                           "PermanentMACAddress": "b8:2a:72:dc:12:34"},
              "Links": {"PhysicalPortAssignment": link(f"{card}/Ports/1")}}},
        ports={i: {"PortId": i, "LinkStatus": "LinkUp", "CurrentSpeedGbps": 25} for i in "12"}))

    view, _ = nics_of(docs)

    assert [(n.id, n.source, n.port) for n in view.nics] == [
        ("NIC1", NicSource.ETHERNET_INTERFACE, "1"), ("NIC2", NicSource.ETHERNET_INTERFACE, "2")]


def infiniband(guid: str) -> dict[str, Any]:
    """An HCA whose function (NetDevFuncType InfiniBand) and port show one port GUID."""
    hca = f"{C1}/NetworkAdapters/HCA"
    docs = service({}, {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(hca)}
    docs.update(adapter(hca, functions={"1": {
        "NetDevFuncType": "InfiniBand", "InfiniBand": {"PortGUID": guid, "NodeGUID": guid},
        "Links": {"PhysicalPortAssignment": link(f"{hca}/Ports/1")}}},
        ports={"1": {"PortId": "1", "LinkNetworkTechnology": "InfiniBand",
                     "LinkStatus": "LinkUp", "CurrentSpeedGbps": 200,
                     "InfiniBand": {"AssociatedPortGUIDs": [guid]}}},
        Location={"PartLocation": {"ServiceLabel": "Slot 3"}}))
    return docs


def test_an_infiniband_port_is_one_nic_with_its_guid_and_no_mac() -> None:
    view, _ = nics_of(infiniband("0002:C903:00AA:BB01"))

    [nic] = view.nics
    assert (nic.kind, nic.port_guid, nic.mac) == (
        NicKind.INFINIBAND, "00:02:c9:03:00:aa:bb:01", None)
    assert (nic.source, nic.location, nic.port, nic.link, nic.speed_mbps) == (
        NicSource.NETWORK_DEVICE_FUNCTION, "Slot 3", "1", LinkStatus.UP, 200000)


def test_a_fibre_channel_function_is_no_host_nic_and_a_bare_port_is_unknown() -> None:
    card = f"{C1}/NetworkAdapters/HBA"
    docs = service({}, {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, functions={"1": {"NetDevFuncType": "FibreChannel",
                                               "FibreChannel": {"PermanentWWPN": "x"}}},
                        ports={"1": {"PortId": "1"}}))

    view, _ = nics_of(docs)

    assert [(n.id, n.kind, n.mac) for n in view.nics] == [("HBA/1", NicKind.UNKNOWN, None)]


# -- another system's NICs and drives ---------------------------------------------------------

def mezzanine(interface: dict[str, Any]) -> dict[str, Any]:
    """A blade enclosure shared by systems 1 and 2 with a mezzanine adapter (one function
    each); system 1's NetworkInterface is ``interface`` (+ its ``Links.NetworkAdapter``)."""
    card = f"{ENC}/NetworkAdapters/Mezz1"
    iface = f"{SYSTEM}/NetworkInterfaces/Mezz1"
    docs = service({"Links": {"Chassis": links(ENC)},
                    "NetworkInterfaces": link(f"{SYSTEM}/NetworkInterfaces")},
                   {ENC: {"Id": "Enc", "NetworkAdapters": link(f"{ENC}/NetworkAdapters"),
                          "Links": {"ComputerSystems": links(SYSTEM, OTHER)}}})
    docs[f"{SYSTEM}/NetworkInterfaces"] = {"Members": links(iface)}
    docs[iface] = {"Id": "Mezz1", "Links": {"NetworkAdapter": link(card)}, **interface}
    docs[f"{ENC}/NetworkAdapters"] = {"Members": links(card)}
    docs.update(adapter(card, functions={
        "0": {"Ethernet": {"MACAddress": "02:00:00:00:0e:00"},
              "Links": {"EthernetInterfaces": links(f"{ETHERNET}/Mezz")}},
        "1": {"Ethernet": {"MACAddress": "02:00:00:00:0e:01"},
              "Links": {"EthernetInterfaces": links(f"{OTHER}/EthernetInterfaces/Mezz")}}},
        ports={i: {"PortId": i, "Ethernet": {"AssociatedMACAddresses": [f"02:00:00:00:0e:0{i}"]}}
               for i in "01"}))
    return two_systems(docs, {"Links": {"Chassis": links(ENC)}})


def test_a_network_interface_into_a_shared_adapter_gets_only_its_own_function() -> None:
    nics = blade_view(mezzanine({})).nics.list()

    assert [(n.id, n.mac) for n in nics or ()] == [("Mezz1/0", "02:00:00:00:0e:00")]


def test_a_network_interface_s_own_collections_come_before_its_adapter() -> None:
    scoped = f"{SYSTEM}/NetworkInterfaces/Mezz1/NetworkDeviceFunctions"
    docs = mezzanine({"NetworkDeviceFunctions": link(scoped)})
    docs[scoped] = {"Members": links(f"{ENC}/NetworkAdapters/Mezz1/NetworkDeviceFunctions/0")}
    client = FakeClient(docs)

    nics = make_driver(client, url=f"redfish://bmc.test{SYSTEM}").nics.list()

    assert [(n.id, n.mac) for n in nics or ()] == [("Mezz1/0", "02:00:00:00:0e:00")]
    assert client.gets_of(f"{ENC}/NetworkAdapters/Mezz1/NetworkDeviceFunctions/1") == 0


def test_a_function_naming_only_another_system_is_left_out_of_any_chassis() -> None:
    docs = mezzanine({})
    docs[ENC]["Links"] = {}  # says nothing of systems, and only system 1 links it
    docs[OTHER] = {"Id": "2"}

    nics = blade_view(docs).nics.list()

    assert [n.mac for n in nics or ()] == ["02:00:00:00:0e:00"]


def enclosure_drives(**enclosure: Any) -> dict[str, Any]:
    """Systems 1 and 2 both link ``ENC`` (no ``Links.ComputerSystems``); its drive ``0`` is
    system 1's, ``1`` system 2's, ``2`` says nothing."""
    docs = service({"Links": {"Chassis": links(ENC)}},
                   {ENC: {"Id": "Enc", "Drives": link(f"{ENC}/Drives"), **enclosure}})
    docs[f"{ENC}/Drives"] = {"Members": links(*(f"{ENC}/Drives/{i}" for i in "012"))}
    docs[f"{ENC}/Drives/0"] = drive("MINE", Links={"Storage": link(f"{SYSTEM}/Storage/1")})
    docs[f"{ENC}/Drives/1"] = drive("THEIRS", Links={"Storage": link(f"{OTHER}/Storage/1")})
    docs[f"{ENC}/Drives/2"] = drive("UNSAID")
    return docs


def test_an_enclosure_other_systems_link_is_shared_though_it_names_no_system() -> None:
    docs = two_systems(enclosure_drives(), {"Links": {"Chassis": links(ENC)}})

    drives = blade_view(docs).inventory.drives()

    assert [(d.id, d.serial) for d in drives or ()] == [("chassis:Enc/0", "MINE")]


def test_a_chassis_drive_naming_another_system_is_never_this_node_s() -> None:
    docs = two_systems(enclosure_drives(), {})  # system 2 links no chassis: Enc is "own"

    drives = blade_view(docs).inventory.drives()

    assert [d.serial for d in drives or ()] == ["MINE", "UNSAID"]


def test_a_single_system_service_reads_no_other_system() -> None:
    client = FakeClient(enclosure_drives())

    make_driver(client).inventory.drives()

    assert [p for m, p, _ in client.requests if m == "GET" and "/Systems/" in p] == [SYSTEM]


# -- ids unique and stable -----------------------------------------------------------------------

def test_a_storage_and_a_chassis_of_the_same_id_give_distinct_drive_ids() -> None:
    docs = storage_docs("1")
    docs[C1] = {"Id": "1", "Drives": link(f"{C1}/Drives")}
    docs[f"{C1}/Drives"] = {"Members": links(f"{C1}/Drives/0")}
    docs[f"{C1}/Drives/0"] = {"Id": "0", **drive("NVME-BBB")}

    drives = make_driver(FakeClient(docs)).inventory.drives()

    assert [(d.id, d.serial) for d in drives or ()] == [
        ("1/0", "1-SN0"), ("1/1", "1-SN1"), ("chassis:1/0", "NVME-BBB")]


def test_two_drives_with_the_same_id_property_are_told_apart_by_their_uris() -> None:
    docs = storage_docs("RAID")
    st = f"{SYSTEM}/Storage/RAID"
    docs[st]["Drives"] = links(f"{st}/Drives/Enc1.Bay0", f"{st}/Drives/Enc2.Bay0")
    docs[f"{st}/Drives/Enc1.Bay0"] = {"Id": "0", **drive("X1")}
    docs[f"{st}/Drives/Enc2.Bay0"] = {"Id": "0", **drive("X2")}

    drives = make_driver(FakeClient(docs)).inventory.drives()

    assert [d.id for d in drives or ()] == ["RAID/Enc1.Bay0", "RAID/Enc2.Bay0"]


def simple_storage(*names: str | None) -> dict[str, Any]:
    simple = f"{SYSTEM}/SimpleStorage/1"
    docs = service({"SimpleStorage": link(f"{SYSTEM}/SimpleStorage")})
    docs[f"{SYSTEM}/SimpleStorage"] = {"Members": links(simple)}
    docs[simple] = {"Id": "1", "Devices": [
        {**({"Name": name} if name else {}), "Status": {"State": "Enabled"}} for name in names]}
    return docs


def test_simple_storage_device_ids_do_not_move_when_a_device_is_inserted_before() -> None:
    before = make_driver(FakeClient(simple_storage("SATA Bay 2"))).inventory.drives()
    after = make_driver(FakeClient(simple_storage("SATA Bay 1", "SATA Bay 2"))
                        ).inventory.drives()

    assert [d.id for d in before or ()] == ["1/SATA Bay 2"]
    assert [d.id for d in after or ()] == ["1/SATA Bay 1", "1/SATA Bay 2"]
    twice = make_driver(FakeClient(simple_storage("Disk", "Disk"))).inventory.drives()
    assert [d.id for d in twice or ()] == ["1/Disk", "1/Disk#1"]  # unique, though odd


def test_ids_stay_unique_when_odd_uris_clash() -> None:
    docs = storage_docs("1")
    st = f"{SYSTEM}/Storage/1"
    docs[st]["Drives"] = links("/odd/a/0", "/odd/b/0")
    docs["/odd/a/0"] = drive("A")
    docs["/odd/b/0"] = drive("B")

    drives = make_driver(FakeClient(docs)).inventory.drives()

    assert [d.id for d in drives or ()] == ["1/0", "/odd/b/0"]


# -- null vs [], unusable documents --------------------------------------------------------------

def test_an_adapter_showing_no_functions_or_ports_leaves_nics_unknown() -> None:
    docs = service({}, {C1: {"NetworkAdapters": link(f"{C1}/NetworkAdapters")}})
    docs[f"{C1}/NetworkAdapters"] = {"Members": links(f"{C1}/NetworkAdapters/A")}
    docs[f"{C1}/NetworkAdapters/A"] = {
        "Id": "A", "Controllers": [{"ControllerCapabilities": {"NetworkPortCount": 2}}]}

    view, _ = nics_of(docs)

    assert (view.nics, view.incomplete) == (None, False)


def test_no_absent_drive_means_empty_bays_unknown() -> None:
    inventory = make_driver(FakeClient(storage_docs("1"))).inventory.inventory()

    assert inventory.drives is not None and inventory.empty_bays is None


def test_a_wrongly_typed_drive_is_skipped_with_a_warning() -> None:
    docs = storage_docs("1")
    docs[f"{SYSTEM}/Storage/1/Drives/1"]["CapacityBytes"] = "1000"

    inventory = make_driver(FakeClient(docs)).inventory.inventory()

    assert [d.serial for d in inventory.drives or ()] == ["1-SN0"]
    assert inventory.incomplete
    assert [w.split(" not usable")[0] for w in inventory.warnings] == [
        f"drive {SYSTEM}/Storage/1/Drives/1"]


def test_a_wrongly_typed_interface_is_skipped_with_a_warning() -> None:
    docs = bonded()
    docs[f"{ETHERNET}/NIC2"]["SpeedMbps"] = "fast"

    view, _ = nics_of(docs)

    assert [n.id for n in view.nics] == ["NIC1"]
    assert view.incomplete and "NIC2" in view.warnings[0]


def test_a_volume_two_storages_link_is_one_volume() -> None:
    """Two Storage resources (two views of one controller) link one Volumes collection."""
    docs = storage_docs("A", "B")
    st = f"{SYSTEM}/Storage"
    for name in ("A", "B"):
        docs[f"{st}/{name}"]["Volumes"] = link(f"{st}/A/Volumes")
    docs[f"{st}/A/Volumes"] = {"Members": links(f"{st}/A/Volumes/1")}
    docs[f"{st}/A/Volumes/1"] = {"Id": "1", "RAIDType": "RAID1",
                                 "Links": {"Drives": links(f"{st}/A/Drives/0", f"{st}/A/Drives/1")}}

    volumes = make_driver(FakeClient(docs)).inventory.volumes()

    assert [(v.id, v.drive_ids) for v in volumes or ()] == [("A/1", ("A/0", "A/1"))]
