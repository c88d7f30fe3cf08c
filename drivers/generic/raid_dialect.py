"""How a BMC wants a volume asked for: ``RAIDType`` (Volume schema v1.3.1 and later) or the
deprecated ``VolumeType`` (``Mirrored``...), and when it applies it.

The dialect is taken from the first source that answers (DMTF Volume schema; Ironic sends
both properties at once, which strict services refuse):

1. the ``VolumeCreation`` capabilities object of ``@Redfish.CollectionCapabilities``
   (which property it annotates);
2. the ``@odata.type`` of an existing volume;
3. the Volume schema versions the service publishes under ``JsonSchemas``;
4. else ``VolumeType``, which services older than v1.3.1 know and newer ones still read.

A 400 naming the property as unknown is answered once with a new POST in the other dialect
(the first was refused, so nothing is re-sent).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from hamnhw_drivers.generic.raid_layout import StorageInfo, volume_creation
from hamnhw_drivers.generic.resource import Reader, Resource

from hamnhw.errors import BadRequestError, HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.models import RaidType

LOG = get_logger("hamnhw.drivers.generic.raid")

RAID_TYPE = "RAIDType"
VOLUME_TYPE = "VolumeType"
RAID_TYPE_SINCE = (1, 3, 1)
"""Volume schema version that added ``RAIDType``."""

VOLUME_TYPES: Mapping[RaidType, str] = {
    RaidType.RAID0: "NonRedundant", RaidType.RAID1: "Mirrored",
    RaidType.RAID5: "StripedWithParity", RaidType.RAID10: "SpannedMirrors",
    RaidType.RAID50: "SpannedStripesWithParity",
}
"""The deprecated ``VolumeType`` of each RAID level that has one."""

_VERSION = re.compile(r"(?<![A-Za-z])Volume\.v(\d+)_(\d+)_(\d+)")
_UNKNOWN_PROPERTY = ("PropertyUnknown", "PropertyNotWritable", "PropertyValueNotInList",
                     "ActionParameterUnknown")


@dataclasses.dataclass(frozen=True)
class Dialect:
    """Which property names the RAID level, and why."""

    property: str
    """``RAIDType`` or ``VolumeType``."""
    source: str
    """Where it was learnt, for the plan's notes."""

    def other(self) -> Dialect:
        """The other dialect (for the one fallback POST)."""
        name = VOLUME_TYPE if self.property == RAID_TYPE else RAID_TYPE
        return Dialect(name, f"fallback after {self.property} was refused")


def schema_version(text: str | None) -> tuple[int, int, int] | None:
    """``(1, 3, 1)`` out of ``#Volume.v1_3_1.Volume`` or ``Volume.v1_3_1``; None otherwise."""
    match = _VERSION.search(text or "")
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def dialect_of_version(version: tuple[int, int, int], source: str) -> Dialect:
    """``RAIDType`` for Volume v1.3.1 and later, else ``VolumeType``."""
    name = RAID_TYPE if version >= RAID_TYPE_SINCE else VOLUME_TYPE
    return Dialect(name, f"{source} (Volume v{'.'.join(map(str, version))})")


def detect_dialect(reader: Reader, storage: StorageInfo) -> Dialect:
    """The first source that answers, in the order of the module docstring."""
    collection = storage.collection
    for finder in (_from_capabilities, _from_existing_volume, _from_json_schemas):
        try:
            found = finder(reader, collection)
        except (HttpError, MalformedResponse) as exc:
            LOG.info("%s: dialect source %s unreadable: %s", reader.host, finder.__name__, exc)
            continue
        if found is not None:
            return found
    return Dialect(VOLUME_TYPE, "no capability, volume or schema says (VolumeType is the "
                                "widest known)")


def _from_capabilities(reader: Reader, collection: Resource | None) -> Dialect | None:
    uri = volume_creation(collection.doc) if collection is not None else None
    if not uri:
        return None
    keys = list(reader.read(uri).doc)
    for name in (RAID_TYPE, VOLUME_TYPE):
        if any(key == name or key.startswith(f"{name}@") for key in keys):
            return Dialect(name, f"VolumeCreation capabilities {uri}")
    return None


def _from_existing_volume(reader: Reader, collection: Resource | None) -> Dialect | None:
    # the first volume listed is enough: a part of the list (a page) is as good as all
    members = (collection.member_list().listed if collection is not None else None) or []
    if not members:
        return None
    volume = reader.read(members[0])
    version = schema_version(volume.get(("@odata.type",), str))
    if version is not None:
        return dialect_of_version(version, f"@odata.type of {volume.uri}")
    for name in (RAID_TYPE, VOLUME_TYPE):
        if volume.get(name, str):
            return Dialect(name, f"{volume.uri} shows {name}")
    return None


def _from_json_schemas(reader: Reader, _collection: Resource | None) -> Dialect | None:
    root = Resource("/redfish/v1/", reader.client.root, reader.host)
    schemas = root.link("JsonSchemas")
    if schemas is None:
        return None
    listed = reader.members(schemas)
    members = listed.listed or []
    versions = [v for v in (schema_version(m) for m in members) if v]
    if not versions:
        for uri in members:
            if uri.rstrip("/").endswith("/Volume"):
                versions += [v for v in [schema_version(reader.read(uri).get("Schema", str))]
                             if v]
    if listed.incomplete is not None and max(versions, default=(0, 0, 0)) < RAID_TYPE_SINCE:
        listed.require()  # a part: the pages not read may publish a newer Volume schema
    return dialect_of_version(max(versions), f"JsonSchemas {schemas}") if versions else None


def raid_level_value(dialect: Dialect, raid_type: RaidType) -> str | None:
    """The value of the dialect's property for ``raid_type``; None when ``VolumeType`` has
    no word for it (RAID6, RAID60, RAID1E)."""
    return raid_type.value if dialect.property == RAID_TYPE else VOLUME_TYPES.get(raid_type)


def names_dialect_as_unknown(exc: BadRequestError, dialect: Dialect) -> bool:
    """True when a 400 says the dialect's property (or its value) is not known: a
    ``PropertyUnknown``-like message id naming the property, or the property in the text."""
    for info in exc.extended_info:
        message_id = str(info.get("MessageId", ""))
        args = [str(a) for a in info.get("MessageArgs") or []]
        text = str(info.get("Message", ""))
        if any(message_id.endswith(kind) for kind in _UNKNOWN_PROPERTY) and (
                dialect.property in args or dialect.property in text):
            return True
    message = exc.redfish_message or ""
    return dialect.property in message and "unknown" in message.lower()
