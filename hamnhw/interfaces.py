"""Small capability interfaces; a driver is a composition of them (Ironic style).

Each interface knows the name of its driver, so that a capability the driver
lacks raises :class:`~hamnhw.errors.UnsupportedOperation` naming both.
Methods that not every BMC can do have a default body that raises it.
"""

from __future__ import annotations

import abc
import dataclasses
from typing import TYPE_CHECKING, NoReturn

from hamnhw import models
from hamnhw.errors import HttpError, MalformedResponse, UnsupportedOperation
from hamnhw.poll import PollPolicy

if TYPE_CHECKING:  # annotations only: a power or boot command never loads the RAID model
    from hamnhw.jobs import Job
    from hamnhw.models import (
        BootMarks,
        BootOverride,
        BootSource,
        Drive,
        Inventory,
        Manager,
        Nic,
        NicView,
        PowerRestorePolicy,
        PowerResult,
        PowerState,
        StorageController,
        System,
        Volume,
    )
    from hamnhw.plan import PlannedRequest
    from hamnhw.raid import CreateRequest, ImportState, RaidOutcome, RaidPlan, RaidStatus

__all__ = [
    "InventoryInterface", "ManagementInterface", "NicInterface", "PollPolicy",
    "PowerInterface", "RaidInterface", "RaidView",
]


@dataclasses.dataclass(frozen=True)
class RaidView:
    """Volumes and drives from one read of the BMC's storage (one snapshot).

    Either is None when the BMC cannot tell.
    """

    volumes: tuple[Volume, ...] | None
    """Logical volumes."""
    drives: tuple[Drive, ...] | None
    """Physical drives."""
    incomplete: bool = False
    """True when part of the storage tree could not be read: a drive missing from
    :attr:`drives` may only be unread, not failed (see :attr:`warnings`)."""
    warnings: tuple[str, ...] = ()
    """What could not be read, one message each."""


class _Interface:
    """Common base: remembers the driver name and the BMC host for messages."""

    unsupported_hint: str | None = None
    """What to do instead of an operation this interface lacks, said by every
    :class:`~hamnhw.errors.UnsupportedOperation` it raises without a detail of its own (the
    IPMI driver's RAID interface names the Redfish URL to use)."""

    def __init__(self, driver_name: str, host: str) -> None:
        self.driver_name = driver_name
        self.host = host

    def _unsupported(self, operation: str, detail: str | None = None) -> NoReturn:
        raise UnsupportedOperation(self.driver_name, operation, host=self.host,
                                   detail=detail or self.unsupported_hint)


