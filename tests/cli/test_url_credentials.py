"""A BMC URL with ``user:password@`` is refused before anything could echo it (review 9-14
item 12): every command taking NODE exits 2 and neither the password nor the account
appears on stdout or stderr."""

from __future__ import annotations

import pytest
from cli_helpers import run

URL = "redfish+http://admin:s3cretpw@127.0.0.1:9"


@pytest.mark.parametrize("command", [
    ("power", "status"),
    ("check", "raid"),
    ("check", "raid", "--format", "nagios"),
    ("events", "listen"),
    ("exporter", "--textfile", "unused-dir"),
    ("nics",),
])
def test_node_with_userinfo_is_a_usage_error_that_hides_it(command: tuple[str, ...]) -> None:
    result = run(*command, URL, "--username", "root", "--timeout", "2",
                 env={"HAMNHW_PASSWORD": "other"})
    output = result.stdout + result.stderr
    assert result.exit_code == (3 if "nagios" in command else 2), output
    assert "credentials do not go in a BMC URL" in output
    assert "s3cretpw" not in output and "admin" not in output


def test_config_bmc_with_userinfo_hides_it(tmp_path) -> None:
    config = tmp_path / "hamnhw.toml"
    config.write_text('[nodes.primary]\nbmc = "ipmi://admin:s3cretpw@127.0.0.1:623"\n'
                      'username = "root"\n')
    result = run("power", "status", "primary", "--config", str(config))
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "credentials do not go in a BMC URL" in output
    assert "s3cretpw" not in output


def test_fan_out_node_with_userinfo_is_a_usage_error_that_hides_it() -> None:
    result = run("power", "status", "redfish+http://127.0.0.1:9", URL, "--json")
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "credentials do not go in a BMC URL" in output
    assert "s3cretpw" not in output and "admin" not in output


def test_nodes_file_line_with_userinfo_is_refused_by_its_number(tmp_path) -> None:
    listing = tmp_path / "nodes"
    listing.write_text(f"redfish+http://127.0.0.1:9\n# a comment@mail is fine\n{URL}\n")
    result = run("power", "status", "--nodes-file", str(listing), "--json")
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "line 3: credentials do not go in a BMC URL" in output
    assert "s3cretpw" not in output and "admin" not in output


@pytest.mark.parametrize("url", ["redfish://127.0.0.1:0", "ipmi://127.0.0.1:0",
                                 "redfish+http://127.0.0.1:70000"])
def test_a_port_outside_1_to_65535_is_a_bad_url_not_a_refused_connection(url: str) -> None:
    """Review 6 item 12b: port 0 was accepted and ended as "connection refused" (exit 3)."""
    result = run("--json", "power", "status", url, "--username", "root", "--timeout", "2",
                 env={"HAMNHW_PASSWORD": "s3cretpw"})
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert f"bad port in BMC URL '{url}'" in output and "1 to 65535" in output
    assert "refused" not in output and "s3cretpw" not in output
