"""From a node command's options to :func:`hamnhw.connect`'s arguments: the node's config
entry, its credentials (options over config over the environment, a prompt on a terminal)
and TLS choice (:func:`connect_arguments`).  :mod:`hamnhw.cli.options` connects with them.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from hamnhw.config_ipmi import ipmi_settings
from hamnhw.configpath import LOOKED_AT, find_config
from hamnhw.credentials import Prompt, resolve_credentials
from hamnhw.errors import ConfigError
from hamnhw.log import get_logger

if TYPE_CHECKING:  # the config: imported when a config file is found (load_node_config)
    from hamnhw.cli.options import TargetOptions
    from hamnhw.config import Config, NodeConfig

LOG = get_logger("hamnhw.cli")


def is_url(node: str) -> bool:
    """True when NODE is a BMC URL rather than a node name."""
    return "://" in node


def load_node_config(target: TargetOptions, environ: Mapping[str, str] | None = None,
                     cwd: str | None = None, config: Config | None = None) -> NodeConfig | None:
    """The config entry for a node name; None for a URL.

    :param config: the config already loaded (a fan-out reads it once), else it is found.
    """
    if is_url(target.node):
        return None
    if config is not None:
        return config.node(target.node)
    path = find_config(target.config, environ=environ, cwd=cwd)
    if path is None:
        raise ConfigError(f"{target.node!r} is not a BMC URL (like redfish://host) and no config "
                          f"file was found ({LOOKED_AT})")
    from hamnhw.config import load_config  # not at import: see hamnhw.configpath

    return load_config(path).node(target.node)


def connect_arguments(target: TargetOptions, *, environ: Mapping[str, str] | None = None,
                      cwd: str | None = None, prompt: Prompt | None = None,
                      username_prompt: Prompt | None = None,
                      config: Config | None = None) -> dict[str, Any]:
    """Keyword arguments for :func:`hamnhw.connect`, options over config over defaults.

    :param config: the config already loaded (else it is found and read).
    :raises ConfigError: no username (and no ``username_prompt``), no password for it,
        a config problem.
    """
    node_cfg = load_node_config(target, environ, cwd, config)
    creds = resolve_credentials(username=target.username, password_file=target.password_file,
                                node=node_cfg, environ=environ, prompt=prompt,
                                username_prompt=username_prompt, require_username=target.node)
    LOG.debug("password for %s from %s", target.node, creds.password_source or "nowhere")
    kwargs: dict[str, Any] = {
        "url": node_cfg.bmc if node_cfg else target.node,
        "name": target.node,
        "username": creds.username,
        "password": creds.password,
        "driver": node_cfg.driver if node_cfg else None,
    }
    kwargs.update(_tls_arguments(target, node_cfg))
    ipmi = ipmi_settings(node_cfg, environ)
    if ipmi is not None:
        kwargs["ipmi"] = ipmi
    timeout = target.timeout or (node_cfg.timeout if node_cfg else None)
    if timeout:
        kwargs["timeout"] = timeout
    if node_cfg is not None:
        kwargs.update(node_cfg.request_timeouts())
    return kwargs


def each_connect_arguments(nodes: Sequence[str], options: TargetOptions,
                           config: Config | None) -> dict[str, dict[str, Any] | ConfigError]:
    """:func:`connect_arguments` of every node (a fan-out's), resolved in this thread: a
    password prompt is asked once and its answer used for every node that needs one; a node
    whose options cannot be resolved gets its error instead.

    :param options: the command's connection options (``node`` empty).
    :param config: the config already loaded, None with BMC URLs alone.
    """
    answers: dict[str, str] = {}

    def once(ask: Prompt | None) -> Prompt | None:
        if ask is None:
            return None
        return lambda text: answers.setdefault("answer", ask(text))

    resolved: dict[str, dict[str, Any] | ConfigError] = {}
    for name in nodes:
        target = dataclasses.replace(options, node=name)
        try:
            resolved[name] = connect_arguments(target, environ=None, prompt=once(tty_prompt()),
                                               username_prompt=None, config=config)
        except ConfigError as exc:
            resolved[name] = exc
    return resolved


def _tls_arguments(target: TargetOptions, node_cfg: NodeConfig | None) -> dict[str, Any]:
    """Command-line TLS choice replaces the config's as a whole."""
    if target.ca_file or target.pin_fingerprint or target.insecure:
        source: Any = target
    elif node_cfg is not None:
        source = node_cfg
    else:
        return {}
    return {"ca_file": source.ca_file, "pin_fingerprint": source.pin_fingerprint,
            "insecure": bool(source.insecure)}


def tty_prompt() -> Prompt | None:
    """A hidden-input prompt when stdin is a terminal, else None."""
    if not sys.stdin.isatty():
        return None
    return lambda text: click.prompt(text, hide_input=True, err=True)


def tty_username_prompt() -> Prompt | None:
    """A visible-input prompt when stdin is a terminal, else None."""
    if not sys.stdin.isatty():
        return None
    return lambda text: str(click.prompt(text, err=True))


def tty_connect_arguments(target: TargetOptions) -> dict[str, Any]:
    """:func:`connect_arguments` from the process environment, prompting on a terminal."""
    return connect_arguments(target, environ=os.environ, prompt=tty_prompt(),
                             username_prompt=tty_username_prompt())
