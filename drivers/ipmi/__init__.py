"""Standard IPMI 2.0 over LAN through pyghmi (entry point ``ipmi``, URL ``ipmi://host[:port]``).

Modules: :mod:`.codec` (the commands and their bytes), :mod:`.context`, :mod:`.power`,
:mod:`.management` (boot device keeping the UEFI mode, identify), :mod:`.nics` (the BMC's
LAN channels, FRU host MACs), :mod:`.fru`, :mod:`.inventory`, :mod:`.raid` (refused: Redfish).
"""

from hamnhw_drivers.ipmi.driver import IpmiDriver

__all__ = ["IpmiDriver"]
