"""A client of a running simulator's control API (:mod:`hamnhw.sim.control`), found through
the config ``hamnhw sim --config-out`` wrote: what ``hamnhw sim bays|move|pull|insert|fail|
cords`` use to play the operator's hands on the simulated drive bays and power cords, and
``hamnhw sim fault`` to make a BMC misbehave.

::

    from hamnhw.config import load_config
    from hamnhw.simcontrol import SimControl

    control = SimControl(load_config("pair.toml"))
    print(control.bays())                      # {"servers": {"primary": {"Bay 1": ...}}, ...}
    control.move("SIM79805968D1", "primary", "standby")
    control.insert("standby", new=True)        # a blank drive with a new serial
    control.cords("primary", pulled=True)      # its BMC silent, its host off
    control.fault("standby", "hang")           # its BMC takes requests, answers none
    control.clear_faults("standby")

Only nodes whose BMC is on a loopback address are spoken to (the control API answers
loopback clients only, and a real BMC never gets these requests).  Each node's TLS choice
comes from its table (the pinned fingerprint ``--config-out`` writes, a ``ca_file``, or
``insecure``); the control API needs no credentials.

Every request goes to one node's control port, the :meth:`~SimControl.hub`: the first node
of the config that takes a TCP connection, and it acts on the node named in the request.  A
node whose cords are pulled is silent on its own port; through another it still has its
drives moved and its cords plugged back in.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import select
import socket
import time
from collections.abc import Mapping
from typing import Any

from hamnhw.address import parse_bmc_url
from hamnhw.config import Config, NodeConfig
from hamnhw.errors import BmcUnreachable, ConfigError, HamnhwError, TlsError
from hamnhw.transport import tlscontext
from hamnhw.transport.lean import LeanConnections, pin_of, watch_nothing
from hamnhw.transport.wireerrors import HandshakeFailed, NotConnected, WireError

PREFIX = "/hamnhw-sim/"
TIMEOUT_S = 10.0
"""Connect and read timeout of one control request (the simulator answers at once)."""
HUB_CONNECT_S = 2.0
"""How long the nodes get to take a TCP connection when the hub is chosen: on loopback the
kernel completes a connect at once, unless the BMC is silent (its cords pulled)."""


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
        self._hub: str | None = None

    def node(self, name: str) -> NodeConfig:
        """The simulated node called ``name``.

        :raises ConfigError: no such node, or not a simulated one."""
        if name not in self.nodes:
            known = ", ".join(sorted(self.nodes))
            raise ConfigError(f"no simulated node named {name!r} (known: {known})",
                              path=self.config.path)
        return self.nodes[name]

    def hub(self, avoid: str | None = None) -> str:
        """The node whose control port the requests go to: the first of the config's nodes
        (others than ``avoid`` first) to take a TCP connection; a silent one (its cords
        pulled) is passed over.

        :raises BmcUnreachable: none takes one (the simulator stopped, or every BMC silent)."""
        if self._hub is not None and self._hub != avoid:
            return self._hub
        order = sorted(self.nodes, key=lambda name: name == avoid)
        endpoints = {name: _endpoint(self.nodes[name]) for name in order}
        chosen, refused = first_connected(endpoints, HUB_CONNECT_S)
        if chosen is None:
            host = ", ".join(f"{host}:{port}" for host, port in endpoints.values())
            if refused:
                raise BmcUnreachable("the simulator does not answer (connection refused): is "
                                     "`hamnhw sim` still running? (the ports in the config "
                                     "hold while the simulator that wrote it runs)",
                                     host=host, refused=True)
            raise BmcUnreachable(f"no simulated BMC of this config took a connection within "
                                 f"{HUB_CONNECT_S:g} s (silent: their power cords pulled?)",
                                 host=host)
        self._hub = chosen
        return chosen

    def on(self, name: str, method: str, operation: str, body: dict[str, Any],
           avoid: str | None = None) -> Any:
        """One control request about node ``name`` (``"node"`` in the body), through the
        :meth:`hub` (not ``avoid``'s port if another answers); its JSON answer."""
        self.node(name)
        return self.call(self.hub(avoid), method, operation, {**body, "node": name},
                         about=name)

    def call(self, name: str, method: str, operation: str,
             body: dict[str, Any] | None = None, about: str | None = None) -> Any:
        """One control request to node ``name``'s port; its JSON answer (None for 204).

        :param about: the node a refusal is about (default: ``name``).
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
        return _answer(about or name, method, operation, answer.status, data)

    def bays(self) -> dict[str, Any]:
        """``{"servers": {NAME: {BAY: SERIAL}}, "pulled": [SERIAL...], "cords_pulled":
        [NAME...]}`` of the whole simulator (asked of the :meth:`hub`)."""
        return dict(self.call(self.hub(), "GET", "bays"))

    def locate(self, serial: str) -> tuple[str, str] | None:
        """``(node, bay)`` holding ``serial`` now, or None (pulled, unknown)."""
        for server, bays in self.bays()["servers"].items():
            for bay, held in bays.items():
                if held == serial:
                    return server, bay
        return None

    def pull(self, name: str, serial: str) -> dict[str, Any]:
        """Pull ``serial`` out of node ``name``: the operator holds it."""
        return dict(self.on(name, "POST", "bays/pull", {"serial": serial}))

    def insert(self, name: str, serial: str | None = None, bay: str | None = None,
               new: bool = False) -> dict[str, Any]:
        """Insert a pulled drive (``serial``), or with ``new`` a blank drive with a new
        serial, into node ``name`` (``bay``, else its first free bay)."""
        body: dict[str, Any] = {"new": True} if new else {"serial": serial}
        if bay is not None:
            body["bay"] = bay
        return dict(self.on(name, "POST", "bays/insert", body))

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
        self.on(name, "POST", "drives/fail", {"serial": serial})

    def cords(self, name: str, pulled: bool) -> dict[str, Any]:
        """Pull node ``name``'s power cords (``pulled``: its host off, its BMC silent) or
        plug them back in (its host powered as its restore policy says), through another
        node's port: ``{"node", "pulled", "power_state", "restore_policy", "via"}``."""
        answer = dict(self.on(name, "POST", "cords", {"pulled": pulled}, avoid=name))
        return {**answer, "via": self.hub(avoid=name)}

    def fault(self, name: str, kind: str, **options: Any) -> dict[str, Any]:
        """Inject a fault of ``kind`` into node ``name``'s BMC (``count``, ``path``,
        ``method`` and the kind's parameters in ``options``:
        :data:`hamnhw.sim.faults.FAULT_KINDS`); the fault as the simulator took it."""
        return dict(self.on(name, "POST", "faults", {"kind": kind, **options}))

    def faults(self, name: str) -> list[dict[str, Any]]:
        """The faults active on node ``name``'s BMC, oldest first."""
        return list(self.on(name, "GET", "faults", {})["faults"])

    def clear_faults(self, name: str) -> list[dict[str, Any]]:
        """Remove every fault of node ``name``'s BMC; the ones that were active."""
        active = self.faults(name)
        self.on(name, "DELETE", "faults", {})
        return active

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


def _endpoint(node: NodeConfig) -> tuple[str, int]:
    address = parse_bmc_url(node.bmc)
    return address.host, address.port or (443 if address.tls else 80)


def first_connected(endpoints: Mapping[str, tuple[str, int]],
                    timeout: float) -> tuple[str | None, bool]:
    """Connect to every ``(host, port)`` at once: the name of the first to take the
    connection within ``timeout`` (of those that took it together, the earliest in
    ``endpoints``' order), or None; and whether every one refused (or failed at once).
    The connections are closed unused."""
    order = list(endpoints)
    pending: dict[socket.socket, str] = {}
    connected: list[str] = []
    try:
        for name, (host, port) in endpoints.items():
            started = _connect_started(host, port)
            if started is None:
                continue
            sock, done = started
            pending[sock] = name
            if done:
                connected.append(name)
        deadline = time.monotonic() + timeout
        while pending and not connected:
            _r, ready, _x = select.select([], list(pending), [],
                                          max(0.0, deadline - time.monotonic()))
            if not ready:
                return None, False
            for sock in ready:
                name = pending.pop(sock)
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected.append(name)
                sock.close()
        if connected:
            return min(connected, key=order.index), False
        return None, True
    finally:
        for sock in pending:
            sock.close()


def _connect_started(host: str, port: int) -> tuple[socket.socket, bool] | None:
    """A non-blocking connect under way (True: made at once), or None (failed at once)."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return None
    sock = socket.socket(family, kind, proto)
    sock.setblocking(False)
    code = sock.connect_ex(address)
    if code in (0, errno.EINPROGRESS):
        return sock, code == 0
    sock.close()
    return None


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
    raise SimControlError(error if str(error).startswith(f"{name}'s ") else f"{name}: {error}")
