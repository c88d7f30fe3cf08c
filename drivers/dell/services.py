"""Dell's OEM services around RAID: the Lifecycle Controller's readiness, the job queue,
the DellRaidService actions, and iDRAC's error messages about busy controllers.

Dell, iDRAC 9 (3.x to 7.x), public sources: the iDRAC9 Redfish API Guide, the
sushy-oem-idrac resources (``lifecycle_service.py``: ready when ``LCStatus`` is ``Ready``;
``raid_service.py``: ``TargetFQDD`` payloads; ``constants.py``: ``STOR018`` no foreign drives)
and dell/iDRAC-Redfish-Scripting (GetRemoteServicesAPIStatusREDFISH.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hamnhw_drivers.dell.jobs import dell_job_block
from hamnhw_drivers.generic.resource import Reader, Resource

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger

LOG = get_logger("hamnhw.drivers.dell")

LC_ACTION = "#DellLCService.GetRemoteServicesAPIStatus"
BUSY_MESSAGES: Mapping[str, str] = {
    "LC068": "a configuration job is pending or running, or attribute changes are pending",
    "RAC0679": "a job operation is already running",
    "RAC0680": "a job of this kind is already scheduled",
    "STOR018": "no foreign drives were detected",
}
"""Suffixes of iDRAC ``MessageId`` values that say the controller or the LC is busy (or, for
STOR018, that there is nothing to import), with what they mean."""
UNFINISHED = frozenset({"New", "Scheduling", "Scheduled", "ReadyForExecution", "Waiting",
                        "Running", "RebootPending", "PendingActivation", "Downloading",
                        "Downloaded", "Paused"})
MAX_JOBS_READ = 32
"""Newest jobs read when looking for one pending on a controller."""


def busy_reason(exc: HttpError) -> str | None:
    """What a refusal of iDRAC's means when it is about a busy controller or LC, else None."""
    for info in exc.extended_info:
        message_id = str(info.get("MessageId", ""))
        for suffix, meaning in BUSY_MESSAGES.items():
            if message_id.endswith(suffix):
                return f"{meaning} ({message_id}: {info.get('Message', '')})"
    return None


def controller_mode(storage: Resource) -> str | None:
    """``Oem.Dell.DellStorageController.ControllerMode`` of a PERC (``RAID``, ``HBA`` on
    PERC 9, ``EnhancedHBA`` on PERC 10), from the StorageController or the Storage's
    embedded controllers; None when not shown (BOSS, other vendors)."""
    path = "Oem.Dell.DellStorageController.ControllerMode"
    found = storage.get(path, str)
    for entry in storage.get("StorageControllers", list) or []:
        if found is None and isinstance(entry, Mapping):
            found = Resource(storage.uri, entry, storage.host).get(path, str)
    return found


def oem_link(resource: Resource, name: str) -> str | None:
    """A ``Links.Oem.Dell.<name>`` link (system and manager links of iDRAC 9)."""
    return resource.link(f"Links.Oem.Dell.{name}")


def action_target(reader: Reader, service_uri: str, action: str) -> str:
    """The ``target`` of an action of a Dell service, else the conventional path."""
    fallback = f"{service_uri.rstrip('/')}/Actions/{action.lstrip('#')}"
    try:
        doc = reader.read(service_uri)
    except (HttpError, MalformedResponse) as exc:
        LOG.info("%s: %s not readable (%s); using %s", reader.host, service_uri, exc,
                 fallback)
        return fallback
    target = doc.get(("Actions", action, "target"), str)
    return target or fallback


def lc_status(reader: Reader, lc_service: str) -> Mapping[str, Any] | None:
    """The answer of ``GetRemoteServicesAPIStatus`` (``LCStatus``, ``RTStatus``,
    ``ServerStatus``...), or None when the iDRAC does not offer it (iDRAC 8, old 3.x)."""
    target = action_target(reader, lc_service, LC_ACTION)
    try:
        answer = reader.client.post(target, {})
    except HttpError as exc:
        LOG.info("%s: %s refused (%s): Lifecycle Controller status unknown", reader.host,
                 target, exc)
        return None
    return answer.body if isinstance(answer.body, Mapping) else None


def lc_ready(status: Mapping[str, Any] | None) -> bool:
    """True when the Lifecycle Controller takes configuration requests (``LCStatus`` is
    ``Ready``, sushy-oem-idrac's test), or when the iDRAC cannot tell."""
    return status is None or status.get("LCStatus") == "Ready"


def unfinished_jobs(reader: Reader, jobs_uri: str,
                    controller: str) -> list[tuple[str, Mapping[str, Any]]]:
    """``(URI, DellJob)`` of the unfinished jobs naming ``controller`` among the newest
    :data:`MAX_JOBS_READ`; a read that fails raises (``HttpError``, ``MalformedResponse``)."""
    found = []
    for uri in reader.require_members(jobs_uri)[-MAX_JOBS_READ:]:
        doc = dell_job_block(reader.read(uri).doc)
        if str(doc.get("JobState")) in UNFINISHED and controller in str(doc.get("Name", "")):
            found.append((uri, doc))
    return found


def pending_jobs(reader: Reader, jobs_uri: str, controller: str) -> list[Mapping[str, Any]]:
    """Unfinished jobs naming ``controller`` (``Configure: RAID.Integrated.1-1``...); none
    when the queue cannot be read (logged)."""
    try:
        return [doc for _uri, doc in unfinished_jobs(reader, jobs_uri, controller)]
    except (HttpError, MalformedResponse) as exc:
        LOG.warning("%s: job queue %s not readable: %s", reader.host, jobs_uri, exc)
        return []
