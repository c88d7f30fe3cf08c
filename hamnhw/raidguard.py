"""Pair protection of RAID writes: the pair's RAID1 holds the management node, so a write
that touches it, or drives carrying a foreign configuration, runs only when the operator
types each concerned drive's serial (``--confirm-serial``), and on the active MN also the
node's name (``--confirm-node``).

What is protected comes from the pair's records, never from a guess: the RAID1 volumes and
member serials of the latest ``hamnhw pair snapshot`` (:mod:`hamnhw.pair`), and the active
MN as the fleet ``--yes`` guard counts it: the failover journal's, else ``[pair] active``,
else either pair node (no failover recorded yet: the running primary is protected too).
Serials protect on ANY node (the pair's disks may sit in a server addressed by another name,
or in a third one); the node's name, and a recorded RAID1 volume whose serials cannot be
confirmed (its BMC lists no members, or its drives report no serial the snapshot recorded),
need the node recognised as ``primary`` or ``standby``: such a volume needs the serials the
snapshot recorded, else the node's name.  Serials are compared normalised
(:func:`normal_serial`: BMCs pad, case and space them differently).  Without a snapshot
nothing is protected by serial (and the plan says so); a reset of the active node
(``raid create --reboot``) and a write that destroys one of its volumes (``raid delete``:
:data:`DESTRUCTIVE`) always need its name, whatever the volume.  A journal that exists
but cannot be read hides which drives are the MN's mirror: every write on a pair node
then needs the node's name, and the refusal names the journal and why it cannot be read;
so does a write on any other node showing drives (the MN's disks may sit in it), by the
name the command line gave it (:attr:`PairGuard.addressed`).  An incomplete storage read
(:attr:`RaidStatus.incomplete <hamnhw.raid.RaidStatus.incomplete>`) that missed drives the
write concerns (a volume's members, its own drives; any drive, for a reset) hides whether
they are the MN's in the same way: the write then needs the node's name too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from hamnhw.errors import ConfigError, RefusedOperation
from hamnhw.models import Drive, Volume
from hamnhw.raid import RaidPlan, RaidStatus

DESTRUCTIVE = frozenset({"delete"})
"""RAID writes that destroy a volume's data: on the (possibly) active MN they need its name
whatever the volume, as its reset does.  The others write only onto drives that belong to
no volume (a create's members, a rebuild's or spare's drive), each checked free and healthy
first, and an import never clears."""


def normal_serial(serial: str | None) -> str | None:
    """A drive serial as compared: without any whitespace, upper-case; None for None or
    blank."""
    text = "".join((serial or "").split()).upper()
    return text or None


@dataclasses.dataclass(frozen=True)
class Demands:
    """What a write must have typed to run."""

    drives: tuple[Drive, ...]
    """Drives whose serials must be typed."""
    node: bool
    """The node's name must be typed (it is the active MN)."""
    reasons: tuple[str, ...]
    """Why, for people."""
    recorded: tuple[str, ...] = ()
    """Serials the pair snapshot records for a protected volume whose BMC lists no members
    (so no drive of it can be shown): they must be typed too."""

    @property
    def protected(self) -> bool:
        """True when anything must be typed."""
        return bool(self.drives or self.node or self.recorded)


@dataclasses.dataclass(frozen=True)
class PairGuard:
    """The pair's records as they bear on one node's RAID writes."""

    node: str | None
    """The node's name in the pair (``primary`` or ``standby``); None when the node
    addressed is not recognised as one (its drives are still protected by serial)."""
    protected: frozenset[str]
    """Serials of the pair's recorded RAID1 members (the latest pair snapshot)."""
    active: bool
    """This node is, or may be, the active MN (see :attr:`active_source`)."""
    snapshot: bool = True
    """A pair snapshot was found (else nothing is protected by serial)."""
    volumes: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """The RAID1 volumes the snapshot records on this node: id -> member serials as
    recorded (empty when the BMC did not list them)."""
    serial_option: str = "--confirm-serial"
    """How the caller's user types a serial, as a refusal names it (the Ansible module:
    ``confirm_serials``)."""
    node_option: str = "--confirm-node"
    """How the caller's user types the node's name (the Ansible module: ``confirm_node``)."""
    active_source: str = "failover journal"
    """What says the node is active (``failover journal``, ``[pair] active``, or that no
    record tells which pair node is), as a reason names it."""
    journal_error: str | None = None
    """Why the pair's journal, which records the RAID1 members, cannot be read (naming the
    file); None when it was read or there is none.  Set, a write on a pair node needs the
    node's name typed: the drives of the MN's mirror cannot be told.  So does a write on
    another node that shows drives (they may be the MN's), by :attr:`addressed`."""
    addressed: str | None = None
    """The node as the caller named it (a config name or a BMC URL): what is typed to
    confirm a write on a node that is not a pair node while the journal cannot be read."""

    @property
    def name(self) -> str | None:
        """What the operator types to confirm a write by the node's name: the pair node's
        name, else the node as it was addressed."""
        return self.node or self.addressed

    def serials_unknown(self, status: RaidStatus) -> bool:
        """True when the journal cannot be read and this node may hold the MN's mirror: a
        pair node, or another node showing drives or not telling them (the MN's disks may
        sit in any server)."""
        return self.journal_error is not None and (self.node is not None
                                                   or status.drives is None
                                                   or bool(status.drives))

    @property
    def serials(self) -> frozenset[str]:
        """:attr:`protected`, normalised."""
        return frozenset(s for s in map(normal_serial, self.protected) if s)

    def holds(self, drive: Drive) -> bool:
        """True when the drive is one of the pair's recorded RAID1 members."""
        serial = normal_serial(drive.serial)
        return serial is not None and serial in self.serials

    def demands(self, plan: RaidPlan, status: RaidStatus, *, reboot: bool = False) -> Demands:
        """The serials and the name a write must have typed."""
        drives = {d.id: d for d in status.drives or ()}
        foreign = set(status.foreign or ())
        concerned = [drives[i] for i in plan.drive_ids if i in drives]
        volume = next((v for v in status.volumes or () if v.id == plan.volume_id), None)
        members = [drives[i] for i in (volume.drive_ids or ()) if i in drives] if volume else []
        reasons: list[str] = []
        to_type: list[Drive] = []
        unreadable = self.serials_unknown(status)
        if unreadable:
            reasons.append(f"which drives are the pair's RAID1 (the MN's mirror) cannot be "
                           f"told on {self.name or 'this node'}: {self.journal_error}")
        unread = self._unread(plan, volume, drives, status, reboot)
        if unread:
            reasons.append(unread)
        if any(self.holds(d) for d in members):
            reasons.append(f"volume {plan.volume_id} is the pair's recorded RAID1")
            to_type += concerned
        recorded, unconfirmed = self._unconfirmed(plan, volume, members, concerned)
        if unconfirmed:
            reasons.append(unconfirmed)
            if recorded is None:
                to_type += concerned
        hit = [d for d in concerned if self.holds(d) or d.id in foreign]
        if hit:
            reasons.append("drive(s) " + ", ".join(d.id for d in hit) + " are the pair's "
                           "recorded RAID1 or carry a foreign configuration")
            to_type += hit
        held = [d for d in drives.values() if self.holds(d)] if reboot else []
        if held:
            reasons.append(f"resetting {self.node or 'this node'} resets the pair's RAID1 it "
                           "holds")
            to_type += held
        if (not reasons and plan.changed and plan.operation in DESTRUCTIVE
                and self.node is not None and self.active):
            reasons.append(f"the {plan.operation} destroys volume {plan.volume_id} and its "
                           "data")
        by_name = recorded == ()
        if by_name:
            reasons.append(f"no serial of volume {plan.volume_id} can be confirmed (the pair "
                           "snapshot recorded none): the node's name is typed instead")
        if self.node is not None and self.active and (reasons or reboot) and not unreadable:
            reasons.append(f"{self.node} is the active management node ({self.active_source})")
        pair_node = self.node is not None and (by_name or (self.active and bool(reasons
                                                                              or reboot)))
        node = pair_node or ((unreadable or bool(unread)) and self.name is not None)
        return Demands(tuple(dict.fromkeys(to_type)), node, tuple(reasons), recorded or ())

    def _unread(self, plan: RaidPlan, volume: Volume | None, drives: Mapping[str, Drive],
                status: RaidStatus, reboot: bool) -> str:
        """Why an incomplete storage read hides whether the write touches the pair's RAID1:
        drives it concerns (its volume's members, its own) were not read, or a reset would
        reset drives that were not; "" when it does not (or nothing is protected)."""
        if not status.incomplete or not self.snapshot:
            return ""
        ids = [*(volume.drive_ids or () if volume else ()), *plan.drive_ids]
        missing = [i for i in dict.fromkeys(ids) if i not in drives]
        if not missing and not reboot:
            return ""
        what = (f"drive(s) {', '.join(missing)} not read" if missing else
                "a reset resets drives it did not read")
        return (f"the storage read of {self.name or 'this node'} was incomplete "
                f"({'; '.join(status.warnings) or 'not said'}): {what}, so whether the write "
                "touches the pair's RAID1 cannot be told")

    def _unconfirmed(self, plan: RaidPlan, volume: Volume | None, members: list[Drive],
                     concerned: list[Drive]) -> tuple[tuple[str, ...] | None, str]:
        """For a volume the snapshot records as this node's RAID1 none of whose members
        shows a recorded serial now: what stands in for those serials, and why.

        ``(None, why)``: the concerned drives' own serials (they all report one);
        ``(serials, why)``: the serials the snapshot recorded (the BMC lists no members, or
        its drives report no serial); ``((), why)``: the snapshot recorded none either, so
        none can be typed (the node's name is).  ``(None, "")``: not such a
        volume (the members' serials protect it, or it is not recorded)."""
        if (volume is None or volume.id not in self.volumes or self.node is None
                or any(self.holds(d) for d in members)):
            return None, ""
        serials = tuple(s for s in self.volumes[volume.id] if normal_serial(s))
        where = f"volume {plan.volume_id} is the pair's recorded RAID1 on {self.node} (pair " \
                "snapshot) and"
        if volume.drive_ids is None:
            return serials, f"{where} the BMC does not list its members"
        if concerned and all(normal_serial(d.serial) for d in concerned):
            return None, f"{where} none of its drives shows a serial the snapshot recorded"
        return serials, f"{where} its drives report no serial"

    def enforce(self, plan: RaidPlan, status: RaidStatus, serials: Collection[str],
                confirm_node: str | None, *, reboot: bool = False) -> dict[str, Any]:
        """Refuse unless every demanded serial and name was typed; the ``protection`` JSON.

        :raises ConfigError: a confirmation is missing or wrong (exit 2, nothing sent).
        :raises RefusedOperation: a protected drive has no serial to confirm.
        """
        demands = self.demands(plan, status, reboot=reboot)
        unknown = [d.id for d in demands.drives if not normal_serial(d.serial)]
        if unknown:
            raise RefusedOperation(f"raid.{plan.operation}", [
                f"protected drive {i} reports no serial, so it cannot be confirmed"
                for i in unknown])
        typed = {normal_serial(s) for s in serials}
        missing = [f"{d.id} ({d.location or 'bay unknown'})" for d in demands.drives
                   if normal_serial(d.serial) not in typed]
        untyped = [s for s in demands.recorded if normal_serial(s) not in typed]
        if untyped:
            missing.append(f"{len(untyped)} member(s) of volume {plan.volume_id} as the pair "
                           "snapshot recorded them")
        problems = []
        if missing:
            problems.append(f"type the serial of each drive with {self.serial_option}: "
                            + ", ".join(missing))
        if demands.node and confirm_node != self.name:
            problems.append(f"type the node's name with {self.node_option} {self.name}")
        if problems:
            raise ConfigError(f"{'; '.join(demands.reasons)}: {'; '.join(problems)}")
        return self.json(demands)

    def json(self, demands: Demands) -> dict[str, Any]:
        """``{"node", "snapshot", "active", "protected", "reasons"}`` (``node`` null when the
        node addressed is not recognised as a pair node)."""
        return {"node": self.node, "snapshot": self.snapshot, "active": self.active,
                "protected": demands.protected, "reasons": list(demands.reasons)}
