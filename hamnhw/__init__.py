"""hamnhw: drive server BMCs over Redfish and IPMI to build and run an HA management-node pair.

``import hamnhw`` loads nothing else: :func:`connect`, :class:`Node` and :func:`fanout` are
imported when first used (``hamnhw --help`` and a script that only needs the version stay
light).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamnhw.fleet import fanout
    from hamnhw.node import Node, connect

__all__ = ["Node", "__version__", "connect", "fanout"]
__version__ = "0.1.0"

_LAZY = {"connect": "hamnhw.node", "Node": "hamnhw.node", "fanout": "hamnhw.fleet"}


def __getattr__(name: str) -> Any:
    """Import :data:`__all__`'s names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hamnhw' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
