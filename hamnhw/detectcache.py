"""Remembered driver detection: a BMC seen before is not asked again which driver it needs.

Detection reads the System (which the driver reads next anyway) and, on a BMC naming no
maker at all, the Manager (:mod:`hamnhw.vendorhints`).  With ``HAMNHW_DETECT_CACHE`` set,
the driver chosen is remembered:

* ``memory``: for the life of the process (a long-running exporter, a script connecting
  again and again);
* ``1`` (or ``on``): also on disk, in ``$XDG_CACHE_HOME/hamnhw/detect.json`` (else
  ``~/.cache/hamnhw``), so that the next command skips it too;
* a directory: on disk there.

An entry is keyed by the BMC's address, its ServiceRoot ``UUID``, for a pinned
certificate the pinned fingerprint, and the system the URL names: a BMC replaced at the
same address (another UUID, or another certificate) never gets the old one's driver.  A
detection made while a read failed (the System or the Manager unreadable) is not
remembered.  Entries older than
:data:`MAX_AGE_S` are detected again; a driver no longer installed is detected again.
Unset (the default), nothing is remembered.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from hamnhw.log import get_logger
from hamnhw.models import Detection

LOG = get_logger("hamnhw.detectcache")

ENV = "HAMNHW_DETECT_CACHE"
MAX_AGE_S = 7 * 24 * 3600.0
"""A week: firmware updates do not change a BMC's vendor, replacements change its UUID."""

_LOCK = threading.Lock()
_MEMORY: dict[str, dict[str, Any]] = {}


def key(netloc: str, root: Any, pin: str | None, system_id: str | None = None) -> str | None:
    """The cache key of a connected BMC and the system its URL names (detection reads that
    System: on a multi-system service each may name another maker); None when its
    ServiceRoot has no UUID (it could not be told from a replacement)."""
    uuid = root.get("UUID") if isinstance(root, dict) else None
    if not isinstance(uuid, str) or not uuid.strip():
        return None
    return (f"{netloc}|{uuid.strip().lower()}|{(pin or '').replace(':', '').lower()}"
            f"|{system_id or ''}")


def cache_file(environ: Any = None) -> Path | None:
    """Where entries are kept on disk; None when only in memory or not at all."""
    value = (environ if environ is not None else os.environ).get(ENV, "").strip()
    if value.lower() in ("", "0", "off", "no", "memory"):
        return None
    if value.lower() in ("1", "on", "yes", "true"):
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "hamnhw" / "detect.json"
    return Path(value) / "detect.json"


def enabled(environ: Any = None) -> bool:
    """True when ``HAMNHW_DETECT_CACHE`` asks for a cache."""
    value = (environ if environ is not None else os.environ).get(ENV, "").strip().lower()
    return value not in ("", "0", "off", "no")


def lookup(cache_key: str) -> Detection | None:
    """The remembered detection, or None."""
    entry = _MEMORY.get(cache_key)
    if entry is None:
        entry = _read_disk().get(cache_key)
    if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) > MAX_AGE_S:
        return None
    driver, reason = entry.get("driver"), entry.get("reason")
    if not isinstance(driver, str) or not isinstance(reason, str):
        return None
    return Detection(driver, f"{reason} (remembered)")


def store(cache_key: str, detection: Detection) -> None:
    """Remember ``detection`` (in memory, and on disk when asked)."""
    entry = {"driver": detection.driver, "reason": detection.reason, "at": time.time()}
    with _LOCK:
        _MEMORY[cache_key] = entry
        path = cache_file()
        if path is None:
            return
        entries = _read_disk()
        entries[cache_key] = entry
        _write_disk(path, entries)


def _read_disk() -> dict[str, Any]:
    path = cache_file()
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_disk(path: Path, entries: dict[str, Any]) -> None:
    """Write atomically (a temporary file renamed), private to the user."""
    import tempfile  # here: it costs ~2 ms (shutil, bz2, lzma), and a command that writes
    # no cache (``power status``, timed against redfishtool: docs/performance.md) needs none

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".detect-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(entries, out)
        os.replace(temporary, path)
    except OSError as exc:
        LOG.debug("detection cache not written to %s: %s", path, exc)