class PowerInterface(_Interface, abc.ABC):
    """Host power.  Every change waits for the target unless ``wait=False``;
    "off" is confirmed by reading exactly Off twice in a row.

    A change's ``timeout`` (seconds) bounds the whole call, its requests and its wait;
    None: the node's poll policy (``poll.timeout`` given to :func:`hamnhw.connect`, 120 s
    by default), not ``connect``'s ``timeout``.  Inside a :meth:`hamnhw.node.Node.operation`
    block the block's deadline bounds it as well."""

    @abc.abstractmethod
    def state(self) -> PowerState:
        """Read the current power state (one read, no waiting)."""

    @abc.abstractmethod
    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power on; success if already on."""

    @abc.abstractmethod
    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Force off (no OS shutdown); success if already off."""

    def soft_off(self, *, wait: bool = True, timeout: float | None = None,
                 escalate_after: float | None = None) -> PowerResult:
        """Graceful shutdown; with ``escalate_after`` seconds, force off after that."""
        self._unsupported("power.soft_off")

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle a running node; refused when it is off."""
        self._unsupported("power.cycle")

    def get_restore_policy(self) -> PowerRestorePolicy:
        """Read what the host does when AC power returns."""
        self._unsupported("power.get_restore_policy")

    def set_restore_policy(self, policy: PowerRestorePolicy) -> PowerRestorePolicy:
        """Set the restore policy and return what the BMC reads back."""
        self._unsupported("power.set_restore_policy")

    # Plans (hamnhw.plan): the requests a write would send, read but not sent.  A driver
    # that cannot describe them keeps these defaults (None): plans then say what would be
    # done but not the requests.

    def reset_requests(self, action: str) -> tuple[PlannedRequest, ...] | None:
        """The requests ``on``/``off``/``soft_off``/``cycle`` (``action``) would send."""
        return None

    def restore_policy_requests(self,
                                policy: PowerRestorePolicy) -> tuple[PlannedRequest, ...] | None:
        """The requests :meth:`set_restore_policy` would send."""
        return None


class ManagementInterface(_Interface):
    """Boot override and identify LED."""

    def get_boot_override(self) -> BootOverride:
        """Read the current boot override."""
        self._unsupported("management.get_boot_override")

    def set_boot_override(self, target: BootSource, *, persistent: bool = False) -> BootOverride:
        """Boot from ``target`` next time (or always); return what is read back."""
        self._unsupported("management.set_boot_override")

    def boot_override_requests(self, target: BootSource, *,
                               persistent: bool = False) -> tuple[PlannedRequest, ...] | None:
        """The requests :meth:`set_boot_override` would send (None: the driver cannot tell;
        see :mod:`hamnhw.plan`); refused like the write when the BMC lists other targets."""
        return None

    def boot_marks(self) -> BootMarks:
        """Read the power state with the boot marks (stage, stage time, last reset time,
        boot mode) in one read; drivers without them raise UnsupportedOperation."""
        self._unsupported("management.boot_marks")

    def get_identify(self) -> bool | None:
        """Identify LED state; None when the BMC does not say."""
        self._unsupported("management.get_identify")

    def set_identify(self, on: bool) -> bool:
        """Turn the identify LED on or off and return the state read back."""
        self._unsupported("management.set_identify")


class NicInterface(_Interface, abc.ABC):
    """Host NIC ports and their MACs."""

    @abc.abstractmethod
    def list(self) -> tuple[Nic, ...] | None:
        """The host's NIC ports; None when the BMC shows no place where they would be
        (unknown), ``()`` only when it positively lists none."""

    def bmc_nics(self) -> tuple[Nic, ...] | None:
        """The BMC's own network ports, reported apart from the host's."""
        self._unsupported("nics.bmc_nics")

    def view(self) -> NicView:
        """Host and BMC NICs together.  A failure to read the BMC's own NICs never loses
        the host's: ``bmc_nics`` is then None, with a warning saying why."""
        nics = self.list()
        try:
            bmc = self.bmc_nics()
        except UnsupportedOperation:
            return models.NicView(nics, None)
        except (HttpError, MalformedResponse) as exc:
            return models.NicView(nics, None, True, (f"BMC NICs not readable: {exc.message}",))
        return models.NicView(nics, bmc)


class InventoryInterface(_Interface, abc.ABC):
    """Identity of the host and the BMC, and storage hardware."""

    @abc.abstractmethod
    def system(self) -> System:
        """The host."""

    def manager(self) -> Manager | None:
        """The BMC, or None when not reported."""
        return None

    def controllers(self) -> tuple[StorageController, ...] | None:
        """Storage controllers, or None when the BMC cannot tell."""
        return None

    def drives(self) -> tuple[Drive, ...] | None:
        """Physical drives, or None when the BMC cannot tell."""
        return None

    def volumes(self) -> tuple[Volume, ...] | None:
        """Logical volumes, or None when the BMC cannot tell."""
        return None

    def inventory(self) -> Inventory:
        """Everything above, read once."""
        return models.Inventory(self.system(), self.manager(), self.controllers(), self.drives(),
                         self.volumes())


