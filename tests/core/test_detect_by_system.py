"""Detection from the System the driver reads anyway (hamnhw.vendorhints): its Oem keys
or Manufacturer name the driver; a BMC naming a maker no driver claims settles on the
fallback without the Manager; the Manager decides where nothing names a maker, or where
the System's maker and the BMC's disagree; failed reads are named and not remembered."""

from __future__ import annotations

from typing import Any

import pytest

import hamnhw
from hamnhw import detectcache, registry
from hamnhw.address import parse_bmc_url
from hamnhw.driver import Driver
from hamnhw.errors import BmcTimeout, MalformedResponse, NotFoundError, ServerSideError
from hamnhw.sim import ServerSpec, SimCluster


class _Generic(Driver):
    fallback = True


class _Acme(Driver):
    vendor_names = ("acme",)
    oem_keys = ("Acme",)
    manager_models = ("AcmeBMC",)


class _Zeta(Driver):
    vendor_names = ("zeta",)
    oem_keys = ("Zeta",)


DRIVERS: dict[str, type[Driver]] = {"generic": _Generic, "acme": _Acme, "zeta": _Zeta}
ROOT = {"@odata.id": "/redfish/v1/", "Systems": {"@odata.id": "/redfish/v1/Systems"},
        "Managers": {"@odata.id": "/redfish/v1/Managers"}}
MANAGED_BY = {"Links": {"ManagedBy": [{"@odata.id": "/redfish/v1/Managers/M"}]}}
MANAGER = "/redfish/v1/Managers/M"


@pytest.fixture(autouse=True)
def _names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cls in DRIVERS.items():
        monkeypatch.setattr(cls, "name", name)


class _Service:
    """A client over a fixed tree of documents, recording the paths it was asked; a value
    that is an exception is raised instead."""

    def __init__(self, systems: dict[str, Any], model: str = "AcmeBMC 3",
                 **root: Any) -> None:
        self.root = {**ROOT, **root}
        self.docs: dict[str, Any] = {
            "/redfish/v1/Systems": {"Members": [{"@odata.id": path} for path in systems]},
            "/redfish/v1/Managers": {"Members": [{"@odata.id": MANAGER}]},
            MANAGER: {"Model": model}, **systems}
        self.gets: list[str] = []

    def get(self, path: str) -> Any:
        self.gets.append(path)
        doc = self.docs.get(path)
        if doc is None:
            raise NotFoundError(host="h", method="GET", path=path, status=404)
        if isinstance(doc, BaseException):
            raise doc
        return doc


def detect(service: _Service, url: str = "redfish://bmc",
           problems: list[str] | None = None) -> tuple[type[Driver], str]:
    cls, detection = registry.detect(service, parse_bmc_url(url), DRIVERS, problems=problems)
    return cls, detection.reason


def one_system(system: Any = None, model: str = "AcmeBMC 3", **root: Any) -> _Service:
    return _Service({"/redfish/v1/Systems/1": system if system is not None else MANAGED_BY},
                    model, **root)


def fields(**values: Any) -> dict[str, Any]:
    return {**MANAGED_BY, **values}


@pytest.mark.parametrize("maker", ["ACME Inc.", "Acme", " acme corporation "])
def test_the_systems_manufacturer_names_the_driver_without_the_manager(maker: str) -> None:
    service = one_system(fields(Manufacturer=maker))
    assert detect(service) == (_Acme, f"System Manufacturer {maker.strip()!r}")
    assert service.gets == ["/redfish/v1/Systems", "/redfish/v1/Systems/1"]


def test_a_rebranded_system_is_known_by_its_makers_oem_key() -> None:
    service = one_system(fields(Manufacturer="Rebrand Ltd", Oem={"Other": {}, "Acme": {}}))
    assert detect(service) == (_Acme, "System Oem key 'Acme'")
    assert MANAGER not in service.gets


def test_the_systems_oem_key_wins_over_its_manufacturer() -> None:
    service = one_system(fields(Manufacturer="Zeta", Oem={"Acme": {}}))
    assert detect(service) == (_Acme, "System Oem key 'Acme'")


