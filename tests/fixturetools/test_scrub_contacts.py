"""Who runs a BMC, beyond its host names: e-mail addresses, contacts and owners, the hosts in
URLs and SNMP trap destinations; the site's place (Dell's server topology)."""

from __future__ import annotations

import json

import pytest

from hamnhw.fixturetools.fixture import Exchange, scrub_exchanges
from hamnhw.fixturetools.leaks import find_leaks, find_leaks_in_documents
from hamnhw.fixturetools.scrub import Scrubber
from hamnhw.fixturetools.scrubkeys import is_contact_key, is_host_key, is_location_key

EMAIL = "jane.roe@corp.example.org"
NOC = "noc@corp.example.org"
PERSON = "Jane Roe"
PHONE = "+1 555 0100"

CHASSIS = {"@odata.id": "/redfish/v1/Chassis/1", "Members@odata.count": 1,
           "Location": {"Contacts": [{"ContactName": PERSON, "EmailAddress": EMAIL,
                                      "PhoneNumber": PHONE},
                                     {"ContactName": "", "EmailAddress": NOC,
                                      "PhoneNumber": "N/A"}]},
           "Description": f"call {PERSON} ({PHONE}) or write to {EMAIL}"}
EVENT_SERVICE = {"SMTP": {"FromAddress": "idrac-7xk2@corp.example.org",
                          "ServerAddress": "smtp.corp.example.org"},
                 "Status@Message.ExtendedInfo": [],
                 "ResetType@Redfish.AllowableValues": ["On"]}
DELL_IDRAC = {"Attributes": {
    "EmailAlert.1.Address": NOC, "RemoteHosts.1.SenderEmail": "idrac-7xk2@corp.example.org",
    "Security.1.CsrEmailAddr": EMAIL, "SNMPAlert.1.Destination": "nms.corp.example.org",
    "SNMPAlert.2.Destination": "10.20.0.4", "SNMPTrapIPv4.1.DestinationNum": 1,
    "SSHCrypto.1.Ciphers": "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
    "SSHCrypto.1.KexAlgorithms": "curve25519-sha256@libssh.org"}}
DELL_SYSTEM = {"Attributes": {
    "OwnerInfo.1.OwnerName": "Contoso Research", "OwnerInfo.1.InsComp": "", "OwnerInfo.1.Type":
    "Owned", "SystemInfo.1.PrimaryUser": PERSON, "SystemInfo.1.PrimaryTelephone": PHONE,
    "SupportInfo.1.HelpDesk": "HPC help desk", "CustomAsset.1.Label": "Project",
    "CustomAsset.1.Value": "Falcon", "SystemInfo.1.SysLocation": "Building 7",
    "ServerTopology.1.DataCenterName": "North DC", "ServerTopology.1.RackName": "R42",
    "ServerTopology.1.RackSlot": 7}}
HPE = {"Attributes": {"AdminName": PERSON, "AdminPhone": PHONE, "AdminEmail": EMAIL,
                      "ServiceOtherInfo": "contract 4711", "ServerPrimaryOs": "Linux"},
       "SnmpService": {"Contact": "Facilities team", "AlertDestinations": [
           "trap.corp.example.org", "10.20.0.5", None]}}
SUBSCRIPTION = {"Destination": "https://events.corp.example.org:8443/redfish/v1/events?x=1",
                "Protocol": "Redfish", "Context": "ctx",
                "Copyright": "see http://www.dmtf.org/about/policies/copyright."}
ORIGINALS = (EMAIL, NOC, "idrac-7xk2@corp.example.org", PERSON, PHONE, "Contoso Research",
             "HPC help desk", "Falcon", "Facilities team", "contract 4711",
             "events.corp.example.org", "nms.corp.example.org", "trap.corp.example.org",
             "corp.example.org", "Building 7", "North DC")


def _scrub(*docs):
    scrubber = Scrubber()
    scrubber.prepare(docs)
    return [scrubber.scrub(doc) for doc in docs], scrubber


