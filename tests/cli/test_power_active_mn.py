"""A power change that stops or restarts the pair's (possibly) active MN needs ``--yes`` for a
single node as over many (review: ``hamnhw power off primary`` was sent unasked while
``power off primary standby`` was refused): the configs ``hamnhw sim --pair`` and ``hamnhw
sim --names primary,standby`` write, no failover recorded (either pair node may be the
MN), through the real CLI against the simulated pair.  A dry run prints the plan, says the
real run would be refused and exits with its code; ``on``, ``boot`` and ``restore-policy``
(they stop no running node) stay unasked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import json_lines, json_out, run
from click.testing import Result

from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.sim import SimCluster
from hamnhw.sim.client_config import write_client_config, write_pair_config
from hamnhw.sim.mnpair import mn_pair_specs

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_sleep")]

STOPPING = ("off", "soft-off", "cycle")


class Pair:
    def __init__(self, cluster: SimCluster, config: Path) -> None:
        self.cluster, self.config = cluster, config

    def power(self, *args: str) -> Result:
        return run("--json", "power", *args, "--config", str(self.config))

    def resets(self, name: str) -> list[str]:
        """ResetTypes ``name`` was sent."""
        return [r.body.get("ResetType") for r in self.cluster[name].requests
                if r.method == "POST" and r.path.endswith("ComputerSystem.Reset")
                and isinstance(r.body, dict)]

    def journal_active(self, name: str) -> None:
        with open_journal(load_config(str(self.config))) as journal:
            journal.set_active_node(name, "test")


@pytest.fixture(params=["sim --pair", "sim --names"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """The primary on (the MN), the standby off; the config ``hamnhw sim --pair
    --config-out`` writes (``[primary]``, ``[standby]``, ``[pair]``) or ``hamnhw sim --names
    primary,standby --config-out`` (``[nodes.primary]``, ``[nodes.standby]``; plus a
    ``[pair] journal_dir`` here, so that no test reads or writes the host's own journal)."""
    with SimCluster(mn_pair_specs(power_delay=0)) as cluster:
        path = tmp_path / "sim.toml"
        if request.param == "sim --pair":
            write_pair_config(cluster, path, None, "127.0.0.1:9")
        else:
            write_client_config(cluster, path)
            with path.open("a", encoding="utf-8") as out:
                out.write(f'\n[pair]\njournal_dir = "{tmp_path / "journal"}"\n')
        yield Pair(cluster, path)


@pytest.mark.parametrize("verb", STOPPING)
def test_one_active_mn_is_not_stopped_without_yes(pair: Pair, verb: str) -> None:
    refused = pair.power(verb, "primary")
    assert refused.exit_code == 2, refused.output
    message = json_out(refused)["error"]["message"]
    assert message.startswith("'primary' is the pair's active MN (possibly: no failover is "
                              "recorded"), message
    assert message.endswith("add --yes to go on"), message
    several = pair.power(verb, "primary", "standby")  # the same rule, the same words
    assert several.exit_code == 2 and json_out(several)["error"]["message"] == message
    assert pair.resets("primary") == [] and pair.cluster["primary"].power_state == "On"
    done = pair.power(verb, "primary", "--yes")
    assert done.exit_code == 0, done.output
    assert pair.resets("primary")


def test_the_active_mn_is_recognised_however_it_is_named(pair: Pair) -> None:
    url = pair.cluster["primary"].url
    with pair.config.open("a", encoding="utf-8") as out:
        out.write(f'\n[nodes.mn1]\nbmc = "{url}/"\nusername = "admin"\n'
                  f'password_file = "sim.password"\n')
    alias = pair.power("off", "mn1")
    assert alias.exit_code == 2, alias.output
    assert "'primary' (named 'mn1') is the pair's active MN" in json_out(alias)["error"][
        "message"]
    spelt = run("--json", "power", "cycle", url.upper().replace("HTTP", "http", 1) + "/",
                "--config", str(pair.config), "--username", "admin",
                env={"HAMNHW_PASSWORD": pair.cluster["primary"].password})
    assert spelt.exit_code == 2, spelt.output
    assert "'primary' (named by a BMC URL)" in json_out(spelt)["error"]["message"]
    assert pair.resets("primary") == []


def test_the_active_mn_addressed_over_ipmi_is_the_same_bmc(pair: Pair) -> None:
    """Review: ``ipmi://`` of the MN's BMC host (port 623, or any) was another BMC than its
    Redfish URL, so a power off over IPMI went unasked.  Both the URL and a config entry
    ``bmc = "ipmi://<the host>"`` are refused without --yes; nothing is sent."""
    with pair.config.open("a", encoding="utf-8") as out:
        out.write('\n[nodes.mn1-ipmi]\nbmc = "ipmi://LOCALHOST"\nusername = "admin"\n'
                  'password_file = "sim.password"\n')
    entry = pair.power("off", "mn1-ipmi")
    assert entry.exit_code == 2, entry.output
    assert "'primary' (named 'mn1-ipmi') is the pair's active MN" in json_out(entry)["error"][
        "message"]
    url = run("--json", "power", "off", "ipmi://127.0.0.1:9", "--config", str(pair.config),
              "--username", "admin", env={"HAMNHW_PASSWORD": pair.cluster["primary"].password})
    assert url.exit_code == 2, url.output
    assert "'primary' (named by a BMC URL) is the pair's active MN" in json_out(url)["error"][
        "message"]
    assert pair.resets("primary") == [] and pair.cluster["primary"].power_state == "On"


def test_a_dry_run_says_the_real_run_would_be_refused_and_exits_with_its_code(
        pair: Pair) -> None:
    planned = pair.power("off", "primary", "--dry-run")
    assert planned.exit_code == 2, planned.output
    plan = json_out(planned)
    assert plan["dry_run"] is True and plan["summary"] == "would send ForceOff (now on)"
    assert plan["refused"]["exit_code"] == 2
    assert "'primary' is the pair's active MN" in plan["refused"]["message"]
    text = run("power", "soft-off", "primary", "--dry-run", "--config", str(pair.config))
    assert text.exit_code == 2, text.output
    assert "the real run would be refused (exit 2): 'primary' is the pair's active MN" in (
        text.stdout)
    confirmed = json_out(pair.power("off", "primary", "--dry-run", "--yes"))
    assert confirmed["refused"] is None
    several = pair.power("off", "primary", "standby", "--dry-run")
    assert several.exit_code == 2, several.output
    plans = {p["node"]: p for p in json_lines(several.stdout)[:-1]}
    assert plans["standby"]["summary"] == "already off"
    assert {n: p["refused"]["exit_code"] for n, p in plans.items()} == {"primary": 2,
                                                                        "standby": 2}
    cycle = pair.power("cycle", "primary", "standby", "--dry-run")  # standby off: no plan
    assert cycle.exit_code == 2, cycle.output  # the real run's: refused, nothing sent
    lines = {p["node"]: p for p in json_lines(cycle.stdout)[:-1]}
    assert lines["primary"]["refused"]["exit_code"] == 2
    assert "power cycle refused: the node is off" in lines["standby"]["error"]["message"]
    assert pair.resets("primary") == [] and pair.resets("standby") == []


def test_the_recorded_active_mn_alone_needs_yes(pair: Pair) -> None:
    """Once the journal names the MN, the other pair node is a plain node."""
    pair.journal_active("primary")
    assert pair.power("off", "primary").exit_code == 2
    pair.cluster["standby"].set_power("On")
    done = pair.power("off", "standby")
    assert done.exit_code == 0, done.output
    assert pair.resets("standby") == ["ForceOff"]
    pair.journal_active("standby")
    refused = pair.power("soft-off", "standby")
    assert refused.exit_code == 2
    assert "(failover journal)" in json_out(refused)["error"]["message"]


def test_what_stops_no_running_node_needs_no_yes(pair: Pair) -> None:
    """``on`` starts, ``boot`` and ``restore-policy`` change the next start: one node needs
    no ``--yes`` for them, the active MN included."""
    pair.cluster["primary"].set_power("Off")
    assert pair.power("on", "primary").exit_code == 0
    config = ("--config", str(pair.config))
    assert run("--json", "boot", "primary", "pxe", *config).exit_code == 0
    assert run("--json", "restore-policy", "primary", "always-off", *config).exit_code == 0


def test_a_pair_bmc_name_not_resolved_in_time_is_the_active_mn_in_doubt(
        pair: Pair, hung_names: set[str]) -> None:
    """Review: the pair's BMC configured by a host name whose lookup hangs (a slow name
    service) matched nothing, so ``power off`` of the MN's BMC by its address went unasked,
    while the command's own connection could still resolve and reach it.  In doubt the
    guard matches, says why, and nothing is sent; a name the name service says does not
    exist is not in doubt."""
    url = pair.cluster["primary"].url
    address = url.split("://", 1)[1].rstrip("/")
    text = pair.config.read_text(encoding="utf-8")
    assert text.count(address) == 1, text
    pair.config.write_text(text.replace(address, address.replace("127.0.0.1", "mn.hung.test")),
                           encoding="utf-8")
    hung_names.add("mn.hung.test")
    refused = run("--json", "power", "off", url, "--config", str(pair.config),
                  "--username", "admin", env={"HAMNHW_PASSWORD": pair.cluster["primary"].password})
    assert refused.exit_code == 2, refused.output
    message = json_out(refused)["error"]["message"]
    assert message.startswith("'primary' (named by a BMC URL) (possibly: mn.hung.test did "
                              "not resolve within 0.05 s, so it may be) is the pair's active "
                              "MN"), message
    assert pair.resets("primary") == [] and pair.cluster["primary"].power_state == "On"


def test_a_name_that_does_not_exist_is_not_in_doubt(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from hamnhw.config import parse_config
    from hamnhw.pair import nodes as pairnodes

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    config = parse_config({"primary": {"bmc": "redfish://mn.gone.test"},
                           "standby": {"bmc": "redfish://10.0.0.6"}})
    named = pairnodes.pair_nodes_of(config, ["redfish://10.0.0.9"])
    assert dict(named) == {} and named.late == {}
