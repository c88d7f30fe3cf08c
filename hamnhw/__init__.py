"""hamnhw: drive server BMCs over Redfish and IPMI to build and run an HA management-node pair."""

from typing import TYPE_CHECKING, Any

from hamnhw.node import Node, connect

if TYPE_CHECKING:
    from hamnhw.fleet import fanout

__all__ = ["Node", "__version__", "connect", "fanout"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """``hamnhw.fanout`` is imported when first used (``import hamnhw`` stays light)."""
    if name == "fanout":
        from hamnhw.fleet import fanout

        return fanout
    raise AttributeError(f"module 'hamnhw' has no attribute {name!r}")
