"""What the simulated Smart Array does with pending SmartStorageConfig settings at POST
(``ilo5`` personality).  ``DataGuard`` follows the iLO 5 API reference's "DataGuard rules"
(HewlettPackard/ilo-rest-api-docs ``_ilo5_smartstoragedoc.md``): ``Disabled`` deletes the
omitted logical drives, ``Permissive`` only those with a delete action, ``Strict`` deletes
nothing and refuses the whole request when a logical drive is omitted or carries a delete
action.  Message ids other than ``Success`` are unverified."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hamnhw.sim.bays import VolumeSpec

if TYPE_CHECKING:
    from hamnhw.sim.personalities.ilo5 import Ilo5Personality

PREFIX = "SmartStorageMessages.2.0.0."


def apply_settings(ilo: Ilo5Personality, body: Mapping[str, Any]) -> list[str]:
    """Apply ``body``; returns the failure message ids (empty: success)."""
    from hamnhw.sim.personalities.ilo5 import vuid

    guard = str(body.get("DataGuard", "Strict"))
    entries = [e for e in body.get("LogicalDrives") or [] if isinstance(e, Mapping)]
    by_vuid = {vuid(v): v for v, _ in ilo.volumes()}
    named = {str(e.get("VolumeUniqueIdentifier")) for e in entries}
    failures: list[str] = []
    if guard == "Strict" and (set(by_vuid) - named or any(e.get("Actions") for e in entries)):
        return [f"{PREFIX}DataGuardRestriction"]  # Strict: nothing applied at all
    if guard == "Disabled":  # the list is the whole configuration: the rest is dropped
        for volume in [v for k, v in by_vuid.items() if k not in named]:
            ilo.state.bays.remove_volume(volume.id)
    for entry in entries:
        key = entry.get("VolumeUniqueIdentifier")
        actions = [a.get("Action") for a in entry.get("Actions") or [] if isinstance(a, Mapping)]
        if key is None:
            failures += _create(ilo, entry)
        elif str(key) not in by_vuid:
            failures.append(f"{PREFIX}LogicalDriveNotFound")
        elif "LogicalDriveDelete" in actions:
            ilo.state.bays.remove_volume(by_vuid[str(key)].id)
        elif "SpareDrives" in entry:
            failures += _spares(ilo, by_vuid[str(key)], entry["SpareDrives"])
    return failures


def _by_location(ilo: Ilo5Personality) -> dict[str, Any]:
    return {ilo.location(d): d for d in ilo.drives()}


def _create(ilo: Ilo5Personality, entry: Mapping[str, Any]) -> list[str]:
    drives = _by_location(ilo)
    wanted = [str(d) for d in entry.get("DataDrives") or []]
    members = [drives.get(loc) for loc in wanted]
    level = "RAID" + str(entry.get("Raid", "")).removeprefix("Raid")
    if level not in ("RAID0", "RAID1") or not members or None in members:
        return [f"{PREFIX}InvalidConfiguration"]
    chosen = [m for m in members if m is not None]
    if (level == "RAID1" and len(chosen) != 2) or any(
            ilo.state.raid.in_use(d.serial) is not None for d in chosen):
        return [f"{PREFIX}DrivesInUse"]
    smallest = min(d.capacity_bytes for d in chosen)
    gib = entry.get("CapacityGiB")
    capacity = min(smallest, int(gib) << 30) if isinstance(gib, int) and gib > 0 else smallest
    ilo.state.bays.add_volume(VolumeSpec(
        ilo.state.bays.new_volume_id(), str(entry.get("LogicalDriveName") or f"{level} LD"),
        level, tuple(d.serial for d in chosen), capacity))
    return []


def _spares(ilo: Ilo5Personality, volume: VolumeSpec, spares: Any) -> list[str]:
    drives = _by_location(ilo)
    chosen = [drives.get(str(loc)) for loc in spares or []]
    if None in chosen:
        return [f"{PREFIX}InvalidConfiguration"]
    serials = tuple(d.serial for d in chosen if d is not None)
    if any(ilo.state.raid.in_use(s, volume) is not None for s in serials):
        return [f"{PREFIX}DrivesInUse"]
    ilo.state.raid.set_dedicated(volume, serials)
    return []
