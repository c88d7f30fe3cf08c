"""Where the coordinator runs: never on a node of the pair, and warned about an NFS journal.

During a failover the MN is down and its disks are moving, so hamnhw runs from a third host
(an admin workstation or a service node) that keeps the journal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

SYS_NET = Path("/sys/class/net")
"""Where the local interfaces' MACs are read."""
MOUNTS = Path("/proc/self/mounts")
"""Where the journal directory's file system type is looked up."""
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs",
                                 "glusterfs", "ceph", "lustre"})
"""File systems on which SQLite's locking and fsync can't be trusted."""
_NO_MAC = "00:00:00:00:00:00"


def local_macs(sys_net: Path | None = None) -> frozenset[str]:
    """MACs of this host's network interfaces (lower case; loopback's zero MAC left out)."""
    root = sys_net or SYS_NET
    macs = set()
    try:
        entries = list(root.iterdir())
    except OSError:
        return frozenset()
    for entry in entries:
        try:
            mac = (entry / "address").read_text().strip().lower()
        except OSError:
            continue
        if len(mac) == 17 and mac != _NO_MAC:
            macs.add(mac)
    return frozenset(macs)


def pair_macs_here(pair_macs: Iterable[str], sys_net: Path | None = None) -> list[str]:
    """The MACs of the pair's NICs that belong to this host (sorted)."""
    return sorted(local_macs(sys_net) & {m.lower() for m in pair_macs if m})


def filesystem_type(path: str | os.PathLike[str], mounts: Path | None = None) -> str | None:
    """The type of the file system holding ``path`` (longest mount point match)."""
    target = os.path.realpath(path)
    best, kind = "", None
    try:
        lines = (mounts or MOUNTS).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def on_network_filesystem(path: str | os.PathLike[str], mounts: Path | None = None) -> str | None:
    """The network file system type ``path`` sits on, or None when local."""
    kind = filesystem_type(path, mounts)
    return kind if kind in NETWORK_FILESYSTEMS else None
