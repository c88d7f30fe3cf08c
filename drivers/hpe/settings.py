"""SmartStorageConfig settings: the bodies hamnhw PUTs, and the job that waits for the next
POST to apply them.

HPE, iLO 5, public sources: the iLO 5 Redfish API reference (SmartStorageConfig,
``DataGuard``, ``Actions``: ``LogicalDriveDelete``) and the HPE Developer blog "Storage
management with Redfish": changes go to the pending settings object
(``SmartStorageConfig/settings/``) by PUT; the controller applies them during the next POST
and the current configuration's ``@Redfish.Settings.Messages`` then says how it went
(``SmartStorageMessages...Success``, else the reason); ``@Redfish.Settings.Time`` moves.

``DataGuard`` (HPE: "whether or not data destructive actions are allowed"): a create is sent
``Strict`` with only the new logical drive; a delete ``Permissive`` naming only its
``VolumeUniqueIdentifier``.  ``Disabled`` is never sent: with it the controller applies the
``LogicalDrives`` array as the whole new configuration and drops every logical drive not
listed.  (proliantutils creates with ``Disabled`` and the full list; hamnhw does not.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.jobs import Job, JobState, JobStatus

SUCCESS = "Success"
"""The ``MessageId`` suffix of an applied change (``SmartStorageMessages.2.0.0.Success``)."""


def create_body(level: str, locations: Sequence[str], capacity_bytes: int,
                name: str | None) -> dict[str, Any]:
    """The pending settings of one new logical drive (``DataGuard: Strict``)."""
    drive: dict[str, Any] = {"Raid": f"Raid{level.removeprefix('RAID')}",
                             "DataDrives": list(locations),
                             "CapacityGiB": capacity_bytes // (1 << 30)}
    if name:
        drive["LogicalDriveName"] = name
    return {"DataGuard": "Strict", "LogicalDrives": [drive]}


def delete_body(volume_unique_identifier: str) -> dict[str, Any]:
    """The pending settings deleting exactly one logical drive (``DataGuard: Permissive``)."""
    return {"DataGuard": "Permissive", "LogicalDrives": [{
        "Actions": [{"Action": "LogicalDriveDelete"}],
        "VolumeUniqueIdentifier": volume_unique_identifier}]}


def spares_body(volume_unique_identifier: str, spares: Sequence[str]) -> dict[str, Any]:
    """The pending settings giving one logical drive's array these dedicated spares."""
    return {"DataGuard": "Permissive", "LogicalDrives": [{
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

    def status(self) -> JobStatus:
        """One GET of the current configuration."""
        time, messages = settings_outcome(self.client.get(self.config_uri))
        if time == self.before:
            return JobStatus(JobState.PENDING, 0, ("applied at the next POST",))
        return applied_status(messages)