def test_email_addresses_are_replaced_everywhere_by_one_fake_each():
    (chassis, events, dell), scrubber = _scrub(CHASSIS, EVENT_SERVICE, DELL_IDRAC)
    contacts = chassis["Location"]["Contacts"]
    attributes = dell["Attributes"]
    assert contacts[0]["EmailAddress"] == "user-0001@example.test"
    assert attributes["Security.1.CsrEmailAddr"] == contacts[0]["EmailAddress"]  # linked
    assert attributes["EmailAlert.1.Address"] == contacts[1]["EmailAddress"] \
        == "user-0002@example.test"
    assert events["SMTP"]["FromAddress"] == attributes["RemoteHosts.1.SenderEmail"] \
        == "user-0003@example.test"
    assert chassis["Description"].endswith("write to user-0001@example.test")
    assert scrubber.counts["email"] == 3
    text = json.dumps([chassis, events, dell])
    assert "corp.example.org" not in text and "jane.roe" not in text and "noc@" not in text


def test_annotations_and_ssh_algorithm_names_are_no_email_addresses():
    (events, dell), _ = _scrub(EVENT_SERVICE, DELL_IDRAC)
    assert set(events) == set(EVENT_SERVICE)  # Status@Message..., ResetType@Redfish...
    for key in ("SSHCrypto.1.Ciphers", "SSHCrypto.1.KexAlgorithms"):
        assert dell["Attributes"][key] == DELL_IDRAC["Attributes"][key]
    assert find_leaks_in_documents({"dell": DELL_IDRAC["Attributes"]["SSHCrypto.1.Ciphers"]}) \
        == []


def test_an_email_in_a_path_and_in_a_text_answer_is_replaced_like_in_a_body():
    account = f"/redfish/v1/AccountService/Accounts/{EMAIL}"
    exchanges = [Exchange("GET", account, 200, {}, None, {"UserName": EMAIL}),
                 Exchange("GET", "/x", 500, {}, None, None, f"<p>ask {EMAIL}</p>")]
    cleaned, counts = scrub_exchanges(exchanges)
    assert cleaned[0].path == "/redfish/v1/AccountService/Accounts/user-0001@example.test"
    assert cleaned[0].response_json == {"UserName": "user-0001@example.test"}
    assert cleaned[1].response_text == "<p>ask user-0001@example.test</p>"
    assert counts == {"email": 1}


def test_contacts_and_owners_become_fake_contacts_linked_across_documents():
    (chassis, dell, hpe), scrubber = _scrub(CHASSIS, DELL_SYSTEM, HPE)
    first = chassis["Location"]["Contacts"][0]
    attributes, bios = dell["Attributes"], hpe["Attributes"]
    assert first["ContactName"] == "FAKE-CONTACT-0001" == attributes["SystemInfo.1.PrimaryUser"] \
        == bios["AdminName"]
    assert first["PhoneNumber"] == "FAKE-CONTACT-0002" == attributes[
        "SystemInfo.1.PrimaryTelephone"] == bios["AdminPhone"]
    assert chassis["Location"]["Contacts"][1]["ContactName"] == ""  # placeholders stay
    assert chassis["Location"]["Contacts"][1]["PhoneNumber"] == "N/A"
    for key in ("OwnerInfo.1.OwnerName", "SupportInfo.1.HelpDesk", "CustomAsset.1.Value"):
        assert attributes[key].startswith("FAKE-CONTACT-"), key
    assert bios["ServiceOtherInfo"].startswith("FAKE-CONTACT-")
    assert hpe["SnmpService"]["Contact"].startswith("FAKE-CONTACT-")
    assert chassis["Description"] == ("call FAKE-CONTACT-0001 (FAKE-CONTACT-0002) or write to "
                                      "user-0001@example.test")
    assert (attributes["OwnerInfo.1.Type"], attributes["CustomAsset.1.Label"],
            bios["ServerPrimaryOs"]) == ("Owned", "Project", "Linux")  # settings, not names
    assert scrubber.counts["contact"] == 7


def test_dell_server_topology_is_a_location():
    [dell], scrubber = _scrub(DELL_SYSTEM)
    attributes = dell["Attributes"]
    for key in ("SystemInfo.1.SysLocation", "ServerTopology.1.DataCenterName",
                "ServerTopology.1.RackName"):
        assert attributes[key].startswith("FAKE-LOC-"), key
    assert attributes["ServerTopology.1.RackSlot"] == 7
    assert scrubber.counts["location"] == 3


