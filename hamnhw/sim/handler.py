"""HTTP request handler of a simulated BMC: parsing, authentication, faults, dispatch, logging."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from hamnhw.sim import actions, control, events, personalities, raid_actions, resources
from hamnhw.sim.actions import Response, error
from hamnhw.sim.resources import ROOT, normalize, system_path

if TYPE_CHECKING:
    from hamnhw.sim.faults import FaultSet
    from hamnhw.sim.server import SimServer

_PUBLIC_GETS = {"/redfish", ROOT}
_HTML_ERROR = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
               b"<body><h1>Internal Server Error</h1><p>The BMC web server failed.</p>"
               b"</body></html>")
_MAX_BODY = 1 << 20


def redact(value: Any) -> Any:
    """A copy of a parsed JSON body with every ``Password`` value replaced by ``***``."""
    if isinstance(value, dict):
        return {k: "***" if k.lower() == "password" else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


class SimRequestHandler(BaseHTTPRequestHandler):
    """One request to one simulated server; ``self.server.sim`` is the :class:`SimServer`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "hamnhw-sim"
    sys_version = ""

    @property
    def sim(self) -> SimServer:
        return self.server.sim  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is ``SimServer.requests``."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- flow ----------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        if self.sim.cords.pulled:  # on a connection opened before: nothing answers
            self._unanswered()
            return
        raw = self._read_body()
        path = normalize(self.path)
        if path.startswith(control.PREFIX):
            self._send(control.handle(self.sim, method, path, raw, self.client_address[0]))
            return
        body, bad_json = _parse_json(raw)
        if self.sim.faults.take("rotate_password", path, method):
            self.sim.state.rotate_password()
        auth = self._authenticate(path, method)
        record = self.sim.start_record(method, self.path, redact(body), auth)
        response = self._pre_faults(path, method, auth)
        if response is None and auth and method == "GET" and path == events.SSE_PATH:
            subscription = self.sim.events.open_stream()
            if subscription is not None:
                self.sim.finish_record(record, 200)
                self._stream(self.sim.events.stream_lines(subscription))
                return
        if response is None:
            response = error(400, "MalformedJSON", "The request body is not valid JSON.") \
                if bad_json else self._dispatch(method, path, body, auth)
        self._respond(record, path, method, response)

    def _respond(self, record: int, path: str, method: str, response: Response | str) -> None:
        if response == "hang":
            self.sim.finish_record(record, None)
            self.sim.stop_event.wait()
            self.close_connection = True
            return
        if response == "unplugged":
            self.sim.finish_record(record, None)
            self._unanswered()
            return
        assert isinstance(response, Response)
        faults = self.sim.faults
        response = _spurious_off(faults, path, method, response)
        response = _no_members(faults, path, method, response)
        response = _paged_members(faults, path, self.path, method, response)
        payload = _encode(response)
        if faults.take("malformed_json", path, method):
            response = Response(200, headers=dict(response.headers))
            payload = (payload or b'{"@odata.id": "/redfish/v1/x", "Name": "truncated"}')
            payload = payload[: max(1, len(payload) // 2)]
        self.sim.finish_record(record, response.status)
        drip = faults.take("byte_drip", path, method)
        self._send(response, payload, drip.params["interval"] if drip else None)

    def _unanswered(self) -> None:
        """No answer while the cords are pulled (nor after: the connection is closed)."""
        self.sim.cords.hold(self.sim.stop_event)
        self.close_connection = True

    def _pre_faults(self, path: str, method: str, auth: str | None) -> Response | str | None:
        faults = self.sim.faults
        pull = faults.take("pull_cords", path, method)
        if pull is not None and pull.hits > pull.params["answered"]:
            faults.discard(pull)
            self.sim.pull_cords()
            return "unplugged"
        latency = faults.take("latency", path, method)
        if latency:
            self.sim.sleep(latency.params["seconds"])
        gather = faults.take("gather", path, method)
        if gather:
            self.sim.gather(int(gather.params["peers"]), float(gather.params["seconds"]))
        if faults.take("hang", path, method):
            return "hang"
        if auth and faults.take("expire_session", path, method):
            self.sim.state.expire_sessions()
            return error(401, "NoValidSession", "The session has expired.")
        fault = faults.take("error_5xx", path, method)
        if fault:
            return error(int(fault.params["status"]), "ServiceTemporarilyUnavailable",
                         "The service is temporarily unavailable.", **{"Retry-After": "1"})
        fault = faults.take("html_error", path, method)
        if fault:
            return Response(int(fault.params["status"]), _HTML_ERROR,
                            {"Content-Type": "text/html; charset=utf-8"})
        return None

    def _authenticate(self, path: str, method: str) -> str | None:
        """``"session"``, ``"basic"`` or ``None`` for the credentials the request carries
        (basic credentials refused while a ``refuse_password`` fault applies)."""
        state = self.sim.state
        token = self.headers.get("X-Auth-Token")
        session = state.session_for_token(token) if token and state.spec.session_service \
            else None
        if session is not None and personalities.session_alive(state, session):
            return "session"
        header = self.headers.get("Authorization", "")
        if state.spec.basic_auth and header.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            good_user = secrets.compare_digest(user.encode(), state.spec.username.encode())
            good_pass = secrets.compare_digest(password.encode(), state.spec.password.encode())
            if good_user and good_pass and not self.sim.faults.take("refuse_password", path,
                                                                    method):
                return "basic"
        return None

    def _dispatch(self, method: str, path: str, body: Any, auth: str | None) -> Response:
        state = self.sim.state
        sessions = f"{ROOT}/SessionService/Sessions"
        if method == "POST" and path == sessions and state.spec.session_service:
            if self.sim.faults.take("refuse_password", path, method):
                return error(401, "NoValidSession", "Invalid user name or password.")
            return actions.create_session(state, body)
        if auth is None and not (method in ("GET", "HEAD") and path in _PUBLIC_GETS):
            challenge = {"WWW-Authenticate": 'Basic realm="hamnhw-sim"'}
            headers = challenge if state.spec.basic_auth else {}
            return error(401, "NoValidSession", "Authentication is required.", **headers)
        monitor = re.fullmatch(rf"{ROOT}/TaskService/TaskMonitors/([^/]+)", path)
        if monitor and method in ("GET", "HEAD"):
            return actions.task_monitor(state, monitor.group(1))
        if path.startswith(events.SERVICE):
            found = (self.sim.events.render(path) if method in ("GET", "HEAD")
                     else self.sim.events.write(method, path, body))
            if found is not None:
                return found if isinstance(found, Response) else Response(200, found)
        if method in ("GET", "HEAD"):
            document = resources.render(state, path)
            return actions.not_found(path) if document is None else Response(200, document)
        return self._dispatch_write(method, path, body)

    def _dispatch_write(self, method: str, path: str, body: Any) -> Response:
        state = self.sim.state
        system = system_path(state)
        if method == "POST" and path == f"{system}/Actions/ComputerSystem.Reset":
            return actions.reset(state, self.sim.faults, path, body)
        if method == "PATCH" and path == system:
            return actions.patch_system(state, body, self.sim.faults)
        session = re.fullmatch(rf"{ROOT}/SessionService/Sessions/([^/]+)", path)
        if method == "DELETE" and session and state.spec.session_service:
            return actions.delete_session(state, session.group(1))
        vendor = personalities.write(state, method, path, body, dict(self.headers.items()))
        if vendor is not None:
            return vendor
        raid = raid_actions.dispatch(state, method, path, body)
        if raid is not None:
            return raid
        if resources.render(state, path) is None:
            return actions.not_found(path)
        return error(405, "OperationNotAllowed", f"{method} is not allowed on {path}.",
                     Allow="GET, HEAD")

    # -- I/O -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(min(length, _MAX_BODY)) if length > 0 else b""

    def _send(self, response: Response, payload: bytes | None = None,
              drip_interval: float | None = None) -> None:
        if payload is None:
            payload = _encode(response)
        self.send_response(response.status)
        headers = {"OData-Version": "4.0", **response.headers}
        if payload:
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD" or not payload:
            return
        if drip_interval is None:
            self.wfile.write(payload)
            return
        for index in range(len(payload)):
            if self.sim.sleep(drip_interval):
                self.close_connection = True
                return
            self.wfile.write(payload[index:index + 1])
            self.wfile.flush()


    def _stream(self, chunks: Iterator[bytes]) -> None:
        """Serve ``text/event-stream`` until the chunks end or the client goes away."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
        except OSError:
            pass
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    """``(parsed body or None, True when the body is not valid JSON)``."""
    if not raw.strip():
        return None, False
    try:
        return json.loads(raw), False
    except (ValueError, UnicodeDecodeError):
        return None, True


def _encode(response: Response) -> bytes:
    if response.body is None:
        return b""
    if isinstance(response.body, bytes):
        return response.body
    return json.dumps(response.body, indent=1).encode()


def _spurious_off(faults: FaultSet, path: str, method: str, response: Response) -> Response:
    """The ``spurious_off`` fault: every ``every``-th read of a resource showing a
    ``PowerState`` shows ``Off`` instead (a BMC that flickers)."""
    body = response.body
    if method != "GET" or not isinstance(body, dict) or "PowerState" not in body:
        return response
    fault = faults.take("spurious_off", path, method)
    if fault is None or fault.hits % max(1, int(fault.params["every"])):
        return response
    return Response(response.status, {**body, "PowerState": "Off"}, dict(response.headers))


def _no_members(faults: FaultSet, path: str, method: str, response: Response) -> Response:
    """The ``no_members`` fault: a collection read shows neither ``Members`` nor
    ``Members@odata.count`` (a BMC that does not say what the collection holds)."""
    body = response.body
    if method != "GET" or not isinstance(body, dict) or "Members" not in body:
        return response
    if faults.take("no_members", path, method) is None:
        return response
    kept = {k: v for k, v in body.items() if k not in ("Members", "Members@odata.count")}
    return Response(response.status, kept, dict(response.headers))


def _paged_members(faults: FaultSet, path: str, raw_path: str, method: str,
                   response: Response) -> Response:
    """The ``paged_members`` fault: a collection read shows ``page`` of its ``Members``
    from the request's ``$skip`` on, its whole count, and a ``Members@odata.nextLink`` to the
    next page while there is one; with ``loop`` 1 the last page links back to the first (a
    service whose pages never end).  Page number ``fail`` (1 the first; 0 none) answers
    HTTP ``status`` instead; each page after the first begins with the last ``repeat``
    members of the page before (listed twice, as when the list changed between two page
    reads)."""
    body = response.body
    if method != "GET" or not isinstance(body, dict) or not isinstance(body.get("Members"),
                                                                       list):
        return response
    fault = faults.take("paged_members", path, method)
    if fault is None:
        return response
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query)
    skip = int(query.get("$skip", ["0"])[0] or 0)
    size = max(1, int(fault.params["page"]))
    if skip // size + 1 == fault.params["fail"]:
        return error(int(fault.params["status"]), "ServiceTemporarilyUnavailable",
                     f"Page {skip // size + 1} of {path} cannot be read now.")
    members = body["Members"]
    start = max(0, skip - int(fault.params["repeat"])) if skip else 0
    paged = {**body, "Members": members[start:skip + size],
             "Members@odata.count": len(members)}
    if skip + size < len(members):
        paged["Members@odata.nextLink"] = f"{path}?$skip={skip + size}"
    elif fault.params["loop"]:
        paged["Members@odata.nextLink"] = f"{path}?$skip=0"
    return Response(response.status, paged, dict(response.headers))
