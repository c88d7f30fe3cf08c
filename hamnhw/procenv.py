"""The environment given to child processes hamnhw starts.

A child process (an IPMI tool, a peer emulator, an editor) must not inherit
variables that hold secrets: :func:`child_env` removes them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

SECRET_VARIABLES = ("HAMNHW_PASSWORD",)
"""Variables always removed from a child's environment."""


def child_env(secret_names: Iterable[str] = ()) -> dict[str, str]:
    """Return a copy of ``os.environ`` without secret-holding variables.

    :param secret_names: further variables to drop, e.g. the ``password_env``
        named by a node's config.
    :returns: a new dict, safe to pass as ``env=`` to :mod:`subprocess`.
    """
    dropped = {*SECRET_VARIABLES, *secret_names}
    return {key: value for key, value in os.environ.items() if key not in dropped}
