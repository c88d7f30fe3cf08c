"""``power on|cycle NODE... --yes`` over a run past the disk move: the override is journaled
for a node only once that node passed every check, the identity check included (serials,
System UUID, NIC MACs read from it: :mod:`hamnhw.pair.oldnode`), just before its power
request.  Review: the run guard journaled "power on of X" before connecting to any node,
so a node the identity check refused afterwards, sent nothing, was still blamed in the run
(its report, its next stop).  Through the CLI against a simulated pair."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from clirun import hamnhw
from pairsim import PairSim
from test_guards_e2e import disks_said_moved

from hamnhw.cli.main import cli
from hamnhw.config import load_config
from hamnhw.failover.overrides import overrides
from hamnhw.pair import open_journal
from hamnhw.sim.forward import TcpForwarder

pytestmark = pytest.mark.e2e


def override_nodes(config: str) -> list[tuple[str, list[str]]]:
    """``(command, nodes)`` of every override event the journal holds."""
    with open_journal(load_config(config)) as journal:
        return [(e.data["command"], e.data["nodes"]) for e in overrides(journal.events())]


def sent_posts(sim: PairSim, name: str) -> list[str]:
    return [r.path for r in sim[name].requests if r.method == "POST" and "Session" not in r.path]


def test_a_node_the_identity_check_refuses_is_not_journaled_as_overridden(
        sim_pair: PairSim) -> None:
    """The config's standby entry reaches the old node's BMC (a mix-up; here a forwarded
    port): ``power on|cycle standby --yes`` passes the address guard (standby is the run's
    new node) and is refused by the identity check; nothing is sent and no override is
    journaled.  The entry put right, ``power on standby --yes`` is journaled and sent."""
    config = disks_said_moved(sim_pair)
    primary = sim_pair["primary"]
    scheme = primary.url.split("://", 1)[0]
    primary.clear_requests()
    with TcpForwarder(("127.0.0.1", primary.port)) as forwarder:
        sim_pair.configure({"standby": {"bmc": f"{scheme}://127.0.0.1:{forwarder.port}"}})
        for action, extra in (("on", ()), ("cycle", ()), ("on", ("--dry-run",))):
            code, out = hamnhw("power", action, "standby", "--yes", *extra, "--config", config)
            assert code == 2, (action, extra, out)
            message = out.get("error", out.get("refused", {}))["message"]
            assert message.startswith(f"standby: its System serial {primary.spec.serial} is "
                                      "primary's in the pair snapshot"), message
            assert "--yes included" in message, message
    assert override_nodes(config) == []
    assert sent_posts(sim_pair, "primary") == [] and primary.power_state == "Off"
    sim_pair.configure({})  # the standby's own BMC again
    code, out = hamnhw("power", "on", "standby", "--yes", "--config", config)
    assert code == 0 and out["power_state"] == "on", out
    assert override_nodes(config) == [("hamnhw power on standby --yes", ["standby"])]
    assert sim_pair.accepted_resets("standby") == ["On"]
    assert sent_posts(sim_pair, "primary") == [] and primary.power_state == "Off"


def test_a_fan_out_journals_only_the_nodes_that_passed(sim_pair: PairSim,
                                                       hung_names: set[str]) -> None:
    """``power on mn1 standby --yes``, mn1 being the old node's BMC at an address that
    matches the primary only in doubt (the primary's BMC host name not resolved in time):
    the address guard lets both through with --yes, both pair nodes; the identity check
    refuses mn1 (the primary's System serial), the standby is powered on: only the standby
    is journaled.  (In process: the slow name service is this process's.)"""
    config = disks_said_moved(sim_pair)
    primary = sim_pair["primary"]
    hung = primary.url.replace("127.0.0.1", "mn.hung.test")
    sim_pair.configure({"primary": {"bmc": hung}})
    with open(config, "a", encoding="utf-8") as out:
        out.write(f'\n[nodes.mn1]\nbmc = "{primary.url}"\nusername = "{primary.username}"\n'
                  f'password_file = "{sim_pair.config_path.parent / "bmc.pw"}"\n'
                  f'pin_fingerprint = "{sim_pair.cluster.fingerprint}"\n')
    hung_names.add("mn.hung.test")
    primary.clear_requests()
    result = CliRunner().invoke(cli, ["--json", "power", "on", "mn1", "standby", "--yes",
                                      "--config", config], catch_exceptions=False)
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    by_node = {line["node"]: line for line in lines if "node" in line}
    assert result.exit_code == 2, result.output
    refused = by_node["mn1"]["error"]["message"]
    assert refused.startswith(f"mn1: its System serial {primary.spec.serial} is primary's"), \
        refused
    assert by_node["standby"]["power_state"] == "on", by_node
    assert override_nodes(config) == [("hamnhw power on standby --yes", ["standby"])]
    assert sent_posts(sim_pair, "primary") == [] and primary.power_state == "Off"
    assert sim_pair.accepted_resets("standby") == ["On"]


def test_an_override_that_cannot_be_journaled_sends_nothing_to_that_node(
        sim_pair: PairSim, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal refusing the override's write (here: read-only) refuses the node it was
    for, saying that nothing was sent, and nothing is (in process: the write is made to
    fail in this process)."""
    import sqlite3

    from hamnhw.failover import overrides as journal_overrides

    config = disks_said_moved(sim_pair)

    def read_only(*_args: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(journal_overrides, "journal_override", read_only)
    sim_pair["standby"].clear_requests()
    result = CliRunner().invoke(cli, ["--json", "power", "on", "standby", "--yes",
                                      "--config", config], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout.strip().splitlines()[-1])["error"]["message"]
    assert message.startswith("the power on of standby over the unfinished failover run 1 "
                              "(primary -> standby, state awaiting_disks") and (
        "cannot be journaled into it (attempt to write a readonly database): nothing was "
        "sent; make the journal writable to this user") in message, message
    assert sent_posts(sim_pair, "standby") == [] and sim_pair["standby"].power_state == "Off"
    assert override_nodes(config) == []
