"""HPE iLO 5/6 RAID: the generic hooks overridden for Smart Array controllers, which iLO 5
shows through ``Oem.Hpe.Links.SmartStorage`` and configures through SmartStorageConfig
settings applied at the next POST (:mod:`.smartstorage`, :mod:`.settings`).  Controllers
shown through the standard Storage tree (RDE: iLO 6 MR/SR controllers) keep the generic
behaviour; a change is written through the model its controller was read from.

HPE, iLO 5 1.x-3.x / iLO 6, public sources: iLO 5 Redfish API reference (SmartStorage,
SmartStorageConfig, DataGuard), HPE Developer "Storage management with Redfish", HPE
"Storage data models" (RDE) documentation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from hamnhw_drivers.generic.raid import RedfishRaid
from hamnhw_drivers.generic.raid_dialect import Dialect
from hamnhw_drivers.generic.raid_layout import (
    RaidLayout,
    StorageInfo,
    read_layout,
    snapshot_of,
)
from hamnhw_drivers.hpe import datamodel, settings, smartstorage
from hamnhw_drivers.hpe.inventory import HpeInventory
from hamnhw_drivers.hpe.smartstorage import SmartStorageInfo

from hamnhw.errors import RefusedOperation, UnsupportedOperation
from hamnhw.jobs import CompletedJob, Job
from hamnhw.models import Drive, Volume
from hamnhw.raid import (
    ApplyTime,
    CreateRequest,
    PlannedRequest,
    RaidOutcome,
    RaidPlan,
)
from hamnhw.transport.base import RedfishResponse

NOTE = ("Smart Array recognises moved arrays from their disk metadata and imports them at "
        "POST; the BMC does not report foreign configurations")
MR_MANUAL = ("import the foreign configuration from the controller's setup: System "
             "Utilities > System Configuration > the MR controller > Configure > Manage "
             "Foreign Configuration > Import (or `storcli /c0/fall import` from the OS)")


class HpeRaid(RedfishRaid):
    """RAID on HPE ProLiant through iLO."""

    # -- read --------------------------------------------------------------------------------
    def layout(self) -> RaidLayout:
        """The generic layout plus one :class:`SmartStorageInfo` per array controller, each
        controller shown both ways written through the model it is read from
        (:mod:`.datamodel`); one snapshot of the BMC for all of it."""
        inventory = snapshot_of(self.inventory)
        base = read_layout(inventory)
        if not isinstance(inventory, HpeInventory):
            return base
        system = inventory.context.locator.system()
        found = inventory.smart_storage(system, inventory.standard_view(system))
        if found is None:
            return base
        smart, choice = found
        standard = tuple(s for s in base.storages
                         if s.capabilities.storage_id not in choice.standard_left_out)
        return RaidLayout(base.view, (*standard, *datamodel.kept_storages(smart.storages,
                                                                          choice)))

    def _smart(self, layout: RaidLayout, owner: str) -> SmartStorageInfo | None:
        return next((s for s in layout.storages if isinstance(s, SmartStorageInfo)
                     and s.capabilities.storage_id == owner), None)

    def _smart_of_volume(self, volume: Volume, layout: RaidLayout) -> SmartStorageInfo | None:
        return self._smart(layout, volume.id.split("/", 1)[0])

    def _has_smart(self) -> bool:
        return smartstorage.config_uris(self.context.locator.system()) != [] or \
            self.context.locator.system().link(smartstorage.SMART_LINK) is not None

    # -- hooks: create -----------------------------------------------------------------------
    def volume_collection_for(self, drives: Sequence[Drive], layout: RaidLayout) -> StorageInfo:
        """A Smart Array's drives are configured through its SmartStorageConfig."""
        owners = {d.id.split("/", 1)[0] for d in drives}
        smart = [self._smart(layout, o) for o in owners]
        if not any(smart):
            return super().volume_collection_for(drives, layout)
        if len(owners) != 1 or smart[0] is None or smart[0].settings_uri is None:
            raise RefusedOperation("raid.create", [
                "the drives are not all on one Smart Array with a SmartStorageConfig "
                "settings object"], host=self.host)
        return smart[0]

    def volume_dialect(self, storage: StorageInfo) -> Dialect:
        """Smart Array: SmartStorageConfig names the level in ``Raid``."""
        if isinstance(storage, SmartStorageInfo):
            return Dialect("Raid", "SmartStorageConfig LogicalDrives[].Raid (HPE)")
        return super().volume_dialect(storage)

    def build_volume_payload(self, request: CreateRequest, drives: Sequence[Drive],
                             dialect: Dialect, apply_time: ApplyTime, capacity_bytes: int,
                             storage: StorageInfo) -> dict[str, object] | None:
        """Smart Array: the pending settings of only the new logical drive, ``Permissive``
        (``Strict`` refuses a list that omits the other logical drives), ``CapacityGiB``
        ``-1`` (the largest) unless ``--size`` was given."""
        if not isinstance(storage, SmartStorageInfo):
            return super().build_volume_payload(request, drives, dialect, apply_time,
                                                capacity_bytes, storage)
        locations = [storage.locations.get(d.uri or "", d.location or d.id) for d in drives]
        return settings.create_body(request.raid_type.value, locations, request.size_bytes,
                                    request.name)

    def create_problems(self, request: CreateRequest, drives: Sequence[Drive],
                        layout: RaidLayout, storage: StorageInfo) -> list[str]:
        """The generic checks; Smart Array sizes a logical drive in whole GiB."""
        problems = super().create_problems(request, drives, layout, storage)
        if isinstance(storage, SmartStorageInfo) and request.size_bytes is not None and \
                request.size_bytes < settings.GIB:
            problems.append("SmartStorageConfig sizes logical drives in whole GiB "
                            "(CapacityGiB): --size must be at least 1 GiB")
        return problems

    def create_request(self, storage: StorageInfo,
                       body: Mapping[str, object]) -> PlannedRequest:
        """Smart Array: PUT of the settings object with its ETag as ``If-Match``."""
        if not isinstance(storage, SmartStorageInfo):
            return super().create_request(storage, body)
        return self._put(storage, body)

    def _put(self, storage: SmartStorageInfo, body: Mapping[str, object]) -> PlannedRequest:
        """A PUT of the settings object with its ETag as ``If-Match``, so that a change
        written meanwhile (by another tool) is refused (412), never overwritten.

        :raises RefusedOperation: the settings object shows no ETag, or the controller's
            disks or logical drives cannot be named unambiguously.
        """
        assert storage.settings_uri is not None
        if storage.ambiguous:
            raise RefusedOperation("raid.write", [
                f"{storage.capabilities.storage_id} cannot be written unambiguously: "
                f"{'; '.join(storage.ambiguous)}"], host=self.host)
        etag = self.reader.read(storage.settings_uri).get(settings.ETAG, str)
        if not etag:
            raise RefusedOperation("raid.write", [
                f"the settings object {storage.settings_uri} shows no @odata.etag: a PUT "
                "without If-Match could overwrite a change written meanwhile; nothing was "
                "sent"], host=self.host)
        return PlannedRequest("PUT", storage.settings_uri, body, etag)

    # -- pending settings: a PUT replaces them, so one never silently drops another -------------
    def plan_create(self, request: CreateRequest) -> RaidPlan:
        """The generic plan, checked against the pending settings."""
        return self._against_pending(super().plan_create(request))

    def plan_delete(self, volume_id: str, *, missing_ok: bool = False) -> RaidPlan:
        """The generic plan, checked against the pending settings."""
        return self._against_pending(super().plan_delete(volume_id, missing_ok=missing_ok))

    def plan_spare(self, drive_id: str, volume_id: str | None = None, *,
                   remove: bool = False) -> RaidPlan:
        """The generic plan, checked against the pending settings."""
        return self._against_pending(super().plan_spare(drive_id, volume_id, remove=remove))

    def plan_rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidPlan:
        """The generic plan, checked against the pending settings."""
        return self._against_pending(super().plan_rebuild(volume_id, drive_id,
                                                          confirm_serial))

    def _against_pending(self, plan: RaidPlan) -> RaidPlan:
        """A plan that PUTs the settings while they hold another change for the next POST
        is refused, naming that change (the PUT would replace it); the same change already
        pending is reported pending, nothing sent.

        :raises RefusedOperation: other changes are pending.
        """
        request = plan.requests[0] if plan.changed and plan.requests else None
        if request is None or request.method != "PUT":
            return plan
        current = self.reader.read(_config_of(request.path)).doc
        pending = settings.pending_changes(self.reader.read(request.path).doc, current)
        if not pending:
            return plan
        if pending == settings.pending_changes(request.body or {}, current):
            return dataclasses.replace(plan, changed=False, requests=(), pending=True,
                                       summary=f"{plan.summary}: already pending in the "
                                       "settings (applied at the next POST)")
        raise RefusedOperation(f"raid.{plan.operation}", [
            f"the Smart Array's pending settings already hold {'; '.join(pending)} for the "
            "next POST, and a new PUT would replace them: reset the host to apply them "
            "first (`hamnhw raid show` then lists the result)"], host=self.host)

    def pending_creates(self, storage: StorageInfo) -> tuple[frozenset[str], ...]:
        """Smart Array: the new logical drives the pending settings hold."""
        if not isinstance(storage, SmartStorageInfo) or storage.settings_uri is None:
            return super().pending_creates(storage)
        uris = {location: uri for uri, location in storage.locations.items()}
        pending = settings.pending_drives(self.reader.read(storage.settings_uri).doc)
        return tuple(frozenset(uris.get(loc, loc) for loc in drives) for drives in pending)

    def follow_create(self, response: RedfishResponse, plan: RaidPlan) -> Job:
        """A PUT of the settings: pending until the next POST applies it."""
        if plan.requests and plan.requests[0].method == "PUT":
            return self._settings_job(response.path, plan.summary)
        return super().follow_create(response, plan)

    def _settings_job(self, settings_uri: str, description: str) -> Job:
        config_uri = _config_of(settings_uri)
        before, _ = settings.settings_outcome(self.context.client.get(config_uri))
        return settings.SettingsJob(self.context.client, config_uri, before, description)

    # -- hooks: delete, spares, rebuild --------------------------------------------------------
    def delete_requests(self, volume: Volume, layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """Smart Array: ``LogicalDriveDelete`` of that one ``VolumeUniqueIdentifier``,
        ``Permissive``."""
        smart = self._smart_of_volume(volume, layout)
        if smart is None or volume.uri is None:
            return super().delete_requests(volume, layout)
        return (self._put(smart, settings.delete_body(self._vuid(volume))),)

    def _vuid(self, volume: Volume) -> str:
        assert volume.uri is not None
        vuid = self.reader.read(volume.uri).get("VolumeUniqueIdentifier", str)
        if not vuid:
            raise RefusedOperation("raid", [f"logical drive {volume.id} shows no "
                                            "VolumeUniqueIdentifier"], host=self.host)
        return vuid

    def follow_write(self, response: RedfishResponse, description: str) -> Job:
        """A PUT of the settings is pending until the next POST."""
        if response.path.rstrip("/").endswith("settings"):
            return self._settings_job(response.path, description)
        return super().follow_write(response, description)

    def assign_spare(self, drive: Drive, volume: Volume | None, layout: RaidLayout, *,
                     remove: bool = False) -> tuple[PlannedRequest, ...]:
        """Smart Array: the array's ``SpareDrives`` (dedicated) through the settings; a
        spare belongs to an array, so a global one is refused."""
        smart = self._smart(layout, drive.id.split("/", 1)[0])
        if smart is None:
            return super().assign_spare(drive, volume, layout, remove=remove)
        if volume is None:
            raise RefusedOperation("raid.spare", [
                "a Smart Array spare belongs to an array: give --volume"], host=self.host)
        current = [smart.locations.get(layout.uri_of(i) or "", i) for i in
                   volume.spare_drive_ids or ()]
        location = smart.locations.get(drive.uri or "", drive.id)
        spares = [s for s in current if s != location] + ([] if remove else [location])
        return (self._put(smart, settings.spares_body(self._vuid(volume), spares)),)

    def start_rebuild(self, volume: Volume, drive: Drive,
                      layout: RaidLayout) -> tuple[PlannedRequest, ...]:
        """Smart Array rebuilds a replacement in the failed bay by itself; onto a drive
        elsewhere, it becomes the array's spare (at the next POST)."""
        return self.assign_spare(drive, volume, layout)

    def rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidOutcome:
        """A Smart Array rebuild started through the settings waits for the next POST."""
        plan = self.plan_rebuild(volume_id, drive_id, confirm_serial)
        return self._staged(plan) or super().rebuild(volume_id, drive_id, confirm_serial)

    def spare(self, drive_id: str, volume_id: str | None = None, *,
              remove: bool = False) -> RaidOutcome:
        """A Smart Array spare changes at the next POST: reported pending, not read back."""
        plan = self.plan_spare(drive_id, volume_id, remove=remove)
        return self._staged(plan) or super().spare(drive_id, volume_id, remove=remove)

    def _staged(self, plan: RaidPlan) -> RaidOutcome | None:
        if not plan.changed or not plan.requests or plan.requests[0].method != "PUT":
            return None
        job = self.follow_write(self.send(plan.requests[0]), plan.summary)
        return RaidOutcome(dataclasses.replace(plan, pending=True), job, job.status(),
                           notes=("Smart Array applies it at the next POST",))

    # -- foreign configurations ----------------------------------------------------------------
    def notes(self) -> list[str]:
        """Why ``foreign`` is null on a Smart Array."""
        return [NOTE] if self._has_smart() else []

    def foreign(self) -> tuple[Drive, ...] | None:
        """Unknown: Smart Array does not report foreign configurations (it imports moved
        arrays at POST), and iLO does not show Broadcom's for MR controllers."""
        return None

    def plan_import_foreign(self) -> RaidPlan:
        """Smart Array: nothing to send (it imports moved arrays at POST), said so.  Other
        controllers: :class:`~hamnhw.errors.UnsupportedOperation` naming the manual step."""
        if self._has_smart():
            return RaidPlan("import_foreign", f"{NOTE}: nothing to import", False)
        raise UnsupportedOperation(self.driver_name, "raid.import_foreign", host=self.host,
                                   detail="iLO has no action to import a foreign "
                                   f"configuration of a standard (RDE) controller: {MR_MANUAL}")

    def import_foreign(self) -> Job:
        """As :meth:`plan_import_foreign` plans it: a completed job saying there was nothing
        to import (Smart Array)."""
        plan = self.plan_import_foreign()
        return CompletedJob(NOTE, self.host, messages=(plan.summary,))


def _config_of(settings_uri: str) -> str:
    """The current configuration a settings object belongs to (its parent)."""
    return settings_uri.rstrip("/").rsplit("/", 1)[0] + "/"