@pytest.mark.parametrize(("root", "system", "named"), [
    ({"Vendor": "Contoso"}, fields(Manufacturer="Contoso"),
     "ServiceRoot Vendor 'Contoso' names"),
    ({"Oem": {"Contoso": {}}}, fields(), "ServiceRoot Oem key 'Contoso' names"),
    ({}, fields(Manufacturer="Contoso", Oem={"Contoso": {}, "Chipwise": {}}),
     "System Oem keys 'Contoso', 'Chipwise' name"),
])
def test_a_maker_no_driver_claims_settles_on_the_fallback_without_the_manager(
        root: dict[str, Any], system: dict[str, Any], named: str) -> None:
    service = one_system(system, **root)
    assert detect(service) == (
        _Generic, f"{named} no installed driver's vendor; generic DMTF Redfish")
    assert not any("/Managers" in path for path in service.gets)


@pytest.mark.parametrize("system", [
    fields(), fields(Manufacturer=None), fields(Manufacturer="  "),
    fields(Manufacturer="To Be Filled By O.E.M."), fields(Manufacturer="N/A"),
    fields(Manufacturer="Hewlett-Packard Co"),  # a spelling no driver claims
    fields(Oem={}), fields(Manufacturer="Acme", Oem={}, _root={"Vendor": "N/A", "Oem": {}})])
def test_a_bmc_naming_no_maker_sends_detection_to_the_managing_manager(
        system: dict[str, Any]) -> None:
    root = system.pop("_root", {})
    service = one_system(system, **root)
    if system.get("Manufacturer") == "Acme":  # a placeholder Vendor, empty Oem: no other maker
        assert detect(service) == (_Acme, "System Manufacturer 'Acme'")
        return
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert service.gets[-1] == MANAGER
    assert "/redfish/v1/Managers" not in service.gets  # found by the System's ManagedBy


@pytest.mark.parametrize("default", ["OEM", "Default", " vendor ", "Generic"])
def test_a_default_vendor_text_names_no_maker_so_the_manager_still_decides(default: str
                                                                           ) -> None:
    """Board firmware's default in the ServiceRoot's ``Vendor`` (or the System's
    ``Manufacturer``) is no maker: the Manager is read as where nothing is named."""
    service = one_system(fields(Manufacturer=default), Vendor=default)
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert service.gets[-1] == MANAGER


@pytest.mark.parametrize(("model", "expected"), [
    ("AcmeBMC 3", (_Acme, "Manager Model 'AcmeBMC 3'")),
    ("OtherBMC 1", (_Generic, "System Manufacturer 'Acme' but ServiceRoot Vendor 'OEM' (a "
                    "default, no maker); Manager Model 'OtherBMC 1' matches no driver's "
                    "hint; generic DMTF Redfish"))])
def test_a_default_vendor_beside_a_drivers_manufacturer_leaves_it_to_the_manager(
        model: str, expected: tuple[type[Driver], str]) -> None:
    """Firmware that leaves its Vendor at a default is not one naming its maker (iDRAC,
    iLO, XCC do): a white-box BMC in a known maker's server, so the Manager decides."""
    service = one_system(fields(Manufacturer="Acme"), model=model, Vendor="OEM")
    assert detect(service) == expected
    assert service.gets[-1] == MANAGER


@pytest.mark.parametrize("spelling", ["O.E.M.", "o.e.m", "BMC"])
def test_default_vendor_spellings(spelling: str) -> None:
    service = one_system(fields(), model="OtherBMC 1", Vendor=spelling)
    assert detect(service) == (
        _Generic, f"ServiceRoot Vendor {spelling!r} (a default, no maker); Manager Model "
                  "'OtherBMC 1' matches no driver's hint; generic DMTF Redfish")


@pytest.mark.parametrize("default", ["OEM", "Manufacturer", "BMC"])
def test_a_default_manufacturer_is_no_maker_in_the_reason(default: str) -> None:
    service = one_system(fields(Manufacturer=default), model="OtherBMC 1")
    assert detect(service) == (
        _Generic, "no vendor named; Manager Model 'OtherBMC 1' matches no driver's hint; "
                  "generic DMTF Redfish")


