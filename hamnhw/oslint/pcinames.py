"""Interface names bound to a PCI slot (systemd's predictable names ``eno1``, ``ens3f0``,
``enp3s0f1``, ``ibp65s0``) where the two nodes' NIC layouts differ.

These names come from the firmware's onboard index, the slot number or the PCI path; when
the standby's NICs sit elsewhere (the NIC map of ``pair check`` shows a location difference,
a missing NIC, or, without locations, a different order), the same OS names its NICs
differently and these profiles match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hamnhw.oslint.findings import PCI_NAME, Finding
from hamnhw.oslint.netconf import NameUse

PCI_BOUND = re.compile(r"^(?:en|ib|sl|wl|ww)(?:o\d+|s\d+|P\d+p\d+s\d+|p\d+s\d+)[a-z0-9]*$")


def layout_differences(nic_map: Sequence[Mapping[str, Any]]) -> list[str]:
    """Why the two nodes' NIC layouts differ, from a NIC map (empty when they do not)."""
    found = []
    for entry in nic_map:
        label = f"{entry.get('primary') or '-'}/{entry.get('standby') or '-'}"
        for issue in entry.get("issues") or ():
            issue = str(issue)
            located = entry.get("primary_location") or entry.get("standby_location")
            if issue.startswith(("location differs", "missing")) or (
                    issue.startswith("listed") and not located):
                found.append(f"{label}: {issue}")
    return found


def lint_pci_names(names: Iterable[NameUse],
                   nic_map: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """A finding per PCI-bound name in use, when the layouts differ."""
    differences = layout_differences(nic_map)
    if not differences:
        return []
    summary = "; ".join(differences[:3]) + (" ..." if len(differences) > 3 else "")
    return [Finding(PCI_NAME, use.file, use.line,
                    f"interface name {use.name!r} is derived from the NIC's PCI slot/path, and "
                    f"the nodes' NIC layouts differ ({summary}): on the standby the NIC gets "
                    "another name",
                    "bind the profile to a name that is the same on both nodes (a .link file "
                    "naming the NIC by its driver/path on each node, or ifnames set by the "
                    "installer), or put the NICs in the same slots",
                    use.text)
            for use in names if PCI_BOUND.match(use.name)]


def layout_note(nic_map: Sequence[Mapping[str, Any]]) -> str:
    """What a NIC map without layout differences says of PCI-slot names: the same on the
    standby only where both BMCs show every paired NIC's location; else unknown."""
    unlocated = [f"{e.get('primary') or '-'}/{e.get('standby') or '-'}" for e in nic_map
                 if not (e.get("primary_location") and e.get("standby_location"))]
    if not unlocated:
        return ("the NIC map shows the same NIC layout on both nodes: PCI-slot names are the "
                "same on the standby")
    return (f"the BMCs do not show where {len(unlocated)} paired NIC(s) sit "
            f"({', '.join(unlocated[:4])}{' ...' if len(unlocated) > 4 else ''}): whether "
            "PCI-slot names stay the same on the standby is not known; compare "
            "`udevadm info /sys/class/net/<if>` (ID_NET_NAME_*) on both nodes")
