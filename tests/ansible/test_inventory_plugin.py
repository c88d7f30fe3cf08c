"""The ``hamnhw.bmc.nodes`` inventory plugin through ``ansible-inventory``: hosts and
variables from the config, ``[groups]`` (sanitised as Ansible group names), ``hamnhw_pair``
only with both pair nodes, constructed groups, and a bad config as a parse failure naming
the key.  No BMC is contacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansiblerun import PYTHON, ansible_env, run, unwrap

CONFIG = """
[defaults]
username = "root"
password_env = "NOT_READ_BY_THE_PLUGIN"

[nodes.n1]
bmc = "redfish://10.9.0.1"

[nodes.n2]
bmc = "idrac-redfish://10.9.0.2"

[primary]
bmc = "redfish://10.9.1.1"

[groups]
rack-a = ["n1", "n2"]
mn = ["primary"]
"""


def listing(tmp_path: Path, config: str, plugin_options: str = "") -> dict[str, Any]:
    (tmp_path / "hamnhw.toml").write_text(config)
    inventory = tmp_path / "site.hamnhw.yml"
    inventory.write_text(f"plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n{plugin_options}")
    result = run("ansible-inventory", ["-i", str(inventory), "--list"],
                 ansible_env(tmp_path / "home", {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}))
    assert result.returncode == 0, result.stderr
    return unwrap(json.loads(result.stdout))


def test_hosts_variables_and_groups(tmp_path: Path) -> None:
    listed = listing(tmp_path, CONFIG)
    hostvars = listed["_meta"]["hostvars"]
    assert sorted(hostvars) == ["n1", "n2", "primary"]
    interpreter = hostvars["n2"].pop("ansible_python_interpreter")
    assert Path(interpreter).samefile(PYTHON)               # the Python running Ansible
    assert hostvars["n2"] == {"ansible_connection": "local", "hamnhw_node": "n2",
                              "hamnhw_bmc": "idrac-redfish://10.9.0.2",
                              "hamnhw_config": str(tmp_path / "hamnhw.toml")}
    assert listed["rack_a"]["hosts"] == ["n1", "n2"]          # '-' sanitised
    assert listed["mn"]["hosts"] == ["primary"]
    assert "hamnhw_pair" not in listed                        # no [standby]
    assert "NOT_READ_BY_THE_PLUGIN" not in json.dumps(listed)  # credentials stay in the config


def test_the_pair_group_and_constructed_groups(tmp_path: Path) -> None:
    config = CONFIG + '\n[standby]\nbmc = "redfish://10.9.1.2"\n'
    options = ("python_interpreter: /opt/hamnhw/bin/python\n"
               "keyed_groups:\n  - key: hamnhw_bmc.split('://')[0]\n    prefix: scheme\n")
    listed = listing(tmp_path, config, options)
    assert listed["hamnhw_pair"]["hosts"] == ["primary", "standby"]
    assert sorted(listed["scheme_redfish"]["hosts"]) == ["n1", "primary", "standby"]
    assert listed["scheme_idrac_redfish"]["hosts"] == ["n2"]
    assert listed["_meta"]["hostvars"]["n1"]["ansible_python_interpreter"] == \
        "/opt/hamnhw/bin/python"


@pytest.mark.parametrize(("config", "says"), [
    ('[nodes.n1]\nbmc = "redfish://h"\n[groups]\ng = ["n9"]\n', "groups.g"),
    ('[nodes.n1]\nbmc = "ftp://h"\n', "nodes.n1.bmc"),
])
def test_a_bad_config_fails_the_inventory_naming_the_key(tmp_path: Path, config: str,
                                                         says: str) -> None:
    (tmp_path / "hamnhw.toml").write_text(config)
    inventory = tmp_path / "site.hamnhw.yml"
    inventory.write_text("plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n")
    result = run("ansible-inventory", ["-i", str(inventory), "--list"],
                 ansible_env(tmp_path / "home", {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}))
    assert result.returncode != 0
    assert says in result.stderr and "hamnhw config" in result.stderr


@pytest.mark.parametrize(("groups", "says"), [
    ('hamnhw_pair = ["n1"]', "[groups] 'hamnhw_pair' is the name of a group"),
    ('all = ["n1"]', "[groups] 'all' is the name of a group"),
    ('rack-1 = ["n1"]\nrack_1 = ["n1"]', "[groups] 'rack-1' and 'rack_1' both become Ansible "
     "group 'rack_1'"),
])
def test_a_group_name_that_would_merge_fails_the_inventory(tmp_path: Path, groups: str,
                                                           says: str) -> None:
    """Review 15 item 7: no silent merge into the pair group or into one another."""
    (tmp_path / "hamnhw.toml").write_text(f'[nodes.n1]\nbmc = "redfish://h"\n[groups]\n{groups}\n')
    inventory = tmp_path / "site.hamnhw.yml"
    inventory.write_text("plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n")
    result = run("ansible-inventory", ["-i", str(inventory), "--list"],
                 ansible_env(tmp_path / "home",
                             {"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true"}))
    assert result.returncode != 0
    assert says in result.stderr and "rename them" in result.stderr
