"""``hamnhw demo``: the whole drill on a simulated pair, driven through the public API.

Starts two simulated BMCs on loopback (the primary running the MN on a RAID1, the standby
off with empty bays) and a stand-in of the MN's address, writes a config and a journal into
a temporary directory, takes ``pair snapshot``, then runs the procedure's initial failover
test (:class:`hamnhw.failover.drill.Drill`): failover to the standby and failback, with a
simulated operator who moves the drives between the simulated bays as each work order says.
Every step is printed; the report passes only if every verification passed.

::

    from hamnhw.demo import run_demo
    report = run_demo(say=print)     # report["passed"] is True when every check passed
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hamnhw.config import load_config
from hamnhw.failover.operator import AckRequest, ScriptedOperator, SerialsRequest, WorkOrder

Say = Callable[[str], None]
"""Receives the human narration, one block at a time."""

PAIR = ("primary", "standby")
"""The demo's node names."""


class SimulatedOperator(ScriptedOperator):
    """Moves the drives in the simulated bays as the work order says, and types what the
    run asks for (printing both)."""

    interactive = True

    def __init__(self, cluster: Any, say: Say) -> None:
        super().__init__(say=say)
        self.cluster = cluster

    def identity(self) -> str:
        """The simulated operator."""
        return "demo-operator@simulator"

    def move_disks(self, order: WorkOrder) -> bool:
        """Print the work order and move each drive into a free bay of the target."""
        self.say(order.text())
        for drive in order.drives:
            placed = self.cluster.move_drive(drive.serial, order.source, order.target)
            self.say(f"  (simulated operator) moved {drive.serial} from {order.source} "
                     f"{drive.from_bay} into {order.target} {placed.bay}")
        return True

    def read_serials(self, request: SerialsRequest) -> tuple[str, ...]:
        """Read the labels of the disks in the target's bays."""
        serials = tuple(d.serial for d in self.cluster[request.target].drives)
        self.say(f"  (simulated operator) reads the labels: {', '.join(serials)}")
        return serials

    def acknowledge(self, request: AckRequest) -> bool:
        """Type the phrase (the demo's only question is which node is active)."""
        self.say(f"  (simulated operator) types: {request.phrase}")
        return True


def run_demo(say: Say | None = None, *, power_delay: float = 0.3, tls: bool = True,
             poll_interval: float = 0.1) -> dict[str, Any]:
    """Run the drill on a simulated pair and return its report.

    :param say: called with human-readable text as the demo goes; None for silence.
    :param power_delay: seconds the simulated hosts spend powering on or off.
    :param tls: serve HTTPS with a self-signed certificate and pin its fingerprint.
    :param poll_interval: seconds between two reads of a BMC.
    :returns: ``{"snapshot", "drill", "standby_off", "passed"}``, JSON types only;
        ``passed`` only when every check passed and the standby ended off.
    """
    from hamnhw.failover.drill import Drill
    from hamnhw.pair.snapshot import take_snapshot
    from hamnhw.sim import SimCluster
    from hamnhw.sim.mnpair import mn_pair_specs, mn_serials
    from hamnhw.sim.mnservice import MnService

    narrate = say or (lambda _text: None)
    specs = mn_pair_specs(power_delay)
    try:
        with SimCluster(specs, tls=tls) as cluster, tempfile.TemporaryDirectory() as tmp:
            serials = mn_serials(cluster)
            with MnService(cluster, serials) as mn:
                narrate("Simulated pair on loopback (" + ("HTTPS, pinned" if tls else "HTTP")
                        + "):\n" + "\n".join(f"  {s.name:<8} {s.url}" for s in cluster)
                        + f"\n  MN address stand-in {mn.address} (answers while the MN runs)")
                config = load_config(_write_config(Path(tmp), cluster, mn.address,
                                                   poll_interval))
                snap = take_snapshot(config)
                narrate(f"pair snapshot {snap.id}: MN RAID1 on {', '.join(serials)}")
                operator = SimulatedOperator(cluster, narrate)
                drill = Drill(config, operator).start(yes=True)
                narrate("\n=== drill report ===\n" + drill.text())
                standby_power = cluster["standby"].power_state
    finally:
        narrate("\nSimulator stopped: both simulated BMCs are shut down.")
    standby_off = standby_power == "Off"
    if not standby_off:
        narrate(f"the standby was left {standby_power}: an HA pair's standby must be off")
    return {"snapshot": snap.to_json(), "drill": drill.to_json(), "standby_off": standby_off,
            "passed": drill.passed and standby_off}


def _write_config(tmp: Path, cluster: Any, mn_address: str, poll_interval: float) -> Path:
    password = tmp / "bmc.pw"
    password.write_text(cluster["primary"].password + "\n")
    os.chmod(password, 0o600)
    tls = f'pin_fingerprint = "{cluster.fingerprint}"\n' if cluster.fingerprint else ""
    nodes = "".join(f'[{s.name}]\nbmc = "{s.url}"\nusername = "{s.username}"\n'
                    f'password_file = "{password}"\n{tls}\n' for s in cluster)
    text = (f'[pair]\nname = "demo"\njournal_dir = "{tmp / "journal"}"\n\n{nodes}'
            f"[failover]\ngraceful_timeout = 5\npower_off_timeout = 10\npost_timeout = 15\n"
            f"boot_timeout = 20\npoll_interval = {poll_interval}\n"
            f'mn_addresses = ["{mn_address}"]\nreachable = ["{mn_address}"]\n')
    path = tmp / "hamnhw.toml"
    path.write_text(text)
    return path
