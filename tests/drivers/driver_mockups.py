"""DMTF mockups read in place from ../shared/mockups and served through `responses`,
to the real RedfishTransport and to a minimal requests client."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import responses

from hamnhw.address import parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.errors import MalformedResponse, http_error_class
from hamnhw.transport.base import RedfishClient, RedfishResponse

REPO = Path(__file__).resolve().parents[2]
MOCKUPS = Path(os.environ.get("HAMNHW_MOCKUPS", REPO.parent / "shared" / "mockups"))
BASE = "http://bmc.test"
URL = "redfish+http://bmc.test"
SESSIONS = "/redfish/v1/SessionService/Sessions"
SESSION_1 = f"{SESSIONS}/1"
TOKEN = "test-token-0123456789"


def mockup_dir(name: str) -> Path:
    """The mockup folder, or skip the test saying why."""
    folder = MOCKUPS / name
    if not (folder / "index.json").is_file():
        pytest.skip(f"DMTF mockup {name} not found at {folder} (../shared absent)")
    return folder


def mockup_file(folder: Path, path: str) -> Path:
    """Map ``/redfish/v1/A/B`` to ``<folder>/A/B/index.json``."""
    rest = path.split("?", 1)[0].split("#", 1)[0]
    rest = re.sub(r"^/redfish/v1/?", "", rest).strip("/")
    return folder / rest / "index.json"


def read_mockup(folder: Path, path: str) -> dict[str, Any]:
    return json.loads(mockup_file(folder, path).read_text())


class MockupServer:
    """`responses` callbacks answering GETs from a mockup folder; sessions are accepted."""

    def __init__(self, folder: Path, mock: responses.RequestsMock) -> None:
        self.folder = folder
        self.mock = mock
        get = re.compile(rf"{re.escape(BASE)}/redfish/v1.*")
        mock.add_callback(responses.GET, get, callback=self._get)
        mock.add(responses.POST, f"{BASE}{SESSIONS}", status=201, json={},
                 headers={"X-Auth-Token": TOKEN, "Location": SESSION_1})
        mock.add(responses.DELETE, f"{BASE}{SESSION_1}", status=204)

    def _get(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        path = request.path_url
        file = mockup_file(self.folder, path)
        if not file.is_file():
            return 404, {"Content-Type": "application/json"}, json.dumps({"error": {
                "message": f"{path} not in mockup"}})
        return 200, {"Content-Type": "application/json"}, file.read_text()

    def gets(self) -> list[str]:
        return [c.request.path_url for c in self.mock.calls if c.request.method == "GET"]


class RequestsClient(RedfishClient):
    """A minimal RedfishClient over plain `requests` (no auth, no retries)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.host = base.split("://", 1)[1]
        self.session = requests.Session()
        self._root = self.get("/redfish/v1/")

    @property
    def root(self) -> dict[str, Any]:
        return self._root

    def _check(self, answer: requests.Response, method: str, path: str) -> None:
        if answer.status_code >= 400:
            raise http_error_class(answer.status_code)(
                host=self.host, method=method, path=path, status=answer.status_code)

    def get(self, path: str) -> dict[str, Any]:
        answer = self.session.get(self.base + path, timeout=5)
        self._check(answer, "GET", path)
        body = answer.json()
        if not isinstance(body, dict):
            raise MalformedResponse("not a JSON object", host=self.host, uri=path)
        return body

    def _send(self, method: str, path: str, body: Any) -> RedfishResponse:
        answer = self.session.request(method, self.base + path, json=body, timeout=5)
        self._check(answer, method, path)
        return RedfishResponse(answer.status_code, answer.headers, None, path)

    def post(self, path: str, body: Any = None) -> RedfishResponse:
        return self._send("POST", path, body)

    def patch(self, path: str, body: Any, etag: str | None = None) -> RedfishResponse:
        return self._send("PATCH", path, body)

    def delete(self, path: str) -> RedfishResponse:
        return self._send("DELETE", path, None)

    def close(self) -> None:
        self.session.close()


def real_transport(url: str = URL) -> RedfishClient:
    from hamnhw.transport.redfish import RedfishTransport

    transport = RedfishTransport(parse_bmc_url(url), Credentials("admin", Secret("pw-fake")),
                                 TlsOptions(), Timeouts(connect=2, read=5, operation=30))
    return transport.open()


CLIENT_KINDS: dict[str, Callable[[], RedfishClient]] = {
    "transport": real_transport,
    "requests": lambda: RequestsClient(BASE),
}
