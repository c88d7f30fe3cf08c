"""Builders of NodeFacts for the pair-check unit tests."""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw.models import (
    Drive,
    Health,
    LinkStatus,
    Nic,
    PowerRestorePolicy,
    PowerState,
    RaidType,
    StorageController,
    System,
    Volume,
)
from hamnhw.pair.nodefacts import NodeFacts


def system(name: str, power: PowerState = PowerState.ON, **changes: Any) -> System:
    base = System(id="1", uri=None, manufacturer="Contoso", model="Server 1000",
                  serial=f"SN-{name}", uuid=None, bios_version="1.0", power_state=power,
                  boot_mode="UEFI")
    return dataclasses.replace(base, **changes)


def raid1(health: Health = Health.OK, drives: tuple[str, ...] | None = ("d1", "d2"),
          **changes: Any) -> Volume:
    return Volume(id="v1", uri=None, name="mn", raid_type=RaidType.RAID1, capacity_bytes=1,
                  health=health, state="Enabled", drive_ids=drives, **changes)


def drive(drive_id: str, bay: str | None) -> Drive:
    return Drive(id=drive_id, uri=None, serial=f"S{drive_id}", model=None, capacity_bytes=1,
                 media="HDD", protocol="SAS", health=Health.OK, state="Enabled", location=bay)


def nics(*ids: str, speed: int = 25000, node: int = 1) -> tuple[Nic, ...]:
    return tuple(Nic(i, None, f"02:00:00:00:{node:02x}:{n:02x}", None, LinkStatus.UP, speed)
                 for n, i in enumerate(ids, 1))


def controller(model: str = "RAID 9000", firmware: str | None = "50.1") -> StorageController:
    return StorageController(id="0", uri=None, name="ctl", model=model, firmware=firmware)


def active_node(**changes: Any) -> NodeFacts:
    facts = NodeFacts(name="primary", system=system("primary"), controllers=(controller(),),
                      drives=(drive("d1", "Bay 1"), drive("d2", "Bay 2")), volumes=(raid1(),),
                      restore_policy=PowerRestorePolicy.ALWAYS_ON, nics=nics("NIC1", "NIC2"))
    return dataclasses.replace(facts, **changes)


def spare_node(**changes: Any) -> NodeFacts:
    facts = NodeFacts(name="standby", system=system("standby", PowerState.OFF),
                      controllers=(controller(),), drives=(), volumes=(),
                      restore_policy=PowerRestorePolicy.ALWAYS_OFF,
                      nics=nics("NIC1", "NIC2", node=2))
    return dataclasses.replace(facts, **changes)
