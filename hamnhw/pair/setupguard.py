"""What ``hamnhw pair setup-raid`` checks before it creates, takes over or powers anything on
the standby (:mod:`hamnhw.pair.setupraid`); every refusal is a
:class:`~hamnhw.errors.ConfigError` (exit 2) raised before anything is sent or journaled.

* **The active MN.**  The setup builds the array on the standby and powers it off: it refuses,
  whatever is typed, when the standby is the active MN (the failover journal's active node,
  else ``[pair] active``, as the fleet commands decide it,
  :func:`hamnhw.cli.fleet.refuse_active_mn`).
* **A standby that may run an OS.**  The standby is forced off after the create.  Off, or on
  with ``BootProgress`` in firmware (POST, setup: the seed standby has no OS yet), it goes
  on; on with an OS starting or running, or a BMC that does not tell, only with ``--yes``
  (:attr:`Consent.yes`): shut it down first (``hamnhw power soft-off standby``).
* **The pair's recorded RAID1.**  The create, or the volume it would take over, is judged by
  the RAID commands' :class:`~hamnhw.raidguard.PairGuard`: drives whose serials the latest
  ``pair snapshot`` records as the MN's RAID1 (or carrying a foreign configuration) are used
  only when each serial is typed (``--confirm-serial``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import ConfigError
from hamnhw.failover.hostview import read_host
from hamnhw.failover.journal import Journal
from hamnhw.models import BootStage, PowerState
from hamnhw.node import Node
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.raid import CreateRequest
from hamnhw.raidguard import PairGuard

FIRMWARE_STAGES = frozenset({BootStage.POST.value, BootStage.POST_COMPLETE.value,
                             BootStage.SETUP.value})
"""``BootProgress`` stages in which no OS runs: a standby in them is powered off unasked."""


@dataclasses.dataclass(frozen=True)
class Consent:
    """What the operator typed for the setup's protections."""

    yes: bool = False
    """A standby that may run an OS is forced off (``--yes``)."""
    serials: tuple[str, ...] = ()
    """Serials of the pair's recorded RAID1 drives the setup may use (``--confirm-serial``)."""


def active_mn(config: Config, journal: Journal) -> str | None:
    """The active MN: the journal's active node, else ``[pair] active``; None when neither
    tells."""
    record = journal.active_node()
    return record.name if record is not None else config.pair_active


def refuse_active(config: Config, journal: Journal, name: str) -> None:
    """Refuse when ``name`` is the active MN (no confirmation lifts it).

    :raises ConfigError: it is.
    """
    record = journal.active_node()
    if active_mn(config, journal) != name:
        return
    source = "the failover journal" if record is not None else "[pair] active"
    raise ConfigError(f"{name} is the active MN ({source}): the RAID1 setup builds its array "
                      f"on {name} and powers it off, so it never runs there; it is the seed "
                      "procedure, before any OS is installed")


def power_verdict(node: Node, name: str, yes: bool) -> tuple[str, bool]:
    """How ``name`` stands before the setup forces it off, for the journal, and whether
    ``yes`` was needed.

    :raises ConfigError: it is on and may run an OS, and ``yes`` is False.
    """
    view = read_host(node)
    if view.power_state is PowerState.OFF:
        return "off", False
    stage = view.boot_stage
    if stage in FIRMWARE_STAGES:
        return f"{view.power_state.value} in firmware (BootProgress {stage}): no OS runs", False
    shown = (f"BootProgress {stage}" if stage is not None
             else "the BMC does not tell its boot progress")
    if not yes:
        raise ConfigError(f"{name} is {view.power_state.value} ({shown}): it may run an OS, "
                          f"and the setup forces it off after the create; shut it down first "
                          f"(`hamnhw power soft-off {name}`), or add --yes to have it forced "
                          "off")
    return f"{view.power_state.value} ({shown}): forced off after the create (--yes)", True


def default_guard(snapshot: PairSnapshot | None, name: str) -> PairGuard:
    """The RAID commands' guard for pair node ``name``: the latest snapshot's RAID1 serials
    (the active MN is refused before, so its name is never asked)."""
    serials = frozenset(snapshot.mn_serials()) if snapshot is not None else frozenset()
    return PairGuard(name, serials, active=False, snapshot=snapshot is not None)


def check_node(node: Node, name: str, request: CreateRequest, consent: Consent,
               snapshot: PairSnapshot | None) -> dict[str, Any]:
    """The power and RAID checks above (after :func:`refuse_active`), reads only; what they
    found, for the journal.

    :raises ConfigError: one refuses (nothing was sent).
    :raises RefusedOperation: the create itself is refused (:meth:`plan_create`).
    """
    power, forced = power_verdict(node, name, consent.yes)
    try:
        plan = node.raid.plan_create(request)
    except ConfigError as exc:  # a drive it does not show: the run's errors name the pair
        raise ConfigError(f"{name}: {exc.message}") from exc
    protection = default_guard(snapshot, name).enforce(plan, node.raid.status(),
                                                        consent.serials, None)
    typed = ["--yes"] * forced + ["--confirm-serial"] * protection["protected"]
    return {"node": name, "power": power, "existing_volume": plan.volume_id,
            "drive_ids": list(plan.drive_ids), "protection": protection, "typed": typed}


def judged(found: dict[str, Any]) -> str:
    """What the pair protection said of :func:`check_node`'s drives and volume."""
    protection = found.get("protection") or {}
    if protection.get("protected"):
        return (f"pair protection: {'; '.join(protection.get('reasons') or ())}; confirmed "
                "by the serials typed")
    if not protection.get("snapshot"):
        return "no pair snapshot records the pair's RAID1, so nothing protects it by serial"
    return "not the pair's recorded RAID1 (pair snapshot)"


def describe(found: dict[str, Any]) -> str:
    """One line of :func:`check_node`'s findings."""
    existing = found.get("existing_volume")
    volume = (f"volume {existing} already over {', '.join(found.get('drive_ids') or ())}"
              if existing else "no volume over the drives yet")
    return (f"checks before the create: {found.get('node')} {found.get('power')}; {volume}; "
            f"{judged(found)}")
