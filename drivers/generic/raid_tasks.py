"""Creates the BMC already works on, read from its Redfish Tasks: one staged for the next
reset (``pending``), or one running now (an immediate create answered 202).

A Task (v1.3+) carries the request it runs in ``Payload`` (``HttpOperation``,
``TargetUri``, ``JsonBody``); a POST on the storage's Volumes collection is a create, its
``Links.Drives`` the members.  It is staged when it has not started (``New``, ``Pending``,
``Starting``) and its body asks for an apply time other than ``Immediate`` (Redfish's
default); any other unfinished create runs, and a reset would cut it short.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.parse
from typing import TYPE_CHECKING

from hamnhw_drivers.generic.raid_jobs import TASK_STATES
from hamnhw_drivers.generic.raid_layout import StorageInfo
from hamnhw_drivers.generic.resource import Resource

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.jobs import JobState
from hamnhw.log import get_logger

if TYPE_CHECKING:
    from hamnhw_drivers.generic.raid import RedfishRaid

LOG = get_logger("hamnhw.drivers.generic.raid")
MAX_TASKS_READ = 64
"""Newest tasks read when looking for a create the BMC works on."""
NOT_STARTED = frozenset({"New", "Pending", "Starting"})
"""``TaskState`` values of a task that has not run yet (iDRAC shows a scheduled job's Task
as ``Starting``; DMTF: ``New``, ``Pending``)."""


@dataclasses.dataclass(frozen=True)
class TaskCreate:
    """An unfinished create found among the BMC's Tasks."""

    drives: frozenset[str]
    """The member drive URIs of its ``Links.Drives``."""
    task: str
    """The Task resource."""
    staged: bool
    """True when it waits for the next reset; False when it runs now."""


def task_creates(raid: RedfishRaid, storage: StorageInfo) -> tuple[TaskCreate, ...]:
    """The unfinished Tasks whose Payload POSTs to the storage's Volumes collection, read
    once per Storage read (the pending and the running hooks share the read).  A task
    service that cannot be read gives none, with a warning."""
    cached = raid.task_reads
    if cached is not None and cached[0] is storage:
        return cached[1]
    found = _read(raid, storage)
    raid.task_reads = (storage, found)
    return found


def _read(raid: RedfishRaid, storage: StorageInfo) -> tuple[TaskCreate, ...]:
    root = Resource("/redfish/v1/", raid.context.client.root, raid.host)
    service_uri = root.link("Tasks") or root.link("TaskService")
    if service_uri is None or storage.volumes_uri is None:
        return ()
    try:
        tasks_uri = raid.reader.read(service_uri).link("Tasks")
        uris = raid.reader.require_members(tasks_uri)[-MAX_TASKS_READ:] if tasks_uri else []
        tasks = [raid.reader.read(uri) for uri in uris]
    except (HttpError, MalformedResponse) as exc:
        LOG.warning("%s: tasks not readable, creates in progress unknown: %s", raid.host, exc)
        return ()
    target = urllib.parse.urlsplit(storage.volumes_uri).path.rstrip("/")
    return tuple(found for found in (_create_of(t, target) for t in tasks) if found)


def _create_of(task: Resource, target: str) -> TaskCreate | None:
    told = task.get("TaskState", str) or ""
    state = TASK_STATES.get(told, JobState.UNKNOWN)
    payload = task.get("Payload", dict) or {}
    uri = urllib.parse.urlsplit(str(payload.get("TargetUri") or "")).path.rstrip("/")
    if state.terminal or payload.get("HttpOperation") != "POST" or uri != target:
        return None
    text = payload.get("JsonBody") or "{}"
    try:
        body = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None
    links = body.get("Links") if isinstance(body, dict) else None
    listed = links.get("Drives") if isinstance(links, dict) else None
    if not isinstance(body, dict) or not isinstance(listed, list):
        return None  # a body this BMC wrote otherwise: its drives are unknown
    drives = frozenset(str(link.get("@odata.id")) for link in listed if isinstance(link, dict))
    applies = body.get("@Redfish.OperationApplyTime", "Immediate")
    staged = told in NOT_STARTED and applies != "Immediate"
    return TaskCreate(drives, task.uri, staged) if drives else None
