"""Hardware RAID over DMTF Redfish: read, create, delete, rebuild, hot spares.

The read side reuses the inventory's storage walk, so that a vendor hook overriding how
storage is found or parsed applies to both.  The writes are planned from a fresh read
(:mod:`~hamnhw_drivers.generic.raid_create`, :mod:`~hamnhw_drivers.generic.raid_maint`)
and go through the named hooks below, which vendor drivers override (a vendor class
subclasses :class:`RedfishRaid` and is set as the driver's ``raid_class``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hamnhw_drivers.generic import raid_create, raid_maint
from hamnhw_drivers.generic.inventory import RedfishInventory
from hamnhw_drivers.generic.raid_checks import create_problems
from hamnhw_drivers.generic.raid_dialect import (
    Dialect,
    detect_dialect,
    raid_level_value,
)
from hamnhw_drivers.generic.raid_jobs import answer_status, task_of
from hamnhw_drivers.generic.raid_layout import RaidLayout, StorageInfo, read_layout
from hamnhw_drivers.generic.raid_tasks import TaskCreate, task_creates

from hamnhw.errors import RefusedOperation
from hamnhw.interfaces import RaidInterface, RaidView
from hamnhw.jobs import CompletedJob, Job
from hamnhw.models import Drive, Volume
from hamnhw.raid import (
    ApplyTime,
    CreateRequest,
    ImportState,
    PlannedRequest,
    RaidOutcome,
    RaidPlan,
    RaidStatus,
    VolumeHealth,
    classify_volume,
)
from hamnhw.transport.base import RedfishResponse


class RedfishRaid(RaidInterface):
    """:class:`~hamnhw.interfaces.RaidInterface` over DMTF Redfish.

    Hooks a vendor driver overrides: :meth:`volume_collection_for`, :meth:`create_problems`,
    :meth:`volume_dialect`, :meth:`apply_time_choice`, :meth:`build_volume_payload`,
    :meth:`create_request`, :meth:`pending_creates`, :meth:`running_creates`,
    :meth:`follow_create`, :meth:`delete_requests`, :meth:`follow_write`, :meth:`start_rebuild`,
    :meth:`assign_spare`, :meth:`classify_health`, :meth:`foreign`, :meth:`import_foreign`,
    :meth:`foreign_import_state`.

    :param inventory: the driver's inventory interface, whose storage walk is reused.
    """

    def __init__(self, inventory: RedfishInventory) -> None:
        super().__init__(inventory.driver_name, inventory.host)
        self.inventory = inventory
        self.context = inventory.context
        self.reader = inventory.reader
        self.poll = inventory.context.poll
        self.task_reads: tuple[StorageInfo, tuple[TaskCreate, ...]] | None = None
        """The creates last read from the Tasks, with the Storage read they go with."""

    # -- read ------------------------------------------------------------------------------

    def volumes(self) -> tuple[Volume, ...] | None:
        """Logical volumes with RAID level, member drive ids, health and running operation."""
        return self.inventory.storage_view().volumes

    def drives(self) -> tuple[Drive, ...] | None:
        """Physical drives (Storage, SimpleStorage and chassis-linked)."""
        return self.inventory.storage_view(with_volumes=False).drives

    def storage(self) -> RaidView:
        """Volumes and drives from a single walk of the storage, so they agree."""
        view = self.inventory.storage_view()
        return RaidView(view.volumes, view.drives, view.incomplete, view.warnings)

    def layout(self) -> RaidLayout:
        """One read of drives, volumes, Storage resources and their Volumes collections."""
        return read_layout(self.inventory)

    def status(self) -> RaidStatus:
        """Capabilities, classified volume health, spares, unassigned and foreign drives."""
        layout = self.layout()
        view = layout.view
        health = {v.id: self.classify_health(v, layout.known_members(v))
                  for v in view.volumes or ()}
        foreign = self.foreign()
        capabilities = (None if view.controllers is None and not layout.storages else
                        tuple(s.capabilities for s in layout.storages))
        return RaidStatus(capabilities, view.volumes, view.drives, health,
                          _spares(layout), _unassigned(layout),
                          None if foreign is None else tuple(d.id for d in foreign),
                          view.incomplete, view.warnings)

    # -- hooks: create ---------------------------------------------------------------------

    def volume_collection_for(self, drives: Sequence[Drive], layout: RaidLayout) -> StorageInfo:
        """Hook: the Storage whose Volumes collection gets the POST (generic: the one Storage
        listing every drive).  Override where volumes are created elsewhere (HPE
        SmartStorageConfig) or drives are listed under another resource.

        :raises RefusedOperation: the drives are on several controllers, or on none that
            can create volumes.
        """
        found = {id(s): s for s in (layout.storage_of_drive(d) for d in drives) if s}
        problems = []
        if len(found) != 1 or any(layout.storage_of_drive(d) is None for d in drives):
            problems.append("the drives are not all listed by one Storage resource")
        storage = next(iter(found.values()), None)
        if storage is not None and storage.volumes_uri is None:
            problems.append(f"Storage {storage.capabilities.storage_id} has no Volumes "
                            "collection")
        if storage is not None and storage.capabilities.volume_creation is False:
            problems.append("the Volumes collection's CollectionCapabilities do not list "
                            "VolumeCreation")
        if problems or storage is None:
            raise RefusedOperation("raid.create", problems, host=self.host)
        return storage

    def create_problems(self, request: CreateRequest, drives: Sequence[Drive],
                        layout: RaidLayout, storage: StorageInfo) -> list[str]:
        """Hook: why these drives cannot form the volume, checked before anything is sent
        (:func:`~hamnhw_drivers.generic.raid_checks.create_problems`: present, healthy,
        neither members nor spares, one protocol and media, capacity known, level
        supported).  Override where a BMC reports a property these checks read in its own
        way (spare flags kept in an OEM block)."""
        return create_problems(request, drives, layout, storage)

    def volume_dialect(self, storage: StorageInfo) -> Dialect:
        """Hook: ``RAIDType`` or ``VolumeType`` (:mod:`~hamnhw_drivers.generic.raid_dialect`).
        Override for a firmware known to want one (Dell iDRAC by firmware version)."""
        return detect_dialect(self.reader, storage)

    def apply_time_choice(self, requested: ApplyTime | None,
                          supported: tuple[str, ...] | None) -> ApplyTime:
        """Hook: when the change applies.  Generic: immediately where supported; on-reset
        only when asked for and advertised; a BMC advertising nothing applies at once
        (Redfish's default).  Override for BMCs that stage every change (HPE Smart Array).

        :param supported: the collection's ``OperationApplyTimeSupport`` values, or None.
        :raises RefusedOperation: the BMC does not offer what is needed.
        """
        if supported is None:
            if requested is ApplyTime.ON_RESET:
                raise RefusedOperation("raid.create", [
                    "the BMC does not advertise @Redfish.OperationApplyTimeSupport on its "
                    "Volumes collection, so on-reset cannot be asked for"], host=self.host)
            return ApplyTime.IMMEDIATE
        wanted = requested or ApplyTime.IMMEDIATE
        if wanted.redfish in supported:
            return wanted
        hint = "; pass --apply-time on-reset" if requested is None and (
            "OnReset" in supported) else ""
        raise RefusedOperation("raid.create", [
            f"the BMC does not apply volume changes {wanted.redfish} (SupportedValues: "
            f"{', '.join(supported) or 'none'}){hint}"], host=self.host)

    def build_volume_payload(self, request: CreateRequest, drives: Sequence[Drive],
                             dialect: Dialect, apply_time: ApplyTime, capacity_bytes: int,
                             storage: StorageInfo) -> dict[str, object] | None:
        """Hook: the POST body.  Generic: the level in the dialect's property,
        ``CapacityBytes`` always, the members in ``Links.Drives``, ``Name`` and
        ``WriteCachePolicy`` when asked, ``@Redfish.OperationApplyTime`` where the BMC
        advertises apply times.  None when the dialect cannot express the level.
        Override for a BMC that wants other keys (Lenovo XCC rejects a top-level Drives)."""
        level = raid_level_value(dialect, request.raid_type)
        if level is None:
            return None
        body: dict[str, object] = {dialect.property: level, "CapacityBytes": capacity_bytes,
                                   "Links": {"Drives": [{"@odata.id": d.uri} for d in drives]}}
        if request.name:
            body["Name"] = request.name
        if request.write_cache:
            body["WriteCachePolicy"] = request.write_cache
        if storage.capabilities.apply_times is not None:
            body["@Redfish.OperationApplyTime"] = apply_time.redfish
        return body

    def create_request(self, storage: StorageInfo,
                       body: Mapping[str, object]) -> PlannedRequest:
        """Hook: the request that carries a create's body (generic: POST on the storage's
        Volumes collection, which :meth:`volume_collection_for` checked exists).  Override
        where volumes are created through another resource (HPE iLO 5 Smart Array: PUT of
        the SmartStorageConfig settings object with ``If-Match``)."""
        if storage.volumes_uri is None:
            raise RefusedOperation("raid.create", [
                f"Storage {storage.capabilities.storage_id} has no Volumes collection"],
                host=self.host)
        return PlannedRequest("POST", storage.volumes_uri, body)

    def pending_creates(self, storage: StorageInfo) -> tuple[frozenset[str], ...]:
        """Hook: the member drive URIs of each create waiting for the next reset (generic:
        not-yet-started Redfish Tasks whose ``Payload`` POSTs to the Volumes collection with
        an apply time other than ``Immediate``).  Override for vendor job queues."""
        return tuple(c.drives for c in task_creates(self, storage) if c.staged)

    def running_creates(self, storage: StorageInfo) -> Mapping[frozenset[str], str]:
        """Hook: the member drive URIs of each create running now (not waiting for a reset),
        with the URI of the Task (or job) that follows it (generic: the other unfinished
        create Tasks).  A create over them is followed, never reset under.  Override for
        vendor job queues."""
        return {c.drives: c.task for c in task_creates(self, storage) if not c.staged}

    def follow_create(self, response: RedfishResponse, plan: RaidPlan) -> Job:
        """Hook: the job of an accepted create (201/200/204 done, 202 a task monitor,
        on-reset a job pending until the volume shows).  Override for vendor jobs."""
        return raid_create.follow(self, response, plan)

    def delete_requests(self, volume: Volume, layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """Hook: what deletes ``volume`` and nothing else (generic: DELETE of the Volume).
        Override where volumes are deleted through another resource (HPE iLO 5 Smart Array:
        ``LogicalDriveDelete`` of that one ``VolumeUniqueIdentifier``).

        :raises RefusedOperation: the volume cannot be named to the BMC.
        """
        if volume.uri is None:
            raise RefusedOperation("raid.delete", [f"volume {volume.id} has no URI"],
                                   host=self.host)
        return (PlannedRequest("DELETE", volume.uri),)

    def follow_write(self, response: RedfishResponse, description: str) -> Job:
        """Hook: the job of an accepted delete or PATCH: done at once, or a task monitor
        for a 202.  Override for vendor jobs."""
        status = answer_status(response)
        if response.status == 202 and response.location:
            return raid_maint.task_job(self, response.location, description, status,
                                       task_of(response))
        return CompletedJob(description, self.host, result_uri=status.result_uri)

    # -- hooks: maintenance ----------------------------------------------------------------

    def start_rebuild(self, volume: Volume, drive: Drive,
                      layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """Hook: what starts a rebuild onto ``drive``.  Generic: assign it as the volume's
        dedicated hot spare, which a controller rebuilds a degraded volume onto.  Override
        where the BMC has a rebuild action (Dell DellRaidService)."""
        return self.assign_spare(drive, volume, layout)

    def assign_spare(self, drive: Drive, volume: Volume | None, layout: RaidLayout, *,
                     remove: bool = False) -> tuple[PlannedRequest, ...]:
        """Hook: the requests that make ``drive`` a dedicated spare of ``volume`` (PATCH of
        the volume's ``Links.DedicatedSpareDrives``, the whole list) or, without a volume, a
        global spare (PATCH of the drive's ``HotspareType``); ``remove`` undoes it.
        Override for vendor actions (Dell AssignSpare/UnassignSpare)."""
        return raid_maint.spare_requests(drive, volume, layout, remove=remove)

    def classify_health(self, volume: Volume,
                        members: Sequence[Drive | None] | None) -> VolumeHealth:
        """Hook: optimal, degraded, rebuilding, failed or unknown
        (:func:`hamnhw.raid.classify_volume`).  Override where a vendor reports a state the
        standard properties do not carry (HPE SmartStorage rebuild percent)."""
        return classify_volume(volume, members)

    def foreign(self) -> tuple[Drive, ...] | None:
        """Hook: drives carrying another controller's configuration.  Generic Redfish has no
        standard for it (``EncryptionStatus: Foreign`` is about self-encrypting drive keys,
        not RAID metadata), so None: unknown.  Vendor drivers that can tell override it."""
        return None

    def plan_import_foreign(self) -> RaidPlan:
        """Hook: what :meth:`import_foreign` would send, nothing sent.  Generic Redfish has no
        standard action: :class:`~hamnhw.errors.UnsupportedOperation`, as the import's (a
        vendor without an import action overrides this one only)."""
        self._unsupported("raid.import_foreign", "DMTF Redfish has no standard action to "
                          "import a foreign RAID configuration; use the vendor driver or the "
                          "controller's setup utility")

    def import_foreign(self) -> Job:
        """Hook: import the foreign configuration (never clear it).  Refused as
        :meth:`plan_import_foreign` refuses (generic Redfish: no standard action)."""
        self.plan_import_foreign()
        self._unsupported("raid.import_foreign", "the driver plans an import it cannot send")

    def foreign_import_state(self) -> ImportState | None:
        """Hook: is an import sent earlier pending or done?  Generic Redfish has no import
        (nor a standard way to tell one's job from another), so None: unknown.  Vendor
        drivers that import override it."""
        return None

    # -- writes ----------------------------------------------------------------------------

    def send(self, request: PlannedRequest) -> RedfishResponse:
        """Send one planned request, once."""
        client = self.context.client
        if request.method == "POST":
            return client.post(request.path, request.body)
        if request.method == "PATCH":
            return client.patch(request.path, request.body or {}, etag=request.etag)
        if request.method == "DELETE":
            return client.delete(request.path)
        if request.method == "PUT":
            return client.put(request.path, request.body or {}, etag=request.etag)
        raise ValueError(f"unexpected method {request.method}")

    def plan_create(self, request: CreateRequest) -> RaidPlan:
        """What :meth:`create` would send, from a fresh read; nothing is sent."""
        return raid_create.plan(self, request)

    def create(self, request: CreateRequest, *, wait: bool = True,
               timeout: float | None = None) -> RaidOutcome:
        """Create the volume, following a task to its end (``wait``); an on-reset create
        comes back pending."""
        return raid_create.run(self, self.plan_create(request), wait=wait, timeout=timeout)

    def plan_delete(self, volume_id: str, *, missing_ok: bool = False) -> RaidPlan:
        """What :meth:`delete` would send."""
        return raid_maint.plan_delete(self, volume_id, missing_ok=missing_ok)

    def delete(self, volume_id: str, *, wait: bool = True, timeout: float | None = None,
               missing_ok: bool = False) -> RaidOutcome:
        """Delete the volume and confirm it is gone by a read."""
        return raid_maint.run_delete(self, self.plan_delete(volume_id, missing_ok=missing_ok),
                                     wait=wait, timeout=timeout)

    def plan_rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidPlan:
        """What :meth:`rebuild` would send."""
        return raid_maint.plan_rebuild(self, volume_id, drive_id, confirm_serial)

    def rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidOutcome:
        """Start the rebuild; the outcome's job follows it (``job.wait``)."""
        return raid_maint.run_rebuild(self, self.plan_rebuild(volume_id, drive_id,
                                                                confirm_serial))

    def rebuild_job(self, volume_id: str) -> Job:
        """A job following the volume's health until it is optimal (failed when a rebuild
        seen running leaves it degraded)."""
        return raid_maint.rebuild_job(self, volume_id)

    def plan_spare(self, drive_id: str, volume_id: str | None = None, *,
                   remove: bool = False) -> RaidPlan:
        """What :meth:`spare` would send."""
        return raid_maint.plan_spare(self, drive_id, volume_id, remove=remove)

    def spare(self, drive_id: str, volume_id: str | None = None, *,
              remove: bool = False) -> RaidOutcome:
        """Assign or remove the spare, confirmed by a read."""
        return raid_maint.run_spare(self, self.plan_spare(drive_id, volume_id, remove=remove))


def _spares(layout: RaidLayout) -> tuple[str, ...] | None:
    """Spare drive ids; None when no drive tells its HotspareType and no volume lists
    dedicated spares, unless the BMC said there is no drive (then none is a spare: ``()``)."""
    drives = layout.view.drives
    if drives == ():
        return ()
    told = any(d.hotspare is not None for d in drives or ()) or any(
        v.spare_drive_ids is not None for v in layout.volumes)
    if drives is None or not told:
        return None
    return tuple(d.id for d in drives if layout.is_spare(d))


def _unassigned(layout: RaidLayout) -> tuple[str, ...] | None:
    """Present drives neither member nor spare; None when the drives or volumes are unknown
    or a volume does not list its members."""
    if layout.view.drives is None or layout.view.volumes is None or layout.unlisted_members():
        return None
    return tuple(d.id for d in layout.drives if d.state != "Absent"
                 and layout.volume_of(d) is None and not layout.is_spare(d))
