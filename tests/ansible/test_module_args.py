"""The modules' argument handling, without a BMC: which options go together, where the
password, the TLS choice and the timeout come from, what a missing hamnhw says, and how a
typed error becomes the task's failure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ansiblerun import REPO, run_module

pytest.importorskip("ansible", reason="ansible-core is a test dependency (make venv)")

from hamnhw.connection import Secret
from hamnhw.errors import AuthenticationError, BmcUnreachable, ConfigError, TlsError
from hamnhw.sim import ServerSpec, SimCluster

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from ansible_collections.hamnhw.bmc.plugins.module_utils import hamnhw_bmc
from ansible_collections.hamnhw.bmc.plugins.modules import pair_check, power, raid

FINGERPRINT = "AB" * 32
CONFIG = f"""
[defaults]
username = "fleet"
password_env = "T_FLEET_PW"
timeout = 45

[nodes.n1]
bmc = "redfish://10.9.0.1"
pin_fingerprint = "{FINGERPRINT}"

[nodes.n2]
bmc = "redfish://10.9.0.2"
driver = "dell"

[nodes.n3]
bmc = "redfish://10.9.0.3"
insecure = true
"""


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "hamnhw.toml"
    path.write_text(CONFIG)
    return str(path)


def params(**given: Any) -> dict[str, Any]:
    """Module parameters as AnsibleModule fills them: every connection option, None unless
    given."""
    return {**dict.fromkeys(hamnhw_bmc.CONNECTION_ARGUMENTS), **given}


def test_a_bmc_url_with_its_password_option() -> None:
    kwargs = hamnhw_bmc.connect_arguments(
        params(bmc="redfish://10.9.0.9", username="root", password="pw-opt"), environ={})
    password = kwargs.pop("password")
    assert isinstance(password, Secret) and password.reveal() == "pw-opt"
    assert kwargs == {"url": "redfish://10.9.0.9", "name": "redfish://10.9.0.9",
                      "username": "root", "driver": None, "timeout": 120.0}


def test_a_config_node_gets_its_own_and_inherited_settings(config: str) -> None:
    kwargs = hamnhw_bmc.connect_arguments(params(node="n1", config=config),
                                          environ={"T_FLEET_PW": "from-env"})
    assert kwargs["url"] == "redfish://10.9.0.1" and kwargs["name"] == "n1"
    assert (kwargs["username"], kwargs["password"].reveal()) == ("fleet", "from-env")
    assert (kwargs["pin_fingerprint"], kwargs["ca_file"], kwargs["insecure"]) == (
        FINGERPRINT, None, False)
    assert kwargs["timeout"] == 45.0
    assert hamnhw_bmc.connect_arguments(params(node="n2", config=config),
                                        environ={"T_FLEET_PW": "x"})["driver"] == "dell"


def test_the_password_option_wins_over_the_config_source(config: str) -> None:
    """Even when the config's password_env variable is unset: the option is the source."""
    kwargs = hamnhw_bmc.connect_arguments(params(node="n1", config=config, password="opt"),
                                          environ={})
    assert (kwargs["username"], kwargs["password"].reveal()) == ("fleet", "opt")


def test_a_password_file_option(tmp_path: Path, config: str) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    secret.chmod(0o600)
    kwargs = hamnhw_bmc.connect_arguments(
        params(node="n1", config=config, password_file=str(secret)), environ={})
    assert kwargs["password"].reveal() == "from-file"
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by group or others"):
        hamnhw_bmc.connect_arguments(params(node="n1", config=config,
                                            password_file=str(secret)), environ={})


def test_tls_options_replace_the_config_choice_as_a_whole(config: str) -> None:
    kwargs = hamnhw_bmc.connect_arguments(
        params(node="n1", config=config, ca_file="/etc/ca.pem", timeout=9.5),
        environ={"T_FLEET_PW": "x"})
    assert (kwargs["ca_file"], kwargs["pin_fingerprint"], kwargs["insecure"]) == (
        "/etc/ca.pem", None, False)
    assert kwargs["timeout"] == 9.5


