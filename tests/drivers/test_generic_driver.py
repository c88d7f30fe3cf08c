"""The generic driver on small synthetic services: system choice, boot override,
identify LED, NIC fallback, and "the BMC cannot tell" answers."""

from __future__ import annotations

import pytest
from driver_fakes import SYSTEM, FakeClient, make_driver, minimal_docs

from hamnhw.errors import DriverNotFound, OperationFailed, UnsupportedOperation
from hamnhw.models import BootOverride, BootOverrideMode, BootSource, LinkStatus, NicSource

# -- system selection ------------------------------------------------------------------------


def two_systems() -> FakeClient:
    docs = minimal_docs()
    docs["/redfish/v1/Systems"]["Members"] = [{"@odata.id": "/redfish/v1/Systems/1"},
                                              {"@odata.id": "/redfish/v1/Systems/2"}]
    docs["/redfish/v1/Systems/2"] = {"Id": "2", "PowerState": "Off"}
    return FakeClient(docs)


def test_several_systems_and_none_picked_lists_the_ids() -> None:
    with pytest.raises(DriverNotFound, match=r"several systems \(1, 2\)") as info:
        make_driver(two_systems()).power.state()
    assert info.value.usage  # the user fixes it by picking one: CLI exit 2


def test_url_path_picks_the_system() -> None:
    driver = make_driver(two_systems(), "redfish://bmc.test/redfish/v1/Systems/2")
    assert driver.inventory.system().id == "2"


def test_unknown_system_id_lists_the_ids() -> None:
    driver = make_driver(two_systems(), "redfish://bmc.test/redfish/v1/Systems/9")
    with pytest.raises(DriverNotFound, match="'9' not found; this BMC has: 1, 2") as info:
        driver.inventory.system()
    assert info.value.usage


def test_no_system_is_driver_not_found() -> None:
    docs = minimal_docs()
    docs["/redfish/v1/Systems"]["Members"] = []
    with pytest.raises(DriverNotFound, match="no ComputerSystem"):
        make_driver(FakeClient(docs)).power.state()


# -- boot override and identify ------------------------------------------------------------------


def test_boot_override_once_and_continuous_with_read_back() -> None:
    client = FakeClient(minimal_docs({"Boot": {
        "BootSourceOverrideTarget": "None", "BootSourceOverrideEnabled": "Disabled",
        "BootSourceOverrideTarget@Redfish.AllowableValues": ["None", "Pxe", "Hdd", "BiosSetup"]}}))
    mgmt = make_driver(client).management

    assert mgmt.set_boot_override(BootSource.PXE) == BootOverride(BootSource.PXE,
                                                                  BootOverrideMode.ONCE)
    assert mgmt.set_boot_override(BootSource.HDD, persistent=True) == BootOverride(
        BootSource.HDD, BootOverrideMode.CONTINUOUS)
    assert client.sent("PATCH")[0] == (SYSTEM, {"Boot": {
        "BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Once"}})


def test_boot_target_not_allowed_is_unsupported_and_not_sent() -> None:
    client = FakeClient(minimal_docs({"Boot": {
        "BootSourceOverrideTarget@Redfish.AllowableValues": ["None", "Pxe"]}}))
    with pytest.raises(UnsupportedOperation, match="BiosSetup"):
        make_driver(client).management.set_boot_override(BootSource.BIOS_SETUP)
    assert client.sent("PATCH") == []


def test_boot_override_not_read_back_fails() -> None:
    class Ignoring(FakeClient):
        def patch(self, path, body, etag=None):
            self.requests.append(("PATCH", path, dict(body)))

    client = Ignoring(minimal_docs({"Boot": {"BootSourceOverrideTarget": "None"}}))
    with pytest.raises(OperationFailed, match="reads back None"):
        make_driver(client).management.set_boot_override(BootSource.PXE)


