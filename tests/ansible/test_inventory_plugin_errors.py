"""A broken hamnhw config read by the ``hamnhw.bmc.nodes`` inventory plugin: through the
plugin API (``inventory_loader``, as Ansible loads it) the plugin raises Ansible's own
``AnsibleParserError`` with hamnhw's message once, naming the file and what is wrong, and no
secret; through ``ansible-inventory`` the source fails (``any_unparsed_is_failed``) with that
message and no traceback.  No BMC is contacted."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ansiblerun import PYTHON, ansible_env, run

SECRET = "hunter2-inventory-7d"
NODE = '[nodes.n1]\nbmc = "redfish://10.9.0.1"\n'

API_SCRIPT = """
import json, sys
from ansible.plugins.loader import init_plugin_loader, inventory_loader
init_plugin_loader()
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.utils.display import Display
plugin = inventory_loader.get("hamnhw.bmc.nodes")
if len(sys.argv) > 2:  # stand in for a fault hamnhw does not know, in argv[3] (a function)
    def broken(*args, **kwargs):
        raise ValueError(sys.argv[2])
    setattr(sys.modules[type(plugin).__module__], sys.argv[3], broken)
    Display().verbosity = int(sys.argv[4])
try:
    plugin.parse(InventoryData(), DataLoader(), sys.argv[1], cache=False)
except BaseException as exc:
    print(json.dumps({"type": f"{type(exc).__module__}.{type(exc).__name__}",
                      "message": str(exc)}))
else:
    print(json.dumps({"type": None}))
"""


def write(tmp_path: Path, config: str | bytes) -> tuple[Path, Path]:
    """``hamnhw.toml`` holding ``config`` and an inventory source naming it."""
    path = tmp_path / "hamnhw.toml"
    if isinstance(config, bytes):
        path.write_bytes(config)
    else:
        path.write_text(config)
    source = tmp_path / "site.hamnhw.yml"
    source.write_text("plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n")
    return path, source


def parse_error(tmp_path: Path, config: str | bytes, *fault: str) -> dict[str, Any]:
    """What the plugin's ``parse()`` raised (type and message), in a fresh interpreter."""
    raised, _shown = parse_shown(tmp_path, config, *fault)
    return raised


