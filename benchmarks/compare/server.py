"""N Redfish BMCs on loopback in one process: one port each, asyncio, HTTP/1.1 keep-alive.

Run by :mod:`compare` as a child process (so that its CPU is measured apart)::

    python benchmarks/compare/server.py --bmcs 50 --latency 0.05 --cert c.pem --key k.pem

It prints one JSON line when every port listens: ``{"control": port, "groups": {name:
[[port, index], ...]}}`` (``--groups``: the same N BMCs once per ``$expand`` advertisement),
and serves until SIGTERM.  Each BMC serves its own copy of the mockup tree
(:func:`tree.personalised`) with sessions (``POST``/``DELETE`` on the Sessions
collection, ``X-Auth-Token``), basic auth, ``$expand`` and an injected delay before every
answer.  The control port (plain HTTP) answers ``GET /stats`` (per-BMC counts of
requests, connections, sessions created and still open, basic-auth and ``$expand``
requests, answers built, ``build_cpu_s``: the CPU building the answers asked for took, and
the process CPU seconds), ``POST /reset`` (counts zeroed, sessions dropped) and ``POST
/warm`` (answers built ahead: :func:`warm`).

An answer (the JSON encoding; for ``$expand`` the expansion too) is built on the first
request for it and kept per BMC: the first client to read a BMC pays that CPU, later ones do
not.  :mod:`compare` therefore runs hamnhw unmeasured over the ``$expand`` groups (their
queries are the client's own), then ``/warm`` builds every unexpanded answer and, on every
BMC, each answer built for another BMC of its group (and a query asked of a collection on
its members, and the reverse), so that every measured client finds the server warm.  The
CPU each answer took to build is kept with it: ``build_cpu_s`` is what a BMC building every
answer afresh (as real ones do) would have spent on the requests since the last reset.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import dataclasses
import json
import os
import secrets
import signal
import ssl
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tree as mock

TRACE = bool(os.environ.get("HAMNHW_BENCH_TRACE"))
"""Print each request (monotonic time, BMC index, method, target) to stderr."""

SESSIONS = f"{mock.ROOT}/SessionService/Sessions"
OPEN_PATHS = {"/redfish", "/redfish/v1", f"{mock.ROOT}/odata", f"{mock.ROOT}/$metadata"}
_BASIC = "Basic " + base64.b64encode(f"{mock.USERNAME}:{mock.PASSWORD}".encode()).decode()
Key = tuple[str, tuple[tuple[str, str], ...]]
"""A GET's path and its sorted query."""
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
            401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}


@dataclasses.dataclass
class Bmc:
    """One simulated BMC: its tree, sessions and counts."""

    index: int
    tree: mock.Tree
    latency: float
    max_levels: int
    """``$expand`` levels advertised and served; 0: not advertised, ``$expand`` ignored"""
    sessions: dict[str, str] = dataclasses.field(default_factory=dict)
    """token -> session path"""
    counts: dict[str, int] = dataclasses.field(default_factory=dict)
    group: str = "plain"
    """Its group (:data:`GROUPS`): the same BMCs are served once per group."""
    cache: dict[Key, bytes] = dataclasses.field(default_factory=dict)
    """:func:`cache_key` -> the answer's body, built on the first request for it"""
    build_cpu: dict[Key, float] = dataclasses.field(default_factory=dict)
    """:func:`cache_key` -> the CPU seconds building its answer took"""
    asked: collections.Counter[Key] = dataclasses.field(default_factory=collections.Counter)
    """GETs per kept answer since the last reset"""
    next_session: int = 0

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def stats(self) -> dict[str, float]:
        """The counts, the sessions open and ``build_cpu_s``: the CPU seconds building the
        answers asked for took, once per request (``build_cpu_once_s``: once per answer)."""
        costs = [(self.build_cpu.get(key, 0.0), n) for key, n in self.asked.items()]
        return {**self.counts, "sessions_open": len(self.sessions),
                "build_cpu_s": sum(cpu * n for cpu, n in costs),
                "build_cpu_once_s": sum(cpu for cpu, _ in costs)}

    def reset(self) -> None:
        self.counts.clear()
        self.sessions.clear()
        self.asked.clear()


def _error(status: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"error": {"code": "Base.1.0.GeneralError", "message": message}}
    return status, {}, json.dumps(body).encode()


def _authorised(bmc: Bmc, headers: dict[str, str]) -> bool:
    token = headers.get("x-auth-token")
    if token is not None:
        return token in bmc.sessions
    if headers.get("authorization") == _BASIC:
        bmc.count("basic_auth")
        return True
    return False


