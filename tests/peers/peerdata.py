"""What the peer fixtures start and what tests expect of them: accounts, the fake
systems' config, and the small records the fixtures hand to tests."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from peerproc import PeerProcess

USERNAME = "admin"
PASSWORD = "password"  # test-only account of the local peers
SUSHY_REQ = "sushy-tools==2.2.0"

# sushy-emulator fake driver: state lands 1-11 s after a power request.
FAKE_SYSTEMS = {
    "node-a": {"uuid": "27946b59-9e44-4fa7-8e91-f3527a1ef094", "power_state": "Off",
               "nics": [{"mac": "00:5c:52:31:3a:9c", "ip": "172.22.0.100"},
                        {"mac": "00:5c:52:31:3a:9d", "ip": "172.22.0.101"}]},
    "node-b": {"uuid": "38947555-7742-4fa7-8e91-f3527a1ef095", "power_state": "On",
               "nics": [{"mac": "00:5c:52:31:3b:01", "ip": "172.22.0.102"}]},
}
FAKE_DRIVES = [
    {"Id": "32ADF365C6C1B7BD", "Name": "Drive 0", "CapacityBytes": 899527000000, "Protocol": "SAS"},
    {"Id": "58CFF987G8J2V9KL", "Name": "Drive 1", "CapacityBytes": 899527000000, "Protocol": "SAS"},
]
# libvirt's test:///default driver: its one built-in domain and storage pool.
LIBVIRT_TEST_DOMAIN_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f"
LIBVIRT_TEST_POOL = "default-pool"
STORAGE_CONTROLLER = {"Id": "1", "Name": "Local Storage Controller",
                      "StorageControllers": [{"MemberId": "0", "SpeedGbps": 12,
                                              "Name": "Contoso Integrated RAID"}],
                      "Drives": [d["Id"] for d in FAKE_DRIVES]}


@dataclasses.dataclass(frozen=True)
class Peer:
    """A started peer: where it listens and how to log in."""

    process: PeerProcess
    bmc_url: str
    """hamnhw BMC URL of the service root, e.g. ``redfish://127.0.0.1:8443``."""
    http_url: str
    """Plain HTTP(S) base URL, e.g. ``https://127.0.0.1:8443``."""
    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None
    fingerprint: str | None = None

    def system_url(self, system_id: str) -> str:
        """BMC URL that picks one system of a multi-system BMC."""
        return f"{self.bmc_url}/redfish/v1/Systems/{system_id}"



@dataclasses.dataclass(frozen=True)
class CliResult:
    """Exit code and output of one ``hamnhw`` run."""

    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The one JSON object a ``--json`` run prints on stdout."""
        try:
            return dict(json.loads(self.stdout))
        except ValueError as exc:
            raise AssertionError(f"not JSON (exit {self.returncode}): {self.stdout!r} "
                                 f"stderr: {self.stderr[-2000:]}") from exc
