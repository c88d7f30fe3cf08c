"""The simulator's control API under ``/hamnhw-sim/`` (no auth, loopback clients only).

============================  ===============================================================
``GET /hamnhw-sim/requests``    this server's request log
``DELETE /hamnhw-sim/requests`` clear it
``GET /hamnhw-sim/faults``      active faults (``{"node"?}``: another server's)
``POST /hamnhw-sim/faults``     ``{"kind", "count"?, "path"?, "method"?, "node"?, ...params}``
                                (:data:`hamnhw.sim.faults.FAULT_KINDS`; ``hamnhw sim fault``)
``DELETE /hamnhw-sim/faults``   clear faults (``{"node"?}``)
``GET /hamnhw-sim/bays``        every server's bays, the pulled drives and the servers
                                whose cords are pulled (``cords_pulled``)
``POST /hamnhw-sim/bays/pull``  ``{"serial", "node"?}``: pull a drive from this server
``POST /hamnhw-sim/bays/insert`` ``{"serial", "bay"?, "node"?}``: insert a pulled drive into
                                this server; ``{"new": true, "bay"?, "capacity_bytes"?}``: a
                                blank drive with a new serial (a replacement disk)
``POST /hamnhw-sim/drives/fail`` ``{"serial", "node"?}``: fail a drive of this server (RAID
                                degrades)
``POST /hamnhw-sim/drives/hotspare`` ``{"serial", "kind"?}``: ``Global`` (default) or ``None``
``POST /hamnhw-sim/cords``      ``{"node", "pulled": true|false}``: pull the named server's
                                power cords (its host off, its BMC silent) or plug them back
                                in (its host powered as its restore policy says); answers
                                ``{"node", "pulled", "power_state", "restore_policy",
                                "power_before"}`` (the host's power when they were pulled)
``GET /hamnhw-sim/power``       ``{"power_state", "boot_progress"}``
``POST /hamnhw-sim/power``      ``{"state": "On"|"Off"}``: set power at once
``GET /hamnhw-sim/events``      EventService subscriptions and push deliveries
``POST /hamnhw-sim/events``     ``{"kind", "serial"|"volume"}`` (a storage event, see
                                :data:`hamnhw.sim.events.STORAGE_EVENTS`) or ``{"message_id",
                                "message", "severity"?, "origin"?}``: emit an event
``POST /hamnhw-sim/events/reset`` ``{"keep_subscriptions"?}``: a BMC reset (streams end,
                                sessions expire, subscriptions dropped unless kept)
============================  ===============================================================

``"node"`` names another server of the same simulator (the :class:`~hamnhw.sim.cluster.
SimCluster` whose bays ``GET bays`` shows): any server's control port acts on it, so that a
server whose cords are pulled (its own port silent) can have its drives moved and its cords
plugged back in.  Pulling the cords of the last server that answers is refused: nothing could
plug them back in.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hamnhw.sim.actions import Response
from hamnhw.sim.bays import BayError
from hamnhw.sim.faults import FaultError
from hamnhw.sim.spec import DriveSpec

if TYPE_CHECKING:
    from hamnhw.sim.server import SimServer

PREFIX = "/hamnhw-sim/"

_ON_NODE = frozenset({"bays/pull", "bays/insert", "drives/fail", "faults"})
"""Operations a ``"node"`` in the body sends to another server of the simulator."""
_CORDS_LOCK = threading.Lock()
"""One cords change at a time (so that two never silence the last servers answering)."""


class UnknownNode(LookupError):
    """A ``"node"`` that names no server of this simulator (404)."""


def _peer(sim: SimServer, name: object) -> SimServer:
    """The server of ``sim``'s simulator called ``name``."""
    if not isinstance(name, str) or name not in sim.peers:
        known = ", ".join(sorted(sim.peers))
        raise UnknownNode(f"no server named {name!r} in this simulator (known: {known})")
    return sim.peers[name]


