"""The published captures tests/vendors parse: json_samples of the pinned sushy,
sushy-oem-idrac and proliantutils wheels, unpacked by ``fetch_captures.sh`` into
``$HAMNHW_CAPTURES`` (default ``.peers/captures``; ``make test`` fills it).  Never copied into
the repository; a test skips, saying why, only when the cache could not be filled."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DELL_DIRS = {
    "sushy-5.14.0": "sushy/tests/oem/dell/unit/json_samples",
    "sushy-oem-idrac-6.0.0": "sushy_oem_idrac/tests/unit/json_samples",
}
HPE_DIR = ("proliantutils-2.16.3", "proliantutils/tests/redfish/json_samples")


def cache() -> Path:
    """The capture cache, or a skip naming how to fill it."""
    root = Path(os.environ.get("HAMNHW_CAPTURES") or REPO / ".peers" / "captures")
    if not (root / ".fetched").is_file():
        pytest.skip(f"published captures not in {root}: run `bash tests/vendors/"
                    f"fetch_captures.sh {root}` (make test does; it needs the PyPI mirror)")
    return root


def sample(package: str, folder: str, name: str) -> Any:
    """One json sample (a document, or a dict of named documents)."""
    path = cache() / package / folder / name
    if not path.is_file():
        pytest.fail(f"{path} is missing from the pinned {package}: the cache is damaged")
    return json.loads(path.read_text())


def dell(package: str, name: str) -> Any:
    """A Dell sample of ``package`` (``sushy-5.14.0`` or ``sushy-oem-idrac-6.0.0``)."""
    return sample(package, DELL_DIRS[package], name)


def hpe(name: str) -> Any:
    """A proliantutils iLO 5 sample."""
    return sample(*HPE_DIR, name)


class FakeClient:
    """A client over a ``{path: document}`` map (GETs only; POSTs answered from ``posts``)."""

    host = "capture.invalid"

    def __init__(self, docs: dict[str, Any], posts: dict[str, Any] | None = None,
                 root: dict[str, Any] | None = None) -> None:
        self.docs = {k.rstrip("/"): v for k, v in docs.items()}
        self.posts = posts or {}
        self.root = root or {}

    def get(self, path: str) -> dict[str, Any]:
        from hamnhw.errors import NotFoundError

        found = self.docs.get(path.rstrip("/"))
        if found is None:
            raise NotFoundError(host=self.host, method="GET", path=path, status=404)
        return found

    def post(self, path: str, body: Any = None) -> Any:
        from hamnhw.transport.base import RedfishResponse

        return RedfishResponse(200, {}, self.posts.get(path), path)


def hpe_tree(*, standard: dict[str, Any] | None = None, storage_id: str = "1") -> dict[str, Any]:
    """The proliantutils iLO 5 samples as one BMC's documents, by path: the system, its
    SmartStorage (controller 0, logical drives 1 and 2, disks 3 and 4, its SmartStorageConfig)
    and its standard Storage (``storage.json`` with ``drive.json``'s first two drives and
    ``volume.json``).  The standard samples name system ``437XR1138R2``: moved under system
    ``1``, where ``system.json`` links its Storage, as Storage ``storage_id``.  ``standard``
    updates ``storage.json``.
    """
    ctrl = "/redfish/v1/Systems/1/SmartStorage/ArrayControllers/0/"
    lds, disks = hpe("logical_drive.json"), hpe("disk_drive.json")
    drives = hpe("drive.json")
    moved = json.loads(json.dumps({
        "storages": hpe("storage_collection.json"), "storage": hpe("storage.json"),
        "drive1": drives["drive1"], "drive2": drives["drive2"],
        "volumes": hpe("volume_collection.json"), "volume": hpe("volume.json"),
    }).replace("/Systems/437XR1138R2/Storage/1", f"/Systems/1/Storage/{storage_id}")
        .replace("/Systems/437XR1138R2/", "/Systems/1/"))
    moved["storage"].update(standard or {})
    docs = {
        "/redfish/v1/Systems/": {"Members": [{"@odata.id": "/redfish/v1/Systems/1/"}]},
        "/redfish/v1/Systems/1/": hpe("system.json")["default"],
        "/redfish/v1/Systems/1/SmartStorage/": hpe("smart_storage.json"),
        "/redfish/v1/Systems/1/SmartStorage/ArrayControllers/":
            hpe("array_controller_collection.json"),
        ctrl: hpe("array_controller.json"),
        f"{ctrl}LogicalDrives/": hpe("logical_drive_collection.json"),
        f"{ctrl}LogicalDrives/1/": lds["logical_drive1"],
        f"{ctrl}LogicalDrives/2/": lds["logical_drive2"],
        f"{ctrl}DiskDrives/": hpe("disk_drive_collection.json"),
        f"{ctrl}DiskDrives/3/": disks["drive1"], f"{ctrl}DiskDrives/4/": disks["drive2"],
        "/redfish/v1/systems/1/smartstorageconfig/": hpe("smart_storage_config.json"),
    }
    for doc in moved.values():
        docs[doc["@odata.id"]] = doc
    return docs


def hpe_driver(docs: dict[str, Any]) -> Any:
    """The HPE driver over ``docs`` (reads only), as ``hamnhw.connect`` would build it."""
    from hamnhw_drivers.hpe import HpeIloDriver

    from hamnhw.address import parse_bmc_url
    from hamnhw.interfaces import PollPolicy

    root = {"@odata.id": "/redfish/v1/", "Systems": {"@odata.id": "/redfish/v1/Systems/"}}
    return HpeIloDriver(FakeClient(docs, root=root), parse_bmc_url("redfish://capture.invalid"),
                        PollPolicy())
