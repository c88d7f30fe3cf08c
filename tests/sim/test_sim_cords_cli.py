"""``hamnhw sim cords pull|plug NODE``: a node's power cords pulled (its BMC silent, its
host off) and plugged back in through another simulated BMC's control port, as the
runbook's dead-primary rehearsal uses it; ``sim bays`` names the nodes whose cords are
pulled, and every ``sim`` command keeps working while one BMC is silent."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result

from hamnhw.cli.main import cli
from hamnhw.failover.gates import cords_pulled
from hamnhw.sim import ServerSpec, SimCluster, SimServer
from hamnhw.sim.client_config import write_client_config
from hamnhw.simcontrol import first_connected

SHORT_S = 0.3
"""How long a connect to a silent port is given here."""


def hamnhw(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = hamnhw("--json", *args)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def connect(server: SimServer) -> str:
    """``connected``, ``refused`` or ``timed out`` (silence)."""
    try:
        socket.create_connection(("127.0.0.1", server.port), SHORT_S).close()
    except TimeoutError:
        return "timed out"
    except ConnectionRefusedError:
        return "refused"
    return "connected"


def test_pull_silences_the_bmc_and_plug_brings_it_back(cluster: SimCluster,
                                                      config: str) -> None:
    primary = cluster["primary"]
    result = hamnhw("sim", "cords", "pull", "primary", "--config", config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "primary: power cords pulled (through standby's control port)"
    assert lines[1].endswith("its host Off (was On)")
    assert "--acknowledge 'primary power cords pulled'" in lines[2]
    assert connect(primary) == "timed out"  # silent, not refused
    assert primary.power_state == "Off"
    assert hamnhw("sim", "bays", "--config", config).stdout.splitlines()[-1] == (
        "power cords pulled: primary")
    result = hamnhw("sim", "cords", "plug", "primary", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "its BMC answers again; restore policy AlwaysOn: its host is On")
    assert connect(primary) == "connected"
    power = requests.get(f"{primary.http_url}/hamnhw-sim/power", verify=cluster.cert_file,
                         timeout=10)
    assert power.json()["power_state"] == "On"


def test_json_output_names_the_acknowledgement_the_failover_asks_for(
        cluster: SimCluster, config: str) -> None:
    code, out = as_json("sim", "cords", "pull", "primary", "--config", config)
    assert code == 0, out
    phrase = cords_pulled("primary", "", "").phrase
    assert out["acknowledge"] == phrase and phrase in out["next"]
    assert {k: out[k] for k in ("node", "pulled", "power_state", "power_before",
                                "restore_policy", "via")} == {
        "node": "primary", "pulled": True, "power_state": "Off", "power_before": "On",
        "restore_policy": "AlwaysOn", "via": "standby"}
    code, view = as_json("sim", "bays", "--config", config)
    assert code == 0 and view["cords_pulled"] == ["primary"]
    code, out = as_json("sim", "cords", "plug", "primary", "--config", config)
    assert code == 0 and out["pulled"] is False and out["power_state"] == "On", out
    assert "acknowledge" not in out and "came back on" in out["next"]


def test_a_pulled_node_s_drives_are_moved_through_the_other_port(
        cluster: SimCluster, config: str) -> None:
    """The dead primary's disks go into the standby (a failover's WORK ORDER) although the
    primary's own control port is silent."""
    serials = [d.serial for d in cluster["primary"].drives]
    assert hamnhw("sim", "cords", "pull", "primary", "--config", config).exit_code == 0
    result = hamnhw("sim", "move", *serials, "--to", "standby", "--config", config)
    assert result.exit_code == 0, result.output
    assert sorted(d.serial for d in cluster["standby"].drives) == sorted(serials)
    assert cluster["primary"].cords.pulled


def test_refusals_say_what_is_wrong(cluster: SimCluster, config: str) -> None:
    plugged = hamnhw("sim", "cords", "plug", "primary", "--config", config)
    assert plugged.exit_code == 1
    assert "primary's power cords are plugged in already" in plugged.stderr
    assert hamnhw("sim", "cords", "pull", "primary", "--config", config).exit_code == 0
    again = hamnhw("sim", "cords", "pull", "primary", "--config", config)
    assert again.exit_code == 1 and "primary's power cords are pulled already" in again.stderr
    last = hamnhw("sim", "cords", "pull", "standby", "--config", config)
    assert last.exit_code == 1 and "standby's BMC is the last of this simulator" in last.stderr
    assert not cluster["standby"].cords.pulled
    unknown = hamnhw("sim", "cords", "pull", "nosuch", "--config", config)
    assert unknown.exit_code == 2 and "no simulated node named 'nosuch'" in unknown.stderr
    assert hamnhw("sim", "cords", "unplug", "primary", "--config", config).exit_code == 2


def test_a_config_without_a_simulated_bmc_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "real.toml"
    path.write_text('[primary]\nbmc = "redfish://10.0.0.5"\n')
    result = hamnhw("sim", "cords", "pull", "primary", "--config", str(path))
    assert result.exit_code == 2 and "no simulated BMC" in result.stderr


def test_a_stopped_simulator_is_unreachable(tmp_path: Path) -> None:
    with SimCluster([ServerSpec(name="a"), ServerSpec(name="b")]) as sim:
        path, _secret = write_client_config(sim, tmp_path / "gone.toml")
    result = hamnhw("sim", "cords", "pull", "a", "--config", str(path))
    assert result.exit_code == 3 and "is `hamnhw sim` still running?" in result.stderr


def test_the_first_port_to_take_a_connection_is_chosen(cluster: SimCluster) -> None:
    primary, standby = cluster["primary"], cluster["standby"]
    ends = {"primary": ("127.0.0.1", primary.port), "standby": ("127.0.0.1", standby.port)}
    assert first_connected(ends, 5.0) in {("primary", False), ("standby", False)}
    primary.pull_cords()
    assert first_connected(ends, 5.0) == ("standby", False)
    standby_port = standby.port
    standby.stop()
    assert first_connected(ends, SHORT_S) == (None, False)  # silent and refused: not stopped
    assert first_connected({"standby": ("127.0.0.1", standby_port)}, 5.0) == (None, True)
