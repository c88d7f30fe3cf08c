"""Redfish events as the listener reads them: parsed defensively, cleaned, classified.

Everything in an event comes from the BMC (or, for push, from whoever can reach the
listener), so every string is treated as untrusted: control characters removed, length
capped, never executed or used as a path.  An event is only a hint: the change reported is
always what a fresh, authenticated read of the BMC shows.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

MAX_TEXT = 200
STORAGE_REGISTRIES = ("StorageDevice",)
"""DMTF registries whose messages are about storage (drives, volumes, controllers)."""
STORAGE_ORIGINS = re.compile(r"/(Storage|SimpleStorage|Drives|Volumes|StorageControllers)(/|$)")
"""``OriginOfCondition`` paths that are about storage, whatever the registry."""


def clean(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A BMC string made safe to log, print and put in an environment variable."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text).strip()
    return text[:limit]


@dataclasses.dataclass(frozen=True)
class EventRecord:
    """One entry of an Event's ``Events`` array (cleaned)."""

    message_id: str | None
    message: str | None
    severity: str | None
    origin: str | None
    event_id: str | None = None
    timestamp: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The trigger part of a reported change."""
        return dataclasses.asdict(self)


def parse_event(payload: Any) -> tuple[str | None, list[EventRecord]]:
    """``(Context, records)`` of an Event document; malformed parts are skipped.

    :raises ValueError: the payload is not an Event object at all.
    """
    if isinstance(payload, (bytes, str)):
        payload = json.loads(payload)
    if not isinstance(payload, Mapping):
        raise ValueError("an event must be a JSON object")
    entries = payload.get("Events")
    records = [_record(entry) for entry in entries if isinstance(entry, Mapping)] \
        if isinstance(entries, list) else []
    return clean(payload.get("Context")), records


def _record(entry: Mapping[str, Any]) -> EventRecord:
    origin = entry.get("OriginOfCondition")
    if isinstance(origin, Mapping):
        origin = origin.get("@odata.id")
    return EventRecord(clean(entry.get("MessageId")), clean(entry.get("Message")),
                       clean(entry.get("MessageSeverity") or entry.get("Severity")),
                       clean(origin), clean(entry.get("EventId")),
                       clean(entry.get("EventTimestamp")))


def is_storage_event(record: EventRecord, vendor_prefixes: Iterable[str] = ()) -> bool:
    """True for an event about drives, volumes or controllers: a DMTF ``StorageDevice``
    message, a vendor message id the driver names (``storage_event_messages``, e.g. a vendor
    registry's drive-failure ids), or an ``OriginOfCondition`` under storage."""
    message_id = record.message_id or ""
    registry = message_id.split(".", 1)[0]
    if registry in STORAGE_REGISTRIES:
        return True
    if any(message_id.startswith(prefix) for prefix in vendor_prefixes if prefix):
        return True
    return bool(record.origin and STORAGE_ORIGINS.search(record.origin))
