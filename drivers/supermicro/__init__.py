"""Supermicro BMC (entry point ``supermicro``, URL scheme ``supermicro-redfish://``).

Detected by ServiceRoot ``Vendor`` "Supermicro" (normalised, also "Super Micro Computer,
Inc." -> ``super micro``) or an ``Oem.Supermicro`` object.  RAID: :mod:`.raid` (no foreign
import action); ``docs/quirks.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.generic.deferred import deferred

if TYPE_CHECKING:
    from hamnhw_drivers.generic.raid import RedfishRaid


class SupermicroDriver(GenericRedfishDriver):
    """Supermicro X11/X12/H12 and later boards through their Redfish BMC."""

    fallback: ClassVar[bool] = False
    raid_class: ClassVar[type[RedfishRaid]] = deferred(
        "hamnhw_drivers.supermicro.raid:SupermicroRaid")
    url_schemes: ClassVar[tuple[str, ...]] = ("supermicro-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("supermicro", "super micro")
    oem_keys: ClassVar[tuple[str, ...]] = ("Supermicro",)
    manager_models: ClassVar[tuple[str, ...]] = ()


__all__ = ["SupermicroDriver"]