def test_insecure_false_on_the_task_overrides_the_config_insecure(config: str) -> None:
    """Review 15 item 4: a given false is a choice, not an absent option."""
    environ = {"T_FLEET_PW": "x"}
    kwargs = hamnhw_bmc.connect_arguments(params(node="n3", config=config), environ=environ)
    assert kwargs["insecure"] is True
    kwargs = hamnhw_bmc.connect_arguments(params(node="n3", config=config, insecure=False),
                                          environ=environ)
    assert (kwargs["ca_file"], kwargs["pin_fingerprint"], kwargs["insecure"]) == (
        None, None, False)


def test_the_task_deadline_shortens_the_module_timeout() -> None:
    assert hamnhw_bmc.task_seconds(60.0, None) == 60.0
    assert hamnhw_bmc.task_seconds(60.0, 1000.0 + 10, now=1000.0) == 10 - \
        hamnhw_bmc.TASK_MARGIN_S
    assert hamnhw_bmc.task_seconds(5.0, 1000.0 + 10, now=1000.0) == 5.0
    with pytest.raises(ConfigError, match="leaves no time"):
        hamnhw_bmc.task_seconds(60.0, 1000.5, now=1000.0)


def test_username_from_the_environment_and_a_missing_password() -> None:
    env = {"HAMNHW_USERNAME": "envuser", "HAMNHW_PASSWORD": "envpw"}
    kwargs = hamnhw_bmc.connect_arguments(params(bmc="redfish://h"), environ=env)
    assert (kwargs["username"], kwargs["password"].reveal()) == ("envuser", "envpw")
    with pytest.raises(ConfigError, match="no password for root"):
        hamnhw_bmc.connect_arguments(params(bmc="redfish://h", username="root"), environ={})


def test_a_node_without_a_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("hamnhw.configpath.SYSTEM_CONFIG", tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="node 'n1' needs a config file"):
        hamnhw_bmc.connect_arguments(params(node="n1"), environ={})


@pytest.mark.parametrize("read", [
    lambda path: hamnhw_bmc.connect_arguments(params(node="n1", config=path), environ={}),
    pair_check.read_config,
], ids=["node", "pair_check"])
def test_a_missing_config_file_is_named_by_the_modules_option(
        tmp_path: Path, read: Callable[[str], object]) -> None:
    """Not by the command line's ``--config``."""
    with pytest.raises(ConfigError, match=r"^config file not found \(from option config\)"):
        read(str(tmp_path / "absent.toml"))


def test_an_unknown_node(config: str) -> None:
    with pytest.raises(ConfigError, match="no node named 'n9' \\(known: n1, n2, n3\\)"):
        hamnhw_bmc.connect_arguments(params(node="n9", config=config), environ={})


@pytest.mark.parametrize(("exc", "name", "code"), [
    (BmcUnreachable("no route", host="h:443"), "UNREACHABLE", 3),
    (TlsError("certificate verify failed", host="h:443"), "UNREACHABLE", 3),
    (AuthenticationError("credentials rejected (HTTP 401)", host="h:443"), "AUTH", 4),
    (ConfigError("bad key", key="nodes.a.timeout"), "USAGE", 2),
])
def test_typed_errors_carry_the_exit_code_name(exc: Exception, name: str, code: int) -> None:
    result = hamnhw_bmc.error_result(exc, "n1")
    assert result["node"] == "n1" and result["msg"] == str(exc)
    assert result["error"] == {"type": type(exc).__name__, "message": str(exc),
                               "exit_code": code, "exit_code_name": name}


