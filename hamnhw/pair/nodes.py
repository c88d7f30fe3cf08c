"""Which pair node (``primary``, ``standby``) a command addresses, however it is spelt: the
pair's own name, another config entry for the same BMC, or a BMC URL in any accepted form
(scheme, case, default port, trailing slash, ``localhost`` for ``127.0.0.1``, a host name
for its address); and which pair nodes may be the active MN (:func:`possibly_active`).  The
RAID guard, the fleet ``--yes`` guard and the unfinished-run guard of ``power on|cycle``
(:mod:`hamnhw.pair.runguard`) all ask here.

Two BMC addresses are the same BMC when their host names are equal or resolve to a common
address, they do not pick two different systems and, both being Redfish URLs, their ports
(the scheme's default when none is given) are equal: an ``ipmi://`` address of a host
is that host's BMC whatever the port, as Redfish and IPMI of one BMC answer on different
ports (in doubt, a guard matches and refuses).  A node's addresses are its ``bmc`` and its
IPMI path (the ``url`` of its ``ipmi`` sub-table: :mod:`hamnhw.config_ipmi`); two nodes
match when one address of each does, unless two of their Redfish addresses are on one host
at two ports (two BMCs behind one address: a simulator, a NAT).  Names are
resolved only when the text does not already match, all of a command's at once, each within
:data:`RESOLVE_TIMEOUT_S`.  A name the name service says does not exist matches only itself
(the command could not reach it either); a name not resolved in time (a slow or hung name
service, while the command's own connection may resolve it later) is in doubt, so it matches
each pair node it may be (:attr:`PairNodesNamed.late` says which names were late), and the
guards refuse as for that node.
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
    protocol: str = "redfish"
    """``redfish`` or ``ipmi``."""

    def may_be(self, other: BmcKey) -> bool:
        """True when both may name one BMC: not two systems of it and, both Redfish, the
        same port (an IPMI address's port says nothing of its BMC's Redfish port)."""
        if self.protocol == other.protocol == "redfish" and self.port != other.port:
            return False
        return not (self.system_id and other.system_id and self.system_id != other.system_id)

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
    return BmcKey(canonical_host(address.host), port, address.system_id, address.protocol)


def node_keys(config: Config, node: str) -> tuple[BmcKey, ...]:
    """The keys of the BMC ``node`` (a config name or a BMC URL) addresses: a config entry's
    ``bmc`` and its IPMI path (``[nodes.X.ipmi] url``), a URL's own."""
    entry = config.nodes.get(node)
    urls = [node] if entry is None else [entry.bmc, *(
        [entry.ipmi.url] if entry.ipmi is not None and entry.ipmi.url else [])]
    return tuple(key for url in urls if (key := bmc_key(url)) is not None)


def canonical_host(host: str) -> str:
    """``host`` as compared: an IP literal in its compressed form (an IPv4-mapped IPv6
    address, ``::ffff:127.0.0.1``, as its IPv4 address: one host), a name lower-case without
    its final dot."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.lower().rstrip(".")
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).compressed


def addresses(host: str) -> frozenset[str]:
    """The IP addresses ``host`` stands for (itself when it is one; none when it does not
    resolve within :data:`RESOLVE_TIMEOUT_S`)."""
    return resolve_all([host])[host]


def resolve_all(hosts: Iterable[str]) -> Mapping[str, frozenset[str]]:
    """:func:`addresses` of each host, :data:`RESOLVERS` names at a time, each name given
    about :data:`RESOLVE_TIMEOUT_S`; a name not resolved by then stands for no address."""
    return resolve_in_time(hosts)[0]


def resolve_in_time(hosts: Iterable[str]) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """:func:`resolve_all`, and the names whose lookup did not end in time (not those the
    name service answered with no address)."""
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
    late = frozenset(name for name in names if name not in done)
    return {name: done.get(name, frozenset()) for name in names}, late


def _lookup(host: str) -> frozenset[str]:
    """``host``'s addresses (itself when it is one), as long as the name service takes."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return frozenset({canonical_host(host)})
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return frozenset()
    return frozenset(canonical_host(str(info[4][0]).split("%", 1)[0]) for info in infos)


