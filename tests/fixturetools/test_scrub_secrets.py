"""Secrets not named ``*Password``: SNMP communities and keys, IPMI Kg, HTTP headers."""

from __future__ import annotations

import json

import pytest

from hamnhw.fixturetools.fixture import Exchange, scrub_exchanges
from hamnhw.fixturetools.leaks import find_leaks, find_leaks_in_documents
from hamnhw.fixturetools.scrub import Scrubber
from hamnhw.fixturetools.scrubkeys import is_host_key, is_secret_key

COMMUNITY = "Zq8-corp-ro-Community"
SNMP_KEY = "kX9f2LqP7wZ1rT0b"
KG = "0123456789abcdef0123456789abcdef01234567"

NETWORK_PROTOCOL = {"SNMP": {"ProtocolEnabled": True, "CommunityAccessMode": "Limited",
                             "CommunityStrings": [{"Name": "ro", "CommunityString": COMMUNITY,
                                                   "AccessMode": "Limited"}],
                             "AuthenticationKey": SNMP_KEY, "EncryptionKey": "Pm4sR8tYu2Wq9Zx1",
                             "AuthenticationKeySet": True}}
DELL_ATTRIBUTES = {"Attributes": {"SNMP.1.AgentCommunity": COMMUNITY,
                                  "IPMILan.1.EncryptionKey": KG,
                                  "SNMPAlert.1.SNMPv3Username": "ops",
                                  "SNMPAlert.1.PrivacyPassphrase": "longer-than-four",
                                  "Radius.1.Secret": "radius-shared",
                                  "IPMILan.1.Kg": "k-g-value",
                                  "SecureBoot.1.SecureBootEnable": "Enabled",
                                  "Certificate.1.KeyUsage": "DigitalSignature",
                                  "SSH.1.PublicKey": "ssh-ed25519 AAAAC3Nza"}}
SUBSCRIPTION = {"Destination": "https://192.0.2.9:8443/events", "Context": "ctx",
                "HttpHeaders": [{"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIi.Sfl",
                                 "X-Custom": "team-secret-value"}]}


def _scrub(doc):
    scrubber = Scrubber()
    scrubber.prepare([doc])
    return scrubber.scrub(doc), scrubber


@pytest.mark.parametrize("key", [
    "CommunityString", "CommunityStrings", "SNMP.1.AgentCommunity", "TrapCommunityName",
    "AuthenticationKey", "EncryptionKey", "PrivacyKey", "PrivateKey", "IPMILan.1.EncryptionKey",
    "Kg", "IPMILan.1.Kg", "KgKey", "SessionKey", "Password", "BindPassword", "PrivacyPassphrase",
    "Secret", "Cookie", "Set-Cookie", "APIKey", "ApiKey", "Users.3.IPMIKey", "Users.3.SHA1v3Key",
    "Users.3.MD5v3Key", "Users.3.SHA256PasswordSalt", "PasswordHash", "AuthKey", "PrivKey",
    "ClientSecret", "Authorization", "Token", "X-Auth-Token", "SessionToken", "accesstoken",
    "NTPConfigGroup.1.NTP1SecurityKey"])
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", [
    "SecureBootEnable", "KeyUsage", "PublicKey", "KeyString", "CommunityAccessMode",
    "AuthenticationKeySet", "PasswordChangeRequired", "EncryptionStatus", "Keys", "Name",
    "UserName", "TokenExpiry", "Package", "Backing", "CookiePolicy", "KeyId", "Basalt"])
def test_innocuous_keys(key):
    assert not is_secret_key(key)


def test_snmp_community_and_keys_are_redacted():
    out, scrubber = _scrub(NETWORK_PROTOCOL)
    snmp = out["SNMP"]
    assert snmp["CommunityStrings"] == [{"Name": "ro", "CommunityString": "***",
                                         "AccessMode": "Limited"}]
    assert snmp["AuthenticationKey"] == "***" and snmp["EncryptionKey"] == "***"
    assert snmp["CommunityAccessMode"] == "Limited" and snmp["AuthenticationKeySet"] is True
    assert scrubber.counts["secret"] == 3


def test_dell_attributes_secrets_are_redacted_and_the_rest_kept():
    out, _ = _scrub(DELL_ATTRIBUTES)
    attributes = out["Attributes"]
    for key in ("SNMP.1.AgentCommunity", "IPMILan.1.EncryptionKey", "SNMPAlert.1.PrivacyPassphrase",
                "Radius.1.Secret", "IPMILan.1.Kg"):
        assert attributes[key] == "***", key
    assert attributes["SecureBoot.1.SecureBootEnable"] == "Enabled"
    assert attributes["Certificate.1.KeyUsage"] == "DigitalSignature"
    assert attributes["SSH.1.PublicKey"] == "ssh-ed25519 AAAAC3Nza"


def test_every_http_header_value_is_redacted():
    out, _ = _scrub(SUBSCRIPTION)
    assert out["HttpHeaders"] == [{"Authorization": "***", "X-Custom": "***"}]
    assert out["Context"] == "ctx"


def test_a_secret_is_also_removed_from_other_text():
    out, _ = _scrub({"CommunityString": COMMUNITY, "Message": f"community {COMMUNITY} set"})
    assert out["Message"] == "community *** set"


