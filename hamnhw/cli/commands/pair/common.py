"""What the pair-wide commands (``pair``, ``failover``, ``drill``) share: no NODE and no
``--timeout`` (nodes, credentials and TLS from ``[primary]``/``[standby]``, time budgets
from ``[failover]``), only ``--config``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from hamnhw.config import Config, find_config, load_config
from hamnhw.errors import ConfigError
from hamnhw.pair import check_pair_config

config_option = click.option(
    "--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
    help="Config file with [primary], [standby], [pair] and [failover] (default: "
         "$HAMNHW_CONFIG, ./hamnhw.toml, /etc/hamnhw/hamnhw.toml).")


def load_pair_config(config_path: str | None) -> Config:
    """The config holding the pair.

    :raises ConfigError: no config file, or no [primary]/[standby].
    """
    path = find_config(config_path, environ=os.environ)
    if path is None:
        raise ConfigError("no config file found (--config, $HAMNHW_CONFIG, ./hamnhw.toml, "
                          "/etc/hamnhw/hamnhw.toml): the pair commands need [primary] and "
                          "[standby]")
    config = load_config(path)
    check_pair_config(config)
    return config


def age_text(seconds: float) -> str:
    """``42 s``, ``5 min``, ``3 h``, ``2 d``."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


Renderer = Callable[[dict[str, Any]], str]
