"""The hamnhw configuration file (TOML), one schema for every command.

Lookup, first found wins: an explicit path (``--config``), ``$HAMNHW_CONFIG``,
``./hamnhw.toml``, ``/etc/hamnhw/hamnhw.toml``.

::

    [nodes.bmc1]
    bmc = "redfish://10.0.0.5"          # required: a BMC URL
    username = "root"
    password_file = "/etc/hamnhw/bmc1.pw"   # or: password_env = "BMC1_PASSWORD"
    ca_file = "/etc/hamnhw/bmc-ca.pem"      # or: pin_fingerprint = "ab:cd:..." or insecure = true
    timeout = 120                       # seconds, overall deadline of one operation
    connect_timeout = 5                 # seconds per TCP connect and TLS handshake
    read_timeout = 30                   # seconds per wait for bytes on a connection
    driver = "dell"                     # force a driver instead of detecting
    boot_mode = "UEFI"                  # or "Legacy": the firmware's boot mode, where the
                                        # BMC cannot tell it (IPMI boot overrides)

    [nodes.bmc1.ipmi]                   # optional: the node's IPMI path, serving power
    url = "ipmi://10.0.0.5"             # when Redfish is unreachable (hamnhw.config_ipmi)

    [pair]                              # keys: hamnhw.pairconfig
    name = "mgmt"                       # optional
    journal_dir = "/var/lib/hamnhw"
    active = "primary"                  # optional: the monitoring host's last resort

    [primary]                           # node tables, addressable as nodes
    bmc = "redfish://10.0.0.5"          # "primary" and "standby"
    [standby]
    bmc = "redfish://10.0.0.6"

    [failover]                          # keys and defaults: hamnhw.pairconfig
    graceful_timeout = 300

    [network]                           # addresses for `hamnhw dhcp render`
    machine_id = "0123...cdef"          # optional: /etc/machine-id of the MN's OS (networkd DUID)
    alias_suffix = "-standby"           # optional: xCAT name of the standby MAC's entry
    [network.nics."NIC.Integrated.1-1-1"]   # a primary NIC id, as `hamnhw nics primary` shows
    ip = "10.0.0.10/24"                 # required: the address (prefix optional, Kea needs it)
    hostname = "mn"                     # required
    client_id = "ff:..."                # optional: a client-id reservation
    ifname = "eno1"                     # optional: with machine_id, the networkd client id

    [defaults]                          # keys every node inherits: hamnhw.fleetconfig
    username = "root"
    password_env = "BMC_PASSWORD"

    [groups]                            # named node lists: hamnhw.fleetconfig
    rack1 = ["bmc1", "primary"]

The schema is strict: an unknown key, a wrong type or a missing ``bmc`` is a
:class:`~hamnhw.errors.ConfigError` naming the key and the file.  Relative
``password_file`` and ``ca_file`` paths are relative to the config file.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hamnhw.address import parse_bmc_url
from hamnhw.configkeys import check_keys, reject_unknown
from hamnhw.configkeys import subtable as _table
from hamnhw.confignetwork import NetworkConfig, parse_network
from hamnhw.confignetwork import NetworkNic as NetworkNic  # re-exported: its old home
from hamnhw.configpath import find_config as find_config  # the lookup's home before
from hamnhw.connection import normalize_fingerprint
from hamnhw.errors import ConfigError
from hamnhw.fleetconfig import EXCLUSIVE_NODE_KEYS, inherit, parse_groups, reject_not_inherited
from hamnhw.nodenames import no_such
from hamnhw.pairconfig import FailoverSettings, PairSettings, parse_failover, parse_pair

if TYPE_CHECKING:
    from hamnhw.config_ipmi import IpmiConfig


_NODE_KEYS: dict[str, tuple[type, ...]] = {
    "bmc": (str,),
    "username": (str,),
    "password_env": (str,),
    "password_file": (str,),
    "ca_file": (str,),
    "pin_fingerprint": (str,),
    "insecure": (bool,),
    "timeout": (int, float),
    "connect_timeout": (int, float),
    "read_timeout": (int, float),
    "driver": (str,),
    "boot_mode": (str,),
    "drive_serials": (list,),
}
_SECONDS = ("timeout", "connect_timeout", "read_timeout")
"""Node keys in seconds."""
_PAIR_NODES = ("primary", "standby")
_TOP_LEVEL = ("nodes", "pair", "primary", "standby", "failover", "network", "defaults",
              "groups")


@dataclasses.dataclass(frozen=True)
class NodeConfig:
    """One ``[nodes.<name>]`` (or ``[primary]``/``[standby]``) table."""

    name: str
    """Node name as addressed on the command line."""
    bmc: str
    """BMC URL."""
    username: str | None = None
    """BMC account."""
    password_env: str | None = None
    """Environment variable holding the password."""
    password_file: str | None = None
    """File holding the password (must not be group- or world-readable)."""
    ca_file: str | None = None
    """PEM bundle to verify the BMC certificate against."""
    pin_fingerprint: str | None = None
    """SHA-256 fingerprint of the BMC certificate."""
    insecure: bool = False
    """Skip TLS verification."""
    timeout: float | None = None
    """Overall deadline of one operation, seconds."""
    connect_timeout: float | None = None
    """TCP connect and TLS handshake, per request, seconds (None: 5 s).  A BMC that is
    silent (pulled power cords) costs this per read (a connect that timed out is not tried
    again); under 1 s its running out is no silence for the failover
    (:data:`hamnhw.noanswer.SILENT_CONNECT_S`)."""
    read_timeout: float | None = None
    """Wait for bytes on an open connection, per read, seconds (None: 30 s)."""
    driver: str | None = None
    """Force a driver by name."""
    boot_mode: str | None = None
    """``UEFI`` or ``Legacy``: the node's firmware boot mode, for a boot override over IPMI
    when the BMC's boot flags do not tell it (None: not configured)."""
    source: str | None = None
    """The file this came from, for messages."""
    table: str | None = None
    """The TOML table it came from (``nodes.bmc1``, ``primary``), for messages."""
    ipmi: IpmiConfig | None = None
    """The ``ipmi`` sub-table, if any."""
    drive_serials: tuple[str, ...] = ()
    """``[primary]``/``[standby]`` only: serials of the MN's RAID1 members held by this
    node, for a pair its BMCs cannot show them for (IPMI only) and no snapshot recorded."""

    def key(self, name: str) -> str:
        """Dotted config key of one of this node's settings, for messages."""
        return f"{self.table or self.name}.{name}"

    def request_timeouts(self) -> dict[str, float]:
        """``connect_timeout`` and ``read_timeout`` as :func:`hamnhw.connect` arguments
        (those the config gives)."""
        given = {"connect_timeout": self.connect_timeout, "read_timeout": self.read_timeout}
        return {key: value for key, value in given.items() if value is not None}