def run_main(module: Any, args: dict[str, Any],
             capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return run_module(module, args, capsys)


@pytest.mark.parametrize(("args", "says"), [
    ({}, "one of the following is required: bmc, node"),
    ({"bmc": "redfish://h", "node": "n1"}, "mutually exclusive: bmc|node"),
    ({"node": "n1", "password": "pw-9x", "password_file": "/f"}, "password|password_file"),
    ({"node": "n1", "ca_file": "/c", "insecure": True}, "ca_file|pin_fingerprint|insecure"),
    ({"node": "n1", "state": "reboot"}, "value of state must be one of"),
    ({"node": "n1", "state": "on", "escalate_after": 5},
     "escalate_after applies to state=soft_off"),
    ({"bmc": "redfish://h", "password": "p", "state": "soft_off", "escalate_after": 0},
     "escalate_after (0 s) must be more than 0 s"),
    ({"bmc": "redfish://h", "password": "p", "state": "soft_off", "escalate_after": -3},
     "escalate_after (-3 s) must be more than 0 s"),
    ({"bmc": "redfish://h", "password": "p", "state": "soft_off", "escalate_after": 0,
      "_ansible_check_mode": True}, "escalate_after (0 s) must be more than 0 s"),
    ({"bmc": "redfish://h", "password": "p", "state": "soft_off", "escalate_after": 200},
     "escalate_after (200 s) must be shorter than the longest wait (113 s): timeout"),
])
def test_option_rules_fail_before_any_connection(args: dict[str, Any], says: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    result = run_main(power, args, capsys)
    assert result["failed"] is True
    assert says in result["msg"]


def test_the_password_is_a_no_log_value(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ansible masks the password wherever the module's result would carry it; the error of
    an unreachable BMC (port 9 on loopback: nothing listens) names the BMC, not it."""
    result = run_main(power, {"bmc": "redfish+http://127.0.0.1:9", "username": "u",
                              "password": "Sekrit-canary-1", "timeout": 2}, capsys)
    assert result["failed"] is True
    assert result["error"]["exit_code_name"] == "UNREACHABLE"
    assert "Sekrit-canary-1" not in json.dumps(result)
    assert hamnhw_bmc.CONNECTION_ARGUMENTS["password"]["no_log"] is True


@pytest.fixture
def without_hamnhw(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(hamnhw_bmc, "HAMNHW_IMPORT_ERROR", "ModuleNotFoundError: hamnhw")
    yield


@pytest.mark.usefixtures("without_hamnhw")
def test_a_missing_hamnhw_says_what_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_main(power, {"node": "n1"}, capsys)
    assert result["failed"] is True
    assert "Failed to import the required Python library (hamnhw)" in result["msg"]
    assert "ansible_python_interpreter" in result["msg"]


@pytest.mark.parametrize(("args", "says"), [
    ({"node": "n1"}, "state is present but all of the following are missing: drives"),
    ({"node": "n1", "state": "absent"}, "missing: volume"),
    ({"node": "n1", "state": "rebuild", "volume": "V1", "drive": "D3"},
     "missing: confirm_serial"),
    ({"node": "n1", "state": "spare"}, "missing: drive"),
    ({"node": "n1", "drives": ["D1", "D2"], "raid_type": "RAID7"},
     "value of raid_type must be one of"),
])
def test_raid_option_rules(args: dict[str, Any], says: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    result = run_main(raid, args, capsys)
    assert result["failed"] is True
    assert says in result["msg"]


def test_raid_without_the_raid_library_says_so(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raid, "RAID_IMPORT_ERROR", "ModuleNotFoundError: hamnhw.raid")
    result = run_main(raid, {"node": "n1", "drives": ["D1", "D2"]}, capsys)
    assert result["failed"] is True
    assert "(hamnhw with the RAID writes (hamnhw.raid))" in result["msg"]


@pytest.mark.e2e
def test_sigterm_stops_the_module_and_logs_out(tmp_path: Path) -> None:
    """SIGTERM (a cancelled job; a task timeout sends none, see test_task_timeout) stops
    the module: the hung request is given up, the session logged out, and the task fails
    TERMINATED (exit code 143's name)."""
    with SimCluster([ServerSpec(name="term", power="On")]) as sim:
        server = sim["term"]
        server.inject("hang", path="/redfish/v1/Systems/1/Actions/ComputerSystem.Reset")
        args = tmp_path / "args.json"
        args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
            "bmc": server.url, "username": server.username, "password": server.password,
            "state": "off", "timeout": 60}}))
        module = Path(power.__file__)
        proc = subprocess.Popen([sys.executable, str(module), str(args)],
                                env={**os.environ, "PYTHONPATH": str(REPO)},
                                stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not any("Reset" in r.path for r in server.requests):
                assert time.monotonic() < deadline, "the reset never reached the BMC"
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        finally:
            proc.kill()
        result = json.loads(out)
        assert result["failed"] is True
        assert result["error"]["exit_code_name"] == "TERMINATED"
        assert any(r.method == "DELETE" and "/SessionService/Sessions/" in r.path
                   for r in server.requests)
