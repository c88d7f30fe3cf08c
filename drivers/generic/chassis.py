"""Which chassis hold a system's hardware, and which of them it shares with other systems.

The system's chassis are, in this order:

1. those of its ``Links.Chassis``;
2. from those, the chassis of their ``Links.Contains`` (backplanes, drive cages), recursively;
3. any chassis of the service's Chassis collection whose ``Links.ComputerSystems`` names this
   system and no other (HPE iLO registers each storage enclosure as its own chassis, e.g.
   ``/redfish/v1/Chassis/DE040000``, linked from no system: see HPE's "Redfish chassis
   collection" developer article).  The collection (and each chassis it lists) costs a
   request apiece, so it is searched only when asked (:meth:`ChassisSearch.claimed`): the
   callers ask when the system links no chassis, when nothing else shows what they look for
   (a drive, a NIC), or when the driver says so (HPE's storage enclosures).

A chassis whose ``Links.ComputerSystems`` names other systems as well (a blade enclosure)
is *shared*: its drives and network adapters belong to this system only when the resource
itself says so (:func:`ownership`); one naming only other systems is skipped, and so is
what it contains.  ``Links.ComputerSystems`` is optional: a chassis that says nothing of
systems is shared when another system of the service links it from its own
``Links.Chassis`` (the other systems are read only on a service listing several, and only
when such a chassis is met), else it inherits from the chassis that contains it.  A linked
chassis that cannot be read is skipped with a warning.

Whatever the chassis, a drive or device function whose links name only other systems is
never this system's (:func:`ownership` ``other``).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Mapping, Sequence

from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.generic.walk import Walk, same_uri, unique

ROOT = "/redfish/v1/"
_SYSTEM_PREFIX = re.compile(r"^(.*?/Systems/[^/#]+)")


@dataclasses.dataclass(frozen=True)
class ChassisSet:
    """The chassis of one system."""

    own: tuple[Resource, ...]
    """Chassis serving this system alone (or saying nothing of other systems)."""
    shared: tuple[Resource, ...]
    """Chassis serving other systems as well: only resources naming this system count."""


def linked_uris(resource: Resource, path: str) -> list[str]:
    """``@odata.id`` of the link(s) at ``path``, whether one object or an array of them."""
    node = resource.doc
    for step in path.split("."):
        node = node.get(step) if isinstance(node, Mapping) else None
    if isinstance(node, Mapping):
        target = node.get("@odata.id")
        return [target] if isinstance(target, str) and target else []
    if isinstance(node, list):
        return resource.links(path) or []
    return []


class Owner(enum.Enum):
    """Which system a resource's links say it serves."""

    OURS = "ours"
    """A link names this system (or a resource under it)."""
    OTHER = "other"
    """Links name systems, none of them this one."""
    UNSAID = "unsaid"
    """No link names a system."""


def named_systems(resource: Resource, paths: Iterable[str]) -> set[str]:
    """The systems (``.../Systems/<id>``) the links at ``paths`` name or lie under."""
    found = set()
    for path in paths:
        for uri in linked_uris(resource, path):
            match = _SYSTEM_PREFIX.match(uri.split("#", 1)[0])
            if match:
                found.add(match.group(1).rstrip("/"))
    return found


def ownership(resource: Resource, system_uri: str, paths: Iterable[str]) -> Owner:
    """Whether the links at ``paths`` tie ``resource`` to the system, to others only, or to
    none."""
    systems = named_systems(resource, paths)
    if not systems:
        return Owner.UNSAID
    return Owner.OURS if system_uri.rstrip("/") in systems else Owner.OTHER


def names_system(resource: Resource, system_uri: str, paths: Iterable[str]) -> bool:
    """True when a link at one of ``paths`` is the system or a resource under it."""
    return ownership(resource, system_uri, paths) is Owner.OURS


def _kind(chassis: Resource, system_uri: str, inherited: str,
          linked_by_others: set[str] | None = None) -> str:
    """``own``, ``shared`` or ``foreign`` (another system's) for one chassis.

    :param linked_by_others: chassis URIs other systems link; only asked for a chassis
        whose ``Links.ComputerSystems`` is absent.
    """
    systems = chassis.links("Links.ComputerSystems")
    if not systems:
        if linked_by_others is not None and chassis.uri.rstrip("/") in linked_by_others:
            return "shared"
        return inherited
    ours = [uri for uri in systems if same_uri(uri, system_uri)]
    if not ours:
        return "foreign"
    return "own" if len(unique(systems)) == 1 else "shared"


