"""A simulated MN pair: the primary running the MN on a RAID1 of its two drives, the
standby off with empty bays, both showing POST evidence (detailed boot progress with
times); what ``hamnhw demo`` drills and ``hamnhw sim --pair`` serves.

::

    with SimCluster(mn_pair_specs(), tls=True) as cluster, \\
            MnService(cluster, mn_serials(cluster)) as mn:
        ...   # mn.address answers while the MN runs on either node
"""

from __future__ import annotations

from typing import Any

from hamnhw.sim.cluster import SimCluster
from hamnhw.sim.spec import ServerSpec


def mn_pair_specs(power_delay: float = 0.3) -> list[ServerSpec]:
    """The two servers; POST and boot take a few times ``power_delay``."""
    timing: dict[str, Any] = {"power_delay": power_delay, "post_time": max(0.3, power_delay),
              "boot_time": max(0.8, 3 * power_delay), "post_detail": True,
              "boot_progress_time": True}
    return [ServerSpec(name="primary", power="On", power_restore_policy="AlwaysOn", **timing),
            ServerSpec(name="standby", drives=(), raid1=False, **timing)]


def mn_serials(cluster: SimCluster) -> tuple[str, ...]:
    """The serials of the MN's RAID1 (built on the primary's drives)."""
    return next(v.members for v in cluster.bays.volumes if v.name == "RAID1 primary")
