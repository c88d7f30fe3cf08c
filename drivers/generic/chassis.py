"""Which chassis hold a system's hardware, and which of them it shares with other systems.

The system's chassis are, in this order:

1. those of its ``Links.Chassis``;
2. from those, the chassis of their ``Links.Contains`` (backplanes, drive cages), recursively;
3. any chassis of the service's Chassis collection whose ``Links.ComputerSystems`` names this
   system and no other (HPE iLO registers each storage enclosure as its own chassis, e.g.
   ``/redfish/v1/Chassis/DE040000``, linked from no system: see HPE's "Redfish chassis
   collection" developer article).

A chassis whose ``Links.ComputerSystems`` names other systems as well (a blade enclosure)
is *shared*: its drives and network adapters belong to this system only when the resource
itself says so (:func:`names_system`); one naming only other systems is skipped, and so is
what it contains.  A chassis that says nothing of systems inherits from the chassis that
contains it.  A linked chassis that cannot be read is skipped with a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from hamnhw_drivers.generic.resource import Resource
from hamnhw_drivers.generic.walk import Walk, same_uri, unique

ROOT = "/redfish/v1/"


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


def names_system(resource: Resource, system_uri: str, paths: Iterable[str]) -> bool:
    """True when a link at one of ``paths`` is the system or a resource under it."""
    prefix = system_uri.rstrip("/") + "/"
    for path in paths:
        for uri in linked_uris(resource, path):
            if same_uri(uri, system_uri) or uri.startswith(prefix):
                return True
    return False


def _kind(chassis: Resource, system_uri: str, inherited: str) -> str:
    """``own``, ``shared`` or ``foreign`` (another system's) for one chassis."""
    systems = chassis.links("Links.ComputerSystems")
    if not systems:
        return inherited
    ours = [uri for uri in systems if same_uri(uri, system_uri)]
    if not ours:
        return "foreign"
    return "own" if len(unique(systems)) == 1 else "shared"


class _Finder:
    def __init__(self, walk: Walk, system: Resource) -> None:
        self.walk = walk
        self.system = system
        self.seen: set[str] = set()
        self.found: dict[str, list[Resource]] = {"own": [], "shared": []}

    def follow(self, uris: Iterable[str], inherited: str) -> None:
        for uri in uris:
            if uri.rstrip("/") in self.seen:
                continue
            self.seen.add(uri.rstrip("/"))
            chassis = self.walk.try_read(uri, "chassis")
            if chassis is not None:
                self.add(chassis, _kind(chassis, self.system.uri, inherited))

    def add(self, chassis: Resource, kind: str) -> None:
        if kind == "foreign":
            return
        self.found[kind].append(chassis)
        self.follow(chassis.links("Links.Contains") or [], kind)

    def claimed(self, collection_uri: str) -> None:
        """Chassis of the collection that name this system alone."""
        collection = self.walk.try_read(collection_uri, "chassis collection")
        for uri in collection.members() if collection else []:
            if uri.rstrip("/") in self.seen:
                continue
            self.seen.add(uri.rstrip("/"))
            chassis = self.walk.try_read(uri, "chassis")
            if chassis is not None and _kind(chassis, self.system.uri, "foreign") == "own":
                self.add(chassis, "own")


def system_chassis(walk: Walk, system: Resource, root: Mapping[str, object]) -> ChassisSet:
    """Find the chassis of ``system`` (see the module docstring).

    :param walk: the walk to read through (warnings land there).
    :param system: the ComputerSystem.
    :param root: the ServiceRoot document (for the Chassis collection).
    """
    finder = _Finder(walk, system)
    finder.follow(unique(system.links("Links.Chassis") or []), "own")
    collection = Resource(ROOT, root, walk.reader.host).link("Chassis")
    if collection is not None:
        finder.claimed(collection)
    return ChassisSet(tuple(finder.found["own"]), tuple(finder.found["shared"]))
