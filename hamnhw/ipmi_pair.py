"""What the failover can know about a pair whose nodes are reached over IPMI only.

IPMI has no storage commands: the failover cannot read the RAID1 members' serials from the
nodes, nor verify after the move that the standby sees them.  For such a pair (see
``docs/ipmi.md``, "IPMI-only pairs"):

* the serials come from the newest pair snapshot, taken over Redfish earlier, else from the
  config (``[primary] drive_serials = [...]``): :func:`expected_serials`;
* the verification step becomes the operator typing each serial seen on the disks in the
  standby, reported as "unverified (IPMI only)": :func:`operator_check`;
* the refusal to run on a node of the pair (a local MAC equal to one of the node's) uses
  what IPMI has: FRU host MACs where the BMC has them, and the BMC's own LAN MACs:
  :func:`known_macs`.

The coordinator wires these in; this module only decides and reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from hamnhw.errors import ConfigError, HamnhwError
from hamnhw.node import Node

UNVERIFIED = "unverified (IPMI only)"
"""How a step checked only by the operator is reported."""


def is_ipmi_only(node: Node) -> bool:
    """True when ``node`` is served over IPMI (an ``ipmi://`` URL, or a Redfish node
    reached over its IPMI path)."""
    return node.protocol == "ipmi"


@dataclasses.dataclass(frozen=True)
class ExpectedSerials:
    """The RAID1 member serials the failover expects to move, and where they came from."""

    serials: tuple[str, ...]
    source: str
    """``pair snapshot #12 (3.2 h old)`` or ``[primary] drive_serials``."""
    verified: str = UNVERIFIED
    """Always :data:`UNVERIFIED`: nothing read them from the nodes now."""


def expected_serials(snapshot: Any, configured: Sequence[str] | None) -> ExpectedSerials:
    """The serials of an IPMI-only pair: the snapshot's RAID1 members first (taken over
    Redfish when it was reachable), else the configured list.

    :param snapshot: the newest :class:`hamnhw.pair.snapshot.PairSnapshot`, or None.
    :param configured: ``[primary] drive_serials`` from the config, or None.
    :raises ConfigError: neither gives a serial (the failover cannot know what to move).
    """
    serials = tuple(snapshot.mn_serials()) if snapshot is not None else ()
    if serials:
        name = f"#{snapshot.id}" if getattr(snapshot, "id", None) is not None else "(unsaved)"
        return ExpectedSerials(serials, f"pair snapshot {name} ({snapshot.age_s / 3600:.1f} h "
                                        "old)")
    given = tuple(s.strip() for s in configured or () if s and s.strip())
    if given:
        return ExpectedSerials(given, "[primary] drive_serials")
    raise ConfigError("the pair is reached over IPMI only, which cannot read drive serials: "
                      "take `hamnhw pair snapshot` while Redfish works, or list the RAID1 "
                      "members in [primary] drive_serials", key="primary.drive_serials")


@dataclasses.dataclass(frozen=True)
class OperatorCheck:
    """The operator's reading of the disks, compared with the expected serials."""

    expected: tuple[str, ...]
    typed: tuple[str, ...]
    missing: tuple[str, ...]
    """Expected serials the operator did not type."""
    unexpected: tuple[str, ...]
    """Typed serials that were not expected."""
    status: str = UNVERIFIED

    @property
    def matches(self) -> bool:
        """True when the operator typed exactly the expected serials."""
        return not self.missing and not self.unexpected


def operator_check(expected: ExpectedSerials, ask: Callable[[str], str]) -> OperatorCheck:
    """Ask the operator for the serial printed on each moved disk, one prompt per disk,
    and compare (case and surrounding blanks ignored)."""
    typed = tuple(ask(f"serial printed on moved disk {index} of {len(expected.serials)}: ")
                  .strip() for index in range(1, len(expected.serials) + 1))
    wanted = {s.upper() for s in expected.serials}
    seen = {s.upper() for s in typed if s}
    return OperatorCheck(expected.serials, typed,
                         tuple(s for s in expected.serials if s.upper() not in seen),
                         tuple(s for s in typed if s and s.upper() not in wanted))


def known_macs(node: Node) -> tuple[frozenset[str], tuple[str, ...]]:
    """The MACs an IPMI node can show for the local-MAC refusal, and notes on what is
    missing: FRU host MACs (often none) and the BMC's own LAN MACs."""
    notes: list[str] = []
    macs: set[str] = set()
    for what, read in (("host NICs", node.nics.list), ("BMC NICs", node.nics.bmc_nics)):
        try:
            nics = read()
        except HamnhwError as exc:
            notes.append(f"{what} unreadable: {exc.message}")
            continue
        if nics is None:
            notes.append(f"{what}: IPMI cannot tell")
        macs.update(nic.mac for nic in nics or () if nic.mac)
    return frozenset(macs), tuple(notes)
