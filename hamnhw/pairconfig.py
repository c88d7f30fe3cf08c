"""The ``[pair]`` and ``[failover]`` tables of the config file (see :mod:`hamnhw.config`).

::

    [pair]
    name = "mn"                          # names the journal file; default "pair"
    journal_dir = "/var/lib/hamnhw"      # where the failover journal lives (one journal host)

    [failover]
    graceful_timeout = 300               # s of GracefulShutdown before ForceOff; 0 = force at once
    power_off_timeout = 120              # s for a ForceOff to be read Off twice
    post_timeout = 600                   # s for the target's POST to show fresh evidence
    boot_timeout = 900                   # s for the new MN to boot and pass its checks
    poll_interval = 2.0                  # s between two reads (shorter than the BMC's transition)
    mn_addresses = ["10.0.0.1:22"]       # host:port that must be silent before a power-on
    probe_timeout = 2.0                  # s a TCP check waits for a connection (none: silent), >= 1
    reachable = ["10.0.0.1:22"]          # host:port TCP checks that the new MN is up
    ssh_host = "10.0.0.1:22"             # optional: its SSH host key must match the snapshot's
    verify_commands = [["ssh", "root@mn", "lsdef", "-t", "site"]]   # argv lists, no shell
    active_restore_policy = "AlwaysOn"   # what the active MN gets
    disk_move_steps = ["echo '{...lease4-del...}' | socat UNIX:/run/kea/kea4-ctrl-socket -"]
                                         # printed in the WORK ORDER (run by hand, not by hamnhw)

Every key has a default; an unknown key, a wrong type or a bad value is a
:class:`~hamnhw.errors.ConfigError` naming the key and the file.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from hamnhw.configkeys import reject_unknown
from hamnhw.errors import ConfigError
from hamnhw.models import PowerRestorePolicy

DEFAULT_JOURNAL_DIR = "/var/lib/hamnhw"
"""Where the journal lives unless ``[pair] journal_dir`` says otherwise."""
DEFAULT_PAIR_NAME = "pair"
"""The journal's file name stem when ``[pair] name`` is absent."""


@dataclasses.dataclass(frozen=True)
class PairSettings:
    """``[pair]``."""

    name: str | None = None
    """The pair's name (names the journal file)."""
    journal_dir: str = DEFAULT_JOURNAL_DIR
    """Directory of the journal (absolute, or relative to the config file)."""
    active: str | None = None
    """``primary`` or ``standby``: the active node as the config states it, the last resort
    of a monitoring host that cannot read the journal (:mod:`hamnhw.monitor.pair`)."""

    @property
    def journal_name(self) -> str:
        """The journal's file name stem: the pair's name or ``pair``."""
        return self.name or DEFAULT_PAIR_NAME


@dataclasses.dataclass(frozen=True)
class FailoverSettings:
    """``[failover]``: time budgets, checks and policies of the coordinator."""

    graceful_timeout: float = 300.0
    """Seconds of graceful shutdown (OS and controller flush their caches); 0 = force-off."""
    power_off_timeout: float = 120.0
    """Seconds for a force-off to be confirmed (Off read twice)."""
    post_timeout: float = 600.0
    """Seconds for the target's POST to show fresh evidence."""
    boot_timeout: float = 900.0
    """Seconds for the new MN to boot and pass the checks."""
    poll_interval: float = 2.0
    """Seconds between two reads of a BMC during a wait."""
    mn_addresses: tuple[str, ...] = ()
    """``host:port`` addresses of the MN that must be silent before the target powers on:
    a connection accepted or refused (a host holds the address) stops the power-on."""
    probe_timeout: float = 2.0
    """Seconds a TCP check of ``mn_addresses`` or ``reachable`` waits for its connection:
    none within it is silence."""
    reachable: tuple[str, ...] = ()
    """``host:port`` TCP checks that the new MN is up."""
    ssh_host: str | None = None
    """``host:port`` whose SSH host key must match the one ``pair snapshot`` recorded."""
    verify_commands: tuple[tuple[str, ...], ...] = ()
    """Commands (argv, no shell) run after boot; each must exit 0 within ``boot_timeout``."""
    active_restore_policy: PowerRestorePolicy = PowerRestorePolicy.ALWAYS_ON
    """Restore policy the active MN gets."""
    disk_move_steps: tuple[str, ...] = ()
    """Steps the operator does by hand while the old node is off and before the target
    boots (Kea's ``lease4-del`` commands that ``hamnhw dhcp render --format kea`` prints):
    the WORK ORDER lists them; hamnhw never runs them."""


