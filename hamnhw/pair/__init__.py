"""The MN pair as a whole: its two configured nodes, its journal and its last snapshot.

A small library API for every pair feature (failover, RAID pair protection, ``pair check``,
monitoring)::

    from hamnhw.config import load_config
    from hamnhw import pair

    config = load_config("/etc/hamnhw/hamnhw.toml")
    snap = pair.load_latest_snapshot(config)      # None before the first `hamnhw pair snapshot`
    if snap is not None:
        print(snap.age_s, snap.raid1_members("primary"))   # (("SER1", "Bay 1"), ...)
    print(pair.active_node(config))                # "primary", or None when nobody recorded it
    records = pair.read_records(config)            # both at once; .error: journal unreadable
    with pair.connect_node(config, "standby") as node:
        print(node.power.state())

The nodes are the config's ``[primary]`` and ``[standby]`` tables; credentials and TLS come
from there, never from the command line.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable

from hamnhw.address import parse_bmc_url
from hamnhw.config import Config
from hamnhw.config_ipmi import ipmi_settings
from hamnhw.connection import Timeouts
from hamnhw.credentials import ResolvedCredentials, resolve_credentials
from hamnhw.deadline import Deadline
from hamnhw.errors import ConfigError
from hamnhw.failover.journal import Journal, JournalError, damage_remedy, journal_path
from hamnhw.ipmi_fallback import IpmiSettings
from hamnhw.node import Node
from hamnhw.pair.snapshot import NodeSnapshot, PairSnapshot
from hamnhw.poll import PollPolicy

__all__ = [
    "PAIR_NODES", "JournalRecords", "NodeSnapshot", "PairSnapshot", "active_node",
    "connect_node", "connect_timeout", "existing_journal", "ipmi_boot_mode", "ipmi_boot_modes",
    "load_latest_snapshot", "node_credentials", "open_journal", "other_node",
    "read_active_node", "read_records",
]

PAIR_NODES: tuple[str, str] = ("primary", "standby")
"""The two nodes of the pair, as named in the config."""


def other_node(name: str) -> str:
    """The pair node that is not ``name``."""
    if name not in PAIR_NODES:
        raise ConfigError(f"{name!r} is not a node of the pair ({', '.join(PAIR_NODES)})")
    return PAIR_NODES[1] if name == PAIR_NODES[0] else PAIR_NODES[0]


def check_pair_config(config: Config) -> None:
    """Both ``[primary]`` and ``[standby]`` must be configured.

    :raises ConfigError: one is missing.
    """
    for name in PAIR_NODES:
        if name not in config.nodes:
            raise ConfigError(f"the pair needs a [{name}] table", key=name, path=config.path)


def open_journal(config: Config, *, create: bool = True) -> Journal:
    """The pair's journal (``[pair] journal_dir``/``<name>.journal.sqlite``).

    :raises JournalError: with ``create=False``, there is none yet.
    """
    return Journal.open(journal_path(config.pair.journal_dir, config.pair.journal_name),
                        create=create)


def load_latest_snapshot(config: Config) -> PairSnapshot | None:
    """The newest ``hamnhw pair snapshot``, or None when none was taken, there is no journal,
    or it cannot be read (:func:`read_records` tells them apart)."""
    try:
        journal = open_journal(config, create=False)
    except JournalError:
        return None
    with journal:
        return PairSnapshot.from_journal(journal)


def existing_journal(config: Config) -> Journal | None:
    """The pair's journal opened for reading, or None when its file does not exist.

    :raises JournalError: the file exists (or may) but cannot be read: its permissions, a
        directory this user cannot search, a damaged file, a schema of another hamnhw.
    """
    path = journal_path(config.pair.journal_dir, config.pair.journal_name)
    try:
        with path.open("rb"):  # the system's own words for a file this user cannot read
            pass
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JournalError(f"journal {path} cannot be read: {exc.strerror or exc}") from exc
    try:
        return Journal.open(path, create=False)
    except JournalError as exc:
        if not isinstance(exc.__cause__, sqlite3.Error):
            raise
        raise JournalError(f"journal {path} cannot be read: {exc.__cause__}"
                           f"{damage_remedy(exc.__cause__)}") from exc


def active_node(config: Config) -> str | None:
    """The active MN as the journal records it, or None when it does not know (no journal,
    or one that cannot be read: :func:`read_active_node` tells them apart)."""
    try:
        return read_active_node(config)
    except JournalError:
        return None


def read_active_node(config: Config) -> str | None:
    """The active MN as the journal records it, or None (no journal, or none recorded).

    :raises JournalError: the journal exists but cannot be read.
    """
    return read_records(config).active_or_raise()


@dataclasses.dataclass(frozen=True)
class JournalRecords:
    """What the pair's journal on this host records for those that only read it (``pair
    status``, ``check pair``, the exporter, the RAID guard): :func:`read_records`."""

    active: str | None
    """The active MN as recorded; None: none recorded, no journal, or :attr:`error`."""
    snapshot: PairSnapshot | None
    """The newest ``hamnhw pair snapshot``; None: none taken, no journal, or :attr:`error`."""
    error: JournalError | None = None
    """The journal exists but cannot be read (its message names the file and why): nothing
    it records can be told, which is not the same as nothing recorded."""

    def active_or_raise(self) -> str | None:
        """:attr:`active`.

        :raises JournalError: :attr:`error`.
        """
        if self.error is not None:
            raise self.error
        return self.active


def read_records(config: Config) -> JournalRecords:
    """The active node and the newest snapshot the pair's journal records, read at once;
    an unreadable journal (its permissions, a damaged file, another hamnhw's schema) is
    :attr:`JournalRecords.error`, never "nothing recorded"."""
    try:
        journal = existing_journal(config)
        if journal is None:
            return JournalRecords(None, None)
        with journal:
            record = journal.active_node()
            snapshot = PairSnapshot.from_journal(journal)
    except JournalError as exc:
        return JournalRecords(None, None, exc)
    except (sqlite3.Error, ValueError) as exc:
        return JournalRecords(None, None, JournalError(
            f"journal {journal_path(config.pair.journal_dir, config.pair.journal_name)} "
            f"cannot be read: {exc}"))
    return JournalRecords(None if record is None else record.name, snapshot)


def connect_node(config: Config, name: str, *, poll: PollPolicy | None = None,
                 deadline: Deadline | None = None,
                 prompt: Callable[[str], str] | None = None,
                 credentials: ResolvedCredentials | None = None) -> Node:
    """Connect to the pair node ``name`` with the config's credentials, TLS and IPMI
    settings (an IPMI node's boot mode: its ``boot_mode``, else the newest snapshot's).

    :param prompt: asks for a password when no source gives one (a TTY); None never asks.
    :param credentials: resolved already (:func:`node_credentials`: asked before a deadline
        starts, or before reads run side by side); None resolves them now.
    """
    import hamnhw

    node_cfg = config.node(name)
    creds = credentials or node_credentials(config, name, prompt)
    return hamnhw.connect(
        node_cfg.bmc, username=creds.username, password=creds.password,
        ca_file=node_cfg.ca_file, pin_fingerprint=node_cfg.pin_fingerprint,
        insecure=node_cfg.insecure, timeout=node_cfg.timeout or 120.0, driver=node_cfg.driver,
        poll=poll, name=name, deadline=deadline, ipmi=_ipmi_settings(config, name),
        connect_timeout=node_cfg.connect_timeout or _DEFAULTS.connect,
        read_timeout=node_cfg.read_timeout or _DEFAULTS.read)


def node_credentials(config: Config, name: str,
                     prompt: Callable[[str], str] | None = None) -> ResolvedCredentials:
    """The credentials of pair node ``name`` from the config (``prompt`` asks for a password
    no source gives; None never asks).

    :raises ConfigError: a password source is missing or unusable."""
    return resolve_credentials(username=None, password_file=None, node=config.node(name),
                               prompt=prompt)


_DEFAULTS = Timeouts()
"""The per-request timeouts a node table leaves unset."""


def connect_timeout(config: Config, name: str) -> float:
    """The seconds a TCP connect (and TLS handshake) to ``name``'s BMC may take."""
    return float(config.node(name).connect_timeout or _DEFAULTS.connect)



def _ipmi_settings(config: Config, name: str) -> IpmiSettings | None:
    """The node's IPMI settings; an IPMI node without a configured ``boot_mode`` keeps the
    boot mode the newest pair snapshot recorded (taken over Redfish earlier), if any."""
    node_cfg = config.node(name)
    speaks_ipmi = node_cfg.ipmi is not None or parse_bmc_url(node_cfg.bmc).protocol == "ipmi"
    if not speaks_ipmi or node_cfg.boot_mode is not None:
        return ipmi_settings(node_cfg)
    mode = ipmi_boot_mode(config, name)
    if mode is None:
        return ipmi_settings(node_cfg)
    return ipmi_settings(dataclasses.replace(node_cfg, boot_mode=mode))


def ipmi_boot_mode(config: Config, name: str) -> str | None:
    """The boot mode (``UEFI``/``Legacy``) an IPMI boot override of pair node ``name`` will
    use: its configured ``boot_mode``, else the one the newest pair snapshot recorded; None
    when neither tells (IPMI cannot read it: a one-time override would be refused)."""
    configured = config.node(name).boot_mode
    if configured is not None:
        return configured
    snapshot = load_latest_snapshot(config)
    recorded = snapshot.nodes.get(name) if snapshot is not None else None
    mode = recorded.boot_mode if recorded is not None else None
    return mode if mode in ("UEFI", "Legacy") else None


def ipmi_boot_modes(config: Config) -> dict[str, str | None]:
    """The pair nodes reached over IPMI only (an ``ipmi://`` bmc URL), each with
    :func:`ipmi_boot_mode`: what ``pair check`` judges."""
    return {name: ipmi_boot_mode(config, name) for name in PAIR_NODES
            if name in config.nodes and parse_bmc_url(config.node(name).bmc).protocol == "ipmi"}