def _fail(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def _requests(sim: SimServer, _body: dict[str, Any]) -> Response:
    return Response(200, {"requests": [dataclasses.asdict(r) for r in sim.requests]})


def _clear_requests(sim: SimServer, _body: dict[str, Any]) -> Response:
    sim.clear_requests()
    return Response(204)


def _faults(sim: SimServer, _body: dict[str, Any]) -> Response:
    return Response(200, {"faults": [fault.to_json() for fault in sim.faults.active()]})


def _add_fault(sim: SimServer, body: dict[str, Any]) -> Response:
    params = dict(body)
    kind = params.pop("kind", None)
    if not isinstance(kind, str):
        return _fail(400, "kind is required")
    fault = sim.inject(kind, **params)
    return Response(201, fault.to_json())


def _clear_faults(sim: SimServer, _body: dict[str, Any]) -> Response:
    sim.clear_faults()
    return Response(204)


def _bays(sim: SimServer, _body: dict[str, Any]) -> Response:
    pulled = sorted(name for name, peer in sim.peers.items() if peer.cords.pulled)
    return Response(200, {**sim.cluster_bays.snapshot(), "cords_pulled": pulled})


def _pull(sim: SimServer, body: dict[str, Any]) -> Response:
    drive = sim.pull_drive(str(body.get("serial", "")))
    return Response(200, dataclasses.asdict(drive))


def _insert(sim: SimServer, body: dict[str, Any]) -> Response:
    bay = body.get("bay")
    if body.get("new"):
        drive = sim.insert_drive(_blank_drive(sim, body), bay)
    else:
        drive = sim.insert_drive(str(body.get("serial", "")), bay)
    return Response(200, dataclasses.asdict(drive))


def _blank_drive(sim: SimServer, body: dict[str, Any]) -> DriveSpec:
    """A drive no bay of the cluster has seen, as large as the default drives unless
    ``capacity_bytes`` says otherwise."""
    bays = sim.cluster_bays
    pulled = {drive.serial for drive in bays.pulled()}
    serial = f"SIMNEW{secrets.token_hex(4).upper()}"
    while serial in pulled or bays.locate(serial) is not None:
        serial = f"SIMNEW{secrets.token_hex(4).upper()}"
    capacity = body.get("capacity_bytes", DriveSpec.capacity_bytes)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity <= 0:
        raise ValueError("capacity_bytes must be a positive integer")
    return DriveSpec(serial=serial, capacity_bytes=capacity)


def _fail_drive(sim: SimServer, body: dict[str, Any]) -> Response:
    sim.fail_drive(str(body.get("serial", "")))
    return Response(204)


def _hotspare(sim: SimServer, body: dict[str, Any]) -> Response:
    sim.set_hotspare(str(body.get("serial", "")), str(body.get("kind", "Global")))
    return Response(204)


def _power(sim: SimServer, _body: dict[str, Any]) -> Response:
    return Response(200, {"power_state": sim.power_state, "boot_progress": sim.boot_progress})


def _set_power(sim: SimServer, body: dict[str, Any]) -> Response:
    sim.set_power(str(body.get("state")))
    return _power(sim, body)


def _cords(sim: SimServer, body: dict[str, Any]) -> Response:
    pulled = body.get("pulled")
    if not isinstance(pulled, bool):
        return _fail(400, 'give {"node": NAME, "pulled": true|false}')
    target = _peer(sim, body.get("node"))
    with _CORDS_LOCK:
        if pulled:
            if not any(p is not target and not p.cords.pulled for p in sim.peers.values()):
                return _fail(409, f"{target.name}'s BMC is the last of this simulator that "
                                  "answers: with its cords pulled nothing could plug any back "
                                  "in (plug another's in first)")
            if not target.pull_cords():
                return _fail(409, f"{target.name}'s power cords are pulled already")
        elif not target.plug_cords():
            return _fail(409, f"{target.name}'s power cords are plugged in already")
    return Response(200, {"node": target.name, "pulled": target.cords.pulled,
                          "power_state": target.power_state,
                          "restore_policy": target.state.restore_policy,
                          "power_before": target.cords.power_before})


def _events(sim: SimServer, _body: dict[str, Any]) -> Response:
    service = sim.events
    return Response(200, {
        "subscriptions": [s.document() for s in service.subscriptions],
        "deliveries": [dataclasses.asdict(d) for d in service.deliveries]})


def _emit(sim: SimServer, body: dict[str, Any]) -> Response:
    if "kind" in body:
        record = sim.events.storage_about(str(body["kind"]), serial=body.get("serial"),
                                          volume_id=body.get("volume"))
    else:
        record = sim.events.emit(str(body["message_id"]), str(body.get("message", "")),
                                 str(body.get("severity", "OK")), origin=body.get("origin"))
    return Response(201, record)


def _reset_bmc(sim: SimServer, body: dict[str, Any]) -> Response:
    sim.events.reset(body.get("keep_subscriptions"))
    return Response(204)


_ROUTES: dict[tuple[str, str], Callable[[SimServer, dict[str, Any]], Response]] = {
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "bays"): _bays,
    ("POST", "bays/pull"): _pull,
    ("POST", "bays/insert"): _insert,
    ("POST", "drives/fail"): _fail_drive,
    ("POST", "drives/hotspare"): _hotspare,
    ("POST", "cords"): _cords,
    ("GET", "power"): _power,
    ("POST", "power"): _set_power,
    ("GET", "events"): _events,
    ("POST", "events"): _emit,
    ("POST", "events/reset"): _reset_bmc,
}


def _is_loopback(client: str) -> bool:
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


def handle(sim: SimServer, method: str, path: str, raw: bytes, client: str) -> Response:
    """Serve one control request; errors become ``{"error": message}`` with 4xx."""
    if not _is_loopback(client):
        return _fail(403, "the control API answers loopback clients only")
    name = path[len(PREFIX):].strip("/")
    route = _ROUTES.get((method, name))
    if route is None:
        known = any(key[1] == name for key in _ROUTES)
        return _fail(405 if known else 404, f"no control operation {method} {path}")
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return _fail(400, "the body is not valid JSON")
    if not isinstance(body, dict):
        return _fail(400, "the body must be a JSON object")
    try:
        if name in _ON_NODE and "node" in body:
            sim = _peer(sim, body.pop("node"))
        return route(sim, body)
    except UnknownNode as exc:
        return _fail(404, str(exc))
    except (BayError, FaultError, ValueError, TypeError, KeyError) as exc:
        return _fail(409 if isinstance(exc, BayError) else 400, str(exc))