_NUMBER = (int, float)
PROBE_FLOOR_S = 1.0
"""The shortest ``probe_timeout``: TCP's first SYN retry (as
:data:`hamnhw.noanswer.SILENT_CONNECT_S` for a BMC's silence)."""
_BUDGETS = ("graceful_timeout", "power_off_timeout", "post_timeout", "boot_timeout",
            "poll_interval", "probe_timeout")


def parse_pair(table: Mapping[str, Any], source: str | None,
               base_dir: Any = None) -> PairSettings:
    """Validate ``[pair]``; a relative ``journal_dir`` is relative to the config file."""
    reject_unknown(table, ("name", "journal_dir", "active"), "pair.", source)
    for key in ("name", "journal_dir", "active"):
        if key in table and (not isinstance(table[key], str) or not table[key]):
            raise ConfigError(f"must be a string (not empty), got {table[key]!r}",
                              key=f"pair.{key}", path=source)
    name = table.get("name")
    if name is not None and ("/" in name or name.startswith(".")):
        raise ConfigError("must not contain '/' or start with '.' (it names the journal file)",
                          key="pair.name", path=source)
    active = table.get("active")
    if active is not None and active not in ("primary", "standby"):
        raise ConfigError(f"must be one of primary, standby, got {active!r}",
                          key="pair.active", path=source)
    journal_dir = table.get("journal_dir", DEFAULT_JOURNAL_DIR)
    if base_dir is not None and not journal_dir.startswith("/"):
        journal_dir = str(base_dir / journal_dir)
    return PairSettings(name, journal_dir, active)


def parse_failover(table: Mapping[str, Any], source: str | None) -> FailoverSettings:
    """Validate ``[failover]`` (see the module docstring for the keys)."""
    fields = [f.name for f in dataclasses.fields(FailoverSettings)]
    reject_unknown(table, tuple(fields), "failover.", source)
    values: dict[str, Any] = {}
    for key in _BUDGETS:
        if key in table:
            values[key] = _seconds(table[key], key, source, zero_ok=key == "graceful_timeout")
    if values.get("probe_timeout", PROBE_FLOOR_S) < PROBE_FLOOR_S:
        raise ConfigError(f"must be at least {PROBE_FLOOR_S:g} s (no connection within it is "
                          "taken for no host at an MN address; a running host slow to "
                          f"answer must not be), got {values['probe_timeout']:g}",
                          key="failover.probe_timeout", path=source)
    for key in ("mn_addresses", "reachable"):
        if key in table:
            values[key] = tuple(_address(v, f"failover.{key}", source)
                                for v in _list(table[key], key, source))
    if "disk_move_steps" in table:
        steps = _list(table["disk_move_steps"], "disk_move_steps", source)
        if not all(isinstance(step, str) and step.strip() for step in steps):
            raise ConfigError("must be a list of strings (not empty), one step each",
                              key="failover.disk_move_steps", path=source)
        values["disk_move_steps"] = tuple(step.strip() for step in steps)
    if "ssh_host" in table:
        values["ssh_host"] = _address(table["ssh_host"], "failover.ssh_host", source)
    if "verify_commands" in table:
        values["verify_commands"] = tuple(_argv(v, source)
                                          for v in _list(table["verify_commands"],
                                                         "verify_commands", source))
    if "active_restore_policy" in table:
        value = table["active_restore_policy"]
        try:
            values["active_restore_policy"] = PowerRestorePolicy(value)
        except ValueError:
            allowed = ", ".join(p.value for p in PowerRestorePolicy)
            raise ConfigError(f"must be one of {allowed}, got {value!r}",
                              key="failover.active_restore_policy", path=source) from None
    return FailoverSettings(**values)


def split_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port``) as ``(host, port)``.

    :raises ValueError: no port, or a port outside 1..65535.
    """
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{address!r} is not host:port")
    return host, int(port)


def _seconds(value: Any, key: str, source: str | None, *, zero_ok: bool) -> float:
    bad = (not isinstance(value, _NUMBER) or isinstance(value, bool)
           or not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok))
    if bad:
        floor = ">= 0" if zero_ok else "> 0"
        raise ConfigError(f"must be a finite number of seconds {floor}, got {value!r}",
                          key=f"failover.{key}", path=source)
    return float(value)


def _list(value: Any, key: str, source: str | None) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError("must be an array", key=f"failover.{key}", path=source)
    return value


def _address(value: Any, key: str, source: str | None) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"must be a host:port string, got {value!r}", key=key, path=source)
    try:
        split_address(value)
    except ValueError as exc:
        raise ConfigError(str(exc), key=key, path=source) from None
    return value


def _argv(value: Any, source: str | None) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(arg, str) and arg for arg in value)):
        raise ConfigError("each command must be a non-empty array of non-empty strings "
                          "(argv, run without a shell)", key="failover.verify_commands",
                          path=source)
    return tuple(value)
