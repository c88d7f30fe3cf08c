"""No username anywhere: a prompt on a terminal, else exit 2 before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run
from ptyrun import CTRL_C, clean_env, hamnhw_argv, run_on_pty

from hamnhw.sim import ServerSpec, SimCluster, SimServer


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="bmc", password="s3cr3t-sim-pw-7c")]) as cluster:
        yield cluster["bmc"]


def test_no_username_without_a_terminal_exits_2_before_sending(server: SimServer) -> None:
    server.clear_requests()
    result = run("--json", "power", "status", server.url,
                 env={"HAMNHW_PASSWORD": server.password})
    assert result.exit_code == 2, result.output
    error = json_out(result)["error"]
    assert error["type"] == "ConfigError"
    assert json_out(result)["node"] == server.url
    assert error["message"].startswith("no username: use --username")
    assert server.requests == [], "nothing was sent: no login with an empty name"


def test_no_username_in_config_names_the_node(server: SimServer, tmp_path) -> None:
    (tmp_path / "hamnhw.toml").write_text(f'[nodes.mn1]\nbmc = "{server.url}"\n')
    result = run("power", "status", "mn1", env={"HAMNHW_PASSWORD": server.password})
    assert result.exit_code == 2
    assert "hamnhw: mn1: no username: use --username" in result.stderr
    assert result.stderr.count("mn1") == 1, "the node is named once"


@pytest.mark.e2e
def test_username_and_password_prompted_on_a_terminal(server: SimServer) -> None:
    server.clear_requests()
    code, shown, _ = run_on_pty(
        hamnhw_argv("power", "status", server.url), clean_env(),
        [(f"BMC username for {server.url}", server.username),
         (f"BMC password for {server.username}", server.password)])
    assert code == 0, shown
    assert f"{server.url}: off" in shown
    assert server.password not in shown, "the password is not echoed"
    logins = [r for r in server.requests if r.path.endswith("/Sessions") and r.method == "POST"]
    assert [r.body["UserName"] for r in logins] == [server.username]


@pytest.mark.e2e
def test_ctrl_c_at_the_password_prompt_exits_130_without_sending(server: SimServer) -> None:
    server.clear_requests()
    env = clean_env({"HAMNHW_USERNAME": server.username})
    code, shown, _ = run_on_pty(hamnhw_argv("power", "status", server.url), env,
                                [(f"BMC password for {server.username}", CTRL_C)])
    assert code == 130, shown
    assert "Aborted!" not in shown
    assert f"hamnhw: {server.url}: interrupted by SIGINT" in shown
    assert server.requests == []


@pytest.mark.e2e
def test_ctrl_c_at_the_password_prompt_says_nothing_was_sent(server: SimServer) -> None:
    server.clear_requests()
    env = clean_env({"HAMNHW_USERNAME": server.username})
    code, shown, out = run_on_pty(hamnhw_argv("--json", "power", "on", server.url), env,
                                  [(f"BMC password for {server.username}", CTRL_C)],
                                  stdout_on_pty=False)
    assert code == 130, shown
    error = json.loads(out)["error"]
    assert (error["type"], error["request_sent"], error["last_state"]) == (
        "Interrupted", False, None)
    assert "may have been sent" not in error["message"]
    assert server.requests == []