class _Finder:
    def __init__(self, walk: Walk, system: Resource, others: Sequence[str]) -> None:
        self.walk = walk
        self.system = system
        self.others = [uri for uri in others if not same_uri(uri, system.uri)]
        self._linked_by_others: set[str] | None = None
        self.seen: set[str] = set()
        self.found: dict[str, list[Resource]] = {"own": [], "shared": []}

    def kind(self, chassis: Resource, inherited: str) -> str:
        others = self.linked_by_others() if not chassis.links("Links.ComputerSystems") else None
        return _kind(chassis, self.system.uri, inherited, others)

    def linked_by_others(self) -> set[str]:
        """Chassis URIs the service's other systems link (their ``Links.Chassis``), read
        once and only when needed."""
        if self._linked_by_others is None:
            found: set[str] = set()
            for uri in self.others:
                other = self.walk.try_read(uri, "other system")
                linked = other.links("Links.Chassis") if other is not None else None
                found |= {chassis.rstrip("/") for chassis in linked or []}
            self._linked_by_others = found
        return self._linked_by_others

    def follow(self, uris: Iterable[str], inherited: str) -> None:
        for uri in uris:
            if uri.rstrip("/") in self.seen:
                continue
            self.seen.add(uri.rstrip("/"))
            chassis = self.walk.try_read(uri, "chassis")
            if chassis is not None:
                self.add(chassis, self.kind(chassis, inherited))

    def add(self, chassis: Resource, kind: str) -> None:
        if kind == "foreign":
            return
        self.found[kind].append(chassis)
        self.follow(chassis.links("Links.Contains") or [], kind)

    def claimed(self, collection_uri: str) -> None:
        """Chassis of the collection that name this system alone."""
        collection = self.walk.try_read(collection_uri, "chassis collection")
        members = (self.walk.members(collection, "chassis") if collection else None) or []
        self.walk.prefetch([uri for uri in members if uri.rstrip("/") not in self.seen])
        for uri in members:
            if uri.rstrip("/") in self.seen:
                continue
            self.seen.add(uri.rstrip("/"))
            chassis = self.walk.try_read(uri, "chassis")
            if chassis is not None and self.kind(chassis, "foreign") == "own":
                self.add(chassis, "own")


def chassis_roots(system: Resource) -> list[str]:
    """The chassis ``system`` links: what :class:`ChassisSearch` reads first, independent of
    each other (a caller may read them side by side with its own first reads,
    :meth:`Walk.prefetch <hamnhw_drivers.generic.walk.Walk.prefetch>`).  The Chassis
    collection is not among them: it is read only when asked (:meth:`ChassisSearch.claimed`)."""
    return unique(system.links("Links.Chassis") or [])


class ChassisSearch:
    """The chassis of one system, in two steps: those it links (and what they contain),
    read at once, then, only when asked, those of the Chassis collection claiming it.

    :param walk: the walk to read through (warnings land there).
    :param system: the ComputerSystem.
    :param root: the ServiceRoot document (for the Chassis collection).
    :param others: URIs of the service's other systems (read only when a chassis says
        nothing of its systems).
    """

    def __init__(self, walk: Walk, system: Resource, root: Mapping[str, object],
                 others: Sequence[str] = ()) -> None:
        self._finder = _Finder(walk, system, others)
        self._root = Resource(ROOT, root, walk.reader.host)
        self.links_none = not system.links("Links.Chassis")
        """True when the system links no chassis (the collection is then the only way)."""
        linked = chassis_roots(system)
        walk.prefetch(linked)
        self._finder.follow(linked, "own")
        self.linked = ChassisSet(tuple(self._finder.found["own"]),
                                 tuple(self._finder.found["shared"]))
        """The chassis the system links and those they contain."""
        self._claimed: ChassisSet | None = None

    def claimed(self) -> ChassisSet:
        """Chassis of the Chassis collection naming this system alone that no link led to
        (and what they contain); the collection is read on the first call only."""
        if self._claimed is None:
            found = self._finder.found
            own, shared = len(found["own"]), len(found["shared"])
            collection = self._root.link("Chassis")
            if collection is not None:
                self._finder.claimed(collection)
            self._claimed = ChassisSet(tuple(found["own"][own:]), tuple(found["shared"][shared:]))
        return self._claimed
