"""The on-disk fixture format: ``exchanges.json`` + ``meta.json`` per recording.

See ``fixtures/README.md`` for the documented format.  Everything written
here has gone through one :class:`~hamnhw.fixturetools.scrub.Scrubber`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import pathlib
import tempfile
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from hamnhw.fixturetools.scrub import Scrubber

EXCHANGES_FILE = "exchanges.json"
META_FILE = "meta.json"
KEPT_HEADERS = ("Content-Type", "Location", "Retry-After", "ETag", "OData-Version")
FORMAT_VERSION = 1


@dataclasses.dataclass
class Exchange:
    """One request and its answer."""

    method: str
    """HTTP method."""
    path: str
    """Request path (no scheme or host)."""
    status: int
    """HTTP status of the answer."""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    """Answer headers, only those in :data:`KEPT_HEADERS`."""
    request_json: Any = None
    """Request body (scrubbed), None when there was none."""
    response_json: Any = None
    """JSON answer body, or None."""
    response_text: str | None = None
    """Non-JSON answer body (an HTML error page), or None."""

    def to_json(self) -> dict[str, Any]:
        """The ``exchanges.json`` entry; ``response_text`` only when set."""
        data: dict[str, Any] = {"method": self.method, "path": self.path, "status": self.status,
                                "headers": self.headers, "request_json": self.request_json}
        if self.response_text is not None:
            data["response_text"] = self.response_text
        else:
            data["response_json"] = self.response_json
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Exchange:
        """Parse one ``exchanges.json`` entry."""
        return cls(method=str(data["method"]).upper(), path=str(data["path"]),
                   status=int(data["status"]), headers=dict(data.get("headers") or {}),
                   request_json=data.get("request_json"),
                   response_json=data.get("response_json"),
                   response_text=data.get("response_text"))


def keep_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Keep only :data:`KEPT_HEADERS` (case-insensitively); ``Location`` becomes a path."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    kept = {name: lowered[name.lower()] for name in KEPT_HEADERS if name.lower() in lowered}
    if "Location" in kept:
        kept["Location"] = path_only(kept["Location"])
    return kept


def path_only(url: str) -> str:
    """``https://h:1/redfish/v1/x?y`` -> ``/redfish/v1/x?y``; a path stays as is."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def scrub_exchanges(exchanges: Sequence[Exchange],
                    scrubber: Scrubber | None = None) -> tuple[list[Exchange], dict[str, int]]:
    """Scrub a whole recording with one scrubber (two passes).

    :returns: the scrubbed exchanges and the count of distinct values
        replaced per category.
    """
    scrubber = scrubber or Scrubber()
    raw = [exchange.to_json() for exchange in exchanges]
    scrubber.prepare(raw)
    cleaned = []
    for exchange in exchanges:
        cleaned.append(Exchange(
            method=exchange.method,
            path=scrubber.scrub_text(exchange.path),
            status=exchange.status,
            headers={k: scrubber.scrub(v, k) for k, v in keep_headers(exchange.headers).items()},
            request_json=scrubber.scrub(exchange.request_json),
            response_json=scrubber.scrub(exchange.response_json),
            response_text=(None if exchange.response_text is None
                           else scrubber.scrub_text(exchange.response_text))))
    return cleaned, dict(sorted(scrubber.counts.items()))


def build_meta(*, source: str, kind: str, vendor: str, model: str, firmware: str,
               scrubbed: Mapping[str, int], session: str | None = None,
               exchanges: int = 0, today: datetime.date | None = None) -> dict[str, Any]:
    """The ``meta.json`` document (counts only, never an original value)."""
    from hamnhw import __version__

    return {
        "format": FORMAT_VERSION,
        "source": source,
        "kind": kind,
        "session": session,
        "vendor": vendor,
        "model": model,
        "firmware": firmware,
        "hamnhw_version": __version__,
        "recorded_at": (today or datetime.date.today()).isoformat(),
        "exchanges": exchanges,
        "scrubbed": dict(scrubbed),
    }


def write_recording(out_dir: pathlib.Path, exchanges: Sequence[Exchange],
                    meta: Mapping[str, Any]) -> pathlib.Path:
    """Write ``exchanges.json`` and ``meta.json`` (already scrubbed) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    body = [exchange.to_json() for exchange in exchanges]
    _write_private(out_dir / EXCHANGES_FILE, _dump(body))
    _write_private(out_dir / META_FILE, _dump(dict(meta)))
    return out_dir


def _write_private(path: pathlib.Path, text: str) -> None:
    """Write ``path`` atomically, mode 0600 from its creation whatever the umask: a temporary
    file in the same directory (``mkstemp`` makes it 0600), synced, then renamed over it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def load_exchanges(fixture_dir: str | pathlib.Path) -> list[Exchange]:
    """Read ``exchanges.json`` of one recording."""
    path = pathlib.Path(fixture_dir) / EXCHANGES_FILE
    return [Exchange.from_json(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def load_meta(fixture_dir: str | pathlib.Path) -> dict[str, Any]:
    """Read ``meta.json`` of one recording (empty dict when absent)."""
    path = pathlib.Path(fixture_dir) / META_FILE
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
