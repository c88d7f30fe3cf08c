"""The environment given to child processes hamnhw starts.

A child process (an IPMI tool, a peer emulator, an editor) must not inherit
variables that hold secrets: :func:`child_env` removes them, and
:func:`config_secret_variables` names every one a config file points at.  A
command hamnhw runs for the user on untrusted input (``events listen --exec``)
gets less still: :func:`plain_env`, a few well-known variables and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

SECRET_VARIABLES = ("HAMNHW_PASSWORD",)
"""Variables always removed from a child's environment."""
PLAIN_VARIABLES = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR")
"""The variables :func:`plain_env` passes on (and every ``LC_*``)."""


def child_env(secret_names: Iterable[str] = ()) -> dict[str, str]:
    """Return a copy of ``os.environ`` without secret-holding variables.

    :param secret_names: further variables to drop, e.g. the ``password_env``
        named by a node's config.
    :returns: a new dict, safe to pass as ``env=`` to :mod:`subprocess`.
    """
    dropped = {*SECRET_VARIABLES, *secret_names}
    return {key: value for key, value in os.environ.items() if key not in dropped}


def plain_env(secret_names: Iterable[str] = ()) -> dict[str, str]:
    """Only :data:`PLAIN_VARIABLES` and ``LC_*`` of :func:`child_env`: for a command that
    must not see whatever else hamnhw's environment holds (a password variable that no
    config names, a token)."""
    return {key: value for key, value in child_env(secret_names).items()
            if key in PLAIN_VARIABLES or key.startswith("LC_")}


def config_secret_variables(nodes: Iterable[Any]) -> list[str]:
    """Every variable the config's nodes read a secret from: ``password_env``, and their
    ``ipmi`` tables' ``password_env`` and ``kg_env``.

    :param nodes: :class:`hamnhw.config.NodeConfig` objects (``Config.nodes.values()``).
    """
    names: list[str] = []
    for node in nodes:
        ipmi = getattr(node, "ipmi", None)
        for name in (getattr(node, "password_env", None), getattr(ipmi, "password_env", None),
                     getattr(ipmi, "kg_env", None)):
            if name and name not in names:
                names.append(name)
    return names