def test_hosts_in_urls_and_trap_destinations_are_scrubbed_keeping_the_shape():
    (subscription, dell, hpe, events), scrubber = _scrub(
        SUBSCRIPTION, DELL_IDRAC, HPE, EVENT_SERVICE | {"Note": "see events.corp.example.org"})
    assert subscription["Destination"] == \
        "https://host-0001.example.test:8443/redfish/v1/events?x=1"
    assert events["Note"] == "see host-0001.example.test"  # the same host, the same fake
    assert subscription["Copyright"] == SUBSCRIPTION["Copyright"]  # the DMTF is no site
    attributes = dell["Attributes"]
    assert attributes["SNMPAlert.1.Destination"].startswith("host-")
    assert attributes["SNMPAlert.1.Destination"].endswith(".example.test")
    assert attributes["SNMPAlert.2.Destination"] == "192.0.2.1"  # an address stays one
    assert attributes["SNMPTrapIPv4.1.DestinationNum"] == 1
    destinations = hpe["SnmpService"]["AlertDestinations"]
    assert destinations[0].startswith("host-") and destinations[1] == "192.0.2.2"
    assert destinations[2] is None
    text = json.dumps([subscription, dell, hpe, events])
    assert "corp.example.org" not in text
    again, _ = _scrub(SUBSCRIPTION, DELL_IDRAC, HPE, EVENT_SERVICE)
    assert again[:3] == [subscription, dell, hpe]  # deterministic
    assert scrubber.counts["host"] == 4


@pytest.mark.parametrize(("url", "expected"), [
    ("snmp://trap.corp.example.org:162", "snmp://host-0001.example.test:162"),
    ("mailto:noc@corp.example.org", "mailto:user-0001@example.test"),
    ("ldaps://dc1:636", "ldaps://host-0001:636"),
    ("http://ops:hunter22@files.corp.example.org/iso/x.iso",
     "http://***@host-0001.example.test/iso/x.iso"),
    ("https://10.20.0.9/events", "https://192.0.2.1/events"),
    ("https://localhost:8443/x", "https://localhost:8443/x"),
])
def test_a_destination_uri_keeps_its_scheme_port_and_path(url, expected):
    [out], _ = _scrub({"Destination": url, "Text": f"sent to {url} today"})
    assert out == {"Destination": expected, "Text": f"sent to {expected} today"}
    assert bool(find_leaks_in_documents({"raw": {"Destination": url}})) is (url != expected)


@pytest.mark.parametrize(("document", "where", "category"), [
    (CHASSIS, "$.Location.Contacts[0].EmailAddress", "email"),
    (CHASSIS, "$.Description", "email"),
    (EVENT_SERVICE, "$.SMTP.FromAddress", "email"),
    (DELL_IDRAC, "$.Attributes.EmailAlert.1.Address", "email"),
    (CHASSIS, "$.Location.Contacts[0].ContactName", "contact"),
    (CHASSIS, "$.Location.Contacts[0].PhoneNumber", "contact"),
    (DELL_SYSTEM, "$.Attributes.OwnerInfo.1.OwnerName", "contact"),
    (DELL_SYSTEM, "$.Attributes.SystemInfo.1.PrimaryUser", "contact"),
    (HPE, "$.SnmpService.Contact", "contact"),
    (HPE, "$.Attributes.AdminName", "contact"),
    (DELL_SYSTEM, "$.Attributes.ServerTopology.1.DataCenterName", "location"),
    (SUBSCRIPTION, "$.Destination", "host"),
    (DELL_IDRAC, "$.Attributes.SNMPAlert.1.Destination", "host"),
    (HPE, "$.SnmpService.AlertDestinations[0]", "host"),
])
def test_leak_check_flags_what_was_left_and_passes_what_was_scrubbed(document, where, category):
    leaks = find_leaks_in_documents({"x": document})
    assert any(leak.where == where and leak.category == category for leak in leaks), leaks
    assert all(PERSON not in str(leak) and EMAIL not in str(leak) for leak in leaks)
    [out], scrubber = _scrub(document)
    assert find_leaks_in_documents({"x": out}, scrubber.originals()) == []


