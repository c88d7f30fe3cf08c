"""What the CLI says of a config problem: the node, the file, the key, a spelling it may
have meant (admin review: the messages named neither the node nor the file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hamnhw.cli.main import cli

PAIR = '[primary]\nbmc = "redfish://127.0.0.1:1"\n[standby]\nbmc = "redfish://127.0.0.1:2"\n'
"""A pair whose BMCs nothing answers for (a command that tried them would say so)."""


def hamnhw(*args: str) -> Result:
    env = {"HAMNHW_USERNAME": None, "HAMNHW_PASSWORD": None, "HAMNHW_CONFIG": None}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_a_pair_node_without_username_is_named(tmp_path: Path) -> None:
    """README: "NODE: no username"; pair check said "no username: ... (file min.toml)"."""
    config = tmp_path / "min.toml"
    config.write_text(PAIR)
    result = hamnhw("pair", "check", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith("hamnhw: primary: no username: use --username"), \
        result.stderr
    assert f"(file {config})" in result.stderr
    single = hamnhw("power", "status", "--config", str(config), "standby")
    assert single.exit_code == 2
    assert single.stderr.startswith("hamnhw: standby: no username: "), single.stderr
    assert "standby: standby:" not in single.stderr


def test_dhcp_render_without_network_names_the_file_and_reads_no_bmc(tmp_path: Path) -> None:
    config = tmp_path / "pair.toml"
    config.write_text(PAIR.replace('"\n', '"\nusername = "u"\npassword_env = "PW"\n'))
    result = CliRunner().invoke(cli, ["--json", "dhcp", "render", "--format", "isc",
                                      "--config", str(config)], env={"PW": "x"},
                                catch_exceptions=False)
    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout)["error"]["message"]
    assert "no [network.nics" in message and f"file {config}" in message, message


@pytest.mark.parametrize(("line", "says"), [
    ('pasword_file = "pw"', "unknown key (did you mean password_file? allowed: bmc, "),
    ('pin_fingerprnt = "ab"', "did you mean pin_fingerprint?"),
    ("frobnicate = 1", "unknown key (allowed: bmc, "),
])
def test_an_unknown_node_key_suggests_a_spelling_and_lists_the_ipmi_table(
        tmp_path: Path, line: str, says: str) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text(f'[nodes.a]\nbmc = "redfish://127.0.0.1:1"\n{line}\n')
    result = hamnhw("power", "status", "--config", str(config), "a")
    assert result.exit_code == 2
    assert says in result.stderr, result.stderr
    assert ", drive_serials, ipmi)" in result.stderr  # the [nodes.a.ipmi] sub-table
    assert f"file {config}, key nodes.a.{line.split()[0]}" in result.stderr


def test_an_unknown_ipmi_key_suggests_a_spelling(tmp_path: Path) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text('[nodes.a]\nbmc = "redfish://127.0.0.1:1"\n[nodes.a.ipmi]\nurll = "x"\n')
    result = hamnhw("power", "status", "--config", str(config), "a")
    assert result.exit_code == 2
    assert "unknown key (did you mean url? allowed: url, " in result.stderr
    assert "key nodes.a.ipmi.urll" in result.stderr
