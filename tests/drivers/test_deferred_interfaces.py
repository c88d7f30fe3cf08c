"""Interface classes named by path (:mod:`hamnhw_drivers.generic.deferred`): each resolves
to the right kind of class and is built on first use (that loading the drivers imports none:
tests/cli/test_power_imports.py)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from driver_fakes import FakeClient, make_driver, minimal_docs
from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.generic.deferred import deferred
from hamnhw_drivers.generic.inventory import RedfishInventory
from hamnhw_drivers.generic.management import RedfishManagement
from hamnhw_drivers.generic.nics import RedfishNics
from hamnhw_drivers.generic.power import RedfishPower
from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.generic.systems import SystemLocator

from hamnhw import registry

INTERFACE_BASES = {"power_class": RedfishPower, "management_class": RedfishManagement,
                   "nics_class": RedfishNics, "inventory_class": RedfishInventory,
                   "raid_class": RedfishRaid, "locator_class": SystemLocator}


@pytest.mark.parametrize("name", ["generic", "dell", "hpe", "lenovo", "supermicro"])
def test_every_interface_class_of_a_redfish_driver_resolves(name: str) -> None:
    cls = registry.load_drivers()[name]
    assert issubclass(cls, GenericRedfishDriver)
    for attribute, base in INTERFACE_BASES.items():
        assert issubclass(getattr(cls, attribute), base), (name, attribute)


def test_vendor_classes_are_the_vendor_modules_own() -> None:
    drivers = registry.load_drivers()
    assert drivers["dell"].raid_class.__module__ == "hamnhw_drivers.dell.raid"
    assert drivers["hpe"].inventory_class.__module__ == "hamnhw_drivers.hpe.inventory"
    assert drivers["hpe"].nics_class.__name__ == "HpeNics"
    assert drivers["lenovo"].raid_class.__name__ == "LenovoRaid"
    assert drivers["supermicro"].raid_class.__name__ == "SupermicroRaid"


class _AcmeRaid(RedfishRaid):
    pass


class _AcmeDriver(GenericRedfishDriver):
    """A third-party driver setting a plain class, the way the generic docstring shows."""

    raid_class: ClassVar[type[RedfishRaid]] = _AcmeRaid


def test_interfaces_are_built_on_first_use_and_share_the_inventory() -> None:
    driver = make_driver(FakeClient(minimal_docs()))
    assert not {"nics", "inventory", "raid"} & set(vars(driver))
    assert type(driver.raid) is RedfishRaid
    assert driver.raid.inventory is driver.inventory
    assert driver.raid is driver.raid
    assert type(driver.nics) is RedfishNics


def test_an_interface_can_be_assigned() -> None:
    driver = make_driver(FakeClient(minimal_docs()))
    inventory = RedfishInventory(driver.context)
    driver.inventory = inventory
    assert driver.inventory is inventory and driver.raid.inventory is inventory


def test_a_plain_class_still_overrides() -> None:
    driver = make_driver(FakeClient(minimal_docs()), cls=_AcmeDriver)
    assert type(driver.raid) is _AcmeRaid
    assert type(driver.inventory) is RedfishInventory


def test_a_path_that_is_not_module_and_class_is_refused() -> None:
    with pytest.raises(ValueError, match="module:Class"):
        deferred("hamnhw_drivers.generic.raid.RedfishRaid")

    class Broken(GenericRedfishDriver):
        raid_class: ClassVar[type[RedfishRaid]] = deferred("hamnhw_drivers.generic.resource:LOG")

    with pytest.raises(TypeError, match="is not a class"):
        _ = Broken.raid_class
