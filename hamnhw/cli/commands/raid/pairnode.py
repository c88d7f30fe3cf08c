"""Which pair node (``primary``, ``standby``) a RAID command addresses, however it is spelt:
the pair's own name, another config entry for the same BMC, or a BMC URL in any accepted
form (scheme, case, default port, trailing slash, ``localhost`` for ``127.0.0.1``, a host
name for its address).

Two BMC addresses are the same BMC when their ports (the scheme's default when none is
given) are equal, their host names are equal or resolve to a common address, and they do not
pick two different systems.  Names are resolved only when the text does not already match,
each within :data:`RESOLVE_TIMEOUT_S`; a name that does not resolve in time matches only
itself.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import threading

from hamnhw import pair
from hamnhw.address import parse_bmc_url
from hamnhw.config import Config
from hamnhw.errors import ConfigError

RESOLVE_TIMEOUT_S = 2.0
"""Longest wait for the name service on one host name."""


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

    def same_bmc(self, other: BmcKey) -> bool:
        """True when both name one BMC (and not two systems of it)."""
        if self.port != other.port or (self.system_id and other.system_id
                                       and self.system_id != other.system_id):
            return False
        return self.host == other.host or bool(addresses(self.host) & addresses(other.host))


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
    try:
        return frozenset({ipaddress.ip_address(host).compressed})
    except ValueError:
        pass
    found: list[frozenset[str]] = []

    def resolve() -> None:
        try:
            infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        found.append(frozenset(canonical_host(str(info[4][0]).split("%", 1)[0])
                               for info in infos))

    worker = threading.Thread(target=resolve, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(RESOLVE_TIMEOUT_S)
    return found[0] if found else frozenset()


def pair_node_of(config: Config, node: str) -> str | None:
    """``primary`` or ``standby`` when ``node`` (a config name or a BMC URL) addresses one of
    them; None otherwise."""
    pair_nodes = [n for n in pair.PAIR_NODES if n in config.nodes]
    if node in pair_nodes:
        return node
    url = config.nodes[node].bmc if node in config.nodes else node
    wanted = bmc_key(url)
    if wanted is None:
        return None
    keys = {n: bmc_key(config.nodes[n].bmc) for n in pair_nodes}
    exact = [n for n, key in keys.items() if key == wanted]
    if exact:
        return exact[0]
    return next((n for n, key in keys.items() if key is not None and key.same_bmc(wanted)),
                None)
