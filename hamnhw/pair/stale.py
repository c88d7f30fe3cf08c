"""Drives a powered-off node's BMC still shows from its last POST.

A disk is in one server at a time.  The BMC of a server that is off shows the drives it saw at
that server's last POST, so after a failover the old node still lists the MN's RAID1 disks
that now run in the other one.  ``pair check`` does not count such a drive as taking a bay of
the spare: it is the active node's disk, seen by the spare's BMC before it moved.  A drive
whose serial the active node does not show (a foreign disk in a bay the RAID1 needs) still
counts.
"""

from __future__ import annotations

from hamnhw.models import Drive, PowerState
from hamnhw.pair.nodefacts import NodeFacts


def stale_drives(active: NodeFacts, spare: NodeFacts) -> list[Drive]:
    """Drives ``spare`` shows whose serials ``active`` shows too, while ``active`` is on and
    ``spare`` is not (its list is then its last POST's; ``active``'s is live)."""
    if active.power_state is not PowerState.ON or spare.power_state is PowerState.ON:
        return []
    live = {d.serial.strip() for d in active.drives or () if d.serial and d.state != "Absent"}
    return [d for d in spare.drives or () if d.serial and d.serial.strip() in live]


def stale_note(stale: list[Drive], active: NodeFacts, spare: NodeFacts) -> str:
    """What a check says of ``stale`` (nothing when there are none)."""
    if not stale:
        return ""
    shown = ", ".join(f"{d.serial} ({d.location})" for d in stale)
    return (f" ({spare.name}, off, still lists {shown} from its last POST; {active.name}, on, "
            "shows those disks now: stale, not counted)")
