"""HPE iLO (entry point ``hpe``, URL scheme ``ilo5-redfish://``).

iLO 4 marks its ServiceRoot with an ``Oem.Hp`` object, iLO 5 and later with
``Oem.Hpe``; the Manager ``Model`` reads ``iLO 5``/``iLO 6``.  Everything hamnhw
reads is DMTF Redfish there, so this driver carries detection hints only.
"""

from __future__ import annotations

from typing import ClassVar

from hamnhw_drivers.generic import GenericRedfishDriver


class HpeIloDriver(GenericRedfishDriver):
    """HPE ProLiant servers through iLO 4/5/6."""

    fallback: ClassVar[bool] = False
    url_schemes: ClassVar[tuple[str, ...]] = ("ilo5-redfish",)
    vendor_names: ClassVar[tuple[str, ...]] = ("hpe", "hp", "hewlett packard enterprise")
    oem_keys: ClassVar[tuple[str, ...]] = ("Hpe", "Hp")
    manager_models: ClassVar[tuple[str, ...]] = ("iLO",)


__all__ = ["HpeIloDriver"]
