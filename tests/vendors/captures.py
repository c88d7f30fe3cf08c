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
