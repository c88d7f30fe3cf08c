"""A hamnhw config file naming the servers of a running simulator (``hamnhw sim --config-out``).

Every simulated server becomes a node table ``[nodes.NAME]`` with its URL, username, the
certificate fingerprint (HTTPS) and a ``password_file`` beside the config, mode 0600.  The
ports in it hold while that simulator runs (a fixed ``--port-base`` keeps them across runs)::

    hamnhw sim --names primary,standby --config-out sim.toml &
    hamnhw power status --config sim.toml primary

With ``hamnhw sim --pair`` it is a failover pair's config instead (:func:`write_pair_config`)::

    hamnhw sim --pair --tls --config-out pair.toml &
    hamnhw pair snapshot --config pair.toml
    hamnhw failover start --dry-run --config pair.toml
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from hamnhw.sim.server import SimServer


def password_path(config_path: Path) -> Path:
    """Where the password goes: beside the config, ``<stem>.password``."""
    candidate = config_path.with_suffix(".password")
    return candidate if candidate != config_path else config_path.with_name(
        config_path.name + ".password")


def write_client_config(servers: Iterable[SimServer], config_path: str | os.PathLike[str],
                        fingerprint: str | None = None,
                        ipmi_urls: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Write the config for ``servers`` and their password file.

    :param fingerprint: the SHA-256 of the simulator's certificate (HTTPS), pinned for
        every node; None for plain HTTP.
    :param ipmi_urls: server name -> its IPMI URL (``hamnhw sim --ipmi``): the node gets
        that IPMI path (``[nodes.NAME.ipmi]``: power when Redfish does not answer), and an
        IPMI-only node ``NAME-ipmi`` addresses it by name.
    :returns: the config path and the password file's path.
    :raises ValueError: the servers do not share one username and password (the
        ``hamnhw sim`` command's never differ).
    """
    chosen = list(servers)
    accounts = {(s.username, s.password) for s in chosen}
    if len(accounts) != 1:
        raise ValueError("the simulated servers do not share one username and password")
    ((username, password),) = accounts
    path = Path(config_path)
    secret = password_path(path)
    _write_private(secret, password + "\n")
    lines = ["# Written by `hamnhw sim --config-out`: the simulated BMCs below answer while",
             "# that simulator runs (simulator-only credentials).", ""]
    for server in chosen:
        lines += [f"[nodes.{json.dumps(server.name)}]",
                  f"bmc = {json.dumps(server.url)}",
                  f"username = {json.dumps(username)}",
                  f"password_file = {json.dumps(secret.name)}"]
        if fingerprint:
            lines.append(f"pin_fingerprint = {json.dumps(fingerprint)}")
        lines.append("")
        lines += _ipmi_tables(server.name, (ipmi_urls or {}).get(server.name),
                              {s.name for s in chosen}, username, secret.name)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, secret


def _ipmi_tables(name: str, url: str | None, names: set[str], username: str,
                 secret: str) -> list[str]:
    """A node's IPMI path and the IPMI-only node ``NAME-ipmi`` (unless a server has that
    name)."""
    if url is None:
        return []
    lines = [f"[nodes.{json.dumps(name)}.ipmi]          # power when Redfish does not answer",
             f"url = {json.dumps(url)}", ""]
    if f"{name}-ipmi" not in names:
        lines += [f"[nodes.{json.dumps(name + '-ipmi')}]          # the same node over IPMI only",
                  f"bmc = {json.dumps(url)}", f"username = {json.dumps(username)}",
                  f"password_file = {json.dumps(secret)}", ""]
    return lines


def write_pair_config(servers: Iterable[SimServer], config_path: str | os.PathLike[str],
                      fingerprint: str | None, mn_address: str,
                      ipmi_urls: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Write the config of a simulated MN pair (``hamnhw sim --pair``): ``[primary]`` and
    ``[standby]`` tables, ``[pair]`` with a journal directory beside the config, and
    ``[failover]`` budgets fit for the simulator with ``mn_address`` (the MN stand-in) as
    both the address that must be silent before a power-on and the reachability check."""
    path, secret = write_client_config(servers, config_path, fingerprint, ipmi_urls)
    text = path.read_text(encoding="utf-8")
    for name in ("primary", "standby"):  # [nodes."primary"] and [nodes."primary".ipmi]
        text = text.replace(f"[nodes.{json.dumps(name)}", f"[{name}")
    journal = pair_journal_dir(path)  # relative to the config, as [pair] reads it
    text += "\n".join([
        "[pair]", 'name = "sim"', f"journal_dir = {json.dumps(journal.name)}", "",
        "[failover]", "graceful_timeout = 10", "power_off_timeout = 20", "post_timeout = 30",
        "boot_timeout = 60", "poll_interval = 0.5", "probe_timeout = 1",
        f"mn_addresses = [{json.dumps(mn_address)}]", f"reachable = [{json.dumps(mn_address)}]",
        ""])
    path.write_text(text, encoding="utf-8")
    return path, secret


def pair_journal_dir(config_path: str | os.PathLike[str]) -> Path:
    """The journal directory of a simulated pair's config: ``<stem>-journal`` beside it."""
    path = Path(config_path)
    return path.with_name(path.stem + "-journal")


def set_old_journal_aside(config_path: str | os.PathLike[str]) -> Path | None:
    """Move the journal an earlier simulated pair left beside ``config_path`` out of the way,
    to ``<stem>-journal.old-<time>``: a new simulator's pair (the primary running the MN,
    the standby empty) starts with a fresh journal, never with the runs and active node of
    a simulator that is gone.

    :returns: where it went, or None when there was none (or it was empty).
    :raises JournalBusy: a hamnhw coordinator holds it (nothing moved).
    """
    from hamnhw.failover.lock import JournalLock

    journal = pair_journal_dir(config_path)
    if not journal.is_dir() or not any(journal.iterdir()):
        return None
    locks = [JournalLock(lock) for lock in sorted(journal.glob("*.lock"))]
    with contextlib.ExitStack() as held:
        for lock in locks:
            held.enter_context(lock)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = journal.with_name(f"{journal.name}.old-{stamp}")
        for index in itertools.count(2):
            if not aside.exists():
                break
            aside = journal.with_name(f"{journal.name}.old-{stamp}-{index}")
        journal.rename(aside)
    return aside


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
