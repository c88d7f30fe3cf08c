"""CLI failures: error objects, exit codes, and no password on the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import json_out, run

from hamnhw.cli.main import main

ERROR_KEYS = {"type", "message", "exit_code"}
CREDS = {"HAMNHW_USERNAME": "root", "HAMNHW_PASSWORD": "pw-never-shown"}


def test_unreachable_port_exits_3_with_error_object(closed_port: int,
                                                   no_retry_sleep: list[float]) -> None:
    url = f"redfish+http://127.0.0.1:{closed_port}"
    result = run("--json", "power", "status", "--timeout", "5", url,
                 env={"HAMNHW_USERNAME": "root", "HAMNHW_PASSWORD": "pw-never-shown"})
    assert result.exit_code == 3, result.output
    payload = json_out(result)
    assert payload["node"] == url
    assert set(payload["error"]) == ERROR_KEYS
    assert payload["error"]["exit_code"] == 3
    assert payload["error"]["type"] == "BmcUnreachable"
    assert "pw-never-shown" not in result.stdout + result.stderr


def test_unreachable_without_json_is_a_message_on_stderr(closed_port: int,
                                                        no_retry_sleep: list[float]) -> None:
    url = f"redfish+http://127.0.0.1:{closed_port}"
    result = run("detect", url, env=CREDS)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith(f"hamnhw: {url}: ")


def test_config_error_exits_2_naming_key_and_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[nodes.a]\nbmc = "redfish://h"\ncolour = "blue"\n')
    result = run("--json", "nics", "--config", str(cfg), "a")
    assert result.exit_code == 2
    error = json_out(result)["error"]
    assert error["type"] == "ConfigError"
    assert error["exit_code"] == 2
    assert "nodes.a.colour" in error["message"]
    assert str(cfg) in error["message"]


def test_node_name_without_config_exits_2() -> None:
    result = run("--json", "detect", "bmc1")
    assert result.exit_code == 2
    assert "no config file was found" in json_out(result)["error"]["message"]


def test_unknown_node_name_exits_2(tmp_path: Path) -> None:
    (tmp_path / "hamnhw.toml").write_text('[nodes.a]\nbmc = "redfish://h"\n')
    result = run("--json", "detect", "b")
    assert result.exit_code == 2
    assert "no node named 'b'" in json_out(result)["error"]["message"]


def test_bad_url_exits_2() -> None:
    result = run("--json", "detect", "ftp://h")
    assert result.exit_code == 2
    assert json_out(result)["error"]["type"] == "ConfigError"


def test_unsafe_password_file_refused_before_connecting(tmp_path: Path, closed_port: int) -> None:
    pw = tmp_path / "pw"
    pw.write_text("pw-never-shown")
    os.chmod(pw, 0o644)
    result = run("--json", "power", "status", "--password-file", str(pw), "--username", "root",
                 f"redfish+http://127.0.0.1:{closed_port}")
    assert result.exit_code == 2  # not 3: the file is checked before any connection
    assert "readable by group or others" in json_out(result)["error"]["message"]
    assert "pw-never-shown" not in result.output


def test_no_password_option_exists() -> None:
    result = run("power", "status", "--password", "hunter2", "redfish://h")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    for command in (["power", "on"], ["nics"], ["inventory"], ["raid", "show"], ["detect"]):
        assert "--password " not in run(*command, "--help").stdout


def test_conflicting_tls_options_exit_2(closed_port: int) -> None:
    result = run("--json", "detect", "--insecure", "--ca-file", "ca.pem",
                 f"redfish://127.0.0.1:{closed_port}")
    assert result.exit_code == 2


@pytest.mark.parametrize("args", [
    ["power", "status", "--json", "--log-level", "debug"],
    ["power", "status", "--log-level", "debug", "--json"],
    ["--json", "power", "status", "--log-level", "debug"],
    ["--log-level", "debug", "power", "status", "--json"],
])
def test_global_options_accepted_after_the_command(args: list[str], closed_port: int,
                                                   no_retry_sleep: list[float],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    url = f"redfish+http://127.0.0.1:{closed_port}"
    result = run(*args, url, env=CREDS)
    assert result.exit_code == 3, result.output
    assert json_out(result)["error"]["type"] == "BmcUnreachable"
    assert "DEBUG" in caplog.text or any(r.levelname == "DEBUG" for r in caplog.records)


def test_global_options_after_a_subgroup_and_in_its_help() -> None:
    assert "--json" in run("power", "on", "--help").stdout
    assert "--log-level" in run("raid", "show", "--help").stdout


def test_installed_console_script_help() -> None:
    script = shutil.which("hamnhw", path=os.path.dirname(sys.executable))
    assert script, "the hamnhw console script is not installed next to the interpreter"
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    for name in ("power", "nics", "inventory", "raid", "detect", "demo"):
        assert name in done.stdout


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the console-script function and return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_main_usage_error_with_json_is_an_error_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "--json", "power", "status")
    assert code == 2
    payload = json.loads(out)
    assert payload["node"] is None
    assert payload["error"]["type"] == "MissingParameter"
    assert payload["error"]["exit_code"] == 2
    assert "NODE" in payload["error"]["message"]


def test_main_usage_error_without_json_is_clicks_message(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "power", "status")
    assert code == 2
    assert out == ""
    assert "Missing argument 'NODE'" in err


def test_main_passes_the_command_exit_code(capsys: pytest.CaptureFixture[str],
                                           closed_port: int, monkeypatch: pytest.MonkeyPatch,
                                           no_retry_sleep: list[float]) -> None:
    for name, value in CREDS.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_main(capsys, "--json", "detect", f"redfish+http://127.0.0.1:{closed_port}")
    assert code == 3
    assert json.loads(out)["error"]["exit_code"] == 3
    assert run_main(capsys, "--help")[0] == 0


@pytest.mark.parametrize("args", [
    ["--json", "power", "on", "--timeout", "abc", "redfish://bmc.test"],
    ["--json", "--log-level", "debug", "nics", "redfish://bmc.test", "--bogus"],
    ["--json", "power", "soft-off", "--escalate-after", "-1", "--", "redfish://bmc.test"],
    ["--json", "detect", "--config", "x.toml", "redfish://bmc.test", "--fanout", "0"],
])
def test_usage_error_names_the_node_given(capsys: pytest.CaptureFixture[str],
                                          args: list[str]) -> None:
    code, out, _ = run_main(capsys, *args)
    assert code == 2
    assert json.loads(out)["node"] == "redfish://bmc.test"


def test_vendor_scheme_without_driver_exits_2_before_connecting(closed_port: int) -> None:
    url = f"acme-redfish://127.0.0.1:{closed_port}"
    result = run("--json", "power", "status", url, env=CREDS)
    assert result.exit_code == 2, result.output  # not 3: nothing was tried
    error = json_out(result)["error"]
    assert error["type"] == "DriverNotFound"
    assert error["message"].endswith("no driver registered for acme-redfish://")


def test_protocol_without_driver_exits_2(monkeypatch: pytest.MonkeyPatch,
                                         closed_port: int) -> None:
    from hamnhw import registry

    redfish_only = {name: cls for name, cls in registry.load_drivers().items()
                    if cls.protocol == "redfish"}
    monkeypatch.setattr(registry, "load_drivers", lambda: redfish_only)
    result = run("--json", "power", "status", f"ipmi://127.0.0.1:{closed_port}", env=CREDS)
    assert result.exit_code == 2, result.output
    assert json_out(result)["error"]["message"].endswith("no driver registered for ipmi://")


@pytest.mark.parametrize("command", [("raid", "show"), ("raid", "show", "--check")])
def test_raid_over_ipmi_names_the_redfish_url_to_use(command: tuple[str, ...]) -> None:
    """README: RAID over IPMI raises UnsupportedOperation naming the Redfish scheme to use."""
    from hamnhw.sim import ServerSpec, SimCluster
    from hamnhw.sim.ipmi import IpmiSim

    with SimCluster([ServerSpec(name="n1")]) as cluster, IpmiSim(cluster) as ipmi:
        result = run("--json", *command, ipmi["n1"].url,
                     env={"HAMNHW_USERNAME": "admin",
                          "HAMNHW_PASSWORD": cluster["n1"].password})
    assert result.exit_code == 1, result.output
    error = json_out(result)["error"]
    assert error["type"] == "UnsupportedOperation"
    assert "does not support raid.status" in error["message"]
    assert "IPMI has no RAID" in error["message"] and "redfish://HOST" in error["message"]