@pytest.mark.parametrize(("system", "patch"), [
    ({"LocationIndicatorActive": False, "IndicatorLED": "Off"}, {"LocationIndicatorActive": True}),
    ({"IndicatorLED": "Off"}, {"IndicatorLED": "Lit"}),
])
def test_identify_led_uses_the_property_the_schema_has(system, patch) -> None:
    client = FakeClient(minimal_docs(system))
    mgmt = make_driver(client).management

    assert mgmt.get_identify() is False
    assert mgmt.set_identify(True) is True
    assert client.sent("PATCH") == [(SYSTEM, patch)]


def test_identify_unknown_when_no_property() -> None:
    mgmt = make_driver(FakeClient(minimal_docs())).management
    assert mgmt.get_identify() is None
    with pytest.raises(UnsupportedOperation):
        mgmt.set_identify(True)


# -- NICs ------------------------------------------------------------------------------------------


def adapter_docs(ethernet_interfaces: list | None) -> dict:
    docs = minimal_docs({"Links": {"Chassis": [{"@odata.id": "/c"}]}})
    if ethernet_interfaces is not None:
        docs[SYSTEM]["EthernetInterfaces"] = {"@odata.id": "/ei"}
        docs["/ei"] = {"Members": ethernet_interfaces}
    docs.update({
        "/c": {"NetworkAdapters": {"@odata.id": "/c/na"}},
        "/c/na": {"Members": [{"@odata.id": "/c/na/NIC1"}]},
        "/c/na/NIC1": {"NetworkDeviceFunctions": {"@odata.id": "/c/na/NIC1/f"}},
        "/c/na/NIC1/f": {"Members": [{"@odata.id": "/c/na/NIC1/f/1"}]},
        "/c/na/NIC1/f/1": {"Id": "1", "Ethernet": {"MACAddress": "AA:BB:CC:DD:EE:01"},
                           "Links": {"PhysicalPortAssignment": {"@odata.id": "/c/na/NIC1/p/1"}}},
        "/c/na/NIC1/p/1": {"Id": "1", "LinkStatus": "LinkUp", "CurrentSpeedGbps": 25},
    })
    return docs


@pytest.mark.parametrize("ethernet_interfaces", [None, []])
def test_nics_fall_back_to_network_adapters(ethernet_interfaces) -> None:
    nics = make_driver(FakeClient(adapter_docs(ethernet_interfaces))).nics.list()

    assert [(n.id, n.mac, n.link, n.speed_mbps) for n in nics] == [
        ("NIC1/1", "aa:bb:cc:dd:ee:01", LinkStatus.UP, 25000)]


def test_ethernet_interfaces_and_adapters_both_count() -> None:
    """A tower server: the onboard port in EthernetInterfaces, an add-in card's port only
    under the chassis NetworkAdapters.  Both MACs are the host's."""
    docs = adapter_docs([{"@odata.id": "/ei/1"}])
    docs["/ei/1"] = {"Id": "1", "MACAddress": "AA:BB:CC:DD:EE:99"}

    nics = make_driver(FakeClient(docs)).nics.list()

    assert nics is not None
    assert [(n.id, n.mac, n.source) for n in nics] == [
        ("1", "aa:bb:cc:dd:ee:99", NicSource.ETHERNET_INTERFACE),
        ("NIC1/1", "aa:bb:cc:dd:ee:01", NicSource.NETWORK_DEVICE_FUNCTION)]


def test_bmc_nics_without_manager_is_unsupported() -> None:
    with pytest.raises(UnsupportedOperation, match="bmc_nics"):
        make_driver(FakeClient(minimal_docs())).nics.bmc_nics()


# -- storage: None means "cannot tell" ------------------------------------------------------


def test_no_storage_links_reads_as_unknown_not_empty() -> None:
    driver = make_driver(FakeClient(minimal_docs()))
    inventory = driver.inventory.inventory()

    assert (inventory.controllers, inventory.drives, inventory.volumes) == (None, None, None)
    assert inventory.manager is None
    assert driver.raid.volumes() is None and driver.raid.drives() is None


