"""Generic DMTF Redfish driver (entry point ``generic``).

Small modules, Ironic/sushy style: :mod:`.resource` (typed field extraction),
:mod:`.systems` (which system), :mod:`.power`, :mod:`.management`,
:mod:`.nics`, :mod:`.inventory` with :mod:`.storage` parsers, :mod:`.raid`.
"""

from hamnhw_drivers.generic.driver import GenericRedfishDriver

__all__ = ["GenericRedfishDriver"]