def test_recorded_secrets_never_reach_the_output_and_the_check_passes():
    docs = [Exchange("GET", "/redfish/v1/", 200, {}, None, {"@odata.id": "/redfish/v1/"}),
            Exchange("GET", "/redfish/v1/Managers/1/NetworkProtocol", 200, {}, None,
                     NETWORK_PROTOCOL),
            Exchange("GET", "/redfish/v1/Managers/1/Attributes", 200, {}, None, DELL_ATTRIBUTES),
            Exchange("GET", "/redfish/v1/EventService/Subscriptions/1", 200, {}, None,
                     SUBSCRIPTION)]
    scrubber = Scrubber()
    out, _ = scrub_exchanges(docs, scrubber)
    written = json.dumps([e.to_json() for e in out])
    for secret in (COMMUNITY, SNMP_KEY, KG, "radius-shared", "Bearer", "team-secret-value"):
        assert secret not in written
    assert find_leaks_in_documents({"x.json": [e.to_json() for e in out]},
                                   scrubber.originals()) == []


@pytest.mark.parametrize(("document", "where"), [
    (NETWORK_PROTOCOL, "$.SNMP.CommunityStrings[0].CommunityString"),
    (NETWORK_PROTOCOL, "$.SNMP.AuthenticationKey"),
    (DELL_ATTRIBUTES, "$.Attributes.SNMP.1.AgentCommunity"),
    (DELL_ATTRIBUTES, "$.Attributes.IPMILan.1.EncryptionKey"),
    (SUBSCRIPTION, "$.HttpHeaders[0].Authorization"),
    (SUBSCRIPTION, "$.HttpHeaders[0].X-Custom"),
])
def test_leak_check_flags_unredacted_secrets(document, where):
    leaks = find_leaks_in_documents({"x.json": document})
    assert any(leak.where == where and leak.category == "secret" for leak in leaks), leaks
    assert all(COMMUNITY[4:] not in str(leak) for leak in leaks)


def test_leak_check_of_files_flags_secrets_in_json_and_text(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(NETWORK_PROTOCOL))
    (tmp_path / "b.txt").write_text('{"SNMP.1.AgentCommunity": "Zq8-corp-ro-Community"}\n')
    categories = {(leak.file, leak.category) for leak in find_leaks(tmp_path)}
    assert {("a.json", "secret"), ("b.txt", "secret")} <= categories


def test_leak_check_keeps_redacted_and_null_secrets_quiet():
    document = {"SNMP": {"CommunityStrings": [{"CommunityString": "***"}],
                         "AuthenticationKey": None, "EncryptionKey": ""},
                "HttpHeaders": [{"Authorization": "***"}], "Password": None}
    assert find_leaks_in_documents({"x.json": document}) == []


@pytest.mark.parametrize("key", [
    "HostName", "FQDN", "DomainName", "NIC.1.DNSRacName", "NIC.1.DNSDomainName",
    "NICStatic.1.DNSDomainName", "ServerOS.1.HostName", "ActiveDirectory.1.DCLookupDomainName",
    "ActiveDirectory.1.DomainController3", "ActiveDirectory.1.GlobalCatalog1",
    "ActiveDirectory.1.GCRootDomain", "ActiveDirectory.1.RacName", "ActiveDirectory.1.RacDomain",
    "NTPConfigGroup.1.NTP1", "NTPServers", "SysLog.1.Server1", "LDAP.1.Server",
    "ADGroup.2.Domain", "UserDomain.1.Name", "ServerAddress", "ServiceAddresses",
    "RemoteHosts.1.SMTPServerIPAddress"])
def test_host_keys(key):
    assert is_host_key(key)


@pytest.mark.parametrize("key", [
    "NIC.1.DNSDomainNameFromDHCP", "NIC.1.DNSDomainFromDHCP", "NIC.1.DNSRegister",
    "NTPConfigGroup.1.NTPEnable", "NTPConfigGroup.1.NTPMaxDist",
    "NTPConfigGroup.1.NTP1SecurityType", "ADGroup.2.Name", "SysLog.1.Port", "Name",
    "HostNameEnabled", "ServerSentEventUri", "ActiveDirectory.1.Schema"])
def test_innocuous_host_like_keys(key):
    assert not is_host_key(key)


def test_dell_host_attributes_are_scrubbed_and_flagged_when_left():
    attributes = {"Attributes": {"NIC.1.DNSRacName": "idrac-7xk2", "NIC.1.DNSDomainName":
                                 "corp.example.org", "NTPConfigGroup.1.NTP2": "10.9.8.7",
                                 "NIC.1.DNSDomainNameFromDHCP": "Disabled"},
                  "DHCPv4": {"UseDomainName": True}}  # only string values are names
    leaks = find_leaks_in_documents({"x.json": attributes})
    assert {(leak.where, leak.category) for leak in leaks} >= {
        ("$.Attributes.NIC.1.DNSRacName", "host"), ("$.Attributes.NIC.1.DNSDomainName", "host"),
        ("$.Attributes.NTPConfigGroup.1.NTP2", "ip")}
    out, scrubber = _scrub(attributes)
    assert out["Attributes"] == {"NIC.1.DNSRacName": "host-0001",
                                 "NIC.1.DNSDomainName": "host-0002.example.test",
                                 "NTPConfigGroup.1.NTP2": "192.0.2.1",
                                 "NIC.1.DNSDomainNameFromDHCP": "Disabled"}
    assert out["DHCPv4"] == {"UseDomainName": True}
    assert scrubber.counts["host"] == 2
    assert find_leaks_in_documents({"x.json": out}, scrubber.originals()) == []
