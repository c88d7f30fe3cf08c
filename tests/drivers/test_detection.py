"""Detection of the built-in drivers through the real entry points (hamnhw.registry.detect)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from driver_fakes import FakeClient, minimal_docs
from driver_mockups import MOCKUPS, read_mockup
from hamnhw_drivers.dell import DellIdracDriver
from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.hpe import HpeIloDriver
from hamnhw_drivers.lenovo import LenovoXccDriver
from hamnhw_drivers.supermicro import SupermicroDriver

import hamnhw
from hamnhw import registry
from hamnhw.address import parse_bmc_url
from hamnhw.errors import DriverNotFound
from hamnhw.interfaces import PollPolicy
from hamnhw.models import PowerState
from hamnhw.sim import ServerSpec, SimCluster, SimServer

ADDRESS = parse_bmc_url("redfish://bmc.test")
BUILT_IN = {"generic": GenericRedfishDriver, "dell": DellIdracDriver, "hpe": HpeIloDriver,
            "lenovo": LenovoXccDriver, "supermicro": SupermicroDriver}


def client_with(root_extra: dict | None = None, manager_model: str | None = None) -> FakeClient:
    docs = minimal_docs()
    docs["/redfish/v1/"].update(root_extra or {})
    if manager_model is not None:
        docs["/redfish/v1/"]["Managers"] = {"@odata.id": "/redfish/v1/Managers"}
        docs["/redfish/v1/Managers"] = {"Members": [{"@odata.id": "/redfish/v1/Managers/1"}]}
        docs["/redfish/v1/Managers/1"] = {"Id": "1", "Model": manager_model}
    return FakeClient(docs)


def detected(client: FakeClient, address=ADDRESS) -> tuple[str, str]:
    cls, detection = registry.detect(client, address)
    assert cls.name == detection.driver
    return detection.driver, detection.reason


def test_entry_points_load_every_built_in_driver() -> None:
    names = {ep.name for ep in metadata.entry_points(group=registry.ENTRY_POINT_GROUP)}
    assert set(BUILT_IN) <= names
    loaded = registry.load_drivers()
    for name, cls in BUILT_IN.items():
        assert loaded[name] is cls


def test_only_generic_is_the_fallback() -> None:
    assert [n for n, c in BUILT_IN.items() if c.fallback] == ["generic"]


@pytest.mark.parametrize(("root", "model", "driver"), [
    ({"Vendor": "HPE"}, None, "hpe"),
    ({"Vendor": "Hewlett Packard Enterprise"}, None, "hpe"),
    ({"Vendor": "Dell"}, None, "dell"),
    ({"Vendor": "Lenovo"}, None, "lenovo"),
    ({"Vendor": "Super Micro Computer, Inc."}, None, "supermicro"),
    ({"Oem": {"Dell": {"ServiceTag": "X"}}}, None, "dell"),
    ({"Oem": {"Hp": {}}}, None, "hpe"),
    ({"Oem": {"Hpe": {}}}, None, "hpe"),
    ({"Oem": {"Supermicro": {}}}, None, "supermicro"),
    ({}, "Lenovo XClarity Controller", "lenovo"),
    ({}, "14G Monolithic", "dell"),
    ({}, "iLO 5", "hpe"),
    ({}, "Joo Janta 200", "generic"),
    ({}, None, "generic"),
])
def test_detection_from_synthetic_roots(root, model, driver) -> None:
    assert detected(client_with(root, model))[0] == driver


def test_vendor_wins_over_oem_key() -> None:
    name, reason = detected(client_with({"Vendor": "HPE", "Oem": {"Dell": {}}}))
    assert (name, reason) == ("hpe", "ServiceRoot Vendor 'HPE'")


@pytest.mark.parametrize(("scheme", "driver"), [
    ("idrac-redfish", "dell"), ("ilo5-redfish", "hpe"), ("xcc-redfish", "lenovo"),
    ("supermicro-redfish", "supermicro"), ("idrac-redfish+http", "dell"),
])
def test_forced_scheme_wins(scheme, driver) -> None:
    address = parse_bmc_url(f"{scheme}://bmc.test")
    name, reason = detected(client_with({"Vendor": "HPE"}), address)
    assert name == driver and "URL scheme" in reason


@pytest.mark.parametrize("root", [{"Vendor": "Dell"}, {"Oem": {"Dell": {}}}],
                         ids=["vendor", "oem"])
def test_forced_scheme_naming_another_maker_wins_with_a_warning(root, caplog) -> None:
    address = parse_bmc_url("ilo5-redfish://bmc.test")
    with caplog.at_level("WARNING", logger="hamnhw"):
        cls, detection = registry.detect(client_with(root), address)
    assert cls is HpeIloDriver and "URL scheme" in detection.reason
    assert detection.warning is not None
    assert "ilo5-redfish://" in detection.warning and "hpe" in detection.warning
    assert "dell" in detection.warning and "ServiceRoot" in detection.warning
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == [f"bmc.test: {detection.warning}"]


@pytest.mark.parametrize("root", [{"Vendor": "HPE"}, {}, {"Vendor": "Acme"}],
                         ids=["same-maker", "no-maker", "unclaimed-maker"])
def test_forced_scheme_agreeing_or_unopposed_has_no_warning(root, caplog) -> None:
    with caplog.at_level("WARNING", logger="hamnhw"):
        _, detection = registry.detect(client_with(root), parse_bmc_url("ilo5-redfish://b.test"))
    assert detection.warning is None and not caplog.records


def test_unknown_forced_scheme_is_driver_not_found() -> None:
    with pytest.raises(DriverNotFound, match="acme-redfish"):
        registry.detect(client_with(), parse_bmc_url("acme-redfish://bmc.test"))


@pytest.mark.parametrize("mockup", ["public-localstorage", "public-rackmount1"])
def test_dmtf_mockups_detect_as_generic(mockup) -> None:
    folder = Path(MOCKUPS) / mockup
    if not (folder / "index.json").is_file():
        pytest.skip(f"DMTF mockup {mockup} not found at {folder} (../shared absent)")
    docs = {"/redfish/v1/": read_mockup(folder, "/redfish/v1/")}
    for path in ("/redfish/v1/Managers", "/redfish/v1/Managers/BMC"):
        docs[path] = read_mockup(folder, path)

    assert detected(FakeClient(docs))[0] == "generic"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="node", power="On")]) as cluster:
        yield cluster["node"]


def _through(server: SimServer, driver: str) -> dict[str, object]:
    """Power off and on, NICs and inventory through ``driver`` forced on the simulator."""
    with hamnhw.connect(server.url, username=server.username, password=server.password,
                        driver=driver, poll=PollPolicy(interval=0.01, timeout=10)) as node:
        assert isinstance(node.driver, BUILT_IN[driver])
        off, on = node.power.off(), node.power.on()
        inventory = node.inventory.inventory()
        return {"off": (off.power_state, off.changed, off.confirmed),
                "on": (on.power_state, on.changed, on.confirmed),
                "state": node.power.state(),
                "nics": [(n.id, n.mac, n.link) for n in node.nics.list()],
                "system": inventory.system.serial,
                "drives": sorted(d.serial or "" for d in inventory.drives or ())}


@pytest.mark.parametrize("vendor", ["dell", "hpe", "lenovo", "supermicro"])
def test_vendor_driver_is_a_working_generic_driver(sim: SimServer, vendor: str) -> None:
    """Each vendor driver only overrides hooks: on a plain Redfish BMC it powers off and on,
    lists the NICs and reads the inventory exactly as the generic driver does."""
    sim.set_power("On")
    generic = _through(sim, "generic")
    sim.clear_requests()

    through_vendor = _through(sim, vendor)

    assert through_vendor == generic
    assert generic["off"] == (PowerState.OFF, True, True)
    assert generic["on"] == (PowerState.ON, True, True)
    assert generic["nics"] and all(mac for _, mac, _ in generic["nics"])
    assert generic["drives"] and all(generic["drives"])
    resets = [r.body["ResetType"] for r in sim.requests if r.method == "POST"
              and r.path.endswith("ComputerSystem.Reset")]
    assert resets == ["ForceOff", "On"]
