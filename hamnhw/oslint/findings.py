"""Findings of ``lint-os`` (the tree they are read from: :mod:`hamnhw.oslint.rootfs`)."""

from __future__ import annotations

import dataclasses
from typing import Any

MAC_MATCH = "mac-match"
"""A config that applies only to a NIC with a given MAC: after the move nothing matches."""
MAC_SET = "mac-set"
"""A config that sets the MAC: the standby would take the primary's MAC."""
PCI_NAME = "pci-name"
"""An interface name bound to a PCI slot, while the two nodes' NIC layouts differ."""
PROBE_NAME = "probe-order-name"
"""An interface name the kernel gives in probe order (``eth0``): the standby may probe its
NICs in another order."""
HOSTONLY = "dracut-hostonly"
MODULES_DEP = "initramfs-modules-dep"
BY_PATH = "disk-by-path"
BY_ID = "disk-by-id"
EFI_FALLBACK = "efi-fallback-missing"
LUKS_TPM = "luks-tpm"
UNREADABLE = "unreadable"
"""A config file the linter could not parse: it could not be checked."""

KINDS = (MAC_MATCH, MAC_SET, PCI_NAME, PROBE_NAME, HOSTONLY, MODULES_DEP, BY_PATH, BY_ID,
         EFI_FALLBACK, LUKS_TPM, UNREADABLE)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing that breaks after the disk move."""

    kind: str
    """One of :data:`KINDS`."""
    file: str
    """Path as seen from the root (``/etc/...``)."""
    line: int | None
    """1-based line; None for a missing file, or a name the file's own name gives
    (SUSE's ``ifcfg-eth0``)."""
    why: str
    fix: str
    text: str | None = None
    """The offending line as written."""

    def to_json(self) -> dict[str, Any]:
        """``{kind, file, line, why, fix, text}``."""
        return dataclasses.asdict(self)
