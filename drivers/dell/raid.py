"""Dell iDRAC 9/10 RAID: the named hooks of the generic RAID interface, overridden where a
PERC behind iDRAC differs from the DMTF standard.  Each quirk names its public source.

* dialect: ``VolumeType`` before iDRAC 9 firmware 4.40, ``RAIDType`` from 4.40 on (Dell,
  CreateVirtualDiskREDFISH.py: ``if get_version < 440``) and on iDRAC 10 (17G);
* every write is answered 202 with a ``JID_`` job, followed to its end (:mod:`.jobs`);
* the Lifecycle Controller must be ready before a write (``GetRemoteServicesAPIStatus``),
  and a job pending or running on the controller blocks another (``LC068``/``RAC0679``);
* rebuild onto a replacement and hot spares through DellRaidService ``AssignSpare`` /
  ``UnassignSpare`` (``TargetFQDD``, ``VirtualDiskArray``);
* foreign configuration: drives whose ``Oem.Dell.DellPhysicalDisk.RaidStatus`` is
  ``Foreign``, imported with ``ImportForeignConfig`` (``TargetFQDD`` = the controller);
  ``ClearForeignConfig`` is never sent (it destroys the moved array).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hamnhw_drivers.dell import services
from hamnhw_drivers.dell.jobs import DellJob, DellJobGroup, is_staged
from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.generic.raid_dialect import Dialect, detect_dialect, dialect_of_version
from hamnhw_drivers.generic.raid_layout import RaidLayout, StorageInfo
from hamnhw_drivers.generic.resource import Resource, last_segment

from hamnhw.errors import (
    BadRequestError,
    HamnhwError,
    HttpError,
    MalformedResponse,
    OperationFailed,
    RefusedOperation,
    WaitTimeout,
)
from hamnhw.jobs import Job
from hamnhw.log import get_logger
from hamnhw.models import Drive, Volume
from hamnhw.poll import poll_until
from hamnhw.raid import CreateRequest, ImportState, PlannedRequest, RaidPlan
from hamnhw.transport.base import RedfishResponse

LOG = get_logger("hamnhw.drivers.dell")

RAID_TYPE_FIRMWARE = (4, 40)
"""iDRAC firmware from which a create names ``RAIDType`` (Dell CreateVirtualDiskREDFISH.py)."""
IDRAC10_GENERATION = 17
"""Server generation of iDRAC 10 (PowerEdge 17G)."""
LC_WAIT_S = 120.0
"""At most this long is waited for the Lifecycle Controller to become ready before a write."""
FOREIGN = "Foreign"


def dialect_for_firmware(firmware: str | None, model: str | None = None) -> Dialect | None:
    """``VolumeType`` before iDRAC 9 4.40, ``RAIDType`` from 4.40 on and on iDRAC 10 (whose
    firmware starts again at 1.x; its Manager ``Model`` names generation 17 or later, e.g.
    ``17G Monolithic``); None when neither says."""
    generation = re.match(r"\s*(\d+)G\b", model or "")
    if generation and int(generation[1]) >= IDRAC10_GENERATION:
        return Dialect("RAIDType", f"iDRAC 10 ({model}): RAIDType")
    parts = tuple(int(p) for p in (firmware or "").split(".")[:2] if p.isdigit())
    if len(parts) < 2:
        return None
    version = (1, 3, 1) if parts >= RAID_TYPE_FIRMWARE else (1, 0, 0)
    found = dialect_of_version(version, f"iDRAC firmware {firmware}")
    return Dialect(found.property, f"iDRAC firmware {firmware} (RAIDType from 4.40)")


class DellRaid(RedfishRaid):
    """RAID on a PERC through iDRAC."""

    # -- Dell services -------------------------------------------------------------------
    def _manager(self) -> Resource | None:
        uri = self.context.locator.manager_uri()
        return self.reader.read(uri) if uri else None

    def _raid_service(self) -> str:
        system = self.context.locator.system()
        return (services.oem_link(system, "DellRaidService")
                or f"{system.uri.rstrip('/')}/Oem/Dell/DellRaidService")

    def _raid_action(self, name: str, body: dict[str, object]) -> PlannedRequest:
        target = services.action_target(self.reader, self._raid_service(),
                                        f"#DellRaidService.{name}")
        return PlannedRequest("POST", target, body)

    def wait_for_lc(self) -> None:
        """Wait (up to :data:`LC_WAIT_S`) until the Lifecycle Controller is ready.

        :raises OperationFailed: it stays busy (a job runs, the host is in POST or in the
            Lifecycle Controller's own interface).
        """
        manager = self._manager()
        lc = services.oem_link(manager, "DellLCService") if manager else None
        if lc is None:
            return
        try:
            poll_until(lambda: services.lc_status(self.reader, lc), services.lc_ready,
                       self.poll.deadline(LC_WAIT_S), self.poll,
                       what="iDRAC Lifecycle Controller ready", host=self.host,
                       describe=lambda s: str((s or {}).get("LCStatus")))
        except WaitTimeout as exc:
            raise OperationFailed(f"the Lifecycle Controller is not ready after {LC_WAIT_S:.0f}"
                                  f" s ({exc.message}): nothing was sent; retry when the host "
                                  "is out of POST and no job runs", host=self.host) from exc

    # -- hooks: create ---------------------------------------------------------------------
    def volume_dialect(self, storage: StorageInfo) -> Dialect:
        """By iDRAC firmware: ``VolumeType`` before 4.40, ``RAIDType`` from 4.40 on; the
        generic detection when the firmware does not say."""
        manager = self._manager()
        found = dialect_for_firmware(manager.get("FirmwareVersion", str) if manager else None,
                                     manager.get("Model", str) if manager else None)
        return found or detect_dialect(self.reader, storage)

    def create_problems(self, request: CreateRequest, drives: Sequence[Drive],
                        layout: RaidLayout, storage: StorageInfo) -> list[str]:
        """The generic checks, a drive carrying a foreign configuration, and a job pending
        or running on the controller (iDRAC would refuse the create: LC068/RAC0679)."""
        problems = super().create_problems(request, drives, layout, storage)
        mode = services.controller_mode(storage.resource)
        if mode == "HBA":
            problems.append(f"controller {storage.capabilities.storage_id} is in HBA mode "
                            "(Oem.Dell.DellStorageController.ControllerMode): it builds no "
                            "RAID volume until switched to RAID mode (a reset)")
        foreign = {d.id for d in self.foreign_of(drives)}
        problems += [f"drive {i} carries a foreign configuration (import it with `hamnhw raid "
                     "import-foreign`, never clear it)" for i in sorted(foreign)]
        return problems + self.job_problems(storage.capabilities.storage_id)

    def job_problems(self, controller: str) -> list[str]:
        """A reason per job pending or running on the controller."""
        manager = self._manager()
        jobs = services.oem_link(manager, "Jobs") if manager else None
        if jobs is None:
            return []
        return [f"job {j.get('Id')} ({j.get('Name')}) is {j.get('JobState')} on controller "
                f"{controller}: iDRAC refuses another RAID change until it ends (a staged job "
                "runs at the next reset; or delete it from the job queue)"
                for j in services.pending_jobs(self.reader, jobs, controller)]

    def follow_create(self, response: RedfishResponse, plan: RaidPlan) -> Job:
        """A 202 naming a ``JID_`` job: that job (staged ones are kind ``on-reset``)."""
        if response.status == 202 and response.location and "JID_" in response.location:
            return DellJob.follow(self.context.client, response.location, plan.summary)
        return super().follow_create(response, plan)

    def follow_write(self, response: RedfishResponse, description: str) -> Job:
        """Deletes and DellRaidService actions answer with a job too."""
        if response.status == 202 and response.location and "JID_" in response.location:
            return DellJob.follow(self.context.client, response.location, description)
        return super().follow_write(response, description)

    # -- hooks: maintenance ----------------------------------------------------------------
    def start_rebuild(self, volume: Volume, drive: Drive,
                      layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """``AssignSpare`` of the replacement as the volume's dedicated hot spare: the PERC
        rebuilds onto it at once.  (``RebuildPhysicalDisk`` restarts a rebuild of a member
        that went Failed/Offline; a new disk is not a member.)"""
        return self.assign_spare(drive, volume, layout)

    def assign_spare(self, drive: Drive, volume: Volume | None, layout: RaidLayout, *,
                     remove: bool = False) -> tuple[PlannedRequest, ...]:
        """DellRaidService ``AssignSpare`` (``VirtualDiskArray`` for a dedicated spare) or
        ``UnassignSpare``, by FQDD."""
        fqdd = last_segment(drive.uri or drive.id)
        if remove:
            return (self._raid_action("UnassignSpare", {"TargetFQDD": fqdd}),)
        body: dict[str, object] = {"TargetFQDD": fqdd}
        if volume is not None:
            body["VirtualDiskArray"] = [last_segment(volume.uri or volume.id)]
        return (self._raid_action("AssignSpare", body),)

    # -- foreign configuration -------------------------------------------------------------
    def foreign_of(self, drives: Sequence[Drive]) -> tuple[Drive, ...]:
        """The drives whose ``Oem.Dell.DellPhysicalDisk.RaidStatus`` is ``Foreign``."""
        found = []
        for drive in drives:
            if drive.uri is None:
                continue
            try:
                status = self.reader.read(drive.uri).get(
                    "Oem.Dell.DellPhysicalDisk.RaidStatus", str)
            except (HttpError, MalformedResponse):
                continue
            if status == FOREIGN:
                found.append(drive)
        return tuple(found)

    def foreign(self) -> tuple[Drive, ...] | None:
        """Drives carrying another controller's configuration; None when the BMC shows no
        drives."""
        drives = self.drives()
        return None if drives is None else self.foreign_of(drives)

    def plan_import_foreign(self) -> RaidPlan:
        """``ImportForeignConfig`` of each controller holding foreign drives (never
        ``ClearForeignConfig``), from a fresh read; nothing sent.

        :raises RefusedOperation: no drive carries a foreign configuration.
        """
        layout = self.layout()
        foreign = self.foreign_of(layout.drives)
        controllers = sorted({s.capabilities.storage_id for s in
                              (layout.storage_of_drive(d) for d in foreign) if s is not None})
        if not controllers:
            raise RefusedOperation("raid.import_foreign", [
                "no drive reports Oem.Dell.DellPhysicalDisk.RaidStatus Foreign"],
                host=self.host)
        return RaidPlan("import_foreign", "import foreign configuration on "
                        f"{', '.join(controllers)}", True, tuple(
                            self._raid_action("ImportForeignConfig", {"TargetFQDD": c})
                            for c in controllers))

    def import_foreign(self) -> Job:
        """What :meth:`plan_import_foreign` plans: one job per controller.  A realtime job is
        followed to its end before the next controller's POST; staged jobs
        (``RAIDConfiguration``) all wait for the same reset, so they are not waited for
        here.  With several controllers the returned job follows them all
        (:class:`~.jobs.DellJobGroup`).

        :raises RefusedOperation: no drive carries a foreign configuration.
        """
        plan = self.plan_import_foreign()
        jobs: list[Job] = []
        for request in plan.requests:
            if jobs and jobs[-1].kind != "on-reset":
                jobs[-1].wait(self.poll, self.poll.deadline())
            controller = (request.body or {}).get("TargetFQDD")
            jobs.append(self.follow_write(self.send(request), "import foreign configuration "
                                                              f"on {controller}"))
        if len(jobs) == 1:
            return jobs[0]
        return DellJobGroup(jobs, plan.summary, self.host)

    def foreign_import_state(self) -> ImportState | None:
        """The jobs unfinished on the RAID controllers, and whether drives are still foreign;
        None when the job queue cannot be read or the BMC shows no drives.

        Quirk (Dell iDRAC 9 3.x to 7.x and iDRAC 10, every PERC): ``ImportForeignConfig``
        leaves a job in the iDRAC job queue, ``Scheduled`` until the next reset (a staged
        ``RAIDConfiguration`` job: PERC 9, BOSS) or ``Running`` (realtime), and iDRAC
        refuses another import while it waits (``RAC0679``/``LC068``).  Its ``Name`` names
        the controller, not the action (``Configure: RAID.Integrated.1-1``), so every
        unfinished job on the controllers counts as pending: it is followed, never
        answered with a second import.  Sources: Dell iDRAC9 Redfish API Guide (job
        queue, ``Managers/iDRAC.Embedded.1/Jobs``); dell/iDRAC-Redfish-Scripting
        ``ImportForeignConfigREDFISH.py`` (the import's job, followed to its end);
        sushy-oem-idrac ``error_pending_job.json``, ``error_running_job.json``.
        """
        try:
            manager = self._manager()
            layout = self.layout()
        except HamnhwError as exc:
            LOG.warning("%s: the import's fate cannot be read: %s", self.host, exc)
            return None
        jobs_uri = services.oem_link(manager, "Jobs") if manager else None
        if jobs_uri is None or layout.view.drives is None:
            return None
        pending: dict[str, Job] = {}
        try:
            for controller in sorted({s.capabilities.storage_id for s in layout.storages}):
                for uri, doc in services.unfinished_jobs(self.reader, jobs_uri, controller):
                    pending.setdefault(uri, DellJob(self.context.client, uri,
                                                    str(doc.get("Name") or "iDRAC job"),
                                                    staged=is_staged(doc)))
        except HamnhwError as exc:
            LOG.warning("%s: job queue %s not readable: %s", self.host, jobs_uri, exc)
            return None
        return ImportState(tuple(pending.values()), bool(self.foreign_of(layout.drives)))

    # -- writes ----------------------------------------------------------------------------
    def send(self, request: PlannedRequest) -> RedfishResponse:
        """Check the Lifecycle Controller is ready, then send once; a refusal because the
        controller or LC is busy says so."""
        self.wait_for_lc()
        try:
            return super().send(request)
        except BadRequestError as exc:
            reason = services.busy_reason(exc)
            if reason is None:
                raise
            raise OperationFailed(f"iDRAC refused {request.method} {request.path}: {reason}",
                                  host=self.host) from exc
