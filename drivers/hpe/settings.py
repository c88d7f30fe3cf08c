"""SmartStorageConfig settings: the bodies hamnhw PUTs, what the pending settings already
hold, and the job that waits for the next POST to apply them.

HPE, iLO 5, public sources: the iLO 5 Redfish API reference, "SmartStorage configuration"
(HewlettPackard/ilo-rest-api-docs ``_ilo5_smartstoragedoc.md``), the HPE Developer blog
"Storage management with Redfish", and proliantutils 2.16.3
``redfish/resources/system/smart_storage_config.py`` (read, never copied): changes go to the
pending settings object (``SmartStorageConfig/settings/``) by PUT; the controller applies them
during the next POST and the current configuration's ``@Redfish.Settings.Messages`` then says
how it went (``SmartStorageMessages...Success``, else the reason); ``@Redfish.Settings.Time``
moves.  After the POST the settings object shows the applied configuration again, every
logical drive with its ``VolumeUniqueIdentifier`` (proliantutils ``read_raid`` reads the
created drives from it): an entry without one, or with ``Actions``, is a change still pending.

``DataGuard`` (the API reference's "DataGuard rules"): ``Disabled`` deletes every logical
drive omitted from the list; ``Permissive`` deletes only those with a delete action, omitted
ones are kept; ``Strict`` deletes nothing and *refuses the request* when a logical drive is
omitted or carries a delete action.  So a create is sent ``Permissive`` with only the new
logical drive (issue 11 prescribed ``Strict``: with any other logical drive on the controller
that request fails at POST), a delete ``Permissive`` naming only its
``VolumeUniqueIdentifier``; ``Disabled`` is never sent.  (proliantutils creates with
``Disabled`` and the whole list; hamnhw does not.)  A create's ``CapacityGiB`` is ``-1``, the
largest the controller can make (proliantutils ``create_raid`` for ``size_gb: MAX``), unless a
size was asked for: a drive's raw size can exceed what is left once Smart Array keeps its
metadata on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.jobs import Job, JobState, JobStatus

SUCCESS = "Success"
"""The ``MessageId`` suffix of an applied change (``SmartStorageMessages.2.0.0.Success``)."""
PERMISSIVE = "Permissive"
"""The ``DataGuard`` of every change hamnhw writes (see the module docstring)."""
MAXIMUM = -1
"""``CapacityGiB`` of the largest logical drive the controller can make."""
GIB = 1 << 30
DELETE = "LogicalDriveDelete"
ETAG = ("@odata.etag",)
"""The settings object's ETag, sent back as ``If-Match`` (a key with a dot: a tuple path)."""


