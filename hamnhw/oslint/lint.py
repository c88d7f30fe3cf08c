"""Run every ``lint-os`` check over a root tree."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hamnhw.oslint import boot
from hamnhw.oslint.findings import Finding
from hamnhw.oslint.netconf import lint_network
from hamnhw.oslint.pcinames import layout_differences, layout_note, lint_pci_names
from hamnhw.oslint.probenames import lint_probe_names
from hamnhw.oslint.rootfs import Root


@dataclasses.dataclass(frozen=True)
class LintReport:
    """What ``lint-os`` found under one root."""

    root: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    """What could not be checked, and why."""

    def to_json(self) -> dict[str, Any]:
        """``{"root", "findings": [...], "count", "notes"}``."""
        return {"root": self.root, "findings": [f.to_json() for f in self.findings],
                "count": len(self.findings), "notes": list(self.notes)}


def lint_root(path: str | Path, nic_map: Sequence[Mapping[str, Any]] | None = None) -> LintReport:
    """Lint the OS installed under ``path``.

    Paths resolve inside ``path`` as in a chroot (:mod:`hamnhw.oslint.rootfs`); a file
    that cannot be read there (a link dangling inside it, a loop) is a note.

    :param nic_map: the NIC map of ``pair check`` (``--pair-report``); without it interface
        names bound to PCI slots are not judged, and every kernel probe-order name
        (``eth0``) is a finding (with it, a note where each node has one Ethernet NIC).
    """
    root = Root(path)
    notes = []
    findings, names = lint_network(root)
    probe_findings, probe_notes = lint_probe_names(names, nic_map)
    findings += probe_findings
    notes += probe_notes
    if nic_map is None:
        notes.append("interface names bound to PCI slots not checked: give --pair-report "
                     "(the output of `hamnhw --json pair check`)")
    else:
        findings += lint_pci_names(names, nic_map)
        if not layout_differences(nic_map):
            notes.append(layout_note(nic_map))
    for linter in boot.LINTERS:
        findings += linter(root)
    esp = boot.efi_note(root)
    if esp:
        notes.append(esp)
    notes += root.notes
    findings.sort(key=lambda f: (f.file, f.line or 0, f.kind))
    return LintReport(str(path), tuple(findings), tuple(notes))