def storage_docs() -> dict:
    docs = minimal_docs({"Storage": {"@odata.id": "/st"},
                         "Links": {"Chassis": [{"@odata.id": "/c"}]}})
    docs.update({
        "/st": {"Members": [{"@odata.id": "/st/1"}, {}]},
        "/st/1": {"Id": "1", "Drives": [{"@odata.id": "/st/1/d/A"}, {"@odata.id": "/st/1/d/A"}]},
        "/st/1/d/A": {"Id": "A", "SerialNumber": "SER-A"},
        "/c": {"Drives": {"@odata.id": "/c/d"}},
        "/c/d": {"Members": [{"@odata.id": "/c/d/A"}, {"@odata.id": "/c/d/B"}]},
        "/c/d/A": {"Id": "A", "SerialNumber": "SER-A"},
        "/c/d/B": {"Id": "B", "SerialNumber": "SER-B"},
    })
    return docs


def test_drives_deduplicated_and_chassis_drives_added() -> None:
    inventory = make_driver(FakeClient(storage_docs())).inventory

    drives = inventory.drives()

    assert drives is not None
    assert [(d.id, d.serial, d.uri) for d in drives] == [
        ("1/A", "SER-A", "/st/1/d/A"), ("chassis:c/B", "SER-B", "/c/d/B")]


def test_storage_without_volumes_link_cannot_tell_volumes() -> None:
    assert make_driver(FakeClient(storage_docs())).raid.volumes() is None


def test_storage_with_empty_volumes_is_an_empty_tuple() -> None:
    docs = storage_docs()
    docs["/st/1"]["Volumes"] = {"@odata.id": "/st/1/v"}
    docs["/st/1/v"] = {"Members": []}

    assert make_driver(FakeClient(docs)).raid.volumes() == ()


# -- services without a system, and detection that needs none ---------------------------------


def test_service_without_systems_link_exposes_no_computer_system() -> None:
    docs = minimal_docs()
    docs["/redfish/v1/"] = {"Chassis": {"@odata.id": "/redfish/v1/Chassis"}}  # a PDU
    docs["/redfish/v1/Chassis"] = {"Members": []}
    client = FakeClient(docs)

    with pytest.raises(DriverNotFound, match="exposes no computer system") as info:
        make_driver(client).open()

    assert info.value.usage  # exit 2: nothing hamnhw can drive
    assert client.gets_of("/redfish/v1/Systems") == 0  # never guessed


def test_empty_systems_collection_is_not_a_usage_error() -> None:
    docs = minimal_docs()
    docs["/redfish/v1/Systems"]["Members"] = []
    with pytest.raises(DriverNotFound, match="no ComputerSystem") as info:
        make_driver(FakeClient(docs)).open()
    assert not info.value.usage  # a BMC still starting: exit 1


def test_probe_reads_without_choosing_among_several_systems() -> None:
    client = two_systems()
    driver = make_driver(client)

    driver.probe()

    assert client.gets_of("/redfish/v1/Systems") == 1
    assert client.gets_of(SYSTEM) == 0


def test_dells_service_tag_in_sku_is_a_serial_another_vendors_sku_is_not() -> None:
    """Dell's ComputerSystem SerialNumber is its board's; its service tag is SKU
    (docs/quirks.md): both are host serials.  Elsewhere SKU is a model number shared by
    identical servers (Lenovo's machine type model): never a serial."""
    from hamnhw_drivers.dell import DellIdracDriver

    docs = minimal_docs({"SerialNumber": "CNIVC0017N0081", "SKU": "7XJ2K93"})
    dell = make_driver(FakeClient(docs), cls=DellIdracDriver).inventory.system()
    assert dell.serial == "CNIVC0017N0081"
    assert dict(dell.serials) == {"SerialNumber": "CNIVC0017N0081", "SKU": "7XJ2K93"}
    lenovo = minimal_docs({"SerialNumber": "J30A1B2C", "SKU": "7X2106Z"})
    generic = make_driver(FakeClient(lenovo)).inventory.system()
    assert dict(generic.serials) == {"SerialNumber": "J30A1B2C"}
    blank = make_driver(FakeClient(minimal_docs({"SerialNumber": "N/A"}))).inventory.system()
    assert (blank.serial, dict(blank.serials)) == (None, {})
