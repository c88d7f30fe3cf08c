"""NIC parity of the pair: which standby NIC takes over each primary NIC's role.

After the disk move the standby boots the primary's OS, which must find, on the standby, a NIC
wired to each network it used.  Each primary NIC is paired with its standby counterpart of the
same kind (Ethernet, InfiniBand, unknown: :attr:`~hamnhw.models.Nic.kind`), in this order of
preference:

1. ``location``: the same PCI location and port (adapter slot + port), where both BMCs show
   it (Redfish NetworkAdapter ``Location``, Port ``PortId``).  InfiniBand ports carry their
   port GUIDs into the map (a GUID is unique to one HCA, so it identifies a port for DHCP but
   never matches across the two nodes);
2. ``id``: the same Redfish Id (``NIC.Integrated.1-1-1`` on both nodes);
3. ``order``: the n-th remaining NIC of one node with the n-th of the other, in natural
   order of Id, then name (``NIC2`` before ``NIC10``), only when as many remain on each
   side and both NIC reads were complete: otherwise a guess could give the standby's port
   another network's address.

A NIC left over is ``missing`` on the other node.  Each entry carries its mismatches (speed,
link where both nodes are powered alike, location, listing position), so the seed's warning
that NIC order can differ even on identical hardware is checked, not assumed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hamnhw.errors import ConfigError
from hamnhw.models import LinkStatus, Nic, NicKind

ETHERNET = NicKind.ETHERNET.value
INFINIBAND = NicKind.INFINIBAND.value
KINDS = tuple(kind.value for kind in NicKind)


@dataclasses.dataclass(frozen=True)
class NicFacts:
    """What the matcher knows of one NIC."""

    id: str
    name: str | None
    mac: str | None
    speed_mbps: int | None
    link: LinkStatus
    position: int
    """1-based place in the BMC's listing."""
    kind: str = ETHERNET
    """``ethernet``, ``infiniband`` or ``unknown``."""
    location: str | None = None
    """PCI location (slot / adapter location) where the BMC shows it."""
    port: str | None = None
    """Port on that adapter."""
    port_guid: str | None = None
    """InfiniBand port GUID, lower-case colon hex."""
    source: str | None = None
    """Which Redfish resource the NIC came from, when the driver says."""

    @property
    def location_key(self) -> tuple[str, str] | None:
        """(location, port), or None when the BMC shows no location."""
        if self.location is None:
            return None
        return (self.location, self.port or "")


def facts_of(nic: Nic, position: int) -> NicFacts:
    """What the matcher uses of a :class:`~hamnhw.models.Nic`."""
    return NicFacts(id=nic.id, name=nic.name, mac=nic.mac, speed_mbps=nic.speed_mbps,
                    link=nic.link, position=position, kind=nic.kind.value,
                    location=nic.location, port=nic.port,
                    port_guid=nic.port_guid.lower() if nic.port_guid else None,
                    source=nic.source.value if nic.source else None)


@dataclasses.dataclass(frozen=True)
class NicPair:
    """One row of the NIC map."""

    primary: NicFacts | None
    """The primary's NIC; None for a standby NIC nothing on the primary matches."""
    standby: NicFacts | None
    """Its standby counterpart; None when missing."""
    matched_by: str | None
    """``location``, ``id``, ``order``, or None (unmatched)."""
    issues: tuple[str, ...] = ()
    """What differs between the two (empty when they are alike)."""

    def to_json(self) -> dict[str, Any]:
        """The ``nic_map`` entry of ``pair check --json``."""
        entry: dict[str, Any] = {
            "primary": self.primary.id if self.primary else None,
            "standby": self.standby.id if self.standby else None,
            "matched_by": self.matched_by,
            "kind": (self.primary or self.standby or _NO_NIC).kind,
        }
        for side, facts in (("primary", self.primary), ("standby", self.standby)):
            entry[f"{side}_mac"] = facts.mac if facts else None
            entry[f"{side}_speed_mbps"] = facts.speed_mbps if facts else None
            entry[f"{side}_link"] = facts.link.value if facts else None
            entry[f"{side}_position"] = facts.position if facts else None
            entry[f"{side}_location"] = _location_text(facts)
            entry[f"{side}_port_guid"] = facts.port_guid if facts else None
        entry["issues"] = list(self.issues)
        return entry


