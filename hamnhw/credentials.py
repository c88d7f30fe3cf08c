"""Where the BMC username and password come from.

Password, first found wins:

1. an explicit password file (``--password-file``);
2. the node's ``password_env`` or ``password_file`` in the config;
3. ``$HAMNHW_PASSWORD``;
4. a prompt, when the caller supplies one (the CLI does on a TTY).

A username without any password source is a :class:`~hamnhw.errors.ConfigError`;
neither a username nor a password (a BMC without authentication) is allowed in the
library.  The CLI requires a username (``require_username``): without one it prompts on
a terminal, else it stops before anything is sent, rather than log in with an empty
name (a rejected login that counts toward the BMC's lockout).

Username: explicit (``--username``), the node's ``username``, ``$HAMNHW_USERNAME``, then
a prompt when the caller supplies one (the CLI does on a TTY).

A password is never taken from a command-line value.  A password file that
is group- or world-readable is refused.  The password is wrapped into a
:class:`~hamnhw.connection.Secret` the moment it is read.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from hamnhw.connection import Secret
from hamnhw.errors import ConfigError

if TYPE_CHECKING:  # the config's schema is imported once a config file is read
    from hamnhw.config import NodeConfig

ENV_PASSWORD = "HAMNHW_PASSWORD"  # noqa: S105 (a variable name, not a password)
"""Environment variable holding the BMC password."""
ENV_USERNAME = "HAMNHW_USERNAME"
"""Environment variable holding the BMC username."""

Prompt = Callable[[str], str]
"""Asks the user for a hidden value; given the prompt text."""


@dataclasses.dataclass(frozen=True)
class ResolvedCredentials:
    """The outcome of credential resolution."""

    username: str | None
    """Account name, or None when no source gave one."""
    password: Secret | None = dataclasses.field(repr=False)
    """Password, or None when no source gave one."""
    password_source: str | None = None
    """Where the password came from (``--password-file PATH``, ``$HAMNHW_PASSWORD``,
    ``primary.password_file PATH``...), for logs and a refused login's message."""


def read_password_file(path: str | os.PathLike[str], *, key: str | None = None,
                       config_path: str | None = None) -> Secret:
    """Read a password from a file that only its owner can read.

    The trailing newline is dropped; nothing else is.

    :param key: config key that named the file, for messages.
    :param config_path: config file that named it, for messages.
    :raises ConfigError: missing, unreadable, empty, or group/world-readable.
    """
    where = {"key": key, "path": config_path} if config_path else {"key": key}
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ConfigError(f"password file {os.fspath(path)!r}: {exc.strerror}", **where) from exc
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise ConfigError(
            f"password file {os.fspath(path)!r} is readable by group or others "
            f"(mode {stat.S_IMODE(mode):04o}); run: chmod 600 {os.fspath(path)}", **where)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"password file {os.fspath(path)!r} unreadable: {exc}", **where) from exc
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise ConfigError(f"password file {os.fspath(path)!r} is empty", **where)
    return Secret(text)


def resolve_username(explicit: str | None, node: NodeConfig | None,
                     environ: Mapping[str, str] | None = None) -> str | None:
    """Username from the option, the config, then ``$HAMNHW_USERNAME``."""
    env = os.environ if environ is None else environ
    for candidate in (explicit, node.username if node else None, env.get(ENV_USERNAME)):
        if candidate:
            return candidate
    return None


def resolve_password(password_file: str | None, node: NodeConfig | None,
                     environ: Mapping[str, str] | None = None,
                     prompt: Prompt | None = None,
                     prompt_text: str = "BMC password") -> tuple[Secret | None, str | None]:
    """Password and its source, by the order in the module docstring.

    :param password_file: explicit password file.
    :param node: the node's config, if the target is a configured node.
    :param prompt: called last, when given (the CLI passes one only on a TTY).
    :raises ConfigError: a named source is unusable (unsafe file, unset
        ``password_env`` variable).
    """
    env = os.environ if environ is None else environ
    if password_file:
        return _labelled(read_password_file(password_file), f"--password-file {password_file}")
    if node is not None and node.password_env:
        value = env.get(node.password_env)
        if not value:
            raise ConfigError(f"environment variable {node.password_env} is not set",
                              key=node.key("password_env"), path=node.source)
        return _labelled(Secret(value), f"${node.password_env}")
    if node is not None and node.password_file:
        secret = read_password_file(node.password_file, key=node.key("password_file"),
                                    config_path=node.source)
        return _labelled(secret, f"{node.key('password_file')} {node.password_file}")
    if env.get(ENV_PASSWORD):
        return _labelled(Secret(env[ENV_PASSWORD]), f"${ENV_PASSWORD}")
    if prompt is not None:
        return _labelled(Secret(prompt(prompt_text)), "the prompt")
    return None, None


def _labelled(secret: Secret, source: str) -> tuple[Secret, str]:
    """``secret`` named by ``source`` (what a refused login says), and the source."""
    secret.source = source
    return secret, source


def resolve_credentials(*, username: str | None = None, password_file: str | None = None,
                        node: NodeConfig | None = None,
                        environ: Mapping[str, str] | None = None,
                        prompt: Prompt | None = None,
                        username_prompt: Prompt | None = None,
                        require_username: str | None = None) -> ResolvedCredentials:
    """Resolve both username and password.

    The password prompt is only used when a username is known: a BMC without
    authentication (some emulators) is reached with neither.

    :param username_prompt: asks for the username when no source gives one (visible
        input; the CLI passes one only on a TTY).
    :param require_username: the node's name (a config name or the URL): a username is
        then required (the prompt names the node; the error names a config node as its
        ``host``, ``primary: no username``, a command over both pair nodes included).
    :raises ConfigError: a username is known but no source gives a password
        (rather than trying an empty one, which counts against the BMC's
        lockout); no username although ``require_username`` was given.
    """
    user = resolve_username(username, node, environ)
    if user is None and username_prompt is not None:
        user = username_prompt(f"BMC username for {require_username or 'the BMC'}").strip() or None
    if user is None and require_username is not None:
        raise ConfigError("no username: use --username, the node's "
                          f"username in the config, or {ENV_USERNAME}",
                          path=node.source if node else None, host=node.name if node else None)
    text = f"BMC password for {user}" + (f" on {node.name}" if node else "")
    password, source = resolve_password(password_file, node, environ,
                                        prompt if user else None, text)
    if user and password is None:
        raise ConfigError(f"no password for {user}: use --password-file, the node's "
                          f"password_env/password_file, {ENV_PASSWORD} or a terminal",
                          path=node.source if node else None, host=node.name if node else None)
    return ResolvedCredentials(user, password, source)
