"""The ``ipmi`` sub-table of a node in the config file (see :mod:`hamnhw.config`).

::

    [nodes.bmc1]
    bmc = "redfish://10.0.0.5"
    [nodes.bmc1.ipmi]                   # the node's IPMI path: serves power when Redfish is
    url = "ipmi://10.0.0.5"             # unreachable (hamnhw.ipmi_fallback)
    username = "ADMIN"                  # default: the node's account
    password_env = "BMC1_IPMI_PASSWORD" # or password_file; default: the node's password
    kg_env = "BMC1_KG"                  # the BMC key (Kg), when the BMC requires one
    privilege = "administrator"         # or "operator", "user"
    pacing = 1.0                        # seconds between two IPMI commands to the BMC

    [nodes.old1]
    bmc = "ipmi://10.0.0.9"             # an IPMI-only node: its sub-table takes only
    boot_mode = "UEFI"                  # (a node key: what a boot override keeps when the
                                        # BMC's boot flags do not tell the mode)
    [nodes.old1.ipmi]                   # kg_env, privilege and pacing
    kg_env = "OLD1_KG"
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hamnhw.address import parse_bmc_url
from hamnhw.configkeys import check_keys
from hamnhw.connection import Secret
from hamnhw.credentials import read_password_file
from hamnhw.errors import ConfigError
from hamnhw.ipmi_fallback import IpmiSettings

if TYPE_CHECKING:  # the config's schema is imported once a config file is read
    from hamnhw.config import NodeConfig

_IPMI_KEYS: dict[str, tuple[type, ...]] = {
    "url": (str,),
    "username": (str,),
    "password_env": (str,),
    "password_file": (str,),
    "kg_env": (str,),
    "privilege": (str,),
    "pacing": (int, float),
}
_IPMI_OWN_KEYS = ("kg_env", "privilege", "pacing")
"""The ipmi sub-table keys allowed when the node's bmc is itself an ipmi:// URL."""
IPMI_PRIVILEGES = ("user", "operator", "administrator")


@dataclasses.dataclass(frozen=True)
class IpmiConfig:
    """A node's ``ipmi`` sub-table (``[nodes.<name>.ipmi]``, ``[primary.ipmi]``)."""

    url: str | None = None
    """``ipmi://host[:port]``: the IPMI path of a Redfish node (None with an ipmi:// bmc)."""
    username: str | None = None
    """IPMI account; None: the node's."""
    password_env: str | None = None
    """Environment variable holding the IPMI password; None (and no file): the node's."""
    password_file: str | None = None
    """File holding the IPMI password."""
    kg_env: str | None = None
    """Environment variable holding the BMC key (Kg)."""
    privilege: str | None = None
    """``user``, ``operator`` or ``administrator``."""
    pacing: float | None = None
    """Minimum seconds between two IPMI commands to the BMC."""

def parse_ipmi_table(table: Mapping[str, Any], bmc: str, where: str, source: str | None,
          base_dir: Path | None) -> IpmiConfig:
    """Validate a node's ``ipmi`` sub-table against the node's ``bmc`` URL.

    :raises ConfigError: naming the key and the file.
    """
    check_keys(table, _IPMI_KEYS, f"{where}.", source)
    own = parse_bmc_url(bmc).protocol == "ipmi"
    for key in table:
        if own and key not in _IPMI_OWN_KEYS:
            raise ConfigError(f"bmc is already an ipmi:// URL: this table takes only "
                              f"{', '.join(_IPMI_OWN_KEYS)}", key=f"{where}.{key}", path=source)
    if not own and "url" not in table:
        raise ConfigError("missing required key (the ipmi:// URL of the node's IPMI path)",
                          key=f"{where}.url", path=source)
    if "password_env" in table and "password_file" in table:
        raise ConfigError("choose one of password_env, password_file",
                          key=f"{where}.password_file", path=source)
    checks: dict[str, Callable[[Any], None]] = {
        "url": _ipmi_url, "privilege": _privilege, "pacing": _pacing}
    for key, check in checks.items():
        if key in table:
            try:
                check(table[key])
            except ConfigError as exc:
                raise ConfigError(exc.message, key=f"{where}.{key}", path=source) from exc
    values = dict(table)
    if "password_file" in values and base_dir is not None:
        values["password_file"] = str(base_dir / Path(values["password_file"]).expanduser())
    if "pacing" in values:
        values["pacing"] = float(values["pacing"])
    return IpmiConfig(**values)


def _ipmi_url(value: str) -> None:
    if parse_bmc_url(value).protocol != "ipmi":
        raise ConfigError(f"must be an ipmi:// URL, got {value!r}")


def _privilege(value: str) -> None:
    if value not in IPMI_PRIVILEGES:
        raise ConfigError(f"must be one of {', '.join(IPMI_PRIVILEGES)}, got {value!r}")


def _pacing(value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(f"must be a finite number of seconds >= 0, got {value}")


def ipmi_settings(node: NodeConfig | None,
                  environ: Mapping[str, str] | None = None) -> IpmiSettings | None:
    """:func:`hamnhw.connect`'s ``ipmi`` argument for a configured node (its password and
    Kg read from their variables or file now, its ``boot_mode``), or None when it has neither
    an ``ipmi`` sub-table nor a ``boot_mode``.

    :raises ConfigError: a named variable is unset, a password file is unusable.
    """
    if node is None or (node.ipmi is None and node.boot_mode is None):
        return None
    if node.ipmi is None:
        own = parse_bmc_url(node.bmc).protocol == "ipmi"
        return IpmiSettings(boot_mode=node.boot_mode) if own else None
    config, env = node.ipmi, os.environ if environ is None else environ
    where = node.key("ipmi")
    password = _from_env(config.password_env, env, f"{where}.password_env", node.source)
    if config.password_file:
        password = read_password_file(config.password_file, key=f"{where}.password_file",
                                      config_path=node.source)
    kg = _from_env(config.kg_env, env, f"{where}.kg_env", node.source)
    return IpmiSettings(url=config.url, username=config.username, password=password, kg=kg,
                        privilege=config.privilege, pacing=config.pacing,
                        boot_mode=node.boot_mode)


def _from_env(name: str | None, env: Mapping[str, str], key: str,
              source: str | None) -> Secret | None:
    if name is None:
        return None
    value = env.get(name)
    if not value:
        raise ConfigError(f"environment variable {name} is not set", key=key, path=source)
    return Secret(value)
