"""Driver registry: vendor normalisation, plugin loading robustness, detection order."""

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from hamnhw import entrypoints, registry
from hamnhw.address import parse_bmc_url
from hamnhw.driver import Driver
from hamnhw.errors import DriverNotFound, NotFoundError


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("Dell Inc.", "dell"), ("HPE", "hpe"), ("Hpe", "hpe"), ("HP", "hp"),
     ("Super Micro Computer, Inc.", "super micro"), ("Lenovo", "lenovo"), ("  DMTF ", "dmtf")],
)
def test_normalize_vendor(raw, norm):
    assert registry.normalize_vendor(raw) == norm


class _Generic(Driver):
    fallback = True


class _Acme(Driver):
    url_schemes = ("acme-redfish",)
    vendor_names = ("acme",)
    oem_keys = ("Acme",)
    manager_models = ("AcmeBMC",)


class _Other(Driver):
    vendor_names = ("other",)
    oem_keys = ("Other",)


class _Root:
    """A minimal client: a ServiceRoot and a Manager, no network."""

    def __init__(self, root, manager_model=None):
        self.root = root
        self._model = manager_model
        self.gets = []

    def get(self, path):
        self.gets.append(path)
        if path == "/redfish/v1/Managers":
            return {"Members": [{"@odata.id": "/redfish/v1/Managers/1"}]}
        if path == "/redfish/v1/Managers/1" and self._model:
            return {"Model": self._model}
        raise NotFoundError(host="h", method="GET", path=path, status=404)


DRIVERS = {"generic": _Generic, "acme": _Acme, "other": _Other}
for _name, _cls in DRIVERS.items():
    _cls.name = _name
MANAGERS = {"Managers": {"@odata.id": "/redfish/v1/Managers"}}
ADDR = parse_bmc_url("redfish://bmc")


def test_forced_scheme_wins_over_vendor():
    client = _Root({"Vendor": "Other"})
    cls, why = registry.detect(client, parse_bmc_url("acme-redfish://bmc"), DRIVERS)
    assert cls is _Acme
    assert "scheme" in why.reason
    assert client.gets == []


def test_forced_scheme_without_driver_is_an_error():
    with pytest.raises(DriverNotFound):
        registry.detect(_Root({}), parse_bmc_url("nope-redfish://bmc"), DRIVERS)


def test_vendor_before_oem_before_manager_model():
    client = _Root({"Vendor": "ACME Inc.", "Oem": {"Other": {}}, **MANAGERS}, "OtherBMC")
    assert registry.detect(client, ADDR, DRIVERS)[0] is _Acme
    client = _Root({"Oem": {"Acme": {}}, **MANAGERS}, "Nothing")
    cls, why = registry.detect(client, ADDR, DRIVERS)
    assert cls is _Acme and "Oem" in why.reason
    client = _Root({**MANAGERS}, "AcmeBMC v2")
    cls, why = registry.detect(client, ADDR, DRIVERS)
    assert cls is _Acme and "Manager Model" in why.reason


def test_fallback_when_nothing_matches_and_manager_unreadable():
    client = _Root({"Vendor": "Unknown", "Managers": {"@odata.id": "/redfish/v1/Gone"}})
    cls, why = registry.detect(client, ADDR, DRIVERS)
    assert cls is _Generic
    assert "generic" in why.reason


def test_no_fallback_is_an_error():
    with pytest.raises(DriverNotFound):
        registry.detect(_Root({}), ADDR, {"acme": _Acme})


def test_broken_plugin_is_skipped(monkeypatch):
    good = metadata.EntryPoint("good", "hamnhw.driver:Driver", registry.ENTRY_POINT_GROUP)
    bad = metadata.EntryPoint("bad", "no_such_module_xyz:Driver", registry.ENTRY_POINT_GROUP)
    wrong = metadata.EntryPoint("wrong", "os:path", registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(entrypoints, "entry_points", lambda group: [good, bad, wrong])
    monkeypatch.setattr(Driver, "name", Driver.name)  # restored afterwards
    registry.load_drivers.cache_clear()
    try:
        loaded = registry.load_drivers()
    finally:
        registry.load_drivers.cache_clear()
    assert list(loaded) == ["good"]
    assert loaded["good"] is Driver


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """:func:`registry.load_drivers` read afresh in the test, and again after it."""
    registry.load_drivers.cache_clear()
    yield
    registry.load_drivers.cache_clear()


def test_a_malformed_entry_points_line_leaves_the_other_drivers_working(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        fresh_registry: None) -> None:
    """A third-party distribution whose ``[hamnhw.drivers]`` holds a line without ``=``:
    that line is skipped with a warning naming the distribution and the line."""
    info = tmp_path / "acme_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme_broken\n")
    (info / "entry_points.txt").write_text("[hamnhw.drivers]\nacme hamnhw_acme:Driver\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with caplog.at_level("WARNING", logger="hamnhw"):
        loaded = registry.load_drivers()
    assert {"generic", "dell", "hpe", "ipmi"} <= set(loaded)
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 1, warned
    assert "acme_broken-1.0.dist-info" in warned[0]
    assert "'acme hamnhw_acme:Driver'" in warned[0]


@pytest.mark.parametrize(("model", "vendor"), [
    ("AST2500 Pilot4", None),
    ("Pilot4 BMC", None),
    ("iLO 5", "hpe"),
    ("ILO6", "hpe"),
    ("iDRAC9", "dell"),
    ("14G Monolithic", "dell"),
    ("13G Modular", "dell"),
    ("XClarity Controller", "lenovo"),
    ("XCC2", "lenovo"),
    ("SILOX 3", None),
])
def test_manager_model_hints_match_whole_words(model, vendor):
    """Real drivers' hints: ``iLO`` must not match inside ``Pilot4`` (an ASPEED/Pilot BMC)."""
    drivers = registry.load_drivers()
    assert {"dell", "hpe", "lenovo", "generic"} <= set(drivers)
    client = _Root({**MANAGERS}, model)
    cls, why = registry.detect(client, ADDR, drivers)
    assert cls is drivers[vendor or "generic"], why.reason


@pytest.mark.parametrize(("hint", "model", "expected"), [
    ("iLO", "AST2500 Pilot4", False),
    ("iLO", "iLO 5", True),
    ("iDRAC", "iDRAC9", True),
    ("iDRAC", "iDRACX", False),
    ("G Monolithic", "14G Monolithic", True),
    ("G Monolithic", "AG Monolithic", False),
    ("AcmeBMC", "acmebmc v2", True),
])
def test_model_matches(hint, model, expected):
    assert registry.model_matches(hint, model) is expected
