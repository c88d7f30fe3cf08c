"""The ``[defaults]`` and ``[groups]`` tables of the config file (see :mod:`hamnhw.config`):
many nodes without many credential blocks, and named node lists.

::

    [defaults]                       # a node table every node inherits (its own keys win)
    username = "root"
    password_env = "BMC_PASSWORD"
    ca_file = "/etc/hamnhw/bmc-ca.pem"
    timeout = 60

    [groups]                         # named lists of config node names
    rack1 = ["n001", "n002", "n003"]
    compute = ["n001", "n002", "n003", "n004"]

``[defaults]`` takes every node key but ``bmc`` and the ``ipmi`` sub-table.  Keys that choose
one source among several are inherited as a choice, not key by key: a node giving any of
``password_env`` / ``password_file`` replaces the defaults' password source, and any of
``ca_file`` / ``pin_fingerprint`` / ``insecure`` (even ``insecure = false``) replaces the
defaults' TLS choice.  The TLS choice is inherited by HTTPS nodes only: an ``ipmi://`` or
``redfish+http://`` node, to which TLS options do not apply (they are an error in its own
table), does not inherit them.  Relative paths are relative to the config file, as in a node table.

A group lists known node names (``[primary]`` and ``[standby]`` included), each once; a
group may not be named like a node (a target name must mean one thing), and its name is
letters, digits, ``_`` and ``-``.  An unknown node, a duplicate or a bad name is a
:class:`~hamnhw.errors.ConfigError` naming the key and the file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.errors import ConfigError
from hamnhw.nodenames import no_such

TLS_NODE_KEYS = ("ca_file", "pin_fingerprint", "insecure")
"""The TLS choice: for HTTPS nodes only."""

EXCLUSIVE_NODE_KEYS: tuple[tuple[str, ...], ...] = (
    ("password_env", "password_file"),
    TLS_NODE_KEYS,
)
"""Node keys of which one chooses the source: at most one of each tuple is set, and a node
inherits the defaults' choice only when it gives none of the tuple's keys."""

NOT_INHERITED = ("bmc", "ipmi")
"""Node keys ``[defaults]`` may not give."""

_GROUP_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$")


def inherit(defaults: Mapping[str, Any], table: Mapping[str, Any]) -> dict[str, Any]:
    """A node table with the ``[defaults]`` it does not override.

    :param defaults: the validated ``[defaults]`` table.
    :param table: the node's own table.
    """
    merged = dict(table)
    without_tls = not _https(table.get("bmc"))
    for key, value in defaults.items():
        if key in table or any(key in group and any(k in table for k in group)
                               for group in EXCLUSIVE_NODE_KEYS):
            continue
        if without_tls and key in TLS_NODE_KEYS:
            continue
        merged[key] = value
    return merged


def _https(bmc: object) -> bool:
    """Whether ``bmc`` is a Redfish URL over HTTPS (a bad one counts as HTTPS: the node
    table's own check reports it)."""
    if not isinstance(bmc, str):
        return True
    try:
        address = parse_bmc_url(bmc)
    except ConfigError:
        return True
    return address.protocol == "redfish" and address.tls


def reject_not_inherited(defaults: Mapping[str, Any], source: str | None) -> None:
    """Refuse a ``[defaults]`` key that only a node can have (its BMC URL).

    :raises ConfigError: naming ``defaults.<key>``.
    """
    for key in NOT_INHERITED:
        if key in defaults:
            raise ConfigError("each node gives its own; [defaults] cannot",
                              key=f"defaults.{key}", path=source)


def parse_groups(table: Mapping[str, Any], node_names: Collection[str],
                 source: str | None) -> dict[str, tuple[str, ...]]:
    """Validate ``[groups]``: each value a list of known node names, each once.

    :param node_names: the config's nodes (names), to check members against.
    :raises ConfigError: naming ``groups.<name>``.
    """
    groups: dict[str, tuple[str, ...]] = {}
    for name, members in table.items():
        key = f"groups.{name}"
        if not _GROUP_NAME.match(name):
            raise ConfigError("a group name is letters, digits, '_' and '-' (at most 63)",
                              key=key, path=source)
        if name in node_names:
            raise ConfigError(f"{name!r} is also a node name; a group needs a name of its own",
                              key=key, path=source)
        groups[name] = _members(members, node_names, key, source)
    return groups


def _members(members: Any, node_names: Collection[str], key: str,
             source: str | None) -> tuple[str, ...]:
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise ConfigError("must be an array of node names (strings)", key=key, path=source)
    seen: set[str] = set()
    for member in members:
        if member not in node_names:
            raise ConfigError(no_such("node", member, node_names, "nodes"), key=key,
                              path=source)
        if member in seen:
            raise ConfigError(f"{member!r} is listed twice", key=key, path=source)
        seen.add(member)
    return tuple(members)
