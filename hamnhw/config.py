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
    driver = "dell"                     # force a driver instead of detecting

    [nodes.bmc1.ipmi]                   # optional: the node's IPMI path, serving power
    url = "ipmi://10.0.0.5"             # when Redfish is unreachable (hamnhw.config_ipmi)

    [pair]
    name = "mgmt"                       # optional

    [primary]                           # node tables, addressable as nodes
    bmc = "redfish://10.0.0.5"          # "primary" and "standby"
    [standby]
    bmc = "redfish://10.0.0.6"

    [failover]                          # its keys come with the failover work

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
from hamnhw.connection import normalize_fingerprint
from hamnhw.errors import ConfigError

if TYPE_CHECKING:
    from hamnhw.config_ipmi import IpmiConfig

ENV_CONFIG = "HAMNHW_CONFIG"
"""Environment variable naming the config file."""
SYSTEM_CONFIG = Path("/etc/hamnhw/hamnhw.toml")
"""Last place looked at."""
LOCAL_CONFIG_NAME = "hamnhw.toml"
"""Looked for in the current directory."""

_NODE_KEYS: dict[str, tuple[type, ...]] = {
    "bmc": (str,),
    "username": (str,),
    "password_env": (str,),
    "password_file": (str,),
    "ca_file": (str,),
    "pin_fingerprint": (str,),
    "insecure": (bool,),
    "timeout": (int, float),
    "driver": (str,),
}
_PAIR_KEYS: dict[str, tuple[type, ...]] = {"name": (str,)}
_PAIR_NODES = ("primary", "standby")
_TOP_LEVEL = ("nodes", "pair", "primary", "standby", "failover")


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
    driver: str | None = None
    """Force a driver by name."""
    source: str | None = None
    """The file this came from, for messages."""
    table: str | None = None
    """The TOML table it came from (``nodes.bmc1``, ``primary``), for messages."""
    ipmi: IpmiConfig | None = None
    """The ``ipmi`` sub-table, if any."""

    def key(self, name: str) -> str:
        """Dotted config key of one of this node's settings, for messages."""
        return f"{self.table or self.name}.{name}"


@dataclasses.dataclass(frozen=True)
class Config:
    """A parsed config file."""

    path: str | None
    """Where it was read from (None for an empty, absent config)."""
    nodes: Mapping[str, NodeConfig]
    """All nodes by name, ``primary`` and ``standby`` included."""
    pair_name: str | None = None
    """``[pair] name``."""
    failover: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """``[failover]`` table (no keys defined yet)."""

    def node(self, name: str) -> NodeConfig:
        """Return the node called ``name``.

        :raises ConfigError: no such node.
        """
        if name not in self.nodes:
            known = ", ".join(sorted(self.nodes)) or "none"
            raise ConfigError(f"no node named {name!r} (known: {known})", path=self.path)
        return self.nodes[name]


def find_config(explicit: str | os.PathLike[str] | None = None, *,
                environ: Mapping[str, str] | None = None,
                cwd: str | os.PathLike[str] | None = None) -> Path | None:
    """Find the config file by the lookup order; None when there is none.

    An explicit path or ``$HAMNHW_CONFIG`` that does not exist is an error,
    not a reason to look further.
    """
    env = os.environ if environ is None else environ
    for given, origin in ((explicit, "--config"), (env.get(ENV_CONFIG) or None, ENV_CONFIG)):
        if given is not None:
            path = Path(given)
            if not path.is_file():
                raise ConfigError(f"config file not found (from {origin})", path=str(path))
            return path
    for candidate in (Path(cwd or os.getcwd()) / LOCAL_CONFIG_NAME, SYSTEM_CONFIG):
        if candidate.is_file():
            return candidate
    return None


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
    return parse_config(data, source=source, base_dir=Path(path).parent)


