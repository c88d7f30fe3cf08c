"""Lenovo XClarity Controller (entry point ``lenovo``, URL scheme ``xcc-redfish://``).

XCC's ServiceRoot carries ``Oem.Lenovo`` and its Manager ``Model`` names the XClarity
Controller.  RAID quirks (a mandatory volume name, members only in ``Links.Drives``, global
spares only, no foreign import action) are hooks of :mod:`.raid`; ``docs/quirks.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver
from hamnhw_drivers.generic.deferred import deferred

if TYPE_CHECKING:
    from hamnhw_drivers.generic.raid import RedfishRaid


class LenovoXccDriver(GenericRedfishDriver):
    """Lenovo ThinkSystem servers through XCC."""

    fallback: ClassVar[bool] = False
    raid_class: ClassVar[type[RedfishRaid]] = deferred("hamnhw_drivers.lenovo.raid:LenovoRaid")
    url_schemes: ClassVar[tuple[str, ...]] = ("xcc-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("lenovo",)
    oem_keys: ClassVar[tuple[str, ...]] = ("Lenovo",)
    manager_models: ClassVar[tuple[str, ...]] = ("XClarity", "XCC")


__all__ = ["LenovoXccDriver"]
