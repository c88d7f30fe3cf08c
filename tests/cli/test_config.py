"""The TOML config schema: strict parsing and the lookup order."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import json_out, run

from hamnhw import configpath
from hamnhw.config import find_config, load_config
from hamnhw.errors import ConfigError

GOOD = """
[nodes.bmc1]
bmc = "redfish://10.0.0.5"
username = "root"
password_file = "bmc1.pw"
ca_file = "ca.pem"
timeout = 90
driver = "dell"

[nodes.lab]
bmc = "redfish+http://127.0.0.1:8000"
password_env = "LAB_PW"
insecure = false

[pair]
name = "mgmt"

[primary]
bmc = "redfish://10.0.1.5"
pin_fingerprint = "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"

[standby]
bmc = "redfish://10.0.1.6"
insecure = true

[failover]
"""


def write(tmp_path: Path, text: str, name: str = "hamnhw.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_file_parses_every_table(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert set(cfg.nodes) == {"bmc1", "lab", "primary", "standby"}
    bmc1 = cfg.node("bmc1")
    assert bmc1.bmc == "redfish://10.0.0.5"
    assert bmc1.username == "root"
    assert bmc1.timeout == 90.0
    assert bmc1.driver == "dell"
    # relative paths are relative to the config file
    assert bmc1.password_file == str(tmp_path / "bmc1.pw")
    assert bmc1.ca_file == str(tmp_path / "ca.pem")
    assert cfg.node("lab").password_env == "LAB_PW"
    assert cfg.node("standby").insecure is True
    assert cfg.node("primary").pin_fingerprint == "AB" * 32
    assert cfg.pair_name == "mgmt"
    assert bmc1.key("password_file") == "nodes.bmc1.password_file"
    assert cfg.node("primary").key("password_env") == "primary.password_env"


@pytest.mark.parametrize(("text", "key"), [
    ('[nodes.a]\nbmc = "redfish://h"\npasword_file = "x"\n', "nodes.a.pasword_file"),
    ('[nodes.a]\nbmc = "redfish://h"\n[extra]\nx = 1\n', "extra"),
    ('[pair]\nname = "p"\nsize = 2\n', "pair.size"),
    ('[primary]\nbmc = "redfish://h"\nfoo = 1\n', "primary.foo"),
    ('[failover]\nmode = "manual"\n', "failover.mode"),
])
def test_unknown_key_is_named_with_the_file(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert str(path) in str(info.value)
    assert key in str(info.value)




@pytest.mark.parametrize(("text", "key", "wanted"), [
    ('[nodes.a]\nbmc = "redfish://h"\ninsecure = "yes"\n', "nodes.a.insecure", "a boolean"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = true\n', "nodes.a.timeout", "a number"),
    ('[nodes.a]\nbmc = 5\n', "nodes.a.bmc", "a string"),
    ('nodes = 3\n', "nodes", "a table"),
    ('[nodes]\na = "redfish://h"\n', "nodes.a", "a table"),
    ('[pair]\nname = 1\n', "pair.name", "a string"),
])
def test_wrong_type_is_named(tmp_path: Path, text: str, key: str, wanted: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert wanted in str(info.value)
    assert str(path) in str(info.value)


def test_missing_bmc_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[nodes.a]\nusername = "root"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "nodes.a.bmc"
    assert info.value.path == str(path)


@pytest.mark.parametrize(("text", "key"), [
    ('[nodes.a]\nbmc = "redfish://h"\npassword_env = "X"\npassword_file = "f"\n',
     "nodes.a.password_file"),
    ('[nodes.a]\nbmc = "redfish://h"\nca_file = "c"\ninsecure = true\n', "nodes.a.insecure"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = 0\n', "nodes.a.timeout"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = -1.5\n', "nodes.a.timeout"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = nan\n', "nodes.a.timeout"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = inf\n', "nodes.a.timeout"),
    ('[nodes.a]\nbmc = "redfish://h"\ntimeout = -inf\n', "nodes.a.timeout"),
    ('[nodes.a]\nbmc = "redfish://h"\nconnect_timeout = 0\n', "nodes.a.connect_timeout"),
    ('[primary]\nbmc = "redfish://h"\nread_timeout = nan\n', "primary.read_timeout"),
    ('[nodes.a]\nbmc = "ftp://x"\n', "nodes.a.bmc"),
    ('[nodes.a]\nbmc = "redfish://root:pw@h"\n', "nodes.a.bmc"),
    ('[primary]\nbmc = "not a url"\n', "primary.bmc"),
    ('[nodes.a]\nbmc = "redfish://h"\npin_fingerprint = "zz"\n', "nodes.a.pin_fingerprint"),
    ('[standby]\nbmc = "redfish://h"\npin_fingerprint = "ab"\n', "standby.pin_fingerprint"),
    ('[primary]\nbmc = "redfish://h"\n[nodes.primary]\nbmc = "redfish://g"\n', "primary"),
])
def test_conflicting_or_invalid_values(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert info.value.path == str(path)
    assert key in str(info.value) and str(path) in str(info.value)


def test_per_request_timeouts_reach_the_connection(tmp_path: Path) -> None:
    """``connect_timeout`` and ``read_timeout`` (a silent BMC costs the connect timeout per
    attempt) are passed on to the connection, [defaults] included; one a node leaves unset
    keeps the library's default."""
    from hamnhw.cli.options import TargetOptions
    from hamnhw.cli.resolve import connect_arguments

    path = write(tmp_path, '[defaults]\nconnect_timeout = 2\nusername = "u"\n'
                           'password_env = "PW"\n[nodes.a]\nbmc = "redfish://h"\n'
                           'read_timeout = 7.5\n[nodes.b]\nbmc = "redfish://g"\n')
    config = load_config(path)
    assert (config.node("a").connect_timeout, config.node("a").read_timeout) == (2.0, 7.5)
    environ = {"PW": "example"}
    kwargs = connect_arguments(TargetOptions(node="a"), environ=environ, config=config)
    assert (kwargs["connect_timeout"], kwargs["read_timeout"]) == (2.0, 7.5)
    kwargs = connect_arguments(TargetOptions(node="b"), environ=environ, config=config)
    assert kwargs["connect_timeout"] == 2.0 and "read_timeout" not in kwargs


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[nodes.a\n")
    with pytest.raises(ConfigError, match="not valid TOML") as info:
        load_config(path)
    assert info.value.path == str(path)


def test_toml_nested_too_deeply_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    """tomllib recurses once per nested array: too deep a file raised RecursionError (exit 1,
    "maximum recursion depth exceeded", no file named)."""
    path = write(tmp_path, "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="not valid TOML: arrays or tables nested too deeply"
                       ) as info:
        load_config(path)
    assert info.value.path == str(path)
    result = run("--json", "power", "status", "--config", str(path), "a")
    assert result.exit_code == 2
    assert str(path) in json_out(result)["error"]["message"]


def test_unknown_node_lists_the_known_ones(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match="known: bmc1, lab, primary, standby"):
        cfg.node("nope")


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Four candidate config files; the system one redirected into tmp_path."""
    paths = {name: write(tmp_path, '[nodes.x]\nbmc = "redfish://h"\n', f"{name}.toml")
             for name in ("explicit", "env", "system")}
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    paths["cwd"] = write(cwd, '[nodes.x]\nbmc = "redfish://h"\n')
    monkeypatch.setattr(configpath, "SYSTEM_CONFIG", paths["system"])
    return paths


def test_lookup_order(places: dict[str, Path]) -> None:
    env = {"HAMNHW_CONFIG": str(places["env"])}
    cwd = places["cwd"].parent
    assert find_config(places["explicit"], environ=env, cwd=cwd) == places["explicit"]
    assert find_config(None, environ=env, cwd=cwd) == places["env"]
    assert find_config(None, environ={}, cwd=cwd) == places["cwd"]
    places["cwd"].unlink()
    assert find_config(None, environ={}, cwd=cwd) == places["system"]
    places["system"].unlink()
    assert find_config(None, environ={}, cwd=cwd) is None


def test_explicit_or_env_path_that_is_missing_is_an_error(places: dict[str, Path]) -> None:
    cwd = places["cwd"].parent
    with pytest.raises(ConfigError, match="from --config"):
        find_config(cwd / "missing.toml", environ={}, cwd=cwd)
    with pytest.raises(ConfigError, match="from HAMNHW_CONFIG"):
        find_config(None, environ={"HAMNHW_CONFIG": str(cwd / "missing.toml")}, cwd=cwd)


@pytest.mark.parametrize(("line", "key"), [
    ("timeout = nan", "nodes.a.timeout"),
    ("timeout = inf", "nodes.a.timeout"),
    ('pin_fingerprint = "zz"', "nodes.a.pin_fingerprint"),
])
def test_cli_exits_2_naming_the_bad_key_and_file(tmp_path: Path, line: str, key: str) -> None:
    cfg = write(tmp_path, f'[nodes.a]\nbmc = "redfish+http://127.0.0.1:1"\n{line}\n', "c.toml")
    result = run("--json", "power", "status", "--config", str(cfg), "a")
    assert result.exit_code == 2
    error = json_out(result)["error"]
    assert error["type"] == "ConfigError"
    assert key in error["message"] and str(cfg) in error["message"]


def test_cli_bad_bmc_url_in_config_names_key_and_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[nodes.b]\nbmc = "ftp://x"\n', "c.toml")
    result = run("--json", "power", "status", "--config", str(cfg), "b")
    assert result.exit_code == 2
    message = json_out(result)["error"]["message"]
    assert "nodes.b.bmc" in message and str(cfg) in message


def test_drive_serials_of_the_pair_tables(tmp_path: Path) -> None:
    """``[primary] drive_serials``: the MN's RAID1 serials for an IPMI-only pair."""
    path = write(tmp_path, '[primary]\nbmc = "ipmi://127.0.0.1:1"\n'
                           'drive_serials = ["S1", " S2 ", "S1"]\n'
                           '[standby]\nbmc = "ipmi://127.0.0.1:2"\n')
    loaded = load_config(path)
    assert loaded.node("primary").drive_serials == ("S1", "S2")
    assert loaded.node("standby").drive_serials == ()
    for table, value, message in (("primary", '[""]', "non-empty strings"),
                                  ("primary", '"S1"', "must be an array"),
                                  ("nodes.a", '["S1"]', r"only \[primary\] and \[standby\]")):
        bad = write(tmp_path, f'[{table}]\nbmc = "ipmi://127.0.0.1:1"\n'
                              f"drive_serials = {value}\n", name="bad.toml")
        with pytest.raises(ConfigError, match=message) as info:
            load_config(bad)
        assert info.value.key == f"{table}.drive_serials"