def test_leak_check_of_files_flags_an_email_and_a_url_host_in_text(tmp_path):
    (tmp_path / "notes.txt").write_text(f"write to {EMAIL}\nPOST https://hooks.corp.example.org/x"
                                        "\nsee http://www.dmtf.org/about and Members@odata.count\n")
    assert sorted((leak.where, leak.category) for leak in find_leaks(tmp_path)) == [
        ("line 1", "email"), ("line 2", "host")]


def test_a_recording_keeps_none_of_the_originals():
    documents = [CHASSIS, EVENT_SERVICE, DELL_IDRAC, DELL_SYSTEM, HPE, SUBSCRIPTION]
    exchanges = [Exchange("GET", f"/redfish/v1/x{i}", 200, {}, None, doc)
                 for i, doc in enumerate(documents)]
    scrubber = Scrubber()
    cleaned, counts = scrub_exchanges(exchanges, scrubber)
    written = json.dumps([e.to_json() for e in cleaned])
    for original in ORIGINALS:
        assert original not in written, original
    assert find_leaks_in_documents({"x": [e.to_json() for e in cleaned]},
                                   scrubber.originals()) == []
    again, _ = scrub_exchanges(exchanges)
    assert again == cleaned  # deterministic
    assert {"email", "contact", "host", "location"} <= set(counts)


@pytest.mark.parametrize("key", [
    "ContactName", "PhoneNumber", "Contact", "OwnerInfo.1.OwnerName", "OwnerInfo.1.InsComp",
    "SystemInfo.1.PrimaryUser", "SystemInfo.1.PrimaryTelephone", "SupportInfo.1.HelpDesk",
    "AcquisitionInfo.1.WhoSigned", "OutsourceInfo.1.SignedFor", "CustomAsset.12.Value",
    "LCD.1.UserDefinedString", "AdminName", "AdminPhone", "AdminOtherInfo", "ServiceName",
    "ServicePhone", "ServiceOtherInfo", "ServerOtherInfo"])
def test_contact_keys(key):
    assert is_contact_key(key)


@pytest.mark.parametrize("key", [
    "Contacts@odata.count", "OwnerInfo.1.Type", "CustomAsset.1.Label", "ServerPrimaryOs",
    "Name", "UserName", "EmailAddress", "PhoneNumberFormat", "ContactInfo", None])
def test_innocuous_contact_like_keys(key):
    assert not is_contact_key(key)


@pytest.mark.parametrize("key", [
    "Destination", "SNMPAlert.1.Destination", "AlertDestination", "AlertDestinations",
    "TrapDestination", "LCAttributes.1.UserProxyServer", "SupportAssist.1.HostOSProxyAddress",
    "LCAttributes.1.ProvisioningServer", "ServerName"])
def test_destination_and_proxy_keys_are_host_keys(key):
    assert is_host_key(key)


@pytest.mark.parametrize(("key", "expected"), [
    ("ServerTopology.1.RackName", True), ("SystemInfo.1.SysLocation", True), ("City", True),
    ("SNMPTrapIPv4.1.DestinationNum", False), ("Location", False), ("LocationFormat", False)])
def test_location_keys(key, expected):
    assert is_location_key(key) is expected


def test_a_url_password_holding_url_delimiters_is_redacted_whole() -> None:
    """Diff review: 'https://admin:pa/ss#1@events...' kept 'pa/ss#1' (the user information
    stopped at the first '/' or '#')."""
    from hamnhw.fixturetools.scrub import Scrubber

    scrubber = Scrubber()
    doc = {"Destination": "https://admin:pa/ss#1@events.corp.local:8443/hook"}
    scrubber.prepare([doc])
    out = scrubber.scrub(doc)["Destination"]
    assert "pa/ss" not in out and "admin" not in out and "corp.local" not in out, out
    assert out.startswith("https://***@host-") and out.endswith(":8443/hook"), out
