"""Credential resolution: the order of sources, unsafe password files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import json_out, run

from hamnhw.config import NodeConfig
from hamnhw.connection import Secret
from hamnhw.credentials import read_password_file, resolve_credentials, resolve_password
from hamnhw.errors import ConfigError


def pw_file(tmp_path: Path, name: str, text: str, mode: int = 0o600) -> str:
    path = tmp_path / name
    path.write_text(text)
    os.chmod(path, mode)
    return str(path)


def node(**kwargs: object) -> NodeConfig:
    return NodeConfig(name="bmc1", bmc="redfish://h", table="nodes.bmc1",
                      source="/etc/hamnhw/hamnhw.toml", **kwargs)  # type: ignore[arg-type]


def no_prompt(text: str) -> str:
    raise AssertionError("must not prompt")


def test_order_option_file_first(tmp_path: Path) -> None:
    opt = pw_file(tmp_path, "opt", "from-option\n")
    cfg = node(password_env="NODE_PW")
    env = {"NODE_PW": "from-node-env", "HAMNHW_PASSWORD": "from-env"}
    secret, source = resolve_password(opt, cfg, env, no_prompt)
    assert secret == Secret("from-option") and source == f"--password-file {opt}"
    assert secret.source == source  # what a refused login names, never the value


def test_order_node_env_before_hamnhw_password() -> None:
    env = {"NODE_PW": "from-node-env", "HAMNHW_PASSWORD": "from-env"}
    secret, source = resolve_password(None, node(password_env="NODE_PW"), env, no_prompt)
    assert secret == Secret("from-node-env")
    assert source == "$NODE_PW"


def test_order_node_file_before_hamnhw_password(tmp_path: Path) -> None:
    cfg = node(password_file=pw_file(tmp_path, "cfg", "from-node-file"))
    secret, _ = resolve_password(None, cfg, {"HAMNHW_PASSWORD": "from-env"}, no_prompt)
    assert secret == Secret("from-node-file")


def test_order_env_before_prompt() -> None:
    secret, source = resolve_password(None, node(), {"HAMNHW_PASSWORD": "from-env"}, no_prompt)
    assert secret == Secret("from-env")
    assert source == "$HAMNHW_PASSWORD"


def test_prompt_last_and_only_with_a_username() -> None:
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "typed"

    creds = resolve_credentials(node=node(username="root"), environ={}, prompt=prompt)
    assert creds.password == Secret("typed")
    assert asked == ["BMC password for root on bmc1"]
    anonymous = resolve_credentials(node=node(), environ={}, prompt=no_prompt)
    assert anonymous.username is None
    assert anonymous.password is None


def test_nothing_found_gives_none() -> None:
    assert resolve_password(None, None, {}, None) == (None, None)


def test_node_password_env_unset_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_password(None, node(password_env="NODE_PW"), {"HAMNHW_PASSWORD": "x"})
    assert info.value.key == "nodes.bmc1.password_env"
    assert "NODE_PW is not set" in str(info.value)


def test_username_order() -> None:
    env = {"HAMNHW_USERNAME": "env-user", "HAMNHW_PASSWORD": "pw"}
    assert resolve_credentials(username="opt", node=node(username="cfg"), environ=env,
                               ).username == "opt"
    assert resolve_credentials(node=node(username="cfg"), environ=env).username == "cfg"
    assert resolve_credentials(node=node(), environ=env).username == "env-user"
    assert resolve_credentials(environ={}).username is None


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_group_or_world_readable_password_file_refused(tmp_path: Path, mode: int) -> None:
    path = pw_file(tmp_path, "pw", "hunter2-secret", mode)
    with pytest.raises(ConfigError, match="readable by group or others") as info:
        read_password_file(path)
    assert "hunter2-secret" not in str(info.value)
    assert "chmod 600" in str(info.value)


def test_unsafe_node_password_file_names_key_and_config(tmp_path: Path) -> None:
    cfg = node(password_file=pw_file(tmp_path, "pw", "s", 0o644))
    with pytest.raises(ConfigError) as info:
        resolve_password(None, cfg, {})
    assert info.value.key == "nodes.bmc1.password_file"
    assert info.value.path == "/etc/hamnhw/hamnhw.toml"


def test_password_file_keeps_all_but_the_trailing_newline(tmp_path: Path) -> None:
    assert read_password_file(pw_file(tmp_path, "a", " pa ss \n")) == Secret(" pa ss ")
    assert read_password_file(pw_file(tmp_path, "b", "pass\r\n")) == Secret("pass")


@pytest.mark.parametrize("text", ["", "\n"])
def test_empty_password_file_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="is empty"):
        read_password_file(pw_file(tmp_path, "pw", text))


def test_missing_password_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        read_password_file(tmp_path / "absent")


def test_resolved_credentials_repr_hides_the_password() -> None:
    creds = resolve_credentials(username="root", environ={"HAMNHW_PASSWORD": "hunter2-secret"})
    assert "hunter2-secret" not in repr(creds)
    assert creds.password is not None and creds.password.reveal() == "hunter2-secret"


@pytest.mark.parametrize("where", ["option", "node", "env"])
def test_username_without_any_password_source_is_a_config_error(where: str) -> None:
    kwargs = {"option": {"username": "root"}, "node": {"node": node(username="root")},
              "env": {"environ": {"HAMNHW_USERNAME": "root"}}}[where]
    kwargs.setdefault("environ", {})
    with pytest.raises(ConfigError, match="no password for root: use --password-file") as info:
        resolve_credentials(prompt=None, **kwargs)
    assert "HAMNHW_PASSWORD" in str(info.value)


def test_neither_username_nor_password_stays_allowed() -> None:
    creds = resolve_credentials(environ={}, prompt=None)
    assert (creds.username, creds.password) == (None, None)


def test_cli_with_username_and_no_password_exits_2_before_connecting(closed_port: int) -> None:
    # stdin of the CliRunner is not a terminal: no prompt; a refused port would give exit 3
    result = run("--json", "power", "status", "--username", "admin",
                 f"redfish+http://127.0.0.1:{closed_port}")
    assert result.exit_code == 2, result.output
    error = json_out(result)["error"]
    assert error["type"] == "ConfigError"
    assert error["message"].startswith("no password for admin: use --password-file")
