"""Detection by the System (read next anyway): its Manufacturer or Oem keys name the
driver, a maker no driver claims settles on the fallback without the Manager, and only a
System that names no maker (absent, blank, placeholder) sends detection to the Manager."""

from __future__ import annotations

from typing import Any

import pytest

from hamnhw import registry
from hamnhw.address import parse_bmc_url
from hamnhw.driver import Driver
from hamnhw.errors import NotFoundError
from hamnhw.sim import ServerSpec, SimCluster


class _Generic(Driver):
    fallback = True


class _Acme(Driver):
    vendor_names = ("acme",)
    oem_keys = ("Acme",)
    manager_models = ("AcmeBMC",)


DRIVERS: dict[str, type[Driver]] = {"generic": _Generic, "acme": _Acme}
ROOT = {"@odata.id": "/redfish/v1/", "Systems": {"@odata.id": "/redfish/v1/Systems"},
        "Managers": {"@odata.id": "/redfish/v1/Managers"}}
MANAGED_BY = {"Links": {"ManagedBy": [{"@odata.id": "/redfish/v1/Managers/M"}]}}


@pytest.fixture(autouse=True)
def _names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, cls in DRIVERS.items():
        monkeypatch.setattr(cls, "name", name)


class _Service:
    """A client over a fixed tree of documents, recording the paths it was asked."""

    def __init__(self, systems: dict[str, dict[str, Any]], model: str = "AcmeBMC 3") -> None:
        self.root = ROOT
        self.docs: dict[str, Any] = {
            "/redfish/v1/Systems": {"Members": [{"@odata.id": path} for path in systems]},
            "/redfish/v1/Managers": {"Members": [{"@odata.id": "/redfish/v1/Managers/M"}]},
            "/redfish/v1/Managers/M": {"Model": model}, **systems}
        self.gets: list[str] = []

    def get(self, path: str) -> Any:
        self.gets.append(path)
        if path not in self.docs:
            raise NotFoundError(host="h", method="GET", path=path, status=404)
        return self.docs[path]


def detect(service: _Service, url: str = "redfish://bmc") -> tuple[type[Driver], str]:
    cls, detection = registry.detect(service, parse_bmc_url(url), DRIVERS)
    return cls, detection.reason


def one_system(**fields: Any) -> _Service:
    return _Service({"/redfish/v1/Systems/1": {**MANAGED_BY, **fields}})


@pytest.mark.parametrize("maker", ["ACME Inc.", "Acme", " acme corporation "])
def test_the_systems_manufacturer_names_the_driver_without_the_manager(maker: str) -> None:
    service = one_system(Manufacturer=maker)
    assert detect(service) == (_Acme, f"System Manufacturer {maker.strip()!r}")
    assert service.gets == ["/redfish/v1/Systems", "/redfish/v1/Systems/1"]


def test_a_rebranded_system_is_known_by_its_makers_oem_key() -> None:
    service = one_system(Manufacturer="Rebrand Ltd", Oem={"Other": {}, "Acme": {}})
    assert detect(service) == (_Acme, "System Oem key 'Acme'")
    assert "/redfish/v1/Managers/M" not in service.gets


def test_a_maker_no_driver_claims_settles_on_the_fallback_without_the_manager() -> None:
    service = one_system(Manufacturer="Contoso", Oem={"Contoso": {}})
    cls, reason = detect(service)
    assert cls is _Generic
    assert reason == ("System Manufacturer 'Contoso' names no installed driver's vendor; "
                      "generic DMTF Redfish")
    assert not any("/Managers" in path for path in service.gets)


@pytest.mark.parametrize("fields", [{}, {"Manufacturer": None}, {"Manufacturer": "  "},
                                    {"Manufacturer": "To Be Filled By O.E.M."},
                                    {"Manufacturer": "N/A", "Oem": {"Other": {}}}])
def test_a_system_naming_no_maker_sends_detection_to_the_managing_manager(
        fields: dict[str, Any]) -> None:
    service = one_system(**fields)
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert service.gets[-1] == "/redfish/v1/Managers/M"
    assert "/redfish/v1/Managers" not in service.gets  # found by the System's ManagedBy


def test_several_systems_and_none_chosen_read_the_first_manager() -> None:
    service = _Service({"/redfish/v1/Systems/1": {"Manufacturer": "Acme"},
                        "/redfish/v1/Systems/2": {"Manufacturer": "Acme"}})
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")
    assert service.gets == ["/redfish/v1/Systems", "/redfish/v1/Managers",
                            "/redfish/v1/Managers/M"]


def test_the_urls_system_is_the_one_asked() -> None:
    service = _Service({"/redfish/v1/Systems/1": {"Manufacturer": "Contoso"},
                        "/redfish/v1/Systems/2": {"Manufacturer": "Acme"}})
    assert detect(service, "redfish://bmc/redfish/v1/Systems/2")[0] is _Acme
    assert "/redfish/v1/Systems/1" not in service.gets


def test_an_unreadable_system_falls_back_to_the_manager() -> None:
    service = _Service({"/redfish/v1/Systems/1": {}})
    del service.docs["/redfish/v1/Systems/1"]  # listed, then 404
    assert detect(service) == (_Acme, "Manager Model 'AcmeBMC 3'")


def test_a_simulated_bmc_is_detected_from_its_system_with_no_manager_read() -> None:
    """End to end over HTTP: the simulator's System names Contoso; the ServiceRoot no
    vendor; connecting reads no Manager, and the Manager stays unread until asked."""
    import hamnhw

    with SimCluster([ServerSpec(name="bmc")]) as cluster:
        server = cluster["bmc"]
        with hamnhw.connect(server.url, server.username, server.password) as node:
            assert node.detection.driver == "generic"
            assert node.detection.reason.startswith("System Manufacturer 'Contoso'")
            node.power.state()
        assert not any("/Managers" in r.path for r in server.requests if r.method == "GET")
