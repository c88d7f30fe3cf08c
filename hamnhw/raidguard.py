"""Pair protection of RAID writes: the pair's RAID1 holds the management node, so a write
that touches it, or drives carrying a foreign configuration, runs only when the operator
types each concerned drive's serial (``--confirm-serial``), and on the node the journal
records as the active MN also the node's name (``--confirm-node``).

What is protected comes from the pair's records, never from a guess: the RAID1 member
serials of the latest ``hamnhw pair snapshot`` and the active node of the failover journal
(:mod:`hamnhw.pair`).  Serials protect on ANY node (the pair's disks may sit in a server
addressed by another name, or in a third one); the node's name, and a recorded RAID1 volume
whose BMC does not list its members, need the node recognised as ``primary`` or
``standby``.  Serials are compared normalised (:func:`normal_serial`: BMCs pad, case and
space them differently).  Without a snapshot nothing is protected by serial (and the plan
says so); a reset of the active node (``raid create --reboot``) always needs its name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from hamnhw.errors import ConfigError, RefusedOperation
from hamnhw.models import Drive, Volume
from hamnhw.raid import RaidPlan, RaidStatus


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
    """The journal records this node as the active MN."""
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
        if any(self.holds(d) for d in members):
            reasons.append(f"volume {plan.volume_id} is the pair's recorded RAID1")
            to_type += concerned
        recorded, unlisted = self._unlisted(volume)
        if unlisted:
            reasons.append(f"volume {plan.volume_id} is the pair's recorded RAID1 on "
                           f"{self.node} (pair snapshot) and the BMC does not list its members")
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
        node = self.node is not None and (
            (self.active and (bool(reasons) or reboot)) or (unlisted and not recorded))
        if node:
            reasons.append(f"{self.node} is the active management node (failover journal)"
                           if self.active else f"no serial of volume {plan.volume_id} can be "
                           "confirmed")
        return Demands(tuple(dict.fromkeys(to_type)), node, tuple(reasons), recorded)

    def _unlisted(self, volume: Volume | None) -> tuple[tuple[str, ...], bool]:
        """``(recorded serials, True)`` for a volume the snapshot records as this node's
        RAID1 whose BMC lists no members now."""
        if volume is None or volume.drive_ids is not None or volume.id not in self.volumes:
            return (), False
        return tuple(s for s in self.volumes[volume.id] if normal_serial(s)), True

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
        if demands.node and confirm_node != self.node:
            problems.append(f"type the node's name with {self.node_option} {self.node}")
        if problems:
            raise ConfigError(f"{'; '.join(demands.reasons)}: {'; '.join(problems)}")
        return self.json(demands)

    def json(self, demands: Demands) -> dict[str, Any]:
        """``{"node", "snapshot", "active", "protected", "reasons"}`` (``node`` null when the
        node addressed is not recognised as a pair node)."""
        return {"node": self.node, "snapshot": self.snapshot, "active": self.active,
                "protected": demands.protected, "reasons": list(demands.reasons)}
