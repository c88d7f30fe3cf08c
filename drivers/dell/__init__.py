"""Dell iDRAC (entry point ``dell``, URL scheme ``idrac-redfish://``).

iDRAC speaks DMTF Redfish for everything hamnhw needs (its one system is
``Systems/System.Embedded.1``, managed by ``Managers/iDRAC.Embedded.1``), so
this driver is the generic one with Dell's detection hints.  iDRAC 9 reports
its Manager ``Model`` as the server generation, e.g. ``14G Monolithic``.
"""

from __future__ import annotations

from typing import ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver


class DellIdracDriver(GenericRedfishDriver):
    """Dell PowerEdge servers through iDRAC 8/9."""

    fallback: ClassVar[bool] = False
    url_schemes: ClassVar[tuple[str, ...]] = ("idrac-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("dell", "dell emc")
    oem_keys: ClassVar[tuple[str, ...]] = ("Dell",)
    manager_models: ClassVar[tuple[str, ...]] = ("iDRAC", "G Monolithic", "G Modular")


__all__ = ["DellIdracDriver"]
