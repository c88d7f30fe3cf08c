"""A small HTTP client bound to one simulated server, for the simulator tests."""

from __future__ import annotations

from typing import Any

import requests

from hamnhw.sim import SimServer

SYSTEM = "/redfish/v1/Systems/1"
RESET = f"{SYSTEM}/Actions/ComputerSystem.Reset"
STORAGE = f"{SYSTEM}/Storage/RAIDController1"
SESSIONS = "/redfish/v1/SessionService/Sessions"


class Bmc:
    """``requests`` bound to one simulated server, basic auth unless ``auth=None``."""

    def __init__(self, server: SimServer, auth: Any = "basic", verify: Any = False) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy, even for loopback
        self.session.verify = verify
        if auth == "basic":
            self.session.auth = (server.username, server.password)
        elif auth is not None:
            self.session.auth = auth

    def url(self, path: str) -> str:
        return self.server.http_url + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def reset(self, reset_type: str) -> requests.Response:
        return self.post(RESET, {"ResetType": reset_type})

    def system(self) -> dict[str, Any]:
        response = self.get(SYSTEM)
        assert response.status_code == 200, response.text
        return response.json()

    def drive_serials(self) -> list[str]:
        storage = self.get(STORAGE)
        if storage.status_code == 404:
            return []
        links = [member["@odata.id"] for member in storage.json()["Drives"]]
        return [self.get(link).json()["SerialNumber"] for link in links]

    def close(self) -> None:
        self.session.close()
