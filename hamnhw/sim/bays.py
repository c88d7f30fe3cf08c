"""The drive-bay model shared by every server of a simulated cluster.

A drive (identified by serial) is either in one bay of one server or pulled (held by the
operator). RAID volumes live on their member drives, so a volume follows its disks: a server
shows a volume when at least one of its member drives sits in its bays.
"""

from __future__ import annotations

import dataclasses
import re
import threading

from hamnhw.sim.spec import DriveSpec


class BayError(ValueError):
    """A bay operation that cannot be done (unknown serial, bay taken, no free bay...)."""


@dataclasses.dataclass
class VolumeSpec:
    """A RAID volume whose metadata lives on ``members`` (drive serials).

    ``operation`` is ``None`` or ``(OperationName, PercentageComplete)``, settable by tests
    (a running rebuild is shown from ``rebuild`` instead, see :mod:`hamnhw.sim.raid`).
    """

    id: str
    name: str
    raid_type: str
    members: tuple[str, ...]
    capacity_bytes: int
    operation: tuple[str, int] | None = None
    spares: tuple[str, ...] = ()
    """Serials of its dedicated hot spares."""
    write_cache_policy: str = "WriteThrough"
    """Redfish ``WriteCachePolicy``."""
    rebuild: tuple[str, float] | None = None
    """``(serial rebuilt onto, start time)`` while a rebuild runs."""
    stopped: str | None = None
    """The member whose rebuild stopped (pulled or failed before the end): it holds a partial
    copy, so back in a bay, healthy, it is rebuilt onto from the start."""
    home: str | None = None
    """The server whose controller made it (None: every controller takes it as its own);
    see ``ServerSpec.foreign_volumes``."""


def _bay_sort_key(bay: str) -> tuple[int, str]:
    match = re.search(r"(\d+)$", bay)
    return (int(match.group(1)) if match else 1 << 30, bay)


class DriveBays:
    """Thread-safe placement of drives in servers' bays, plus the volumes on them."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._slots: dict[str, dict[str, DriveSpec]] = {}
        self._bay_names: dict[str, tuple[str, ...]] = {}
        self._pulled: dict[str, DriveSpec] = {}
        self.volumes: list[VolumeSpec] = []
        self.failed: set[str] = set()
        """Serials of failed drives (a failure travels with the disk)."""
        self.hotspares: dict[str, str] = {}
        """Serial -> ``HotspareType`` of global spares (``Global``)."""
        self._volume_counter = 0

    def add_server(self, server: str, bay_names: tuple[str, ...],
                   drives: tuple[DriveSpec, ...]) -> None:
        """Register a server with its bays and initial drives."""
        with self._lock:
            if server in self._slots:
                raise BayError(f"server {server!r} already registered")
            self._slots[server] = {}
            self._bay_names[server] = tuple(bay_names)
            for drive in drives:
                self.insert(drive, server, drive.bay)

    def add_volume(self, volume: VolumeSpec) -> None:
        """Record a volume living on its member drives."""
        with self._lock:
            self.volumes.append(volume)

    def new_volume_id(self) -> str:
        """A volume id never used in this cluster (``Volume<n>``)."""
        with self._lock:
            used = {volume.id for volume in self.volumes}
            while True:
                self._volume_counter += 1
                candidate = f"Volume{self._volume_counter}"
                if candidate not in used:
                    return candidate

    def remove_volume(self, volume_id: str) -> VolumeSpec:
        """Forget a volume (its member drives become free)."""
        with self._lock:
            for volume in self.volumes:
                if volume.id == volume_id:
                    self.volumes.remove(volume)
                    return volume
            raise BayError(f"no volume {volume_id!r}")

    @property
    def lock(self) -> threading.RLock:
        """The lock guarding bays, volumes and drive conditions."""
        return self._lock

    def drives_of(self, server: str) -> tuple[DriveSpec, ...]:
        """The drives now in ``server``'s bays, in bay order."""
        with self._lock:
            slots = self._server_slots(server)
            return tuple(slots[bay] for bay in sorted(slots, key=_bay_sort_key))

    def locate(self, serial: str) -> tuple[str, str] | None:
        """``(server, bay)`` holding ``serial``, or ``None`` when pulled or unknown."""
        with self._lock:
            for server, slots in self._slots.items():
                for bay, drive in slots.items():
                    if drive.serial == serial:
                        return server, bay
            return None

    def pulled(self) -> tuple[DriveSpec, ...]:
        """Drives pulled and not inserted again."""
        with self._lock:
            return tuple(self._pulled.values())

    def pull(self, serial: str, server: str | None = None) -> DriveSpec:
        """Take the drive out of its bay (of ``server`` if given) and hold it as pulled."""
        with self._lock:
            place = self.locate(serial)
            if place is None or (server is not None and place[0] != server):
                where = f" in {server!r}" if server else ""
                raise BayError(f"no drive with serial {serial!r}{where}")
            drive = self._slots[place[0]].pop(place[1])
            self._pulled[serial] = drive
            return drive

    def insert(self, drive: DriveSpec | str, server: str, bay: str | None = None) -> DriveSpec:
        """Insert ``drive`` (a spec, or the serial of a pulled drive) into ``server``.

        :param bay: the bay name; the first free bay when ``None``.
        :returns: the drive as placed (its ``bay`` updated).
        """
        with self._lock:
            if isinstance(drive, str):
                drive = self._take_pulled(drive)
            slots = self._server_slots(server)
            if self.locate(drive.serial) is not None:
                raise BayError(f"drive {drive.serial!r} is already in a bay")
            bay = bay or self._first_free_bay(server)
            if bay not in self._bay_names[server]:
                raise BayError(f"{server!r} has no bay {bay!r}")
            if bay in slots:
                raise BayError(f"bay {bay!r} of {server!r} holds {slots[bay].serial!r}")
            placed = dataclasses.replace(drive, bay=bay)
            slots[bay] = placed
            self._pulled.pop(drive.serial, None)
            return placed

    def move(self, serial: str, src: str, dst: str, bay: str | None = None) -> DriveSpec:
        """Pull ``serial`` from ``src`` and insert it into ``dst`` (first free bay by default)."""
        with self._lock:
            drive = self.pull(serial, src)
            try:
                return self.insert(drive, dst, bay)
            except BayError:
                self.insert(drive, src, drive.bay)
                raise

    def volumes_on(self, serials: set[str]) -> list[VolumeSpec]:
        """Volumes having at least one member among ``serials``."""
        with self._lock:
            return [volume for volume in self.volumes if serials & set(volume.members)]

    def snapshot(self) -> dict[str, object]:
        """A JSON-ready view of every server's bays and the pulled drives."""
        with self._lock:
            servers = {
                server: {drive.bay: drive.serial for drive in self.drives_of(server)}
                for server in self._slots
            }
            return {"servers": servers, "pulled": sorted(self._pulled)}

    def _take_pulled(self, serial: str) -> DriveSpec:
        if serial not in self._pulled:
            raise BayError(f"no pulled drive with serial {serial!r}")
        return self._pulled[serial]

    def _server_slots(self, server: str) -> dict[str, DriveSpec]:
        if server not in self._slots:
            raise BayError(f"no server named {server!r}")
        return self._slots[server]

    def _first_free_bay(self, server: str) -> str:
        for bay in self._bay_names[server]:
            if bay not in self._slots[server]:
                return bay
        raise BayError(f"{server!r} has no free bay")
