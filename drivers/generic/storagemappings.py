"""The Redfish storage vocabulary: health and RAID level (see :mod:`.mappings`).

Apart from :mod:`.mappings` because it builds on :mod:`hamnhw.storagemodels`, which only
the storage reads need.
"""

from __future__ import annotations

from collections.abc import Mapping

from hamnhw_drivers.generic.mappings import lookup

from hamnhw.storagemodels import Health, RaidType

HEALTH: Mapping[str, Health] = {
    "OK": Health.OK,
    "Warning": Health.WARNING,
    "Critical": Health.CRITICAL,
}
"""Resource ``Status.Health`` (and ``HealthRollup``)."""

RAID_TYPE: Mapping[str, RaidType] = {
    member.value: member for member in RaidType if member is not RaidType.UNKNOWN
}
"""Volume ``RAIDType`` (Volume >= 1.3) and StorageController ``SupportedRAIDTypes``."""

RAID_TYPE_REV: Mapping[RaidType, str] = {member: value for value, member in RAID_TYPE.items()}
"""The ``RAIDType`` string to send for a RAID level (volume creation)."""

VOLUME_TYPE: Mapping[str, RaidType] = {
    "Mirrored": RaidType.RAID1,
    "NonRedundant": RaidType.RAID0,
    "StripedWithParity": RaidType.RAID5,
    "SpannedMirrors": RaidType.RAID10,
    "SpannedStripesWithParity": RaidType.RAID50,
    "RawDevice": RaidType.NONE,
}
"""The deprecated Volume ``VolumeType``, read where ``RAIDType`` is absent."""


def health(value: object) -> Health:
    """Map a ``Status.Health`` value; null or unknown strings give UNKNOWN."""
    return lookup(HEALTH, value, Health.UNKNOWN)


def raid_type(value: object, volume_type: object = None) -> RaidType:
    """Read ``RAIDType`` or, where it is absent or unknown, the deprecated ``VolumeType``."""
    found = lookup(RAID_TYPE, value, RaidType.UNKNOWN)
    if found is RaidType.UNKNOWN:
        found = lookup(VOLUME_TYPE, volume_type, RaidType.UNKNOWN)
    return found