def parse_config(data: Mapping[str, Any], *, source: str | None = None,
                 base_dir: Path | None = None) -> Config:
    """Validate an already-parsed TOML document (see :func:`load_config`)."""
    _reject_unknown(data, _TOP_LEVEL, prefix="", source=source)
    nodes: dict[str, NodeConfig] = {}
    node_tables = _table(data, "nodes", source)
    for name in node_tables:
        nodes[name] = _node(name, _table(node_tables, name, source, prefix="nodes."),
                            f"nodes.{name}", source, base_dir)
    for name in _PAIR_NODES:
        if name in data:
            if name in nodes:
                raise ConfigError(f"node {name!r} defined twice ([{name}] and [nodes.{name}])",
                                  key=name, path=source)
            nodes[name] = _node(name, _table(data, name, source), name, source, base_dir)
    pair = _table(data, "pair", source)
    _check_keys(pair, _PAIR_KEYS, "pair.", source)
    failover = _table(data, "failover", source)
    if failover:
        first = next(iter(failover))
        raise ConfigError("[failover] accepts no keys yet (they come with the failover "
                          "support)", key=f"failover.{first}", path=source)
    return Config(source, nodes, pair.get("name"), failover)


def _table(data: Mapping[str, Any], key: str, source: str | None,
           prefix: str = "") -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"must be a table, got {_type_name(value)}", key=f"{prefix}{key}",
                          path=source)
    return value


def _node(name: str, table: Mapping[str, Any], where: str, source: str | None,
          base_dir: Path | None) -> NodeConfig:
    ipmi_table = _table(table, "ipmi", source, prefix=f"{where}.") if "ipmi" in table else None
    table = {k: v for k, v in table.items() if k != "ipmi"}
    _check_keys(table, _NODE_KEYS, f"{where}.", source)
    if "bmc" not in table:
        raise ConfigError("missing required key", key=f"{where}.bmc", path=source)
    for group in (("password_env", "password_file"), ("ca_file", "pin_fingerprint", "insecure")):
        given = [k for k in group if table.get(k) not in (None, False)]
        if len(given) > 1:
            raise ConfigError(f"choose one of {', '.join(group)}", key=f"{where}.{given[1]}",
                              path=source)
    _check_values(table, where, source)
    timeout = table.get("timeout")
    values = dict(table)
    for key in ("password_file", "ca_file"):
        if key in values and base_dir is not None:
            values[key] = str(base_dir / Path(values[key]).expanduser())
    if timeout is not None:
        values["timeout"] = float(timeout)
    if ipmi_table is not None:
        from hamnhw.config_ipmi import parse_ipmi_table

        values["ipmi"] = parse_ipmi_table(ipmi_table, table["bmc"], f"{where}.ipmi", source,
                                          base_dir)
    return NodeConfig(name=name, source=source, table=where, **values)


def _check_values(table: Mapping[str, Any], where: str, source: str | None) -> None:
    """Validate what the types alone do not: the timeout, the BMC URL, the fingerprint."""
    timeout = table.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise ConfigError(f"must be a finite number > 0, got {timeout}", key=f"{where}.timeout",
                          path=source)
    checks = (("bmc", parse_bmc_url), ("pin_fingerprint", normalize_fingerprint))
    for key, check in checks:
        if key in table:
            try:
                check(table[key])
            except ConfigError as exc:
                raise ConfigError(exc.message, key=f"{where}.{key}", path=source) from exc


def _check_keys(table: Mapping[str, Any], schema: Mapping[str, tuple[type, ...]], prefix: str,
                source: str | None) -> None:
    _reject_unknown(table, tuple(schema), prefix, source)
    for key, value in table.items():
        expected = schema[key]
        # bool is an int in Python; a boolean timeout is a type error all the same.
        if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
            wanted = " or ".join(dict.fromkeys(_TYPE_NAMES[t] for t in expected))
            raise ConfigError(f"must be {wanted}, got {_type_name(value)}", key=f"{prefix}{key}",
                              path=source)


def _reject_unknown(table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str,
                    source: str | None) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"unknown key (allowed: {', '.join(allowed)})",
                              key=f"{prefix}{key}", path=source)


_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "a number", float: "a number"}


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return _TYPE_NAMES.get(type(value), type(value).__name__)
