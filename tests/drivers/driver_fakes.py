"""In-memory Redfish client, fake clock and scripted power states for driver unit tests."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from hamnhw_drivers.generic import GenericRedfishDriver

from hamnhw.address import parse_bmc_url
from hamnhw.errors import http_error_class
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ManualClock
from hamnhw.transport.base import RedfishClient, RedfishResponse

SYSTEM = "/redfish/v1/Systems/1"
RESET = f"{SYSTEM}/Actions/ComputerSystem.Reset"


class FakeClock(ManualClock):
    """The simulator's manual clock, starting at 0, with a poll policy on it."""

    def __init__(self) -> None:
        super().__init__(start=0.0)

    def policy(self, interval: float = 2.0, timeout: float = 60.0) -> PollPolicy:
        return PollPolicy(interval=interval, timeout=timeout, clock=self.clock, sleep=self.sleep)


class FakeClient(RedfishClient):
    """Serves documents from a dict and records every request.

    ``power_script`` (optional) gives the ``PowerState`` of successive GETs of
    the system; its last value sticks.  ``on_post`` may raise or mutate.
    """

    host = "bmc.test:443"

    def __init__(self, docs: Mapping[str, Any], *, power_script: list[Any] | None = None,
                 on_post: Callable[[str, Mapping[str, Any]], None] | None = None) -> None:
        self.docs = copy.deepcopy(dict(docs))
        self.power_script = list(power_script or [])
        self.on_post = on_post
        self.requests: list[tuple[str, str, Any]] = []

    @property
    def root(self) -> Mapping[str, Any]:
        return self.docs["/redfish/v1/"]

    def get(self, path: str) -> dict[str, Any]:
        self.requests.append(("GET", path, None))
        if path not in self.docs:
            raise http_error_class(404)(host=self.host, method="GET", path=path, status=404)
        doc = copy.deepcopy(self.docs[path])
        if path == SYSTEM and self.power_script:
            doc["PowerState"] = self.power_script.pop(0) if len(self.power_script) > 1 else (
                self.power_script[0])
        return doc

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        self.requests.append(("POST", path, dict(body or {})))
        if self.on_post:
            self.on_post(path, body or {})
        return RedfishResponse(204, {}, None, path)

    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        self.requests.append(("PATCH", path, dict(body)))
        _merge(self.docs[path], body)
        return RedfishResponse(204, {}, None, path)

    def delete(self, path: str) -> RedfishResponse:
        self.requests.append(("DELETE", path, None))
        return RedfishResponse(204, {}, None, path)

    def close(self) -> None:
        self.requests.append(("CLOSE", "", None))

    def sent(self, method: str) -> list[tuple[str, Any]]:
        """(path, body) of every request with ``method``, in order."""
        return [(p, b) for m, p, b in self.requests if m == method]

    def gets_of(self, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == "GET" and p == path)


def _merge(target: dict[str, Any], patch: Mapping[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def http_error(status: int, path: str = RESET, method: str = "POST") -> Exception:
    return http_error_class(status)(host=FakeClient.host, method=method, path=path, status=status)


def minimal_docs(system: Mapping[str, Any] | None = None,
                 allowed: list[str] | None = None) -> dict[str, Any]:
    """A one-system service: root, Systems collection, the system (with extra properties)."""
    reset: dict[str, Any] = {"target": RESET}
    if allowed is not None:
        reset["ResetType@Redfish.AllowableValues"] = allowed
    doc: dict[str, Any] = {"@odata.id": SYSTEM, "Id": "1", "PowerState": "On",
                           "Actions": {"#ComputerSystem.Reset": reset}}
    doc.update(system or {})
    return {
        "/redfish/v1/": {"Systems": {"@odata.id": "/redfish/v1/Systems"}},
        "/redfish/v1/Systems": {"Members": [{"@odata.id": SYSTEM}]},
        SYSTEM: doc,
    }


def make_driver(client: RedfishClient, url: str = "redfish://bmc.test",
                poll: PollPolicy | None = None,
                cls: type[GenericRedfishDriver] = GenericRedfishDriver) -> GenericRedfishDriver:
    return cls(client, parse_bmc_url(url), poll or FakeClock().policy())