class RaidInterface(_Interface):
    """Hardware RAID: read, create, delete, rebuild, hot spares, foreign configurations.

    Every write has a ``plan_*`` twin that reads and validates without sending anything
    and returns the :class:`~hamnhw.raid.RaidPlan` the write would run (``--dry-run``).
    A write refused from what it read raises :class:`~hamnhw.errors.RefusedOperation`
    before any request is sent; long operations come back as a :class:`~hamnhw.jobs.Job`
    in the :class:`~hamnhw.raid.RaidOutcome`, followed by the caller with ``job.wait``.
    """

    def volumes(self) -> tuple[Volume, ...] | None:
        """Logical volumes with health and running operation."""
        self._unsupported("raid.volumes")

    def drives(self) -> tuple[Drive, ...] | None:
        """Physical drives behind the RAID controllers."""
        self._unsupported("raid.drives")

    def storage(self) -> RaidView:
        """Volumes and drives together.  Drivers that can read both in one walk of the
        storage override this; the default asks :meth:`volumes`, then :meth:`drives`."""
        return RaidView(self.volumes(), self.drives())

    def status(self) -> RaidStatus:
        """Capabilities, volumes with classified health, drives, spares, unassigned and
        foreign drives, from one read."""
        self._unsupported("raid.status")

    def plan_create(self, request: CreateRequest) -> RaidPlan:
        """What :meth:`create` would send (or that the volume already exists or is pending)."""
        self._unsupported("raid.create")

    def create(self, request: CreateRequest, *, wait: bool = True,
               timeout: float | None = None) -> RaidOutcome:
        """Create a volume and, with ``wait``, follow its task for up to ``timeout`` seconds
        (the poll policy's by default); an existing identical volume is reported with
        ``changed`` False; an on-reset create comes back pending."""
        self._unsupported("raid.create")

    def plan_delete(self, volume_id: str, *, missing_ok: bool = False) -> RaidPlan:
        """What :meth:`delete` would send.  A name no volume has is a
        :class:`~hamnhw.errors.ConfigError` (so is one several volumes have), or with
        ``missing_ok`` a plan with nothing to send."""
        self._unsupported("raid.delete")

    def delete(self, volume_id: str, *, wait: bool = True, timeout: float | None = None,
               missing_ok: bool = False) -> RaidOutcome:
        """Delete one volume (no other), confirmed by a read."""
        self._unsupported("raid.delete")

    def plan_rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidPlan:
        """What :meth:`rebuild` would send; refuses unless ``confirm_serial`` is the drive's
        (compared without spaces and case).  Unchanged while the controller rebuilds onto the
        drive and once the volume is optimal with the drive a member; refused while it
        rebuilds onto another drive."""
        self._unsupported("raid.rebuild")

    def rebuild(self, volume_id: str, drive_id: str, confirm_serial: str) -> RaidOutcome:
        """Rebuild a degraded volume onto a replacement drive; the outcome's job follows the
        rebuild to its end."""
        self._unsupported("raid.rebuild")

    def rebuild_job(self, volume_id: str) -> Job:
        """A job following the volume until its rebuild ends (started by :meth:`rebuild` or
        by the controller itself); a rebuild seen running that leaves the volume degraded
        (its drive pulled or failed) ends it failed."""
        self._unsupported("raid.rebuild")

    def plan_spare(self, drive_id: str, volume_id: str | None = None, *,
                   remove: bool = False) -> RaidPlan:
        """What :meth:`spare` would send."""
        self._unsupported("raid.spare")

    def spare(self, drive_id: str, volume_id: str | None = None, *,
              remove: bool = False) -> RaidOutcome:
        """Make a drive a hot spare (dedicated to ``volume_id``, else global), or with
        ``remove`` stop it being one; confirmed by a read."""
        self._unsupported("raid.spare")

    def foreign(self) -> tuple[Drive, ...] | None:
        """Drives carrying another controller's RAID configuration (a moved array not yet
        imported); None when the driver cannot tell."""
        self._unsupported("raid.foreign")

    def plan_import_foreign(self) -> RaidPlan:
        """What :meth:`import_foreign` would send, from a fresh read, nothing sent; raises
        what it would raise before sending (``raid import-foreign --dry-run``)."""
        self._unsupported("raid.import_foreign")

    def import_foreign(self) -> Job:
        """Import the foreign configuration of the drives :meth:`foreign` lists (never clear
        it)."""
        self._unsupported("raid.import_foreign")

    def foreign_import_state(self) -> ImportState | None:
        """Whether an import sent earlier is pending or done, read from the BMC (a crash
        between an import and its journaled outcome leaves that unknown); None when the
        driver cannot tell."""
        self._unsupported("raid.foreign_import_state")
