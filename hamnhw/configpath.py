"""Where the config file is: an explicit path (``--config``), ``$HAMNHW_CONFIG``,
``./hamnhw.toml``, ``/etc/hamnhw/hamnhw.toml``, first found wins.

Apart from :mod:`hamnhw.config` (which re-exports it) so that a command finding no config
file never imports the parser, its schema's dataclasses and :mod:`tomllib`: ``hamnhw power
status`` is timed as a whole process against redfishtool (docs/performance.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from hamnhw.errors import ConfigError

ENV_CONFIG = "HAMNHW_CONFIG"
"""Environment variable naming the config file."""
SYSTEM_CONFIG = Path("/etc/hamnhw/hamnhw.toml")
"""Last place looked at."""
LOCAL_CONFIG_NAME = "hamnhw.toml"
"""Looked for in the current directory."""
LOOKED_AT = "--config, $HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml"
"""Where a config is looked for, as a message names it."""


def find_config(explicit: str | os.PathLike[str] | None = None, *,
                environ: Mapping[str, str] | None = None,
                cwd: str | os.PathLike[str] | None = None,
                origin: str = "--config") -> Path | None:
    """Find the config file by the lookup order; None when there is none.

    An explicit path or ``$HAMNHW_CONFIG`` that does not exist is an error,
    not a reason to look further.

    :param origin: where ``explicit`` came from, said when it does not exist (the
        command line's ``--config`` unless told otherwise).
    """
    env = os.environ if environ is None else environ
    for given, source in ((explicit, origin), (env.get(ENV_CONFIG) or None, ENV_CONFIG)):
        if given is not None:
            path = Path(given)
            if not path.is_file():
                raise ConfigError(f"config file not found (from {source})", path=str(path))
            return path
    for candidate in (Path(cwd or os.getcwd()) / LOCAL_CONFIG_NAME, SYSTEM_CONFIG):
        if candidate.is_file():
            return candidate
    return None
