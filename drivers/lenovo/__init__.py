"""Lenovo XClarity Controller (entry point ``lenovo``, URL scheme ``xcc-redfish://``).

Detection hints only: XCC's ServiceRoot carries ``Oem.Lenovo`` and its
Manager ``Model`` names the XClarity Controller.
"""

from __future__ import annotations

from typing import ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver


class LenovoXccDriver(GenericRedfishDriver):
    """Lenovo ThinkSystem servers through XCC."""

    fallback: ClassVar[bool] = False
    url_schemes: ClassVar[tuple[str, ...]] = ("xcc-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("lenovo",)
    oem_keys: ClassVar[tuple[str, ...]] = ("Lenovo",)
    manager_models: ClassVar[tuple[str, ...]] = ("XClarity", "XCC")


__all__ = ["LenovoXccDriver"]
