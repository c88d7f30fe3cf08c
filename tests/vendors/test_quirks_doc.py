"""docs/quirks.md lists every hook a vendor driver overrides, in that vendor's section."""

from __future__ import annotations

import inspect
import pathlib

import pytest
from hamnhw_drivers.dell.raid import DellRaid
from hamnhw_drivers.generic.inventory import RedfishInventory
from hamnhw_drivers.generic.nics import RedfishNics
from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.hpe.inventory import HpeInventory, HpeNics
from hamnhw_drivers.hpe.raid import HpeRaid
from hamnhw_drivers.lenovo.raid import LenovoRaid
from hamnhw_drivers.supermicro.raid import SupermicroRaid

QUIRKS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "quirks.md"
SECTIONS = {"Dell": [(DellRaid, RedfishRaid)],
            "HPE": [(HpeRaid, RedfishRaid), (HpeInventory, RedfishInventory),
                    (HpeNics, RedfishNics)],
            "Lenovo": [(LenovoRaid, RedfishRaid)],
            "Supermicro": [(SupermicroRaid, RedfishRaid)]}


def section(vendor: str) -> str:
    text = QUIRKS.read_text()
    start = text.index(f"## {vendor}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def overridden(cls: type, base: type) -> list[str]:
    return sorted(name for name, member in vars(cls).items() if inspect.isfunction(member)
                  and not name.startswith("_") and hasattr(base, name))


@pytest.mark.parametrize("vendor", sorted(SECTIONS))
def test_every_override_is_in_the_vendor_section(vendor: str) -> None:
    text = section(vendor)
    for cls, base in SECTIONS[vendor]:
        for name in overridden(cls, base):
            assert f"`{name}`" in text or f".{name}`" in text, (vendor, cls.__name__, name)
