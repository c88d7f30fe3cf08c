"""Pair protection of RAID writes: the pair's RAID1 holds the management node, so a write
that touches it, or drives carrying a foreign configuration, runs only when the operator
types each concerned drive's serial (``--confirm-serial``), and on the node the journal
records as the active MN also the node's name (``--confirm-node``).

What is protected comes from the pair's records, never from a guess: the RAID1 member
serials of the latest ``hamnhw pair snapshot`` and the active node of the failover journal
(:mod:`hamnhw.pair`).  Without a snapshot nothing is protected by serial (and the plan says
so); a reset of the active node (``raid create --reboot``) always needs its name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from hamnhw.errors import ConfigError, RefusedOperation
from hamnhw.models import Drive
from hamnhw.raid import RaidPlan, RaidStatus


@dataclasses.dataclass(frozen=True)
class Demands:
    """What a write must have typed to run."""

    drives: tuple[Drive, ...]
    """Drives whose serials must be typed."""
    node: bool
    """The node's name must be typed (it is the active MN)."""
    reasons: tuple[str, ...]
    """Why, for people."""

    @property
    def protected(self) -> bool:
        """True when anything must be typed."""
        return bool(self.drives or self.node)


@dataclasses.dataclass(frozen=True)
class PairGuard:
    """The pair's records as they bear on one node's RAID writes."""

    node: str
    """The node's name in the pair (``primary`` or ``standby``)."""
    protected: frozenset[str]
    """Serials of the pair's recorded RAID1 members (the latest pair snapshot)."""
    active: bool
    """The journal records this node as the active MN."""
    snapshot: bool = True
    """A pair snapshot was found (else nothing is protected by serial)."""
    serial_option: str = "--confirm-serial"
    """How the caller's user types a serial, as a refusal names it (the Ansible module:
    ``confirm_serials``)."""
    node_option: str = "--confirm-node"
    """How the caller's user types the node's name (the Ansible module: ``confirm_node``)."""

    def demands(self, plan: RaidPlan, status: RaidStatus, *, reboot: bool = False) -> Demands:
        """The serials and the name a write must have typed."""
        drives = {d.id: d for d in status.drives or ()}
        foreign = set(status.foreign or ())
        concerned = [drives[i] for i in plan.drive_ids if i in drives]
        volume = next((v for v in status.volumes or () if v.id == plan.volume_id), None)
        members = [drives[i] for i in (volume.drive_ids or ()) if i in drives] if volume else []
        reasons: list[str] = []
        to_type: list[Drive] = []
        if any(d.serial in self.protected for d in members):
            reasons.append(f"volume {plan.volume_id} is the pair's recorded RAID1")
            to_type += concerned
        hit = [d for d in concerned if d.serial in self.protected or d.id in foreign]
        if hit:
            reasons.append("drive(s) " + ", ".join(d.id for d in hit) + " are the pair's "
                           "recorded RAID1 or carry a foreign configuration")
            to_type += hit
        held = [d for d in drives.values() if d.serial in self.protected] if reboot else []
        if held:
            reasons.append(f"resetting {self.node} resets the pair's RAID1 it holds")
            to_type += held
        node = self.active and (bool(reasons) or reboot)
        if node:
            reasons.append(f"{self.node} is the active management node (failover journal)")
        return Demands(tuple(dict.fromkeys(to_type)), node, tuple(reasons))

    def enforce(self, plan: RaidPlan, status: RaidStatus, serials: Collection[str],
                confirm_node: str | None, *, reboot: bool = False) -> dict[str, Any]:
        """Refuse unless every demanded serial and name was typed; the ``protection`` JSON.

        :raises ConfigError: a confirmation is missing or wrong (exit 2, nothing sent).
        :raises RefusedOperation: a protected drive has no serial to confirm.
        """
        demands = self.demands(plan, status, reboot=reboot)
        unknown = [d.id for d in demands.drives if not d.serial]
        if unknown:
            raise RefusedOperation(f"raid.{plan.operation}", [
                f"protected drive {i} reports no serial, so it cannot be confirmed"
                for i in unknown])
        typed = {s.strip() for s in serials}
        missing = [d for d in demands.drives if d.serial not in typed]
        problems = []
        if missing:
            where = ", ".join(f"{d.id} ({d.location or 'bay unknown'})" for d in missing)
            problems.append(f"type the serial of each drive with {self.serial_option}: {where}")
        if demands.node and confirm_node != self.node:
            problems.append(f"type the node's name with {self.node_option} {self.node}")
        if problems:
            raise ConfigError(f"{'; '.join(demands.reasons)}: {'; '.join(problems)}")
        return self.json(demands)

    def json(self, demands: Demands) -> dict[str, Any]:
        """``{"node", "snapshot", "active", "protected", "reasons"}``."""
        return {"node": self.node, "snapshot": self.snapshot, "active": self.active,
                "protected": demands.protected, "reasons": list(demands.reasons)}