def _login(bmc: Bmc, body: bytes) -> tuple[int, dict[str, str], bytes]:
    try:
        fields = json.loads(body or b"{}")
    except ValueError:
        return _error(400, "malformed JSON")
    if fields.get("UserName") != mock.USERNAME or fields.get("Password") != mock.PASSWORD:
        return _error(401, "bad credentials")
    bmc.next_session += 1
    path = f"{SESSIONS}/{bmc.next_session}"
    token = secrets.token_hex(16)
    bmc.sessions[token] = path
    bmc.count("sessions_created")
    doc = {"@odata.id": path, "@odata.type": "#Session.v1_7_0.Session",
           "Id": str(bmc.next_session), "Name": "Session", "UserName": mock.USERNAME}
    return 201, {"X-Auth-Token": token, "Location": path}, json.dumps(doc).encode()


def cache_key(path: str, query: dict[str, str]) -> Key:
    """The key of ``GET path?query`` in :attr:`Bmc.cache`."""
    return path, tuple(sorted(query.items()))


def _encode(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _members(tree: mock.Tree, path: str) -> list[str]:
    """The paths a collection at ``path`` lists in ``Members`` (none: not a collection)."""
    members = (tree.get(path) or {}).get("Members")
    return [m["@odata.id"].rstrip("/") for m in members or ()
            if isinstance(m, dict) and isinstance(m.get("@odata.id"), str)]


def kin(tree: mock.Tree, key: Key) -> set[Key]:
    """``key`` and, for a query, the same query of the collection listing its path as a
    member and of the members of the collection at its path: hamnhw reads a Manager alone
    or inside the Managers collection (the latter beside the Systems collection, when the
    BMC is slow to answer), so the warm-up and a measured row may ask either."""
    path, query = key
    found = {key}
    if query:
        parent = path.rpartition("/")[0]
        if path in _members(tree, parent):
            found.add((parent, query))
        found.update((member, query) for member in _members(tree, path))
    return found


def warm(bmcs: list[Bmc]) -> None:
    """Build ahead, on every BMC, each answer that needs no client's query (every resource
    unexpanded; a document the BMCs share with the mockup is encoded once, its CPU counted
    for each) and each answer built so far for another BMC of its group (the same request
    on a sibling: a client whose requests vary from BMC to BMC or run to run then finds them
    built wherever it sends them), and a query asked of a collection member also of its
    collection, and the reverse (:func:`kin`)."""
    encoded: dict[int, tuple[bytes, float]] = {}
    asked: dict[str, set[Key]] = {}
    for bmc in bmcs:
        asked.setdefault(bmc.group, set()).update(*(kin(bmc.tree, key) for key in bmc.cache))
    for bmc in bmcs:
        for path, doc in bmc.tree.items():
            if path == SESSIONS:  # answered afresh each time: never kept
                continue
            built = encoded.get(id(doc))
            if built is None:
                start = time.process_time()
                body = _encode(doc)
                built = encoded[id(doc)] = body, time.process_time() - start
            key = cache_key(path, {})
            if key not in bmc.cache:
                bmc.cache[key], bmc.build_cpu[key] = built
        for path, query in asked[bmc.group] - bmc.cache.keys():
            _get(bmc, path, dict(query))


def _get(bmc: Bmc, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    if path == SESSIONS:
        members = [{"@odata.id": p} for p in bmc.sessions.values()]
        doc = {"@odata.id": SESSIONS, "Members": members,
               "Members@odata.count": len(members)}
        return 200, {}, json.dumps(doc).encode()
    key = cache_key(path, query)
    cached = bmc.cache.get(key)
    if cached is not None:
        bmc.asked[key] += 1
        return 200, {}, cached
    doc = bmc.tree.get(path)
    if doc is None:
        return _error(404, f"no resource at {path}")
    start = time.process_time()
    try:
        expand = mock.parse_expand(query)
    except ValueError as exc:
        return _error(400, str(exc))
    if expand is not None and bmc.max_levels:
        bmc.count("expand")
        doc = mock.expanded(bmc.tree, doc, expand[0], min(expand[1], bmc.max_levels))
    body = _encode(doc)
    bmc.cache[key] = body
    bmc.build_cpu[key] = time.process_time() - start
    bmc.asked[key] += 1
    bmc.count("built")
    return 200, {}, body


def answer(bmc: Bmc, method: str, target: str, headers: dict[str, str],
           body: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, extra headers and body of one request to ``bmc``."""
    split = urlsplit(target)
    path = unquote(split.path).rstrip("/") or "/"
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    bmc.count("requests")
    bmc.count(method)
    if method == "POST" and path == SESSIONS:
        return _login(bmc, body)
    if method == "GET" and path in OPEN_PATHS | {mock.ROOT}:
        return _get(bmc, mock.ROOT if path == "/redfish/v1" else path, query)
    if not _authorised(bmc, headers):
        return _error(401, "authentication required")
    if method == "GET":
        return _get(bmc, path, query)
    if method == "DELETE" and path.startswith(SESSIONS + "/"):
        for token, session in list(bmc.sessions.items()):
            if session == path:
                del bmc.sessions[token]
                return 204, {}, b""
        return _error(404, f"no session {path}")
    return _error(405, f"{method} {path} is not served by the benchmark BMC")


async def _read_request(reader: asyncio.StreamReader
                        ) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


async def serve_connection(bmc: Bmc, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
    """Answer requests on one connection until the client closes it."""
    bmc.count("connections")
    try:
        while True:
            request = await _read_request(reader)
            if request is None:
                break
            method, target, headers, body = request
            if TRACE:
                peer = writer.get_extra_info("peername")[1]
                print(f"{time.monotonic():.3f} {bmc.index} conn:{peer} {method} {target}",
                      file=sys.stderr, flush=True)
            if bmc.latency:
                await asyncio.sleep(bmc.latency)
            status, extra, payload = answer(bmc, method, target, headers, body)
            close = headers.get("connection", "").lower() == "close"
            head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
                    f"Content-Length: {len(payload)}", "OData-Version: 4.0",
                    *(f"{k}: {v}" for k, v in extra.items())]
            if payload:
                head.append("Content-Type: application/json; charset=utf-8")
            if close:
                head.append("Connection: close")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
            await writer.drain()
            if close:
                break
    except (ConnectionError, ssl.SSLError, ValueError):
        pass
    finally:
        writer.close()


async def serve_control(bmcs: dict[int, Bmc], reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
    """``GET /stats``, ``POST /reset`` and ``POST /warm`` on the control port (one request
    a connection); each answers the stats."""
    request = await _read_request(reader)
    if request is not None:
        method, target, _headers, _body = request
        if method == "POST" and target == "/reset":
            for bmc in bmcs.values():
                bmc.reset()
        elif method == "POST" and target == "/warm":
            warm(list(bmcs.values()))
        cpu = time.process_time()
        doc = {"cpu_s": cpu, "bmcs": {str(port): bmc.stats() for port, bmc in bmcs.items()}}
        payload = json.dumps(doc).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: "
                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)
        await writer.drain()
    writer.close()


GROUPS = {"plain": 0, "expand1": 1, "expand": mock.MAX_LEVELS}
"""BMC groups by the ``$expand`` levels they advertise and serve (0: none)."""


def with_expand(tree: mock.Tree, levels: int) -> mock.Tree:
    """``tree`` whose ServiceRoot advertises ``$expand`` up to ``levels`` (0: not at all)."""
    root = dict(tree[mock.ROOT])
    features = dict(root.get("ProtocolFeaturesSupported") or {})
    if levels:
        features["ExpandQuery"] = {"ExpandAll": True, "Levels": True, "MaxLevels": levels,
                                   "Links": True, "NoLinks": True}
    else:
        features.pop("ExpandQuery", None)
    root["ProtocolFeaturesSupported"] = features
    return {**tree, mock.ROOT: root}


async def main_async(args: argparse.Namespace) -> None:
    base = mock.load_mockup(Path(args.mockup))
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    bmcs: dict[int, Bmc] = {}
    groups: dict[str, list[tuple[int, int]]] = {}
    servers = []
    for number, group in enumerate(args.groups.split(",")):
        levels = GROUPS[group]
        for index in range(number * args.bmcs, (number + 1) * args.bmcs):
            bmc = Bmc(index, with_expand(mock.personalised(base, index), levels), args.latency,
                      levels, group=group)
            server = await asyncio.start_server(
                lambda r, w, b=bmc: serve_connection(b, r, w), "127.0.0.1", 0, ssl=context,
                backlog=1024)
            port = server.sockets[0].getsockname()[1]
            bmcs[port] = bmc
            groups.setdefault(group, []).append((port, index))
            servers.append(server)
    control = await asyncio.start_server(lambda r, w: serve_control(bmcs, r, w),
                                         "127.0.0.1", 0)
    servers.append(control)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(json.dumps({"control": control.sockets[0].getsockname()[1],
                      "groups": groups}), flush=True)
    await stop.wait()
    for server in servers:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bmcs", type=int, default=1, help="BMCs per group")
    parser.add_argument("--groups", default="plain",
                        help=f"comma-separated groups of BMCs, each of: {', '.join(GROUPS)}")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--key", help="its PEM key")
    parser.add_argument("--mockup", default=str(mock.DEFAULT_MOCKUP))
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
