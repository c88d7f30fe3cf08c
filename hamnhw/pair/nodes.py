"""Which pair node (``primary``, ``standby``) a command addresses, however it is spelt: the
pair's own name, another config entry for the same BMC, or a BMC URL in any accepted form
(scheme, case, default port, trailing slash, ``localhost`` for ``127.0.0.1``, a host name
for its address); and which pair nodes may be the active MN (:func:`possibly_active`).  The
RAID guard, the fleet ``--yes`` guard and the unfinished-run guard of ``power on|cycle``
(:mod:`hamnhw.pair.runguard`) all ask here.

Two BMC addresses are the same BMC when their ports (the scheme's default when none is
given) are equal, their host names are equal or resolve to a common address, and they do not
pick two different systems.  Names are resolved only when the text does not already match,
all of a command's at once, each within :data:`RESOLVE_TIMEOUT_S`; a name that does not
resolve in time matches only itself.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

from hamnhw.address import parse_bmc_url
from hamnhw.config import Config
from hamnhw.errors import ConfigError
from hamnhw.pair import PAIR_NODES, JournalRecords, read_records

RESOLVE_TIMEOUT_S = 2.0
"""Longest wait for the name service on one host name."""
RESOLVERS = 64
"""Host names resolved at once."""


@dataclasses.dataclass(frozen=True)
class BmcKey:
    """What identifies a BMC in an address."""

    host: str
    """The host, canonical: an IP address compressed, a name lower-case without a final
    dot."""
    port: int
    """The port, the scheme's default when none is given."""
    system_id: str | None
    """The system the URL picks, if any."""

    def may_be(self, other: BmcKey) -> bool:
        """True when both may name one BMC: same port, not two systems of it."""
        return self.port == other.port and not (self.system_id and other.system_id
                                                and self.system_id != other.system_id)

    def same_bmc(self, other: BmcKey,
                 resolve: Callable[[str], frozenset[str]] | None = None) -> bool:
        """True when both name one BMC (and not two systems of it).

        :param resolve: a host's addresses (default :func:`addresses`).
        """
        if not self.may_be(other):
            return False
        lookup = resolve or addresses
        return self.host == other.host or bool(lookup(self.host) & lookup(other.host))


def bmc_key(url: str) -> BmcKey | None:
    """The key of a BMC URL; None when it is not one."""
    try:
        address = parse_bmc_url(url)
    except ConfigError:
        return None
    port = address.port or (443 if address.tls else 80)
    return BmcKey(canonical_host(address.host), port, address.system_id)


def canonical_host(host: str) -> str:
    """``host`` as compared: an IP literal in its compressed form, a name lower-case without
    its final dot."""
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host.lower().rstrip(".")


def addresses(host: str) -> frozenset[str]:
    """The IP addresses ``host`` stands for (itself when it is one; none when it does not
    resolve within :data:`RESOLVE_TIMEOUT_S`)."""
    return resolve_all([host])[host]


def resolve_all(hosts: Iterable[str]) -> Mapping[str, frozenset[str]]:
    """:func:`addresses` of each host, :data:`RESOLVERS` names at a time, each name given
    about :data:`RESOLVE_TIMEOUT_S`; a name not resolved by then stands for no address."""
    names = sorted(set(hosts))
    found: dict[str, frozenset[str]] = {}
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for name in names:
        todo.put(name)

    def work() -> None:
        while True:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                return
            found[name] = _lookup(name)

    workers = [threading.Thread(target=work, name="resolve", daemon=True)
               for _ in range(min(RESOLVERS, len(names)))]
    for worker in workers:
        worker.start()
    end = time.monotonic() + RESOLVE_TIMEOUT_S * math.ceil(len(names) / RESOLVERS)
    for worker in workers:
        worker.join(max(0.0, end - time.monotonic()))
    done = dict(found)  # a late answer is not waited for
    return {name: done.get(name, frozenset()) for name in names}


def _lookup(host: str) -> frozenset[str]:
    """``host``'s addresses (itself when it is one), as long as the name service takes."""
    try:
        return frozenset({ipaddress.ip_address(host).compressed})
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset(canonical_host(str(info[4][0]).split("%", 1)[0]) for info in infos)


def pair_node_of(config: Config, node: str) -> str | None:
    """``primary`` or ``standby`` when ``node`` (a config name or a BMC URL) addresses one of
    them; None otherwise."""
    return pair_nodes_of(config, [node]).get(node)


def pair_nodes_of(config: Config, nodes: Sequence[str]) -> dict[str, str]:
    """The pair node (``primary``, ``standby``) each of ``nodes`` (config names or BMC URLs)
    addresses, for those that address one; the host names still in doubt after comparing
    the text are resolved together (:func:`resolve_all`)."""
    pair_nodes = [n for n in PAIR_NODES if n in config.nodes]
    keys = {n: bmc_key(config.nodes[n].bmc) for n in pair_nodes}
    found: dict[str, str] = {}
    doubtful: dict[str, tuple[BmcKey, list[str]]] = {}
    for node in nodes:
        if node in pair_nodes:
            found[node] = node
            continue
        wanted = bmc_key(config.nodes[node].bmc if node in config.nodes else node)
        if wanted is None:
            continue
        exact = [n for n, key in keys.items() if key == wanted]
        if exact:
            found[node] = exact[0]
            continue
        maybe = [n for n, key in keys.items() if key is not None and key.may_be(wanted)]
        if maybe:
            doubtful[node] = (wanted, maybe)
    hosts = {k.host for wanted, maybe in doubtful.values()
             for k in (wanted, *(keys[n] for n in maybe)) if k is not None}
    resolved = resolve_all(hosts) if doubtful else {}
    for node, (wanted, maybe) in doubtful.items():
        hit = next((n for n in maybe if (key := keys[n]) is not None
                    and key.same_bmc(wanted, resolved.__getitem__)), None)
        if hit is not None:
            found[node] = hit
    return found


def possibly_active(config: Config, records: JournalRecords | None = None
                    ) -> tuple[tuple[str, ...], str]:
    """The pair nodes that may be the active MN, and what says so: the failover journal's
    active node, else ``[pair] active``, else both pair nodes (nothing tells which).  A
    journal that exists but cannot be read counts both pair nodes: it may record a
    failover that ``[pair] active`` does not know of.

    :param records: the journal as already read (default: read it now,
        :func:`~hamnhw.pair.read_records`).
    """
    both = tuple(n for n in PAIR_NODES if n in config.nodes)
    records = read_records(config) if records is None else records
    if records.error is not None:
        return both, f"possibly: the failover journal cannot be read ({records.error})"
    recorded = records.active
    if recorded:
        return (recorded,), "failover journal"
    if config.pair_active:
        return (config.pair_active,), "[pair] active"
    return both, "possibly: no failover is recorded and no [pair] active says which"
