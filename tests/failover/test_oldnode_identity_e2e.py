"""The old node after the disk move recognised by what identifies it, not by one serial
(review of hamnhw.pair.oldnode): a snapshot without the old node's serial, a snapshot
recording nothing of it, and nodes read over IPMI (their FRU serials and system GUID).
Real ``hamnhw`` subprocesses against a simulated pair; an address the config cannot know
is a forwarded port (hamnhw.sim.forward)."""

from __future__ import annotations

import pytest
from clirun import hamnhw
from pairsim import PairSim
from test_guards_e2e import disks_said_moved

import hamnhw as library
from hamnhw.config import load_config
from hamnhw.pair import open_journal
from hamnhw.pair.oldnode import old_node, refuse_if_old_node
from hamnhw.pair.runguard import RunInProgress
from hamnhw.sim.forward import TcpForwarder
from hamnhw.sim.ipmi import IpmiSim

pytestmark = pytest.mark.e2e

QUICK_PACING = {"HAMNHW_IPMI_PACING_S": "0"}


def power_at(sim: PairSim, name: str, port: int, config: str, *extra: str,
             action: str = "on") -> tuple[int, dict]:
    """``hamnhw power ACTION`` of ``name``'s BMC at ``127.0.0.1:port`` (a forwarded port:
    an address the config does not know), --yes given."""
    server = sim[name]
    scheme = server.url.split("://", 1)[0]
    return hamnhw("power", action, f"{scheme}://127.0.0.1:{port}", "--yes", *extra,
                  "--username", "admin", "--insecure", "--config", config,
                  env={"HAMNHW_PASSWORD": server.password})


def standby_over_ipmi(sim: PairSim, url: str) -> None:
    """The config's standby table reaching its BMC at ``url`` (``ipmi://``: no TLS pin)."""
    text = sim.config_path.read_text()
    head, table = text.split("[standby]\n", 1)
    table, tail = table.split("\n\n", 1)
    lines = [line for line in table.splitlines()
             if not line.startswith(("bmc =", "pin_fingerprint ="))]
    sim.config_path.write_text(head + "[standby]\n" + f'bmc = "{url}"\n'
                               + "\n".join(lines) + "\n\n" + tail)


def sent_posts(sim: PairSim, name: str) -> list[str]:
    return [r.path for r in sim[name].requests if r.method == "POST" and "Session" not in r.path]


def test_a_snapshot_without_the_old_nodes_serial_still_recognises_it(start_pair) -> None:
    """Review: the old node's BMC showed a placeholder serial at snapshot time, so the
    snapshot had none, and the check was off: the old node at an address the config does
    not know was powered on after its disks were said moved.  Its System UUID (and MACs)
    recorded in the snapshot recognise it now; nothing is sent to it."""
    sim = start_pair(primary={"serial": "To Be Filled By O.E.M."})
    config = disks_said_moved(sim)
    with open_journal(load_config(config)) as journal:
        row = journal.latest_snapshot()
    assert row is not None and row[2]["nodes"]["primary"]["system_serial"] is None
    sim["primary"].clear_requests()
    with TcpForwarder(("127.0.0.1", sim["primary"].port)) as forwarder:
        for action, extra in (("on", ()), ("cycle", ()), ("on", ("--dry-run",))):
            code, out = power_at(sim, "primary", forwarder.port, config, *extra, action=action)
            assert code == 2, (action, extra, out)
            message = out["error"]["message"]
            assert (f"its System UUID {sim['primary'].spec.uuid} is primary's in the pair "
                    "snapshot: it is primary, the old node of failover run 1") in message, message
            assert "never powered" in message and "hamnhw failover resume" in message, message
    assert sent_posts(sim, "primary") == [] and sim["primary"].power_state == "Off"


def test_a_snapshot_recording_nothing_of_the_old_node_refuses_all_but_the_other_node(
        sim_pair: PairSim) -> None:
    """Review: an older snapshot that recorded neither serial, UUID nor MACs of the old node
    turned the check off.  Now a node not recognised as the run's other node (the standby,
    by its serial) is refused, saying what is not known; the standby goes on."""
    config = disks_said_moved(sim_pair)
    with open_journal(load_config(config)) as journal:
        row = journal.latest_snapshot()
        assert row is not None
        data = row[2]
        primary = data["nodes"]["primary"]
        for key in ("system_uuid", "system_serials"):
            del primary[key]  # as an older hamnhw wrote it
        primary.update(system_serial=None, nics=None)  # a BMC that told nothing
        journal.save_snapshot(data)
    sim_pair["primary"].clear_requests()
    with TcpForwarder(("127.0.0.1", sim_pair["primary"].port)) as forwarder:
        code, out = power_at(sim_pair, "primary", forwarder.port, config)
    assert code == 2, out
    message = out["error"]["message"]
    assert ("the pair snapshot records nothing that identifies primary (no serial, no System "
            "UUID, no host NIC MAC), and nothing it tells (System serial "
            f"{sim_pair['primary'].spec.serial}, System UUID") in message, message
    assert "is standby's, so it cannot be told apart from primary" in message, message
    assert sent_posts(sim_pair, "primary") == [] and sim_pair["primary"].power_state == "Off"
    with TcpForwarder(("127.0.0.1", sim_pair["standby"].port)) as forwarder:
        code, out = power_at(sim_pair, "standby", forwarder.port, config)
    assert code == 0 and out["power_state"] == "on", out  # recognised as the standby


def test_an_ipmi_node_tells_its_fru_serials_and_goes_on_unless_it_is_the_old_node(
        sim_pair: PairSim) -> None:
    """Review: an IPMI node showed no serial, so during a disk-move run every IPMI node was
    refused ("tells no serial"), the standby included.  Its FRU serials and system GUID
    are read now: the standby reached over IPMI goes on; the old node over IPMI, whose FRU
    product serial (a service tag) is not its Redfish serial, is recognised by its FRU
    board serial (library level: in the simulator every IPMI address is the primary's BMC
    host, so the CLI's address guard refuses it first)."""
    config = disks_said_moved(sim_pair)  # snapshot over Redfish
    serial = sim_pair["primary"].spec.serial
    fru = {"primary": {"serial": "TAG7XJ2", "board_serial": serial}}  # as a Dell's may
    with IpmiSim(sim_pair.cluster, fru=fru) as ipmi:
        standby_over_ipmi(sim_pair, ipmi["standby"].url)
        for extra in (("--dry-run",), ()):
            code, out = hamnhw("power", "on", "standby", "--yes", *extra, "--config", config,
                               env=QUICK_PACING)
            assert code == 0, (extra, out)
        assert sim_pair["standby"].power_state == "On"
        old = old_node(load_config(config))
        assert old is not None
        password = sim_pair["primary"].password
        with library.connect(ipmi["primary"].url, "admin", password) as node, \
                pytest.raises(RunInProgress) as caught:
            refuse_if_old_node(old, node, "on")
        assert (f"its FRU Board Serial {serial} is primary's in the pair snapshot (its System "
                "serial there): it is primary") in str(caught.value)
        assert ipmi["primary"].bridge.accepted == []