def test_a_real_vendor_beside_a_default_manufacturer_still_settles_without_the_manager(
        ) -> None:
    service = one_system(fields(Manufacturer="OEM"), Vendor="Contoso")
    assert detect(service) == (
        _Generic, "ServiceRoot Vendor 'Contoso' names no installed driver's vendor; "
        "generic DMTF Redfish")
    assert MANAGER not in service.gets


def test_the_bmcs_own_vendor_against_the_systems_maker_is_settled_by_the_manager() -> None:
    """An AMI BMC in an Acme server: the System says Acme, the ServiceRoot AMI; the
    Manager's Model decides (not Acme's: the generic driver)."""
    service = one_system(fields(Manufacturer="Acme"), model="AMI MegaRAC SP-X", Vendor="AMI")
    cls, reason = detect(service)
    assert cls is _Generic and service.gets[-1] == MANAGER
    assert reason == ("System Manufacturer 'Acme' but ServiceRoot Vendor 'AMI'; Manager Model "
                      "'AMI MegaRAC SP-X' matches no driver's hint; generic DMTF Redfish")
    service = one_system(fields(Manufacturer="Acme"), model="AcmeBMC 5", Vendor="AMI")
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 5'")


def test_several_systems_and_none_chosen_read_the_first_manager() -> None:
    service = _Service({"/redfish/v1/Systems/1": {"Manufacturer": "Acme"},
                        "/redfish/v1/Systems/2": {"Manufacturer": "Acme"}})
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert service.gets == ["/redfish/v1/Systems", "/redfish/v1/Managers", MANAGER]


def test_the_urls_system_is_the_one_asked() -> None:
    service = _Service({"/redfish/v1/Systems/1": {"Manufacturer": "Contoso"},
                        "/redfish/v1/Systems/2": {"Manufacturer": "Acme"}}, model="Other BMC")
    assert detect(service, "redfish://bmc/redfish/v1/Systems/2") == (
        _Acme, "System Manufacturer 'Acme'")
    assert service.gets == ["/redfish/v1/Systems", "/redfish/v1/Systems/2"]
    problems: list[str] = []
    cls, reason = detect(service, "redfish://bmc/redfish/v1/Systems/9", problems)
    assert cls is _Generic and problems == ["System: '9' not listed in /redfish/v1/Systems"]
    assert reason == ("no vendor named; Manager Model 'Other BMC' matches no driver's hint "
                      "(System: '9' not listed in /redfish/v1/Systems); generic DMTF Redfish")


@pytest.mark.parametrize("error", [
    NotFoundError(host="h", method="GET", path="/redfish/v1/Systems/1", status=404),
    ServerSideError(host="h", method="GET", path="/redfish/v1/Systems/1", status=500),
    MalformedResponse("not JSON", host="h")])
def test_an_unreadable_system_is_named_and_the_manager_decides(error: Exception) -> None:
    service = one_system()
    service.docs["/redfish/v1/Systems/1"] = error
    problems: list[str] = []
    assert detect(service, problems=problems) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert problems and problems[0].startswith("System: ")


def test_a_fallback_after_failed_reads_says_which() -> None:
    service = one_system(model="Other BMC")
    service.docs["/redfish/v1/Systems"] = ServerSideError(
        host="h", method="GET", path="/redfish/v1/Systems", status=500)
    cls, reason = detect(service)
    assert cls is _Generic
    assert reason.startswith(
        "no vendor named; Manager Model 'Other BMC' matches no driver's hint (System: ")
    assert "500" in reason and reason.endswith("; generic DMTF Redfish")


def test_a_manager_that_cannot_be_read_is_named_and_the_fallback_says_so() -> None:
    service = one_system(fields(Manufacturer="Acme"), Vendor="AMI")
    service.docs[MANAGER] = ServerSideError(host="h", method="GET", path=MANAGER, status=500)
    problems: list[str] = []
    cls, reason = detect(service, problems=problems)
    assert cls is _Generic and len(problems) == 1 and problems[0].startswith("Manager: ")
    assert reason.startswith("System Manufacturer 'Acme' but ServiceRoot Vendor 'AMI'; the "
                             "Manager could not be read (Manager: ")


