"""``hamnhw pair snapshot``: what both nodes look like, recorded in the journal.

The failover compares live reads with the newest snapshot: the active node's RAID1 member
drives (serial and bay), the NIC MACs (to refuse running on a node of the pair), restore
policies, boot settings and the MN's SSH host key.  What identifies each node (every serial
its BMC showed, its System UUID, its NIC MACs) recognises the old node of a run however its
BMC is addressed (:mod:`hamnhw.pair.oldnode`).

::

    snap = PairSnapshot.capture({"primary": node_a, "standby": node_b}, ssh_host_key=key)
    journal.save_snapshot(snap.to_json())
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from hamnhw.errors import HamnhwError, UnsupportedOperation
from hamnhw.models import RaidType, to_jsonable
from hamnhw.node import Node

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class NodeSnapshot:
    """One node as read at snapshot time; None where the BMC did not tell."""

    name: str
    system_serial: str | None
    model: str | None
    power_state: str
    drives: tuple[dict[str, Any], ...] | None
    """``{"serial", "bay", "model", "capacity_bytes", "health"}`` per drive."""
    volumes: tuple[dict[str, Any], ...] | None
    """``{"id", "name", "raid_type", "health", "members": [serial, ...]}`` per volume."""
    nics: tuple[dict[str, Any], ...] | None
    """``{"id", "mac", "permanent_mac"}`` per host NIC."""
    restore_policy: str | None
    boot_override: dict[str, str] | None
    """``{"target", "mode"}``."""
    boot_mode: str | None
    """``UEFI`` or ``Legacy``."""
    errors: tuple[str, ...] = ()
    """What could not be read, and why."""
    system_uuid: str | None = None
    """Its System UUID; None when the BMC did not tell (or a snapshot older than it)."""
    system_serials: dict[str, str] | None = None
    """Every serial its System read showed, by source (:attr:`hamnhw.models.System.serials`:
    Redfish ``SerialNumber``, Dell's ``SKU``, IPMI's FRU product, chassis and board serials);
    ``{}`` when it showed none; None when the System could not be read (or a snapshot older
    than it: :attr:`system_serial` is then the one serial known)."""

    def raid1_members(self) -> tuple[tuple[str, str | None], ...]:
        """``(serial, bay)`` of the members of the node's RAID1 volumes (empty when none)."""
        bays = {d["serial"]: d.get("bay") for d in self.drives or () if d.get("serial")}
        return tuple((serial, bays.get(serial)) for volume in self.volumes or ()
                     if volume.get("raid_type") == RaidType.RAID1.value
                     for serial in volume.get("members") or ())

    def macs(self) -> frozenset[str]:
        """Every host NIC MAC (current and permanent), lower case."""
        return frozenset(mac.lower() for nic in self.nics or ()
                         for mac in (nic.get("mac"), nic.get("permanent_mac")) if mac)

    @classmethod
    def capture(cls, node: Node) -> NodeSnapshot:
        """Read one node (every read that fails is named in :attr:`errors`)."""
        from hamnhw.failover.hostview import read_host

        errors: list[str] = []
        system = _try(node.inventory.system, "system", errors)
        storage = _try(node.raid.storage, "storage", errors)
        drives = None if storage is None else storage.drives
        volumes = None if storage is None else storage.volumes
        override = _try(node.management.get_boot_override, "boot override", errors)
        host = _try(lambda: read_host(node), "boot mode", errors)
        policy = _try(node.power.get_restore_policy, "restore policy", errors)
        nics = _try(node.nics.list, "NICs", errors)
        return cls(
            name=node.name, system_serial=system.serial if system else None,
            model=system.model if system else None,
            power_state=(system.power_state.value if system else "unknown"),
            drives=None if drives is None else tuple(_drive(d) for d in drives),
            volumes=None if volumes is None else tuple(_volume(v, drives) for v in volumes),
            nics=None if nics is None else tuple(
                {"id": n.id, "mac": n.mac, "permanent_mac": n.permanent_mac} for n in nics),
            restore_policy=policy.value if policy else None,
            boot_override=({"target": override.target.value, "mode": override.mode.value}
                           if override else None),
            boot_mode=host.boot_mode if host else None, errors=tuple(errors),
            system_uuid=system.uuid if system else None,
            system_serials=dict(system.serials) if system else None)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NodeSnapshot:
        """Inverse of ``to_jsonable``; a field an older snapshot lacks is None."""
        values = dict(data)
        for key in ("drives", "volumes", "nics"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        values["errors"] = tuple(values.get("errors") or ())
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class PairSnapshot:
    """Both nodes at one moment, plus the MN's SSH host key where configured."""

    nodes: Mapping[str, NodeSnapshot]
    taken_at: float
    """Wall-clock seconds."""
    ssh_host_key: tuple[str, ...] | None = None
    """``"<type> <base64>"`` lines from ``ssh-keyscan``, sorted; None when not configured."""
    id: int | None = None
    """Its row in the journal."""

    @property
    def age_s(self) -> float:
        """Seconds since it was taken."""
        return max(0.0, time.time() - self.taken_at)

    def raid1_members(self, name: str) -> tuple[tuple[str, str | None], ...]:
        """``(serial, bay)`` of ``name``'s RAID1 members at snapshot time."""
        return self.nodes[name].raid1_members() if name in self.nodes else ()

    def mn_serials(self) -> tuple[str, ...]:
        """The MN's RAID1 member serials: those of the node that held a RAID1 (both nodes'
        when each had one, the first node's first)."""
        return tuple(dict.fromkeys(serial for snap in self.nodes.values()
                                   for serial, _bay in snap.raid1_members()))

    def macs(self) -> frozenset[str]:
        """Every host NIC MAC of both nodes."""
        return frozenset().union(*(snap.macs() for snap in self.nodes.values()))

    @classmethod
    def capture(cls, nodes: Mapping[str, Node],
                ssh_host_key: tuple[str, ...] | None = None) -> PairSnapshot:
        """Read every node now."""
        return cls({name: NodeSnapshot.capture(node) for name, node in nodes.items()},
                   time.time(), ssh_host_key)

    def to_json(self) -> dict[str, Any]:
        """JSON for the journal (without the id)."""
        return {"taken_at": self.taken_at, "ssh_host_key": self.ssh_host_key,
                "nodes": {name: to_jsonable(snap) for name, snap in self.nodes.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], snapshot_id: int | None = None) -> PairSnapshot:
        """Inverse of :meth:`to_json`."""
        key = data.get("ssh_host_key")
        return cls({name: NodeSnapshot.from_json(snap) for name, snap in data["nodes"].items()},
                   float(data["taken_at"]), None if key is None else tuple(key), snapshot_id)

    @classmethod
    def from_journal(cls, journal: Any) -> PairSnapshot | None:
        """The newest snapshot of a :class:`~hamnhw.failover.journal.Journal`, or None."""
        row = journal.latest_snapshot()
        return None if row is None else cls.from_json(row[2], row[0])


def _try(read: Callable[[], T], what: str, errors: list[str]) -> T | None:
    try:
        return read()
    except UnsupportedOperation as exc:
        errors.append(f"{what}: {exc.message}")
    except HamnhwError as exc:
        errors.append(f"{what}: {exc}")
    return None


def _drive(drive: Any) -> dict[str, Any]:
    return {"id": drive.id, "serial": drive.serial, "bay": drive.location, "model": drive.model,
            "capacity_bytes": drive.capacity_bytes, "health": drive.health.value}


def _volume(volume: Any, drives: Any) -> dict[str, Any]:
    serial_of = {d.id: d.serial for d in drives or ()}
    members = (None if volume.drive_ids is None else
               [serial_of.get(i) for i in volume.drive_ids])
    return {"id": volume.id, "name": volume.name, "raid_type": volume.raid_type.value,
            "health": volume.health.value, "members": members}


def take_snapshot(config: Any, *, prompt: Callable[[str], str] | None = None) -> PairSnapshot:
    """Read both pair nodes (and the SSH host key where configured) and store the snapshot.

    Holds the journal lock; refused while a failover run is unfinished.

    :raises hamnhw.failover.lock.JournalBusy: a coordinator holds the journal.
    :raises hamnhw.errors.OperationFailed: a run is unfinished.
    :raises HamnhwError: a node could not be reached.
    """
    from hamnhw.errors import OperationFailed
    from hamnhw.failover.probes import ssh_host_key
    from hamnhw.pair import PAIR_NODES, connect_node, open_journal

    with open_journal(config) as journal, journal.lock():
        unfinished = journal.unfinished_run()
        if unfinished is not None:
            raise OperationFailed(f"failover run {unfinished.id} is unfinished "
                                  f"({unfinished.state}): finish or abort it first")
        nodes: dict[str, NodeSnapshot] = {}
        for name in PAIR_NODES:
            with connect_node(config, name, prompt=prompt) as node:
                nodes[name] = NodeSnapshot.capture(node)
        ssh = config.failover.ssh_host
        key = ssh_host_key(ssh) if ssh else None
        if ssh and key is None:
            raise OperationFailed(f"no SSH host key read from {ssh} (ssh-keyscan): is the MN "
                                  "up and is [failover] ssh_host right?")
        snap = PairSnapshot(nodes, time.time(), key)
        snapshot_id = journal.save_snapshot(snap.to_json())
    return dataclasses.replace(snap, id=snapshot_id)