_NO_NIC = NicFacts("", None, None, None, LinkStatus.UNKNOWN, 0)


def _location_text(facts: NicFacts | None) -> str | None:
    if facts is None or facts.location is None:
        return None
    return f"{facts.location} port {facts.port}" if facts.port else facts.location


def natural_key(text: str | None) -> tuple[Any, ...]:
    """Sort key that orders ``NIC2`` before ``NIC10``."""
    parts = re.split(r"(\d+)", text or "")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)


def _order_key(facts: NicFacts) -> tuple[Any, ...]:
    return (natural_key(facts.id), natural_key(facts.name))


def match_nics(primary: Sequence[Nic], standby: Sequence[Nic], *,
               compare_link: bool = False, complete: bool = True) -> list[NicPair]:
    """Pair each primary NIC with its standby counterpart (see the module docstring).

    :param compare_link: report link-state differences (only meaningful when both nodes are
        powered alike: a powered-off host's ports often read down).
    :param complete: both NIC reads were whole; False forbids pairing by order.
    :return: one :class:`NicPair` per primary NIC in the primary's listing order, then one per
        unmatched standby NIC.
    """
    left = [facts_of(nic, i) for i, nic in enumerate(primary, 1)]
    right = [facts_of(nic, i) for i, nic in enumerate(standby, 1)]
    pairs: list[NicPair] = []
    for kind in KINDS:
        pairs += _match_kind([f for f in left if f.kind == kind],
                             [f for f in right if f.kind == kind], compare_link, complete)
    order = {facts.id: facts.position for facts in left}
    pairs.sort(key=lambda p: (p.primary is None,
                              order.get(p.primary.id, 0) if p.primary else 0,
                              p.standby.position if p.standby else 0))
    return pairs


def _match_kind(left: list[NicFacts], right: list[NicFacts],
                compare_link: bool, complete: bool) -> list[NicPair]:
    matched: list[tuple[NicFacts, NicFacts, str]] = []
    for method, key in (("location", lambda f: f.location_key), ("id", lambda f: f.id)):
        index: dict[Any, NicFacts] = {}
        for facts in right:
            k = key(facts)
            if k is not None:
                index.setdefault(k, facts)
        for facts in list(left):
            k = key(facts)
            other = index.get(k) if k is not None else None
            if other is not None and any(o is other for o in right):
                matched.append((facts, other, method))
                left.remove(facts)
                right.remove(other)
    left.sort(key=_order_key)
    right.sort(key=_order_key)
    if complete and len(left) == len(right):
        matched += [(a, b, "order") for a, b in zip(left, right, strict=True)]
        left, right = [], []
    pairs = [NicPair(a, b, method, _differences(a, b, compare_link)) for a, b, method in matched]
    pairs += [NicPair(a, None, None, ("missing on the standby",)) for a in left]
    pairs += [NicPair(None, b, None, ("missing on the primary",)) for b in right]
    return pairs


def _differences(a: NicFacts, b: NicFacts, compare_link: bool) -> tuple[str, ...]:
    issues = []
    if a.speed_mbps is not None and b.speed_mbps is not None and a.speed_mbps != b.speed_mbps:
        issues.append(f"speed differs: {a.speed_mbps} vs {b.speed_mbps} Mbit/s")
    if compare_link and LinkStatus.UNKNOWN not in (a.link, b.link) and a.link != b.link:
        issues.append(f"link differs: {a.link.value} vs {b.link.value}")
    if a.location_key and b.location_key and a.location_key != b.location_key:
        issues.append(f"location differs: {_location_text(a)} vs {_location_text(b)}")
    if a.position != b.position:
        issues.append(f"listed #{a.position} on the primary, #{b.position} on the standby")
    if a.mac is None or b.mac is None:
        sides = [side for side, facts in (("primary", a), ("standby", b)) if facts.mac is None]
        issues.append("no usable MAC on the " + " and the ".join(sides))
    elif a.mac == b.mac:
        issues.append(f"same MAC {a.mac} on both nodes: a placeholder or a cloned MAC, DHCP "
                      "cannot tell them apart")
    return tuple(issues)