def test_an_unknown_maker_says_what_the_manager_said() -> None:
    cls, reason = detect(one_system(fields(Manufacturer="Quanta"), model="Other BMC 2"))
    assert (cls, reason) == (_Generic, "System Manufacturer 'Quanta' names no installed "
                             "driver's vendor; Manager Model 'Other BMC 2' matches no "
                             "driver's hint; generic DMTF Redfish")
    service = one_system(fields(Manufacturer="Quanta"))
    service.docs[MANAGER] = {"Name": "no model"}
    assert detect(service)[1].endswith("; the Manager names no Model; generic DMTF Redfish")


@pytest.mark.parametrize("members", [5, True, {"a": 1}, "x"])
@pytest.mark.parametrize("collection", ["/redfish/v1/Systems", "/redfish/v1/Managers"])
def test_a_collection_whose_members_are_not_an_array_is_a_named_failed_read(
        members: Any, collection: str) -> None:
    service = _Service({"/redfish/v1/Systems/1": {}, "/redfish/v1/Systems/2": {}})
    service.docs[collection] = {"Members": members}
    problems: list[str] = []
    cls, _reason = detect(service, problems=problems)
    assert cls is (_Acme if "Systems" in collection else _Generic)  # the Manager, or none
    assert len(problems) == 1 and "Members: expected an array" in problems[0]
    assert problems[0].startswith("System: " if "Systems" in collection else "Manager: ")


def test_a_timeout_is_not_swallowed() -> None:
    service = one_system()
    service.docs["/redfish/v1/Systems/1"] = BmcTimeout("no answer", host="h")
    with pytest.raises(BmcTimeout):
        detect(service)


# -- end to end over HTTP: the simulator -------------------------------------------------------

def _connect(server: Any, url: str | None = None) -> hamnhw.Node:
    with hamnhw.connect(url or server.url, server.username, server.password) as node:
        node.power.state()
        return node


def test_a_simulated_bmc_is_detected_with_no_manager_read() -> None:
    """The simulator's ServiceRoot names its vendor, Contoso: no driver's, so the generic
    driver without reading the Manager."""
    with SimCluster([ServerSpec(name="bmc")]) as cluster:
        server = cluster["bmc"]
        node = _connect(server)
        assert node.detection.driver == "generic"
        assert node.detection.reason.startswith("ServiceRoot Vendor 'Contoso'")
        assert not any("/Managers" in r.path for r in server.requests if r.method == "GET")


def test_a_detection_made_while_the_system_failed_is_not_remembered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detectcache.ENV, "memory")
    monkeypatch.setattr(detectcache, "_MEMORY", {})
    spec = ServerSpec(name="bmc", vendor=None)
    with SimCluster([spec]) as cluster:
        server = cluster["bmc"]
        server.inject("malformed_json", count=1, path="/redfish/v1/Systems/1", method="GET")
        first = _connect(server)
        assert first.detection.reason.startswith("no vendor named; Manager Model ")
        assert "(System: " in first.detection.reason
        assert detectcache._MEMORY == {}
        second = _connect(server)  # the System answers now
        assert second.detection.reason == (
            "System Manufacturer 'Contoso' names no installed driver's vendor; Manager Model "
            "'Contoso BMC' matches no driver's hint; generic DMTF Redfish")
        assert len(detectcache._MEMORY) == 1


def test_two_systems_of_one_service_are_remembered_apart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key names the URL's system: each System may name another maker."""
    from hamnhw import node as node_module

    monkeypatch.setenv(detectcache.ENV, "memory")
    monkeypatch.setattr(detectcache, "_MEMORY", {})
    monkeypatch.setattr(registry, "load_drivers", lambda: DRIVERS)
    service = _Service({"/redfish/v1/Systems/1": {"Manufacturer": "Contoso", "Oem": {"C": {}}},
                        "/redfish/v1/Systems/2": {"Manufacturer": "Acme"}})
    service.root = {**service.root, "UUID": "AAAA-1"}
    found = [node_module._detect(service, parse_bmc_url(f"redfish://bmc/redfish/v1/Systems/{n}"),
                                 None)[0] for n in ("1", "2", "1", "2")]
    assert found == [_Generic, _Acme, _Generic, _Acme]
    assert len(detectcache._MEMORY) == 2
