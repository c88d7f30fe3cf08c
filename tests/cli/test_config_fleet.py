"""``[defaults]`` and ``[groups]``: inheritance, exclusive choices, strict validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import json_out, run

from hamnhw.config import load_config
from hamnhw.errors import ConfigError

FLEET = """
[defaults]
username = "admin"
password_env = "FLEET_PW"
ca_file = "ca.pem"
timeout = 45

[nodes.n001]
bmc = "redfish://10.1.0.1"

[nodes.n002]
bmc = "redfish://10.1.0.2"
username = "root"
password_file = "n002.pw"
pin_fingerprint = "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"

[nodes.n003]
bmc = "redfish://10.1.0.3"
insecure = false

[primary]
bmc = "redfish://10.0.1.5"

[groups]
rack1 = ["n001", "n002"]
mn = ["primary"]
empty = []
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hamnhw.toml"
    path.write_text(text)
    return path


def test_every_node_inherits_what_it_does_not_give(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FLEET))
    n001 = cfg.node("n001")
    assert (n001.username, n001.password_env, n001.timeout) == ("admin", "FLEET_PW", 45.0)
    assert n001.ca_file == str(tmp_path / "ca.pem")       # relative to the config file
    assert cfg.node("primary").password_env == "FLEET_PW"  # pair nodes inherit too


def test_a_node_choice_replaces_the_defaults_choice_as_a_whole(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FLEET))
    n002 = cfg.node("n002")
    assert n002.username == "root"
    assert (n002.password_file, n002.password_env) == (str(tmp_path / "n002.pw"), None)
    assert (n002.pin_fingerprint, n002.ca_file) == ("AB" * 32, None)
    n003 = cfg.node("n003")                     # insecure = false: its own TLS choice (system CA)
    assert (n003.insecure, n003.ca_file) == (False, None)
    assert n003.password_env == "FLEET_PW"


@pytest.mark.parametrize("bmc", ["ipmi://10.1.0.9", "redfish+http://10.1.0.9:8000"])
def test_a_node_without_tls_does_not_inherit_the_tls_choice(tmp_path: Path, bmc: str) -> None:
    cfg = load_config(write(tmp_path, FLEET + f'[nodes.old]\nbmc = "{bmc}"\n'))
    old = cfg.node("old")
    assert (old.ca_file, old.pin_fingerprint, old.insecure) == (None, None, False)
    assert (old.username, old.password_env, old.timeout) == ("admin", "FLEET_PW", 45.0)


def test_the_cli_reaches_an_ipmi_node_despite_tls_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, FLEET + '[nodes.old]\nbmc = "ipmi://127.0.0.1:9"\n')
    result = run("--json", "power", "status", "--config", str(path), "--timeout", "1", "old",
                 env={"FLEET_PW": "x"})
    error = json_out(result)["error"]
    assert error["type"] != "ConfigError", error   # not "ca_file ... apply to Redfish only"
    assert result.exit_code == 3, error            # nothing answers on 127.0.0.1:9


def test_groups_in_file_order(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FLEET))
    assert list(cfg.groups) == ["rack1", "mn", "empty"]
    assert cfg.group("rack1") == ("n001", "n002")
    assert cfg.group("empty") == ()
    with pytest.raises(ConfigError, match="no group named 'rack9' "
                       "\\(did you mean rack1\\? known: empty, mn, rack1\\)"):
        cfg.group("rack9")


def test_no_defaults_no_groups(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[nodes.a]\nbmc = "redfish://h"\n'))
    assert cfg.groups == {}
    assert cfg.node("a").username is None


NODE = '[nodes.a]\nbmc = "redfish://h"\n'


@pytest.mark.parametrize(("text", "key", "says"), [
    ('[defaults]\nbmc = "redfish://h"\n', "defaults.bmc", "each node gives its own"),
    ('[defaults.ipmi]\nurl = "ipmi://h"\n', "defaults.ipmi", "each node gives its own"),
    ('[defaults]\nusername = 1\n', "defaults.username", "a string"),
    ('[defaults]\npasword_env = "X"\n', "defaults.pasword_env", "unknown key"),
    ('[defaults]\npassword_env = "X"\npassword_file = "f"\n', "defaults.password_file",
     "choose one"),
    ('[defaults]\ntimeout = 0\n', "defaults.timeout", "> 0"),
    ('[defaults]\npin_fingerprint = "zz"\n', "defaults.pin_fingerprint", "ingerprint"),
    ("defaults = 1\n", "defaults", "a table"),
    (NODE + "[groups]\ng = [\"b\"]\n", "groups.g", "no node named 'b' (known: a)"),
    (NODE + "[groups]\ng = [\"a\", \"a\"]\n", "groups.g", "listed twice"),
    (NODE + "[groups]\ng = \"a\"\n", "groups.g", "an array of node names"),
    (NODE + "[groups]\ng = [1]\n", "groups.g", "an array of node names"),
    (NODE + "[groups]\na = [\"a\"]\n", "groups.a", "also a node name"),
    (NODE + "[groups]\n\"r 1\" = [\"a\"]\n", "groups.r 1", "letters, digits"),
    ("groups = []\n", "groups", "a table"),
])
def test_bad_defaults_or_groups_name_key_and_file(tmp_path: Path, text: str, key: str,
                                                 says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert says in str(info.value)
    assert str(path) in str(info.value)


def test_the_cli_uses_inherited_credentials(tmp_path: Path) -> None:
    """A node without its own password source gets the defaults': here an unset variable,
    which the CLI reports (exit 2) naming the inherited key, before any request."""
    cfg = write(tmp_path, '[defaults]\nusername = "root"\npassword_env = "HAMNHW_T_UNSET"\n'
                          '[nodes.a]\nbmc = "redfish+http://127.0.0.1:1"\n')
    result = run("--json", "power", "status", "--config", str(cfg), "a")
    assert result.exit_code == 2
    assert "HAMNHW_T_UNSET is not set" in json_out(result)["error"]["message"]