def parse_shown(tmp_path: Path, config: str | bytes, *fault: str,
                source_text: str | None = None) -> tuple[dict[str, Any], str]:
    """:func:`parse_error` and what Ansible's display showed before it.

    :param fault: a message, the plugin's function that raises it (``ValueError``), and
        the verbosity (``"3"``: ``-vvv``).
    :param source_text: the inventory source (default: naming ``hamnhw.toml``).
    """
    _, source = write(tmp_path, config)
    if source_text is not None:
        source.write_text(source_text)
    result = subprocess.run([PYTHON, "-c", API_SCRIPT, str(source), *fault], text=True,
                            capture_output=True, env=ansible_env(tmp_path / "home"),
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    *shown, last = result.stdout.splitlines()
    raised: dict[str, Any] = json.loads(last)
    return raised, "\n".join(shown) + result.stderr


DEEP = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"

BROKEN = [
    pytest.param('[nodes.n1\nbmc = "redfish://h"\n', ["not valid TOML", "(at line 1, "],
                 id="bad-toml"),
    pytest.param(b"\xff\xfe" + NODE.encode(), ["not valid TOML: not UTF-8 text (byte 0)"],
                 id="not-utf8"),
    pytest.param(DEEP, ["not valid TOML: arrays or tables nested too deeply"],
                 id="nested-too-deeply"),
    pytest.param(NODE + "frobnicate = 1\n", ["unknown key", "key nodes.n1.frobnicate"],
                 id="unknown-key"),
    pytest.param(NODE + "[groups]\nrack = [\"n1\", \"n9\"]\n",
                 ["no node named 'n9' (known: n1)", "key groups.rack"], id="unknown-node"),
    pytest.param(NODE + "[groups]\nrack = [\"n[1-4]\"]\n",
                 ["no node named 'n[1-4]' (known: n1)", "key groups.rack"], id="a-range"),
    pytest.param(NODE + "[groups]\nrack = \"n[4-1]\"\n",
                 ["must be an array of node names", "key groups.rack"], id="bad-range"),
    pytest.param(f'[nodes.n1]\nbmc = "redfish://root:{SECRET}@10.9.0.1:99999"\n',
                 ["credentials do not go in a BMC URL", "key nodes.n1.bmc"],
                 id="secret-in-url"),
    pytest.param(NODE + "[groups]\nall = [\"n1\"]\n",
                 ["[groups] 'all' is the name of a group", "rename them"],
                 id="reserved-group"),
]


@pytest.mark.parametrize(("config", "says"), BROKEN)
def test_the_plugin_raises_a_parse_error_with_hamnhws_message_once(
        tmp_path: Path, config: str | bytes, says: list[str]) -> None:
    raised = parse_error(tmp_path, config)
    assert raised["type"] == "ansible.errors.AnsibleParserError", raised
    message = raised["message"]
    assert message.startswith("hamnhw config: ")
    assert f"file {tmp_path / 'hamnhw.toml'}" in message
    for fragment in says:
        assert message.count(fragment) == 1, message  # not repeated by a cause appended
    assert SECRET not in message


@pytest.mark.parametrize("verbosity", [0, 3], ids=["quiet", "vvv"])
def test_a_fault_hamnhw_does_not_know_is_a_parse_error_without_its_text(
        tmp_path: Path, verbosity: int) -> None:
    """Named by its type; at -vvv, where it was raised (each frame's file and line: the
    plugin's call, then the function that raised), never its text."""
    raised, shown = parse_shown(tmp_path, NODE, f"line 2: password = {SECRET}", "load_config",
                                str(verbosity))
    assert raised == {"type": "ansible.errors.AnsibleParserError",
                      "message": f"hamnhw config: {tmp_path / 'hamnhw.toml'} could not be read "
                                 "(ValueError)"}
    assert SECRET not in shown
    if not verbosity:
        assert "raised at" not in shown, shown
        return
    frames = re.search(r"hamnhw config: builtins\.ValueError raised at (.*)$", shown, re.M)
    assert frames, shown
    plugin, raiser = frames.group(1).split(", ")
    assert re.fullmatch(r".*/plugins/inventory/nodes\.py:\d+", plugin), plugin
    assert re.fullmatch(r"<string>:\d+", raiser), raiser  # API_SCRIPT's broken()


def test_a_fault_before_any_config_path_names_the_hamnhw_config(tmp_path: Path) -> None:
    """No ``config`` option, and looking for the file failed: no path to name."""
    raised, shown = parse_shown(tmp_path, NODE, SECRET, "find_config", "3",
                                source_text="plugin: hamnhw.bmc.nodes\n")
    assert raised == {"type": "ansible.errors.AnsibleParserError",
                      "message": "hamnhw config: the hamnhw config could not be read "
                                 "(ValueError)"}
    assert "builtins.ValueError raised at" in shown and SECRET not in shown


def test_a_missing_config_file_is_named_by_the_inventory_sources_option(
        tmp_path: Path) -> None:
    """The path came from the source's ``config`` option, not from the command line's
    ``--config`` (hamnhw's own wording for a missing file it was given)."""
    raised, _shown = parse_shown(tmp_path, NODE,  # a hamnhw.toml, not the one named
                                 source_text="plugin: hamnhw.bmc.nodes\nconfig: missing.toml\n")
    assert raised == {
        "type": "ansible.errors.AnsibleParserError",
        "message": "hamnhw config: config file not found (from the config option of "
                   f"inventory source {tmp_path / 'site.hamnhw.yml'}) "
                   f"(file {tmp_path / 'missing.toml'})"}


@pytest.mark.parametrize(("config", "says"), [
    pytest.param('[nodes.n1\nbmc = "redfish://h"\n', "not valid TOML", id="bad-toml"),
    pytest.param(f'[nodes.n1]\nbmc = "redfish://root:{SECRET}@10.9.0.1"\n',
                 "credentials do not go in a BMC URL", id="secret-in-url"),
])
def test_ansible_inventory_fails_with_the_message_and_no_traceback(
        tmp_path: Path, config: str, says: str) -> None:
    path, source = write(tmp_path, config)
    result = run("ansible-inventory", ["-i", str(source), "--list", "-vvv"],
                 ansible_env(tmp_path / "home",
                             {"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true",
                              "ANSIBLE_INVENTORY_ENABLED": "hamnhw.bmc.nodes"}))
    assert result.returncode != 0
    assert says in result.stderr and f"(file {path}" in result.stderr
    assert not re.search(rf"\(file {re.escape(str(path))}[^)]*\): ", result.stderr), \
        "a cause's message appended"
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
