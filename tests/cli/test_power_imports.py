"""``hamnhw power status`` loads no RAID, storage, inventory or NIC code: not the core's RAID
model, not a vendor driver's RAID module, though every driver is loaded to detect the
BMC's (docs/performance.md: the whole process is measured against redfishtool's); nor what
only other commands or options need (:data:`STARTUP_COSTS`).

Checked through ``sys.modules`` of a fresh interpreter; nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run
from ptyrun import clean_env

from hamnhw.sim import ServerSpec, SimCluster

STORAGE_MODULES = ("hamnhw.raid", "hamnhw.storagemodels", "hamnhw.raidguard")
"""Core modules only storage and RAID commands need."""
DRIVER_STORAGE_PREFIXES = ("raid", "inventory", "storage", "smartstorage", "datamodel", "nics")
"""Driver modules (last name) that read or write storage, or read NICs."""
STARTUP_COSTS = ("importlib.metadata", "hamnhw.plan", "hamnhw.cli.plan_output", "hamnhw.config",
                 "tomllib", "hamnhw.hostmodels", "tempfile")
"""Modules ``power status`` does without: the entry points are read by
:mod:`hamnhw.entrypoints`, the plans are for ``--dry-run``, the config's parser for a config
file (none here: the BMC is a URL, no ``$HAMNHW_CONFIG``, no ``./hamnhw.toml``), the host's
models for inventory, NIC and boot reads, :mod:`tempfile` for writing the detection cache."""


def storage_modules_loaded(statements: str, env: dict[str, str] | None = None
                           ) -> tuple[list[str], str]:
    """Run ``statements`` in a fresh interpreter; the storage modules it left loaded, and
    what it printed."""
    code = (f"import json, sys\n{statements}\n"
            "print('MODULES', json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, timeout=60, env=env or clean_env())
    assert done.returncode == 0, done.stderr
    output, _, modules = done.stdout.rpartition("MODULES ")
    return [name for name in json.loads(modules) if name in STORAGE_MODULES + STARTUP_COSTS or (
        name.startswith("hamnhw_drivers.")
        and name.rsplit(".", 1)[1].startswith(DRIVER_STORAGE_PREFIXES))], output


def test_loading_every_driver_imports_no_storage_module() -> None:
    loaded, _ = storage_modules_loaded(
        "from hamnhw import registry\nprint(sorted(registry.load_drivers()))")
    assert loaded == []


def test_the_power_command_module_imports_no_storage_module() -> None:
    loaded, _ = storage_modules_loaded("import hamnhw.cli.commands.power")
    assert loaded == []


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    specs = [ServerSpec(name="plain", password="s3cr3t-sim-pw-9f"),
             ServerSpec(name="dell", password="s3cr3t-sim-pw-9f", personality="idrac")]
    with SimCluster(specs) as sim:
        yield sim


@pytest.mark.parametrize(("name", "driver"), [("plain", "generic"), ("dell", "dell")])
def test_power_status_imports_no_storage_module(cluster: SimCluster, name: str,
                                                driver: str) -> None:
    server = cluster[name]
    argv = ["--json", "power", "status", server.url]
    env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
    assert json_out(run("--json", "detect", server.url, env=env))["driver"] == driver
    loaded, output = storage_modules_loaded(
        "from hamnhw.cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as stop:\n    assert not stop.code\n",
        clean_env(env))
    assert json.loads(output) == {"node": server.url, "power_state": "off",
                                  "protocol": "redfish"}
    assert loaded == []