def nic_map_json(pairs: Sequence[NicPair]) -> list[dict[str, Any]]:
    """The ``nic_map`` of ``pair check --json``."""
    return [pair.to_json() for pair in pairs]


def nic_map_of(report: Any, source: str = "the pair report") -> list[Mapping[str, Any]]:
    """The ``nic_map`` list of a ``pair check --json`` object (or the list itself).

    :raises ConfigError: not such an object, one written while a BMC could not be read or
        showed no host NICs (``nic_map`` null: no map), or one whose NIC read was incomplete.
    """
    entries = report.get("nic_map") if isinstance(report, Mapping) else report
    if isinstance(report, Mapping):
        _refuse_unknown_map(report, source)
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ConfigError(f"{source} has no nic_map list (write it with "
                          "`hamnhw --json pair check > FILE`)")
    unread = partial_nic_reads(report) if isinstance(report, Mapping) else {}
    if unread:
        raise ConfigError(f"{source} was written from an incomplete NIC read, so its NIC map "
                          "may pair the wrong ports: " + "; ".join(
                              f"{node}: {', '.join(map(str, warnings))}"
                              for node, warnings in unread.items())
                          + " (run `hamnhw --json pair check` again once the BMC answers)")
    return entries


def _refuse_unknown_map(report: Mapping[str, Any], source: str) -> None:
    """:raises ConfigError: the report holds no NIC map: ``nic_map`` null (a node's NICs
    unknown), or a node not read (an older report's ``[]`` then means unknown, not none)."""
    unread = unread_nodes(report)
    if "nic_map" not in report or (report["nic_map"] is not None and not unread):
        return
    why = "; ".join(f"{node}'s BMC was not read: {error}" for node, error in unread.items())
    raise ConfigError(f"{source} has no NIC map ({why or 'a BMC did not show its host NICs'}"
                      "): nothing in it pairs a primary NIC with a standby NIC (run `hamnhw "
                      "--json pair check` again once both BMCs answer and show their NICs)")


def unread_nodes(report: Mapping[str, Any]) -> dict[str, str]:
    """Node -> why its BMC was not read, from a ``pair check --json`` object
    (``nodes.<name>.reachable`` false): a NIC map from such a report pairs nothing of it."""
    nodes = report.get("nodes")
    return {str(name): str(node.get("error") or "no answer")
            for name, node in (nodes.items() if isinstance(nodes, Mapping) else ())
            if isinstance(node, Mapping) and node.get("reachable") is False}


def partial_nic_reads(report: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Node -> what of its host NICs could not be read, from a ``pair check --json`` object
    (``nodes.<name>.incomplete.nics``)."""
    nodes = report.get("nodes")
    found: dict[str, list[Any]] = {}
    for name, node in (nodes.items() if isinstance(nodes, Mapping) else ()):
        incomplete = node.get("incomplete") if isinstance(node, Mapping) else None
        warnings = incomplete.get("nics") if isinstance(incomplete, Mapping) else None
        if warnings:
            found[str(name)] = list(warnings)
    return found


def read_pair_report(path: str) -> list[Mapping[str, Any]]:
    """The NIC map of a saved ``hamnhw --json pair check`` output.

    :raises ConfigError: unreadable, not JSON, or no ``nic_map`` in it.
    """
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the pair report {path}: {exc}") from exc
    return nic_map_of(data, f"pair report {path}")
