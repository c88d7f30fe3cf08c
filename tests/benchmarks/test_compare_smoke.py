"""Smoke run of ``make bench-compare`` with two BMCs, the clients installed in the test venv
(the lean floor and hamnhw's rows): every answer right, no session left, hamnhw's request
counts on the benchmark tree, the server warmed before the rows (none builds an answer) or
not (``--cold``), a failed warm-up reported, the caller's ``HAMNHW_*`` variables kept from
the workers, and no module imported by a run rather than before it (deterministic: no timing
is asserted)."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hamnhw.transport.gate import MAX_IN_FLIGHT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

COMPARE = Path(__file__).resolve().parents[2] / "benchmarks" / "compare" / "compare.py"
MOCKUP = next((folder / "shared/mockups/public-localstorage"
               for folder in COMPARE.parents[2].parents
               if (folder / "shared/mockups/public-localstorage/index.json").is_file()), COMPARE)
"""As ``benchmarks/compare/tree.py`` finds it: in the nearest ``shared`` above the work tree."""
ROWS = ("http.client", "hamnhw", "hamnhw $expand=1", "hamnhw $expand", "hamnhw fan-out",
        "hamnhw remembered", "hamnhw CLI $expand")
MOST_REQUESTS = {"http.client": 17, "hamnhw": 20, "hamnhw $expand=1": 9, "hamnhw $expand": 6,
                 "hamnhw fan-out": 20, "hamnhw remembered": 20, "hamnhw CLI $expand": 13}
"""Per BMC: the floor's walk; hamnhw's is the floor + ServiceRoot + the system's chassis (it
could hold adapters) and, plain, its ``Drives`` list (it could list drives no Storage does):
docs/performance.md, "Why the rest is not met"; no Chassis collection (the system links its
chassis), no Manager (detection settled by the System's Manufacturer, read anyway).  So a
remembered detection saves nothing here; the CLI runs two commands over a nodes file
(``inventory``, which reads the Manager, then ``nics``), each reading the BMC expanded."""
SESSIONS = {"hamnhw CLI $expand": 2}
"""Sessions per BMC where not one: one per command."""
EXPAND_ROWS = {"hamnhw $expand=1", "hamnhw $expand", "hamnhw CLI $expand"}
"""The rows over BMCs advertising ``$expand``; the others read the plain ones."""


def compare(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``compare.py ARGS --no-startup --json``, which must succeed, as its JSON."""
    done = subprocess.run([sys.executable, str(COMPARE), *args, "--no-startup", "--json"],
                          capture_output=True, text=True, timeout=200, check=False, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_every_answer_is_right_and_hamnhw_sends_what_it_should() -> None:
    doc = compare("--scenario", "https,0,2,2", "--clients", ",".join(ROWS))
    assert doc["warm"] is True
    [scenario] = doc["scenarios"]
    rows = {row["client"]: row for row in scenario["rows"]}
    assert set(rows) == set(ROWS)
    for name, row in rows.items():
        assert row["correct"] == row["bmcs"] == 2, (name, row.get("wrong"))
        sessions = SESSIONS.get(name, 1)
        assert row["sessions_left"] == 0 and row["sessions_per_bmc"] == sessions, name
        # Reads of one BMC side by side: a few keep-alive connections per session at most.
        most = 1 if name == "http.client" else MAX_IN_FLIGHT
        assert 1 <= row["connections_per_bmc"] / sessions <= most, name
        assert row["requests_per_bmc"] <= MOST_REQUESTS[name], (name, row["requests_per_bmc"])
        assert row["basic_auth"] == 0, name
        # Warmed: every answer built ahead, the inventory's expanded Manager too.
        assert row["built_per_bmc"] == 0, name
        assert row["server_build_cpu_s"] >= row["server_build_cpu_once_s"] > 0, name
        assert row["late_imports"] == [], name


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_cold_server_builds_answers_for_the_first_reader_only() -> None:
    doc = compare("--scenario", "https,0,1,1", "--cold", "--clients",
                  "http.client,hamnhw,hamnhw $expand")
    assert doc["warm"] is False
    floor, hamnhw, expanded = doc["scenarios"][0]["rows"]
    assert all(row["correct"] == 1 for row in (floor, hamnhw, expanded))
    # The floor reads each resource once after its login: every GET builds an answer.
    assert floor["built_per_bmc"] == floor["requests_per_bmc"] - 2
    # hamnhw reads the same plain BMC after it: only what the floor did not read is built.
    assert 0 < hamnhw["built_per_bmc"] < hamnhw["requests_per_bmc"] - 2
    assert expanded["built_per_bmc"] > 0


def _load(name: str) -> ModuleType:
    """A module of ``benchmarks/compare`` (which puts its folder on ``sys.path``), fresh."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", COMPARE.with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_warm_builds_a_query_of_a_member_on_its_collection_and_the_reverse() -> None:
    server = _load("server")
    base = server.mock.load_mockup()
    bmcs = [server.Bmc(i, server.mock.personalised(base, i), 0.0, 6, group="expand")
            for i in range(2)]
    query = {"$expand": ".($levels=3)"}
    manager, managers = "/redfish/v1/Managers/BMC", "/redfish/v1/Managers"
    server._get(bmcs[0], manager, query)
    server._get(bmcs[1], "/redfish/v1/Systems", query)
    server.warm(bmcs)
    for bmc in bmcs:
        for path in (manager, managers, "/redfish/v1/Systems", "/redfish/v1/Systems/437XR1138R2"):
            assert server.cache_key(path, query) in bmc.cache, (bmc.index, path)
        assert server.cache_key("/redfish/v1/Chassis", query) not in bmc.cache
        bmc.reset()
        assert bmc.stats()["build_cpu_s"] == 0
        server.answer(bmc, "GET", f"{managers}?$expand=.($levels=3)",
                      {"authorization": server._BASIC}, b"")
        assert bmc.stats().get("built", 0) == 0 and bmc.stats()["build_cpu_s"] > 0


def test_a_failed_warm_up_is_told() -> None:
    compare_module = _load("compare")
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

    class Server:
        groups = {"expand": [(port, 0)]}
        warmed = False

        def urls(self, group: str) -> list[str]:
            return [f"http://127.0.0.1:{port}"]

        def warm(self) -> None:
            self.warmed = True

    scenario = compare_module.Scenario("http", 0.0, 1, 1)
    server = Server()
    failed = compare_module.warm_up(server, scenario, ["hamnhw $expand"], None)
    assert failed is not None and failed.startswith("expand: 0/1 BMCs answered"), failed
    assert server.warmed
    compare_module.WARMING_CLIENT = "no-such-client"
    failed = compare_module.warm_up(server, scenario, ["hamnhw $expand"], None)
    assert failed is not None and "exit status 2" in failed and "no-such-client" in failed


def test_workers_run_without_the_callers_hamnhw_variables(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compare_module = _load("compare")
    for name in ("HAMNHW_DETECT_CACHE", "HAMNHW_CONFIG", "HAMNHW_BENCH_TRACE"):
        monkeypatch.setenv(name, "1")
    env = compare_module.client_env()
    assert "HAMNHW_DETECT_CACHE" not in env and "HAMNHW_CONFIG" not in env
    assert env["HAMNHW_BENCH_TRACE"] == "1" and env["PATH"] == os.environ["PATH"]
    assert compare_module.client_env("/scratch")["HAMNHW_DETECT_CACHE"] == "/scratch"


@pytest.mark.skipif(not (MOCKUP / "index.json").is_file(), reason="no DMTF mockup in ../shared")
def test_a_detection_cache_in_the_callers_environment_is_not_used(tmp_path: Path) -> None:
    doc = compare("--scenario", "http,0,1,1", "--clients", "hamnhw $expand,hamnhw remembered",
                  env={**os.environ, "HAMNHW_DETECT_CACHE": str(tmp_path)})
    expanded, remembered = doc["scenarios"][0]["rows"]
    # A worker (the warm-up's, a row's) that saw the caller's variable would have stored
    # its detection there; the remembered row uses a scratch cache of its own.
    assert not (tmp_path / "detect.json").exists()
    assert expanded["requests_per_bmc"] == MOST_REQUESTS["hamnhw $expand"]
    assert remembered["requests_per_bmc"] == MOST_REQUESTS["hamnhw remembered"]
