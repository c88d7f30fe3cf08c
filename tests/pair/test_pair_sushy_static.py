"""``hamnhw pair check`` against two sushy-static processes serving DMTF mockups from
../shared/mockups (read-only, no auth): the same mockup twice (identical serials: a
placeholder, warned) and two different mockups (other models, other NIC counts)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "peers"))
from checksim import PASSWORD_ENV, json_of, run_cli
from peerproc import LOOPBACK, PeerProcess, free_port, start_peer, wait_http

pytestmark = pytest.mark.peers

REPO = Path(__file__).resolve().parents[2]
MOCKUPS = REPO.parent / "shared" / "mockups"
STATIC = REPO / ".peers" / "v-sushy" / "bin" / "sushy-static"


def mockup(name: str) -> Path:
    path = MOCKUPS / name
    if not (path / "index.json").is_file():
        pytest.skip(f"DMTF mockup absent: {path} (../shared/mockups beside the repo)")
    return path


@pytest.fixture(scope="module")
def statics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if not STATIC.exists():
        pytest.skip(f"sushy-static not installed at {STATIC}: run `make peers-install`")
    started: list[PeerProcess] = []
    urls = {}
    try:
        for name, which in (("a", "public-localstorage"), ("b", "public-localstorage"),
                            ("rack", "public-rackmount1")):
            workdir = tmp_path_factory.mktemp(f"static-{name}")
            port = free_port()
            process = start_peer(f"sushy-static-{name}", [str(STATIC), "-i", LOOPBACK, "-p",
                                                          str(port), "-m", str(mockup(which))],
                                 workdir)
            started.append(process)
            wait_http(process, f"http://{LOOPBACK}:{port}/redfish/v1/")
            urls[name] = f"redfish+http://{LOOPBACK}:{port}"
        yield urls
    finally:
        for process in started:
            process.stop()


def pair_check(tmp_path: Path, primary: str, standby: str) -> tuple[int, dict[str, Any]]:
    config = tmp_path / "hamnhw.toml"
    # sushy-static asks for no credentials; the CLI needs a username all the same (it never
    # logs in with an empty one): any account will do.
    account = f'username = "hamnhw"\npassword_env = "{PASSWORD_ENV}"\n'
    config.write_text(f'[primary]\nbmc = "{primary}"\n{account}'
                      f'[standby]\nbmc = "{standby}"\n{account}')
    result = run_cli("--json", "pair", "check", "--config", str(config))
    return result.exit_code, json_of(result)


def by_name(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in payload["checks"]}


def mockup_system(name: str) -> dict[str, Any]:
    root = mockup(name)
    systems = json.loads((root / "Systems" / "index.json").read_text())["Members"]
    relative = systems[0]["@odata.id"].removeprefix("/redfish/v1/")
    return dict(json.loads((root / relative / "index.json").read_text()))


def test_same_mockup_twice_warns_the_shared_serial(statics: dict[str, str],
                                                   tmp_path: Path) -> None:
    code, out = pair_check(tmp_path, statics["a"], statics["b"])
    checks = by_name(out)
    assert checks["reachable"]["status"] == "pass"
    assert checks["serial"]["status"] == "warn"
    assert checks["serial"]["evidence"]["primary"] == \
        mockup_system("public-localstorage")["SerialNumber"]
    assert checks["model"]["status"] == "pass"
    assert checks["nic_count"]["status"] == "pass"
    assert [e["matched_by"] for e in out["nic_map"]] == ["id", "id"]
    # one mockup twice: every MAC is on both "nodes", which the NIC check warns about
    assert checks["nic_mac"]["status"] == "warn" and "same MAC" in checks["nic_mac"]["message"]
    assert checks["raid1"]["status"] == "pass"          # the mockup's RAID1 is healthy
    assert checks["restore_policy"]["status"] == "unknown"   # the mockup does not tell
    assert code == 0


def test_two_different_mockups_differ_in_model(statics: dict[str, str], tmp_path: Path) -> None:
    code, out = pair_check(tmp_path, statics["a"], statics["rack"])
    checks = by_name(out)
    models = (mockup_system("public-localstorage")["Model"],
              mockup_system("public-rackmount1")["Model"])
    assert checks["model"]["evidence"] == {"primary": models[0], "standby": models[1]}
    assert models[0] != models[1] and checks["model"]["status"] == "warn"
    # rackmount1 names no controller model: unknown, never a failure
    assert checks["storage_controller"]["status"] == "unknown"
    assert [e["matched_by"] for e in out["nic_map"]] == ["order", "order"]
    assert code == 0