@dataclasses.dataclass(frozen=True)
class Config:
    """A parsed config file."""

    path: str | None
    """Where it was read from (None for an empty, absent config)."""
    nodes: Mapping[str, NodeConfig]
    """All nodes by name, ``primary`` and ``standby`` included."""
    pair: PairSettings = dataclasses.field(default_factory=PairSettings)
    """``[pair]`` (:mod:`hamnhw.pairconfig`)."""
    failover: FailoverSettings = dataclasses.field(default_factory=FailoverSettings)
    """``[failover]`` (:mod:`hamnhw.pairconfig`)."""

    @property
    def pair_name(self) -> str | None:
        """``[pair] name``."""
        return self.pair.name
    network: NetworkConfig = dataclasses.field(default_factory=lambda: NetworkConfig({}))
    """``[network]`` table: the MN's addresses for ``hamnhw dhcp render``."""
    groups: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """``[groups]``: node names by group name, in file order (:mod:`hamnhw.fleetconfig`)."""

    @property
    def pair_active(self) -> str | None:
        """``[pair] active``: the active node when neither the failover journal nor live state
        can tell (the monitoring host's fallback, see :mod:`hamnhw.monitor.pair`)."""
        return self.pair.active

    def node(self, name: str) -> NodeConfig:
        """Return the node called ``name``.

        :raises ConfigError: no such node.
        """
        if name not in self.nodes:
            raise ConfigError(no_such("node", name, self.nodes, "nodes"), path=self.path)
        return self.nodes[name]

    def group(self, name: str) -> tuple[str, ...]:
        """Return the node names of the group ``name``.

        :raises ConfigError: no such group.
        """
        if name not in self.groups:
            raise ConfigError(no_such("group", name, self.groups, "groups"), path=self.path)
        return self.groups[name]


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a config file.

    :raises ConfigError: unreadable file, TOML syntax error, or schema error
        (naming the key and the file).
    """
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=source) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=source) from exc
    except UnicodeDecodeError as exc:  # tomllib reads UTF-8 only
        raise ConfigError(f"not valid TOML: not UTF-8 text (byte {exc.start})",
                          path=source) from exc
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError("not valid TOML: arrays or tables nested too deeply",
                          path=source) from None
    return parse_config(data, source=source, base_dir=Path(path).parent)


def parse_config(data: Mapping[str, Any], *, source: str | None = None,
                 base_dir: Path | None = None) -> Config:
    """Validate an already-parsed TOML document (see :func:`load_config`)."""
    reject_unknown(data, _TOP_LEVEL, prefix="", source=source)
    defaults = _defaults(_table(data, "defaults", source), source)
    nodes: dict[str, NodeConfig] = {}
    node_tables = _table(data, "nodes", source)
    for name in node_tables:
        table = inherit(defaults, _table(node_tables, name, source, prefix="nodes."))
        nodes[name] = _node(name, table, f"nodes.{name}", source, base_dir)
    for name in _PAIR_NODES:
        if name in data:
            if name in nodes:
                raise ConfigError(f"node {name!r} defined twice ([{name}] and [nodes.{name}])",
                                  key=name, path=source)
            table = inherit(defaults, _table(data, name, source))
            nodes[name] = _node(name, table, name, source, base_dir)
    groups = parse_groups(_table(data, "groups", source), nodes.keys(), source)
    pair = parse_pair(_table(data, "pair", source), source, base_dir)
    failover = parse_failover(_table(data, "failover", source), source)
    network = parse_network(_table(data, "network", source), source)
    return Config(source, nodes, pair, failover, network, groups)


def _defaults(table: Mapping[str, Any], source: str | None) -> Mapping[str, Any]:
    """``[defaults]``: validated like a node table, without ``bmc`` (nor ``ipmi``)."""
    reject_not_inherited(table, source)
    _check_node_table(table, "defaults", source)
    return table


def _check_node_table(table: Mapping[str, Any], where: str, source: str | None) -> None:
    """Types, one source per exclusive group, and values of a node (or defaults) table."""
    check_keys(table, _NODE_KEYS, f"{where}.", source,
               tables=() if where == "defaults" else ("ipmi",))
    for group in EXCLUSIVE_NODE_KEYS:
        given = [k for k in group if table.get(k) not in (None, False)]
        if len(given) > 1:
            raise ConfigError(f"choose one of {', '.join(group)}", key=f"{where}.{given[1]}",
                              path=source)
    _check_values(table, where, source)


def _node(name: str, table: Mapping[str, Any], where: str, source: str | None,
          base_dir: Path | None) -> NodeConfig:
    ipmi_table = _table(table, "ipmi", source, prefix=f"{where}.") if "ipmi" in table else None
    table = {k: v for k, v in table.items() if k != "ipmi"}
    _check_node_table(table, where, source)
    if "bmc" not in table:
        raise ConfigError("missing required key", key=f"{where}.bmc", path=source)
    values = dict(table)
    for key in ("password_file", "ca_file"):
        if key in values and base_dir is not None:
            values[key] = str(base_dir / Path(values[key]).expanduser())
    for key in _SECONDS:
        if values.get(key) is not None:
            values[key] = float(values[key])
    if "boot_mode" in values:
        values["boot_mode"] = BOOT_MODES[values["boot_mode"].lower()]
    if "drive_serials" in values:
        values["drive_serials"] = _serials(values["drive_serials"], where, source)
    if ipmi_table is not None:
        from hamnhw.config_ipmi import parse_ipmi_table

        values["ipmi"] = parse_ipmi_table(ipmi_table, table["bmc"], f"{where}.ipmi", source,
                                          base_dir)
    return NodeConfig(name=name, source=source, table=where, **values)


def _serials(value: list[Any], where: str, source: str | None) -> tuple[str, ...]:
    if where not in _PAIR_NODES:
        raise ConfigError("only [primary] and [standby] list drive serials",
                          key=f"{where}.drive_serials", path=source)
    if not all(isinstance(s, str) and s.strip() for s in value):
        raise ConfigError("must be an array of non-empty strings (drive serial numbers)",
                          key=f"{where}.drive_serials", path=source)
    return tuple(dict.fromkeys(s.strip() for s in value))


def _check_values(table: Mapping[str, Any], where: str, source: str | None) -> None:
    """Validate what the types alone do not: the timeouts, the BMC URL, the fingerprint."""
    for key in _SECONDS:
        seconds = table.get(key)
        if seconds is not None and not (math.isfinite(seconds) and seconds > 0):
            raise ConfigError(f"must be a finite number > 0, got {seconds}",
                              key=f"{where}.{key}", path=source)
    checks = (("bmc", parse_bmc_url), ("pin_fingerprint", normalize_fingerprint),
              ("boot_mode", _boot_mode))
    for key, check in checks:
        if key in table:
            try:
                check(table[key])
            except ConfigError as exc:
                raise ConfigError(exc.message, key=f"{where}.{key}", path=source) from exc


BOOT_MODES = {"uefi": "UEFI", "legacy": "Legacy"}
"""``boot_mode`` values (any case) and their spelling in hamnhw (Redfish's)."""


def _boot_mode(value: str) -> None:
    if value.lower() not in BOOT_MODES:
        raise ConfigError(f"must be \"UEFI\" or \"Legacy\", got {value!r}")
