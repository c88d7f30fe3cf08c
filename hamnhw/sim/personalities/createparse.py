"""How a simulated controller reads a volume create: the keys it takes, the level, the
member drives, capacity and write cache, or the 400 it answers (a mixin of
:class:`~hamnhw.sim.personalities.base.StandardStorage`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from hamnhw.raid import WRITE_CACHE_POLICIES
from hamnhw.sim.actions import Response
from hamnhw.sim.bays import VolumeSpec
from hamnhw.sim.raid_actions import LEVELS, MEMBERS, bad
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.state import ServerState


class CreateParsing:
    """Parsing of ``POST .../Volumes`` for a controller of one dialect.

    Needs ``state``, ``find_drive()``, ``drive_id()`` and ``foreign_serials()`` from the
    personality it is mixed into.
    """

    create_keys: ClassVar[frozenset[str]]
    dialect: str
    state: ServerState

    if TYPE_CHECKING:   # provided by the personality
        def find_drive(self, path: Any) -> DriveSpec | None: ...

        def drive_id(self, drive: DriveSpec) -> str: ...

        def foreign_serials(self) -> set[str]: ...

    def refuse_keys(self, body: dict[str, Any]) -> Response | None:
        """A 400 for a key this BMC does not take (subclasses add their own rules)."""
        for key in body:
            if key not in self.create_keys and key != self.dialect:
                return bad("PropertyUnknown", f"The property {key} is not in the list of "
                           "valid properties for the resource.", key)
        if self.dialect not in body:
            return bad("PropertyMissing", f"The property {self.dialect} is a required "
                       "property and must be included in the request.", self.dialect)
        return None

    def member_links(self, body: dict[str, Any]) -> Any:
        """The member drive links of a create (``Links.Drives``)."""
        links = body.get("Links")
        return links.get("Drives") if isinstance(links, dict) else None

    def parse_create(self, body: Any) -> tuple[VolumeSpec, str] | Response:
        """The volume a create asks for and its apply time, or the 400 refusing it."""
        if not isinstance(body, dict):
            return bad("MalformedJSON", "The request body must be a JSON object.")
        refused = self.refuse_keys(body)
        if refused is not None:
            return refused
        level = LEVELS[self.dialect].get(str(body[self.dialect]))
        if level is None:
            return bad("PropertyValueNotInList", f"The value {body[self.dialect]} for the "
                       f"property {self.dialect} is not in the list of acceptable values.",
                       str(body[self.dialect]), self.dialect)
        links = self.member_links(body)
        drives = [self.find_drive(item) for item in links] if isinstance(links, list) else []
        members = [d for d in drives if d is not None]
        low, high = MEMBERS[level]
        if not members or len(members) != len(drives) or not low <= len(members) <= high:
            return bad("PropertyValueIncorrect", f"{level} needs {low} to {high} drives of "
                       "this controller.", "Links/Drives")
        for drive in members:
            why = self.state.raid.in_use(drive.serial)
            if why is not None or drive.serial in self.foreign_serials():
                reason = why or "carries a foreign configuration"
                return bad("ResourceInUse", f"The drive {self.drive_id(drive)} {reason}.",
                           self.drive_id(drive))
        return self._volume_of(body, level, members)

    def _volume_of(self, body: dict[str, Any], level: str,
                   members: list[DriveSpec]) -> tuple[VolumeSpec, str] | Response:
        smallest = min(d.capacity_bytes for d in members)
        capacity = body.get("CapacityBytes", smallest)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not (
                0 < capacity <= smallest):
            return bad("PropertyValueIncorrect", f"CapacityBytes must be between 1 and "
                       f"{smallest}.", str(capacity), "CapacityBytes")
        cache = str(body.get("WriteCachePolicy", "WriteThrough"))
        if cache not in WRITE_CACHE_POLICIES:
            return bad("PropertyValueNotInList", "WriteCachePolicy value not supported.",
                       cache, "WriteCachePolicy")
        volume = VolumeSpec(self.state.bays.new_volume_id(),
                            str(body.get("Name") or f"{level} volume"), level,
                            tuple(d.serial for d in members), capacity, write_cache_policy=cache)
        return volume, str(body.get("@Redfish.OperationApplyTime", "Immediate"))
