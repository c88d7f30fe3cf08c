"""A client of a running simulator's control API (:mod:`hamnhw.sim.control`), found through
the config ``hamnhw sim --config-out`` wrote: what ``hamnhw sim bays|move|pull|insert|fail``
use to play the operator's hands on the simulated drive bays.

::

    from hamnhw.config import load_config
    from hamnhw.simcontrol import SimControl

    control = SimControl(load_config("pair.toml"))
    print(control.bays())                      # {"servers": {"primary": {"Bay 1": ...}}, ...}
    control.move("SIM79805968D1", "primary", "standby")
    control.insert("standby", new=True)        # a blank drive with a new serial

Only nodes whose BMC is on a loopback address are spoken to (the control API answers
loopback clients only, and a real BMC never gets these requests).  Each node's TLS choice
comes from its table (the pinned fingerprint ``--config-out`` writes, a ``ca_file``, or
``insecure``); the control API needs no credentials.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.config import Config, NodeConfig
from hamnhw.errors import BmcUnreachable, ConfigError, HamnhwError, TlsError
from hamnhw.transport import tlscontext
from hamnhw.transport.lean import (
    HandshakeFailed,
    LeanConnections,
    NotConnected,
    WireError,
    pin_of,
    watch_nothing,
)

PREFIX = "/hamnhw-sim/"
TIMEOUT_S = 10.0
"""Connect and read timeout of one control request (the simulator answers at once)."""


class SimControlError(HamnhwError):
    """The simulator refused a control operation (an unknown serial, a bay taken...)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def simulated_nodes(config: Config) -> dict[str, NodeConfig]:
    """The config's Redfish nodes on a loopback address (a simulator's), by name.

    :raises ConfigError: there is none."""
    nodes = {}
    for name, node in config.nodes.items():
        address = parse_bmc_url(node.bmc)
        if address.protocol == "redfish" and is_loopback(address.host):
            nodes[name] = node
    if not nodes:
        raise ConfigError("no simulated BMC in this config: the simulator's control API "
                          "answers on 127.0.0.1 only (use the config `hamnhw sim "
                          "--config-out FILE` wrote)", path=config.path)
    return nodes


class SimControl:
    """The control API of the simulated BMCs named in ``config``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.nodes = simulated_nodes(config)

    def node(self, name: str) -> NodeConfig:
        """The simulated node called ``name``.

        :raises ConfigError: no such node, or not a simulated one."""
        if name not in self.nodes:
            known = ", ".join(sorted(self.nodes))
            raise ConfigError(f"no simulated node named {name!r} (known: {known})",
                              path=self.config.path)
        return self.nodes[name]

    def call(self, name: str, method: str, operation: str,
             body: dict[str, Any] | None = None) -> Any:
        """One control request to node ``name``; its JSON answer (None for 204).

        :raises BmcUnreachable: the simulator does not answer (stopped?).
        :raises SimControlError: it refused the operation (its message)."""
        address = parse_bmc_url(self.node(name).bmc)
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connections = LeanConnections("https" if address.tls else "http", address.host,
                                      address.port or (443 if address.tls else 80),
                                      self._context(name) if address.tls else None,
                                      self._pin(name))
        try:
            answer = connections.send(method, PREFIX + operation, payload, headers,
                                      TIMEOUT_S, TIMEOUT_S, watch_nothing)
            data = _read_all(answer)
        except HandshakeFailed as exc:
            raise TlsError(f"{exc} (the simulator's certificate: see the config's "
                           "pin_fingerprint)", host=address.netloc) from None
        except NotConnected as exc:
            raise BmcUnreachable(f"the simulator does not answer ({exc}): is `hamnhw sim` "
                                 "still running? (the ports in the config hold while the "
                                 "simulator that wrote it runs)", host=address.netloc,
                                 refused=exc.refused) from None
        except WireError as exc:
            raise BmcUnreachable(f"the simulator does not answer: {exc}",
                                 host=address.netloc) from None
        finally:
            connections.close()
        return _answer(name, method, operation, answer.status, data)

    def bays(self) -> dict[str, Any]:
        """``{"servers": {NAME: {BAY: SERIAL}}, "pulled": [SERIAL...]}`` of the whole
        simulator (asked of its first node)."""
        return dict(self.call(next(iter(self.nodes)), "GET", "bays"))

    def locate(self, serial: str) -> tuple[str, str] | None:
        """``(node, bay)`` holding ``serial`` now, or None (pulled, unknown)."""
        for server, bays in self.bays()["servers"].items():
            for bay, held in bays.items():
                if held == serial:
                    return server, bay
        return None

    def pull(self, name: str, serial: str) -> dict[str, Any]:
        """Pull ``serial`` out of node ``name``: the operator holds it."""
        return dict(self.call(name, "POST", "bays/pull", {"serial": serial}))

    def insert(self, name: str, serial: str | None = None, bay: str | None = None,
               new: bool = False) -> dict[str, Any]:
        """Insert a pulled drive (``serial``), or with ``new`` a blank drive with a new
        serial, into node ``name`` (``bay``, else its first free bay)."""
        body: dict[str, Any] = {"new": True} if new else {"serial": serial}
        if bay is not None:
            body["bay"] = bay
        return dict(self.call(name, "POST", "bays/insert", body))

    def move(self, serial: str, source: str, target: str,
             bay: str | None = None) -> dict[str, Any]:
        """Pull ``serial`` from ``source`` and insert it into ``target``; when the insert
        is refused the drive goes back into its bay of ``source``."""
        pulled = self.pull(source, serial)
        try:
            return self.insert(target, serial, bay)
        except SimControlError:
            self.insert(source, serial, pulled.get("bay"))
            raise

    def fail(self, name: str, serial: str) -> None:
        """Fail drive ``serial`` of node ``name`` (its volume degrades)."""
        self.call(name, "POST", "drives/fail", {"serial": serial})

    def _context(self, name: str) -> Any:
        node = self.node(name)
        if node.ca_file:
            return tlscontext.verifying(node.ca_file)
        if node.pin_fingerprint or node.insecure:
            return tlscontext.unchecked()
        raise ConfigError("the simulator's certificate is self-signed: give the node its "
                          "pin_fingerprint (as `hamnhw sim --config-out` writes it)",
                          key=node.key("pin_fingerprint"), path=self.config.path)

    def _pin(self, name: str) -> str | None:
        return pin_of(self.node(name).pin_fingerprint)


def _read_all(answer: Any) -> bytes:
    chunks = []
    while chunk := answer.read1(65536):
        chunks.append(chunk)
    answer.close()
    return b"".join(chunks)


def _answer(name: str, method: str, operation: str, status: int, data: bytes) -> Any:
    try:
        body = json.loads(data) if data.strip() else None
    except ValueError:
        body = None
    if 200 <= status < 300:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if error is None:
        error = (f"HTTP {status} to {method} {PREFIX}{operation}: is this a hamnhw "
                 "simulator?")
    raise SimControlError(f"{name}: {error}")