def create_body(level: str, locations: Sequence[str], size_bytes: int | None,
                name: str | None) -> dict[str, Any]:
    """The pending settings of one new logical drive (``DataGuard: Permissive``: the other
    logical drives, omitted, are kept).

    :param size_bytes: the size asked for (whole GiB sent), None for the largest (``-1``).
    """
    drive: dict[str, Any] = {"Raid": f"Raid{level.removeprefix('RAID')}",
                             "DataDrives": list(locations),
                             "CapacityGiB": MAXIMUM if size_bytes is None else size_bytes // GIB}
    if name:
        drive["LogicalDriveName"] = name
    return {"DataGuard": PERMISSIVE, "LogicalDrives": [drive]}


def delete_body(volume_unique_identifier: str) -> dict[str, Any]:
    """The pending settings deleting exactly one logical drive (``DataGuard: Permissive``)."""
    return {"DataGuard": PERMISSIVE, "LogicalDrives": [{
        "Actions": [{"Action": DELETE}],
        "VolumeUniqueIdentifier": volume_unique_identifier}]}


def spares_body(volume_unique_identifier: str, spares: Sequence[str]) -> dict[str, Any]:
    """The pending settings giving one logical drive's array these dedicated spares."""
    return {"DataGuard": PERMISSIVE, "LogicalDrives": [{
        "VolumeUniqueIdentifier": volume_unique_identifier, "SpareDrives": list(spares),
        "SpareRebuildMode": "Dedicated"}]}


def settings_outcome(config: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """``(@Redfish.Settings.Time, MessageIds)`` of a current configuration."""
    settings = config.get("@Redfish.Settings")
    settings = settings if isinstance(settings, Mapping) else {}
    messages = tuple(str(m.get("MessageId")) for m in settings.get("Messages") or []
                     if isinstance(m, Mapping) and m.get("MessageId"))
    time = settings.get("Time")
    return (time if isinstance(time, str) else None), messages


def applied_status(messages: Sequence[str]) -> JobStatus:
    """Completed when every message is a ``Success``, else failed with the message ids."""
    failed = [m for m in messages if not m.endswith(SUCCESS)]
    if failed:
        return JobStatus(JobState.FAILED, 100, tuple(failed))
    return JobStatus(JobState.COMPLETED, 100, tuple(messages))


def pending_drives(settings: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The ``DataDrives`` of each new logical drive the pending settings hold."""
    found = []
    for entry in settings.get("LogicalDrives") or []:
        if isinstance(entry, Mapping) and not entry.get("VolumeUniqueIdentifier") and \
                isinstance(entry.get("DataDrives"), list):
            found.append(tuple(str(d) for d in entry["DataDrives"]))
    return found


def pending_changes(settings: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What the pending settings would change at the next POST, one line each; empty when
    they show the current configuration (nothing pending).

    :param settings: the settings object (or a body about to be PUT there).
    :param current: the current configuration (SmartStorageConfig).
    """
    now = {str(e["VolumeUniqueIdentifier"]): e for e in _entries(current.get("LogicalDrives"))
           if e.get("VolumeUniqueIdentifier")}
    found = [f"controller action {a.get('Action')}" for a in _entries(settings.get("Actions"))]
    listed = set()
    for entry in _entries(settings.get("LogicalDrives")):
        listed.add(str(entry.get("VolumeUniqueIdentifier")))
        found += _entry_change(entry, now)
    if settings.get("DataGuard") == "Disabled" and settings.get("LogicalDrives") is not None:
        found += [f"deletion of logical drive {key} (omitted with DataGuard Disabled)"
                  for key in now if key not in listed]
    return found


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []


def _entry_change(entry: Mapping[str, Any], now: Mapping[str, Mapping[str, Any]]) -> list[str]:
    key = entry.get("VolumeUniqueIdentifier")
    actions = [str(a.get("Action")) for a in _entries(entry.get("Actions"))]
    if not key:
        drives = entry.get("DataDrives")
        over = ", ".join(str(d) for d in drives) if isinstance(drives, list) else str(drives)
        return [f"creation of a {entry.get('Raid')} logical drive over {over}"]
    if actions:
        return [f"{', '.join(actions)} of logical drive {key}"]
    if str(key) not in now:
        return [f"a change of logical drive {key}, which the controller does not list"]
    if "SpareDrives" in entry and _spares(entry) != _spares(now[str(key)]):
        return [f"spares of logical drive {key} set to {', '.join(_spares(entry)) or 'none'}"]
    return []


def _spares(entry: Mapping[str, Any]) -> list[str]:
    return sorted(str(s) for s in entry.get("SpareDrives") or [])


class SettingsJob(Job):
    """A change written to the pending settings: pending until the controller's next POST
    moves ``@Redfish.Settings.Time``, then completed or failed by its messages.

    :param config_uri: the current configuration (SmartStorageConfig).
    :param before: its ``@Redfish.Settings.Time`` when the change was written.
    """

    def __init__(self, client: Any, config_uri: str, before: str | None,
                 description: str) -> None:
        super().__init__("settings", "on-reset", description, client.host)
        self.client = client
        self.config_uri = config_uri
        self.before = before

    def read_status(self) -> JobStatus:
        """One GET of the current configuration."""
        time, messages = settings_outcome(self.client.get(self.config_uri))
        if time == self.before:
            return JobStatus(JobState.PENDING, 0, ("applied at the next POST",))
        return applied_status(messages)