class PairNodesNamed(dict[str, str]):
    """Each node as given -> the pair node it addresses (:func:`pair_nodes_of`)."""

    def __init__(self) -> None:
        super().__init__()
        self.late: dict[str, tuple[str, ...]] = {}
        """Node as given -> the host names that did not resolve in time, for a node matched
        only in doubt."""
        self.maybe: dict[str, tuple[str, ...]] = {}
        """Node as given -> every pair node it may be, for a node matched only in doubt (its
        entry in the mapping is the first of them)."""

    def all_of(self, node: str) -> tuple[str, ...]:
        """Every pair node ``node`` (as given) addresses or, in doubt, may address."""
        return self.maybe.get(node) or ((self[node],) if node in self else ())

    def doubt(self, node: str) -> str:
        """`` (possibly: NAME did not resolve within N s)`` for a node matched in doubt."""
        names = self.late.get(node)
        if not names:
            return ""
        return (f" (possibly: {', '.join(names)} did not resolve within "
                f"{RESOLVE_TIMEOUT_S:g} s, so it may be)")


def pair_node_of(config: Config, node: str) -> str | None:
    """``primary`` or ``standby`` when ``node`` (a config name or a BMC URL) addresses one of
    them; None otherwise."""
    return pair_nodes_of(config, [node]).get(node)


def pair_nodes_of(config: Config, nodes: Sequence[str]) -> PairNodesNamed:
    """The pair node (``primary``, ``standby``) each of ``nodes`` (config names or BMC URLs)
    addresses, for those that address one: an equal address first, then one of the same
    host text, then (the host names still in doubt resolved together:
    :func:`resolve_in_time`) one of a common address, else, when a name of either side did
    not resolve in time, the first pair node it may be (in doubt: recorded in ``late``);
    among equals, ``primary`` first."""
    pair_nodes = [n for n in PAIR_NODES if n in config.nodes]
    keys = {n: node_keys(config, n) for n in pair_nodes}
    found = PairNodesNamed()
    doubtful: dict[str, tuple[tuple[BmcKey, ...], list[str]]] = {}
    for node in nodes:
        if node in pair_nodes:
            found[node] = node
            continue
        wanted = node_keys(config, node)
        hit = (_first(keys, wanted, lambda a, b: a == b)
               or _first(keys, wanted, lambda a, b: a.may_be(b) and a.host == b.host))
        if hit is not None:
            found[node] = hit
            continue
        maybe = [n for n in pair_nodes if any(a.may_be(b) for a in keys[n] for b in wanted)]
        if maybe:
            doubtful[node] = (wanted, maybe)
    hosts = {k.host for wanted, maybe in doubtful.values()
             for k in (*wanted, *(k for n in maybe for k in keys[n]))}
    resolved, late = resolve_in_time(hosts) if doubtful else ({}, frozenset())
    for node, (wanted, maybe) in doubtful.items():
        hit = _first({n: keys[n] for n in maybe}, wanted,
                     lambda a, b: a.same_bmc(b, resolved.__getitem__))
        if hit is not None:
            found[node] = hit
        else:
            _late_match(keys, wanted, maybe, late, found, node)
    return found


def _late_match(keys: Mapping[str, tuple[BmcKey, ...]], wanted: tuple[BmcKey, ...],
                maybe: list[str], late: frozenset[str], found: PairNodesNamed,
                node: str) -> None:
    """Record in ``found`` every one of ``maybe`` that ``node`` may be because a host name
    of either side did not resolve in time (the first as its match, all in
    :attr:`PairNodesNamed.maybe`, the late names in :attr:`PairNodesNamed.late`)."""
    names: set[str] = set()
    candidates = []
    for name in maybe:
        seen = ({a.host for a in wanted} | {b.host for b in keys[name]}) & late
        if seen and any(a.may_be(b) for a in keys[name] for b in wanted):
            names |= seen
            candidates.append(name)
    if candidates:
        found[node] = candidates[0]
        found.maybe[node] = tuple(candidates)
        found.late[node] = tuple(sorted(names))


def _first(keys: Mapping[str, tuple[BmcKey, ...]], wanted: tuple[BmcKey, ...],
           same: Callable[[BmcKey, BmcKey], bool]) -> str | None:
    """The first pair node one of whose keys is ``same`` as one of ``wanted``, unless two of
    their Redfish keys are on one host (as ``same`` tells it, ports aside) at two ports."""
    def other_port(a: BmcKey, b: BmcKey) -> bool:
        return (a.protocol == b.protocol == "redfish" and a.port != b.port
                and same(a, dataclasses.replace(b, port=a.port)))

    return next((n for n, own in keys.items()
                 if any(same(a, b) for a in own for b in wanted)
                 and not any(other_port(a, b) for a in own for b in wanted)), None)


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
