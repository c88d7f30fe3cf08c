"""A simulated MN pair for the failover tests: two BMCs sharing drive bays, a config file
pointing at them (TLS pinned, password file), a journal directory, and the MN's service
stand-in on a loopback port."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.mnpair import mn_serials

__all__ = ["SILENT_NODE", "PairSim", "copy_journal", "mn_serials", "pair_specs",
           "write_config"]

FAST = {"power_delay": 0.1, "post_time": 0.2, "boot_time": 0.4}
"""Transition times of the simulated hosts (seconds): short, but longer than a poll."""

FAILOVER_KEYS = {"graceful_timeout": 1.0, "power_off_timeout": 2.0, "post_timeout": 2.0,
                 "boot_timeout": 3.0, "poll_interval": 0.04}
"""Time budgets of the tests' [failover] table."""

SILENT_NODE = {"connect_timeout": 1.0, "read_timeout": 1.0, "timeout": 2.0}
"""A node table's limits once its BMC is silent (pulled cords): a silent read costs its
connect timeout, 1 s, the shortest that counts as silence (``noanswer.SILENT_CONNECT_S``;
a connect timeout is not retried), within a 2 s deadline that leaves it whole.  Only for a
BMC that answers nothing any more: a TLS handshake counts in the connect timeout."""


def pair_specs(**overrides: Any) -> list[ServerSpec]:
    """The primary (On, the MN, on a RAID1 of its two drives) and the standby (Off, empty
    bays), both showing POST evidence (LastStateTime, detailed POST stages)."""
    base: dict[str, Any] = {**FAST, "post_detail": True, "boot_progress_time": True}
    primary = {**base, "power": "On", "power_restore_policy": "AlwaysOn",
               **overrides.pop("primary", {})}
    standby = {**base, "power": "Off", "drives": (), "raid1": False,
               **overrides.pop("standby", {})}
    return [ServerSpec(name="primary", **primary), ServerSpec(name="standby", **standby)]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


@dataclasses.dataclass
class PairSim:
    """A running simulated pair and its config."""

    cluster: SimCluster
    config_path: Path
    journal_dir: Path
    failover: Mapping[str, Any] | None = None
    """The [failover] keys the config was written with (besides :data:`FAILOVER_KEYS`)."""

    def __getitem__(self, name: str) -> Any:
        return self.cluster[name]

    def configure(self, nodes: Mapping[str, Mapping[str, Any]]) -> None:
        """Write the config again, ``nodes`` adding to or replacing node keys."""
        write_config(self.config_path.parent, self.cluster, self.failover, nodes=nodes)

    def pull_cords(self, name: str = "primary") -> None:
        """Pull ``name``'s power cords (its BMC silent: ``SimServer.pull_cords``), its
        config table given :data:`SILENT_NODE`'s limits from the next command on."""
        self.configure({name: SILENT_NODE})
        self.cluster[name].pull_cords()

    def reset_posts(self, name: str) -> list[tuple[str, int | None]]:
        """``(ResetType, status)`` of every ComputerSystem.Reset POST ``name`` received."""
        return [(r.body.get("ResetType"), r.status) for r in self.cluster[name].requests
                if r.method == "POST" and r.path.endswith("ComputerSystem.Reset")
                and isinstance(r.body, dict)]

    def accepted_resets(self, name: str) -> list[str]:
        """ResetTypes of the Reset POSTs ``name`` accepted (2xx)."""
        return [t for t, status in self.reset_posts(name) if status and 200 <= status < 300]

    def move_mn_drives(self, src: str, dst: str, serials: Sequence[str] | None = None) -> None:
        """The operator: move the MN's drives from ``src`` into ``dst``'s free bays."""
        for serial in serials if serials is not None else mn_serials(self.cluster):
            self.cluster.move_drive(serial, src, dst)


def write_config(tmp: Path, cluster: SimCluster, failover: Mapping[str, Any] | None = None,
                 pair_name: str = "mn",
                 nodes: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[Path, Path]:
    """A config for ``cluster`` under ``tmp``: returns ``(config path, journal dir)``.

    :param nodes: keys replacing or adding to a node's table, by node name."""
    tmp.mkdir(parents=True, exist_ok=True)
    pw = tmp / "bmc.pw"
    pw.write_text(cluster["primary"].password + "\n")
    os.chmod(pw, 0o600)
    journal_dir = tmp / "journal"
    lines = [f"[pair]\nname = {toml_value(pair_name)}\n"
             f"journal_dir = {toml_value(str(journal_dir))}\n"]
    for name in ("primary", "standby"):
        server = cluster[name]
        table = {"bmc": server.url, "username": server.username, "password_file": str(pw),
                 "pin_fingerprint": cluster.fingerprint, "timeout": 20,
                 **(nodes or {}).get(name, {})}
        lines.append(f"[{name}]\n" + "".join(f"{k} = {toml_value(v)}\n"
                                             for k, v in table.items()))
    keys = {**FAILOVER_KEYS, **(failover or {})}
    lines.append("[failover]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in keys.items()))
    path = tmp / "hamnhw.toml"
    path.write_text("\n".join(lines))
    return path, journal_dir


def copy_journal(src: Path, dst: Path, pair_name: str = "mn") -> None:
    """Copy the journal of ``src`` (a journal directory) into ``dst``, modes kept: a pair
    made ready once (snapshot taken, active node recorded) serves many runs on a reset
    simulator, whose serials and MACs do not change."""
    import shutil

    dst.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{pair_name}.journal.sqlite"
    shutil.copy2(src / name, dst / name)


def ready(sim: PairSim) -> str:
    """Snapshot taken, primary recorded as the active MN; the config's path."""
    from clirun import hamnhw

    from hamnhw.config import load_config
    from hamnhw.pair import open_journal

    config = str(sim.config_path)
    code, out = hamnhw("pair", "snapshot", "--config", config)
    assert code == 0, out
    with open_journal(load_config(config)) as journal:
        journal.set_active_node("primary", "test")
    return config
