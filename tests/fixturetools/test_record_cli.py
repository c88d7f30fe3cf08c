"""``hamnhw record`` over real HTTP against the simulator (started and stopped here)."""

from __future__ import annotations

import json
import pathlib

import pytest
from click.testing import CliRunner

import hamnhw
from hamnhw.cli.main import cli
from hamnhw.fixturetools.leaks import find_leaks
from hamnhw.fixturetools.replay import replay
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import SIM_PASSWORD, ServerSpec, SimCluster

pytestmark = pytest.mark.e2e
ENV = {"HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": SIM_PASSWORD}  # simulator-only values


@pytest.fixture(scope="module")
def sim():
    with SimCluster([ServerSpec(name="rec", power="On")]) as cluster:
        yield cluster["rec"]


@pytest.fixture
def fast_poll(monkeypatch):
    monkeypatch.setattr("hamnhw.cli.commands.record.poll_policy",
                        lambda: PollPolicy(interval=0.05, timeout=20))


def _record(*args):
    return CliRunner().invoke(cli, ["--json", "record", *args], env=ENV, catch_exceptions=False)


def test_record_walk_writes_scrubbed_fixture(sim, tmp_path):
    result = _record(sim.url, str(tmp_path))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    out = tmp_path / "contoso" / "contoso-bmc_1.00" / "walk"
    assert payload["directory"] == str(out)
    assert payload["kind"] == "walk" and payload["exchanges"] > 10
    assert payload["scrubbed"]["serial"] >= 3
    text = (out / "exchanges.json").read_text()
    assert sim.spec.serial not in text
    assert find_leaks(tmp_path) == []


def test_record_session_power_cycle_and_overrides(sim, tmp_path, fast_poll):
    result = _record("--session", "power-cycle", "--yes", "--vendor", "Acme", "--model", "X1",
                     "--firmware", "9.9", sim.url, str(tmp_path))
    assert result.exit_code == 0, result.output
    out = tmp_path / "acme" / "x1_9.9" / "power-cycle"
    meta = json.loads((out / "meta.json").read_text())
    assert (meta["kind"], meta["session"], meta["vendor"]) == ("session", "power-cycle", "Acme")
    posts = [e["request_json"] for e in json.loads((out / "exchanges.json").read_text())
             if e["method"] == "POST"]
    assert posts == [{"ResetType": "ForceOff"}, {"ResetType": "On"}]
    assert sim.power_state == "On"


def test_recorded_walk_replays(sim, tmp_path):
    assert _record(sim.url, str(tmp_path)).exit_code == 0
    with replay(tmp_path / "contoso" / "contoso-bmc_1.00" / "walk") as bmc, \
            hamnhw.connect(bmc.url, "admin", "x") as node:
        assert node.inventory.system().serial == "FAKE-SN-0001"


def test_unknown_session_is_a_usage_error(sim, tmp_path):
    result = _record("--session", "launch-missiles", sim.url, str(tmp_path))
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_unreachable_bmc_exits_3(tmp_path):
    result = _record("--timeout", "0.3", "redfish+http://127.0.0.1:9", str(tmp_path))
    assert result.exit_code == 3
    assert json.loads(result.output)["error"]["exit_code"] == 3


def _posts(server):
    return [r for r in server.requests if r.method == "POST" and "Reset" in r.path]


