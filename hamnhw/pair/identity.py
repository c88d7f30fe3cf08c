"""What tells one machine from another whatever address its BMC is reached at: the serials
its BMC shows, its System UUID and its host NIC MACs.

A pair snapshot records them for each node (:class:`~hamnhw.pair.snapshot.NodeSnapshot`);
a node read now is compared with them (:mod:`hamnhw.pair.oldnode`).  Two identities *match*
when they have any one of these in common: one machine shows several serials, and not the
same ones over Redfish and over IPMI (docs/quirks.md), so every serial recorded is compared
with every serial read.  Serials are compared without spaces and case; a UUID also with the
byte order of its first three fields swapped (IPMI's Get System GUID is sent in either order,
docs/quirks.md); MACs lower case.  ``None`` (not told, not read) is never a value: an
identity that tells nothing matches nothing::

    old = Identity.of_snapshot(snapshot.nodes["primary"])
    found = old.match(Identity.of_system(node.inventory.system()))  # None: nothing in common
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hamnhw.errors import HamnhwError
from hamnhw.raidguard import normal_serial

if TYPE_CHECKING:
    from hamnhw.models import System
    from hamnhw.node import Node
    from hamnhw.pair.snapshot import NodeSnapshot

SERIAL_LABELS = {"serial": "System serial", "SerialNumber": "System serial",
                 "SKU": "System SKU (Dell service tag)"}
"""How a serial's source (a key of :attr:`hamnhw.models.System.serials`) is named in a
message; the IPMI ones (``FRU Product Serial``...) are named by their key."""
_HEX = re.compile(r"[^0-9a-f]")


@dataclasses.dataclass(frozen=True)
class Identity:
    """What identifies one machine, as far as it was told."""

    serials: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Each serial shown, by its source (``SerialNumber``, ``FRU Board Serial``...)."""
    uuid: str | None = None
    """The System UUID; None when not told."""
    macs: frozenset[str] | None = None
    """Host NIC MACs (current and permanent), lower case; None when not read or not told."""

    @classmethod
    def of_snapshot(cls, snap: NodeSnapshot) -> Identity:
        """What a snapshot recorded of a node: every serial (an older snapshot's one System
        serial), its UUID (None in an older snapshot), its host NIC MACs."""
        serials = dict(snap.system_serials or {})
        if snap.system_serial and not serials:
            serials["serial"] = snap.system_serial
        return cls(serials, snap.system_uuid, snap.macs() or None)

    @classmethod
    def of_system(cls, system: System) -> Identity:
        """What a System read tells (its MACs are read apart: :meth:`with_macs_of`)."""
        serials = dict(system.serials)
        if system.serial and system.serial not in serials.values():
            serials["serial"] = system.serial
        return cls(serials, system.uuid)

    def with_macs_of(self, node: Node) -> Identity:
        """This identity with ``node``'s host NIC MACs read now (None when the BMC shows
        no NICs or the read fails: not told)."""
        try:
            nics = node.nics.list()
        except HamnhwError:
            nics = None
        macs = None if nics is None else frozenset(
            mac.lower() for nic in nics for mac in (nic.mac, nic.permanent_mac) if mac)
        return dataclasses.replace(self, macs=macs or None)

    @property
    def empty(self) -> bool:
        """True when it tells nothing."""
        return not self.serials and self.uuid is None and not self.macs

    def kinds(self) -> tuple[str, ...]:
        """What kinds of things it tells: ``serial``, ``System UUID``, ``host NIC MAC``."""
        return tuple(what for what, value in (("serial", self.serials),
                                              ("System UUID", self.uuid),
                                              ("host NIC MAC", self.macs)) if value)

    def describe(self) -> str:
        """``System serial X, System UUID Y, 2 host NIC MACs`` (``nothing`` when empty)."""
        parts = [f"{serial_label(k)} {v}" for k, v in self.serials.items()]
        parts += [f"System UUID {self.uuid}"] if self.uuid else []
        parts += [f"{len(self.macs)} host NIC MAC{'s' if len(self.macs) > 1 else ''}"
                  ] if self.macs else []
        return ", ".join(parts) or "nothing"

    def comparable(self, seen: Identity) -> bool:
        """True when ``seen`` tells at least one kind of thing this identity recorded (so
        that nothing in common tells them apart)."""
        return bool((self.serials and seen.serials) or (self.uuid and seen.uuid)
                    or (self.macs and seen.macs))

    def without(self, other: Identity) -> Identity:
        """This identity less what ``other`` has too: a value both pair nodes showed (a
        board maker's default serial, a default UUID) identifies neither."""
        theirs = {normal_serial(v) for v in other.serials.values()}
        serials = {k: v for k, v in self.serials.items() if normal_serial(v) not in theirs}
        uuid = None if self.uuid and other.uuid and same_uuid(self.uuid, other.uuid) else (
            self.uuid)
        macs = self.macs - other.macs if self.macs and other.macs else self.macs
        return Identity(serials, uuid, macs or None)

    def match(self, seen: Identity) -> tuple[str, str] | None:
        """What ``seen`` has in common with this recorded identity, or None: ``(what seen
        shows, how it was recorded)``, e.g. ``("its FRU Product Serial X", "System
        serial")``."""
        for key, value in seen.serials.items():
            recorded = next((k for k, v in self.serials.items()
                             if normal_serial(v) == normal_serial(value)), None)
            if recorded is not None:
                return f"its {serial_label(key)} {value}", serial_label(recorded)
        if self.uuid and seen.uuid and same_uuid(self.uuid, seen.uuid):
            return f"its System UUID {seen.uuid}", "System UUID"
        common = sorted((self.macs or frozenset()) & (seen.macs or frozenset()))
        if common:
            return f"its host NIC MAC {common[0]}", "host NIC MAC"
        return None


def serial_label(key: str) -> str:
    """How the serial of source ``key`` is named in a message."""
    return SERIAL_LABELS.get(key, key)


def same_uuid(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are one UUID: equal hex digits, or equal once the byte
    order of the first three fields of one is swapped (Get System GUID's two orders)."""
    x, y = _HEX.sub("", a.lower()), _HEX.sub("", b.lower())
    if not x or not y:
        return False
    return x == y or (len(x) == 32 and _swapped(x) == y)


def _swapped(digits: str) -> str:
    """The 32 hex digits of a UUID with its first three fields byte-swapped."""
    def swap(part: str) -> str:
        return "".join(reversed([part[i:i + 2] for i in range(0, len(part), 2)]))

    return swap(digits[:8]) + swap(digits[8:12]) + swap(digits[12:16]) + digits[16:]
