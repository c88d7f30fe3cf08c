"""hamnhw: drive server BMCs over Redfish and IPMI to build and run an HA management-node pair."""

from hamnhw.node import Node, connect

__all__ = ["Node", "__version__", "connect"]
__version__ = "0.1.0"