def test_power_cycle_session_refuses_a_node_that_is_off(tmp_path, fast_poll):
    """Recording never powers a fenced node back on: refused like ``power cycle``, nothing
    sent, nothing written."""
    with SimCluster([ServerSpec(name="off", power="Off")]) as cluster:
        server = cluster["off"]
        result = _record("--session", "power-cycle", "--yes", server.url, str(tmp_path))
        assert result.exit_code == 1, result.output
        assert "power cycle refused: the node is off" in result.output
        assert server.power_state == "Off"
        assert _posts(server) == []
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("session", ["power-cycle", "power-off", "power-on"])
def test_state_changing_sessions_need_yes(sim, tmp_path, session):
    before = len(_posts(sim))
    result = _record("--session", session, sim.url, str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "--yes" in result.output and "changes the power state" in result.output
    assert len(_posts(sim)) == before and sim.power_state == "On"
    assert not any(tmp_path.iterdir())


def test_read_only_session_needs_no_yes(sim, tmp_path):
    result = _record("--session", "power-status", sim.url, str(tmp_path))
    assert result.exit_code == 0, result.output


def test_help_names_the_state_changing_sessions_and_what_timeout_bounds():
    result = CliRunner().invoke(cli, ["record", "--help"], terminal_width=200)
    text = " ".join(result.output.split())
    assert "power-cycle, power-off, power-on" in text and "--yes" in text
    assert "whole command" not in text
    assert "each request" in text and "each power change" in text


SNMP_COMMUNITY = "Zq8-corp-ro-Community"  # made up for the test
IPMI_KG = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def secret_routes(monkeypatch):
    """The simulator's Manager links a NetworkProtocol (SNMP community, SNMPv3 keys) and
    Dell-style Attributes (SNMP community, IPMI Kg), as a BMC that echoes them would."""
    import hamnhw.sim.resources as resources

    manager, routes = resources._manager, resources._routes

    def with_links(state):
        document = manager(state)
        path = document["@odata.id"]
        document["NetworkProtocol"] = {"@odata.id": path + "/NetworkProtocol"}
        document["Links"] = {"Oem": {"Dell": {"DellAttributes": [
            {"@odata.id": path + "/Attributes"}]}}}
        return document

    def with_routes(state):
        path = f"/redfish/v1/Managers/{state.spec.manager_id}"
        protocol = {"@odata.id": path + "/NetworkProtocol", "SNMP": {
            "CommunityStrings": [{"Name": "ro", "CommunityString": SNMP_COMMUNITY}],
            "AuthenticationKey": "kX9f2LqP7wZ1rT0b", "EncryptionKey": "Pm4sR8tYu2Wq9Zx1"}}
        attributes = {"@odata.id": path + "/Attributes", "Attributes": {
            "SNMP.1.AgentCommunity": SNMP_COMMUNITY, "IPMILan.1.EncryptionKey": IPMI_KG}}
        return [(path + "/NetworkProtocol", lambda: protocol),
                (path + "/Attributes", lambda: attributes), *routes(state)]

    monkeypatch.setattr(resources, "_manager", with_links)
    monkeypatch.setattr(resources, "_routes", with_routes)


def test_record_walk_redacts_snmp_and_ipmi_secrets(secret_routes, tmp_path):
    with SimCluster([ServerSpec(name="snmp")]) as cluster:
        result = _record(cluster["snmp"].url, str(tmp_path))
    assert result.exit_code == 0, result.output
    exchanges = json.loads(next(tmp_path.rglob("exchanges.json")).read_text())
    by_path = {e["path"]: e["response_json"] for e in exchanges}
    protocol = next(v for k, v in by_path.items() if k.endswith("/NetworkProtocol"))
    attributes = next(v for k, v in by_path.items() if k.endswith("/Attributes"))
    assert protocol["SNMP"] == {"CommunityStrings": [{"Name": "ro", "CommunityString": "***"}],
                                "AuthenticationKey": "***", "EncryptionKey": "***"}
    assert attributes["Attributes"] == {"SNMP.1.AgentCommunity": "***",
                                        "IPMILan.1.EncryptionKey": "***"}
    text = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert SNMP_COMMUNITY not in text and IPMI_KG not in text
    assert find_leaks(tmp_path) == []


def test_a_bmc_not_listing_its_managers_is_not_recorded_as_unknown(sim, tmp_path, fast_poll):
    """Managers without ``Members`` (null: the BMC did not tell, not "none"): the model and
    firmware cannot be read, so nothing is recorded under a made-up ``unknown_unknown`` that
    another BMC's recording could write over (exit 2, naming the options), before anything is
    sent for a session; given them, the walk is recorded."""
    sim.inject("no_members", path="/redfish/v1/Managers", method="GET")
    sim.clear_requests()
    try:
        walked = _record(sim.url, str(tmp_path))
        cycled = _record("--session", "power-cycle", "--yes", sim.url, str(tmp_path))
        sent = [(r.method, r.path) for r in sim.requests if r.method in ("POST", "PATCH")
                and not r.path.endswith("/Sessions")]
        named = _record("--model", "M", "--firmware", "F", sim.url, str(tmp_path))
    finally:
        sim.clear_faults()
    for result in (walked, cycled):
        assert result.exit_code == 2, result.output
        message = json.loads(result.output)["error"]["message"]
        assert "lists no Members" in message and "--model, --firmware" in message
    assert sent == []
    assert named.exit_code == 0, named.output
    assert [p.name for p in tmp_path.iterdir()] == ["contoso"]
    assert [p.name for p in (tmp_path / "contoso").iterdir()] == ["m_f"]


def test_an_idracs_own_host_names_are_scrubbed(tmp_path):
    """An iDRAC shows who runs it under its own attribute names (``NIC.1.DNSRacName``, the DNS
    domain, NTP, Active Directory and syslog servers: DellAttributes): the recording keeps
    none of them, and the leak check looks for them too."""
    from hamnhw.sim.personalities.idrac_attributes import SITE_DOMAIN

    with SimCluster([ServerSpec(name="r650-rack7", power="On", personality="idrac")]) as c:
        result = _record(c["r650-rack7"].url, str(tmp_path))
    assert result.exit_code == 0, result.output
    out = pathlib.Path(json.loads(result.output)["directory"])
    text = (out / "exchanges.json").read_text()
    attributes = next(e["response_json"]["Attributes"] for e in json.loads(text)
                      if e["path"].endswith("/iDRAC.Embedded.1/Attributes"))
    for original in (SITE_DOMAIN, "contoso", "idrac-r650-rack7", "10.20.0."):
        assert original not in text, original
    assert attributes["NIC.1.DNSRacName"] == attributes["ActiveDirectory.1.RacName"]
    assert attributes["NIC.1.DNSRacName"].startswith("host-")
    for key in ("NIC.1.DNSDomainName", "NICStatic.1.DNSDomainName", "NTPConfigGroup.1.NTP1",
                "ActiveDirectory.1.DomainController1", "ActiveDirectory.1.RacDomain",
                "SysLog.1.Server1"):
        assert attributes[key].startswith("host-") and attributes[key].endswith(
            ".example.test"), key
    assert attributes["NTPConfigGroup.1.NTP2"].startswith("192.0.2.")  # an address stays one
    assert attributes["NIC.1.DNSDomainNameFromDHCP"] == "Disabled"  # a setting, not a name
    assert attributes["NTPConfigGroup.1.NTP1SecurityKey"] is None
    assert find_leaks(tmp_path) == []


def test_an_idracs_alert_targets_owner_and_contacts_are_scrubbed(tmp_path):
    """Where an iDRAC sends its alerts (SNMP trap destinations, e-mail) and whom its system
    attributes name (owner, primary user and phone, help desk, data centre and rack) tell whose
    server it is: none of it is recorded, linked values keep one fake, and the leak check passes."""
    from hamnhw.sim.personalities.idrac_attributes import SITE_DOMAIN, SITE_OWNER

    with SimCluster([ServerSpec(name="r650-rack7", power="On", personality="idrac")]) as c:
        result = _record(c["r650-rack7"].url, str(tmp_path))
    assert result.exit_code == 0, result.output
    out = pathlib.Path(json.loads(result.output)["directory"])
    text = (out / "exchanges.json").read_text()
    by_path = {e["path"]: e["response_json"] for e in json.loads(text)}
    idrac = by_path["/redfish/v1/Managers/iDRAC.Embedded.1/Attributes"]["Attributes"]
    system = by_path["/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellAttributes/"
                     "System.Embedded.1"]["Attributes"]
    for original in (SITE_DOMAIN, SITE_OWNER, "Lovelace", "555 0142", "Falcon", "Building 7",
                     "hw-alerts", "rack-r650", "10.20.0.4"):
        assert original not in text, original
    assert idrac["SNMPAlert.1.Destination"].startswith("host-")
    assert idrac["SNMPAlert.2.Destination"].startswith("192.0.2.")
    assert idrac["EmailAlert.1.Address"].startswith("user-")
    assert idrac["EmailAlert.1.Address"] != idrac["RemoteHosts.1.SenderEmail"]
    assert idrac["SSHCrypto.1.Ciphers"].startswith("chacha20-poly1305@openssh.com,")
    for key in ("OwnerInfo.1.OwnerName", "SystemInfo.1.PrimaryUser", "SupportInfo.1.HelpDesk",
                "SystemInfo.1.PrimaryTelephone", "CustomAsset.1.Value"):
        assert system[key].startswith("FAKE-CONTACT-"), key
    for key in ("ServerTopology.1.DataCenterName", "ServerTopology.1.RackName"):
        assert system[key].startswith("FAKE-LOC-"), key
    assert system["OwnerInfo.1.Type"] == "Owned"
    meta = json.loads((out / "meta.json").read_text())
    assert {"email", "contact", "location", "host"} <= set(meta["scrubbed"])
    assert find_leaks(tmp_path) == []
