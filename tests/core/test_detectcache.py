"""Remembered driver detection (HAMNHW_DETECT_CACHE): skipped requests, keys that tell a
replaced BMC apart, nothing remembered by default."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import hamnhw
from hamnhw import detectcache
from hamnhw.sim import ServerSpec, SimCluster, SimServer


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    """A white-box board (no ServiceRoot Vendor, a placeholder System Manufacturer), so
    detection reads the Manager: the request a remembered detection saves."""
    spec = ServerSpec(name="bmc", vendor=None, manufacturer="To Be Filled By O.E.M.")
    with SimCluster([spec]) as cluster:
        yield cluster["bmc"]


@pytest.fixture(autouse=True)
def empty_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detectcache, "_MEMORY", {})


def manager_reads(server: SimServer) -> int:
    return sum(1 for r in server.requests if r.method == "GET" and "/Managers/" in r.path)


def connect_once(server: SimServer) -> hamnhw.Node:
    server.clear_requests()
    with hamnhw.connect(server.url, server.username, server.password,
                        choose_system=False) as node:
        return node


def test_remembered_on_disk_the_next_connection_skips_detection(
        server: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detectcache.ENV, str(tmp_path))
    first = connect_once(server)
    assert manager_reads(server) == 1
    monkeypatch.setattr(detectcache, "_MEMORY", {})  # a new process: only the disk knows
    second = connect_once(server)
    assert manager_reads(server) == 0
    assert second.detection.driver == first.detection.driver
    assert second.detection.reason.endswith("(remembered)")
    cache = tmp_path / "detect.json"
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    [(key, _entry)] = json.loads(cache.read_text()).items()
    assert key.startswith(f"{server.url.split('://')[1]}|")
    assert server.password not in cache.read_text()


def test_nothing_is_remembered_by_default(server: SimServer,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(detectcache.ENV, raising=False)
    connect_once(server)
    connect_once(server)
    assert manager_reads(server) == 1
    assert detectcache._MEMORY == {}


def test_keys_tell_a_replaced_bmc_apart() -> None:
    root = {"UUID": "AAAA-1"}
    same = detectcache.key("10.0.0.5", root, None)
    assert same == detectcache.key("10.0.0.5", {"UUID": "aaaa-1"}, None)
    assert same != detectcache.key("10.0.0.5", {"UUID": "BBBB-2"}, None)
    assert same != detectcache.key("10.0.0.6", root, None)
    assert (detectcache.key("10.0.0.5", root, "AB:CD")
            == detectcache.key("10.0.0.5", root, "abcd")
            != detectcache.key("10.0.0.5", root, "ef01"))
    assert detectcache.key("10.0.0.5", {}, None) is None  # no UUID: never remembered


def test_stale_or_unknown_entries_are_detected_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detectcache.ENV, "memory")
    detectcache._MEMORY["k"] = {"driver": "generic", "reason": "r", "at": 0.0}
    assert detectcache.lookup("k") is None
    assert detectcache.cache_file() is None and detectcache.enabled()


def test_a_vendor_url_scheme_is_honoured_over_a_remembered_detection(
        server: SimServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(detectcache.ENV, "memory")
    assert connect_once(server).detection.driver == "generic"
    forced = server.url.replace("redfish+", "idrac-redfish+")
    with hamnhw.connect(forced, server.username, server.password,
                        choose_system=False) as node:
        assert node.detection.driver == "dell"
        assert node.detection.reason.startswith("URL scheme")
