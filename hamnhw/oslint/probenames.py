"""Interface names the kernel gives in probe order (``eth0``, ``eth1``...), where a profile
binds to one.

``ethN`` is the name a NIC has before udev renames it: with predictable names turned off
(``net.ifnames=0``, ``biosdevname=0`` on the kernel command line), or an OS that keeps them,
it stays.  The seed warns that with several NICs on one driver the ports may be probed in
another order on the standby, even on identical hardware: the profile bound to ``eth0`` then
comes up on a port wired to another network.  Each use is a finding, unless the pair report
(``--pair-report``) shows one Ethernet NIC on each node: nothing to order, a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hamnhw.oslint.findings import PROBE_NAME, Finding
from hamnhw.oslint.netconf import NameUse

PROBE_ORDER = re.compile(r"^eth\d+(?:[.:].*)?$")
"""``ethN``, and a VLAN or alias on one (``eth0.100``, ``eth0:1``)."""

FIX = ("bind the profile to a name that does not follow probe order: the NIC's predictable "
       "name (ID_NET_NAME_ONBOARD/SLOT/PATH from `udevadm info /sys/class/net/<if>`, with "
       "net.ifnames=0 and biosdevname=0 removed from the kernel command line), or a name of "
       "your own outside eth* set by a .link file naming the NIC by its driver/path on each "
       "node; then lint again with --pair-report and cable the standby as its NIC map says")


def ethernet_counts(nic_map: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """NICs that may take an ``ethN`` name (Ethernet, or of unknown kind: not InfiniBand) on
    the primary and on the standby, from a NIC map."""
    eth = [e for e in nic_map if e.get("kind") != "infiniband"]
    return (sum(1 for e in eth if e.get("primary")), sum(1 for e in eth if e.get("standby")))


def lint_probe_names(names: Iterable[NameUse], nic_map: Sequence[Mapping[str, Any]] | None
                     ) -> tuple[list[Finding], list[str]]:
    """A finding per profile bound to an ``ethN`` name; with a NIC map showing one Ethernet
    NIC on each node, a note instead.

    :return: (findings, notes).
    """
    uses = [use for use in names if PROBE_ORDER.match(use.name)]
    if not uses:
        return [], []
    counts = ethernet_counts(nic_map) if nic_map is not None else None
    if counts == (1, 1):
        listed = ", ".join(f"{u.name} ({u.file})" for u in uses[:4])
        return [], [f"kernel probe-order interface names in use: {listed}"
                    f"{' ...' if len(uses) > 4 else ''}; the pair report shows one Ethernet NIC "
                    "on each node, so the name is the same on the standby (a NIC added later, "
                    "or one the BMCs do not show, puts the order in doubt again: prefer a "
                    "predictable name)"]
    seen = (f" (the pair report shows {counts[0]} Ethernet NIC(s) on the primary, {counts[1]} "
            "on the standby)" if counts else "")
    return [Finding(PROBE_NAME, use.file, use.line,
                    f"interface name {use.name!r} is given by the kernel in probe order: with "
                    "several NICs on one driver the standby may probe its ports in another "
                    "order, even on identical hardware, so this profile can come up on a port "
                    f"wired to another network{seen}", FIX, use.text)
            for use in uses], []
