"""Fault injection for one simulated server.

A fault has a kind, optional limits (``count`` hits, paths starting with ``path``, one HTTP
``method``) and kind-specific parameters. The HTTP handler asks for the faults that apply to a
request; each fault taken counts one hit and disappears when its count is used up.  The
kinds, their parameters and what each does: :mod:`hamnhw.simfaults`.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from hamnhw.simfaults import FAULT_KINDS

__all__ = ["FAULT_KINDS", "Fault", "FaultError", "FaultSet", "make_fault"]


class FaultError(ValueError):
    """An unknown fault kind or parameter."""


@dataclasses.dataclass
class Fault:
    """One injected fault; ``count=None`` means every matching request."""

    kind: str
    count: int | None = None
    path: str | None = None
    method: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    hits: int = 0

    def matches(self, path: str, method: str) -> bool:
        """Whether this fault applies to a request for ``path`` with ``method``."""
        if self.path is not None and not path.startswith(self.path):
            return False
        return self.method is None or self.method.upper() == method.upper()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return dataclasses.asdict(self)


def make_fault(kind: str, count: int | None = None, path: str | None = None,
               method: str | None = None, **params: Any) -> Fault:
    """Validate and build a :class:`Fault`; parameters not given take the kind's defaults."""
    if kind not in FAULT_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
    unknown = set(params) - set(FAULT_KINDS[kind])
    if unknown:
        raise FaultError(f"fault {kind!r} takes no parameter(s) {', '.join(sorted(unknown))}")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise FaultError(f"count must be a positive integer, got {count!r}")
    merged = {**FAULT_KINDS[kind], **params}
    for name, value in merged.items():
        if not isinstance(value, int | float) or value < 0:
            raise FaultError(f"fault {kind!r} parameter {name} must be a number >= 0")
    return Fault(kind, count, path, method, merged)


class FaultSet:
    """The faults active on one server, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Activate ``fault``."""
        with self._lock:
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """The faults still active, oldest first."""
        with self._lock:
            return list(self._faults)

    def take(self, kind: str, path: str, method: str) -> Fault | None:
        """The oldest active fault of ``kind`` matching the request, counting one hit."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.matches(path, method):
                    fault.hits += 1
                    if fault.count is not None and fault.hits >= fault.count:
                        self._faults.remove(fault)
                    return fault
            return None

    def discard(self, fault: Fault) -> None:
        """Remove ``fault`` (gone already: nothing)."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def peek(self, kind: str, path: str, method: str) -> bool:
        """Whether a fault of ``kind`` would apply, without counting a hit."""
        with self._lock:
            return any(f.kind == kind and f.matches(path, method) for f in self._faults)
