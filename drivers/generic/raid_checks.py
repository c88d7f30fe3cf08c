"""What the RAID writes check before sending anything.  Each function returns the reasons
to refuse (empty: nothing against it); the caller raises
:class:`~hamnhw.errors.RefusedOperation` with all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from hamnhw_drivers.generic.raid_layout import SPARE_TYPES, RaidLayout, StorageInfo

from hamnhw.models import Drive, Health, RaidType, Volume
from hamnhw.raid import MIN_MEMBERS, CreateRequest, drive_failed


def drive_problems(drive: Drive, layout: RaidLayout, volume: Volume | None = None) -> list[str]:
    """A drive that cannot take a new role: absent, unhealthy, a member, a spare (other
    than a dedicated spare of ``volume``), or without a URI to link."""
    problems: list[str] = []
    if drive.state == "Absent":
        problems.append(f"drive {drive.id} is absent")
    elif drive_failed(drive) or drive.health is Health.WARNING:
        problems.append(f"drive {drive.id} is not healthy (health {drive.health.value}, "
                        f"state {drive.state or 'not reported'})")
    member_of = layout.volume_of(drive)
    if member_of is not None:
        problems.append(f"drive {drive.id} is a member of volume {member_of.id}")
    spare_of = layout.spare_of(drive)
    if spare_of is not None and (volume is None or spare_of.id != volume.id):
        problems.append(f"drive {drive.id} is a dedicated spare of volume {spare_of.id}")
    elif spare_of is None and drive.hotspare in SPARE_TYPES:
        problems.append(f"drive {drive.id} is a {str(drive.hotspare).lower()} hot spare")
    if drive.uri is None:
        problems.append(f"drive {drive.id} has no Redfish URI to link (SimpleStorage device)")
    return problems


def create_problems(request: CreateRequest, drives: Sequence[Drive], layout: RaidLayout,
                    storage: StorageInfo) -> list[str]:
    """Why the volume cannot be created from these drives."""
    problems = [p for d in drives for p in drive_problems(d, layout)]
    needed = MIN_MEMBERS.get(request.raid_type, 1)
    if len(drives) < needed:
        problems.append(f"{request.raid_type.value} needs at least {needed} drives, "
                        f"{len(drives)} given")
    problems += _mixed(drives, "protocol") + _mixed(drives, "media")
    unknown = [d.id for d in drives if d.capacity_bytes is None]
    if unknown:
        problems.append(f"capacity not reported for {', '.join(unknown)}: CapacityBytes "
                        "cannot be computed")
    supported = storage.capabilities.raid_types
    if supported is not None and request.raid_type not in supported:
        listed = ", ".join(t.value for t in supported) or "none"
        problems.append(f"controller {storage.capabilities.storage_id} does not list "
                        f"{request.raid_type.value} (SupportedRAIDTypes: {listed})")
    smallest = min((d.capacity_bytes for d in drives if d.capacity_bytes), default=None)
    if request.size_bytes is not None and smallest is not None and (
            request.size_bytes > smallest):
        problems.append(f"--size {request.size_bytes} is larger than the smallest member "
                        f"({smallest} bytes)")
    return problems


def _mixed(drives: Sequence[Drive], attribute: str) -> list[str]:
    values = {getattr(d, attribute) for d in drives if getattr(d, attribute) is not None}
    if len(values) <= 1:
        return []
    shown = ", ".join(f"{d.id}: {getattr(d, attribute)}" for d in drives)
    return [f"drives of mixed {attribute} ({shown})"]


def needed_capacity(volume: Volume, layout: RaidLayout) -> int | None:
    """Bytes a replacement or spare needs: the smallest present member, else the volume's
    capacity for a mirror, else None."""
    members = [d for d in layout.members(volume) or () if d is not None and d.capacity_bytes]
    sizes = [d.capacity_bytes for d in members if d.capacity_bytes is not None]
    if sizes:
        return min(sizes)
    return volume.capacity_bytes if volume.raid_type is RaidType.RAID1 else None


def spare_fit_problems(drive: Drive, volume: Volume, layout: RaidLayout) -> list[str]:
    """A replacement or dedicated spare that does not fit the volume: too small, or of
    another protocol or media than its members (as create refuses mixed drives)."""
    problems = [f"drive {drive.id} is {attribute} {getattr(drive, attribute)}, the members of "
                f"volume {volume.id} are {', '.join(sorted(others))}"
                for attribute, others in _members_values(volume, layout).items()
                if getattr(drive, attribute) is not None and others
                and getattr(drive, attribute) not in others]
    needed = needed_capacity(volume, layout)
    if drive.capacity_bytes is None:
        return [*problems, f"capacity of drive {drive.id} not reported"]
    if needed is not None and drive.capacity_bytes < needed:
        problems.append(f"drive {drive.id} ({drive.capacity_bytes} bytes) is smaller than the "
                        f"members of volume {volume.id} ({needed} bytes)")
    return problems


def _members_values(volume: Volume, layout: RaidLayout) -> dict[str, set[str]]:
    """The protocols and media of the volume's members, as far as they are told."""
    members = [d for d in layout.members(volume) or () if d is not None]
    return {attribute: {str(getattr(d, attribute)) for d in members
                        if getattr(d, attribute) is not None}
            for attribute in ("protocol", "media")}
