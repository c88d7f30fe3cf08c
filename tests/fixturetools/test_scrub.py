"""The scrubber: deterministic, consistent across keys/values/paths/text, counts only."""

from __future__ import annotations

from hamnhw.fixturetools.fixture import Exchange, keep_headers, scrub_exchanges
from hamnhw.fixturetools.leaks import find_leaks_in_documents
from hamnhw.fixturetools.scrub import Scrubber
from hamnhw.fixturetools.scrubkeys import is_serial_key

REAL_UUID = "4C4C4544-0042-3610-8057-B4C04F4E4D32"


def _scrub(doc):
    scrubber = Scrubber()
    scrubber.prepare([doc])
    return scrubber.scrub(doc), scrubber


def test_password_and_token_values_become_stars():
    out, scrubber = _scrub({"UserName": "admin", "Password": "hunter22",
                            "NewPassword": "s3cret!x", "Token": "abcdef0123456789"})
    assert out == {"UserName": "admin", "Password": "***", "NewPassword": "***", "Token": "***"}
    assert scrubber.counts["password"] == 2 and scrubber.counts["token"] == 1


def test_password_value_is_removed_from_free_text_too():
    out, _ = _scrub({"Password": "hunter22", "Message": "bad password hunter22"})
    assert out["Message"] == "bad password ***"


def test_serial_is_replaced_everywhere_consistently():
    doc = {"SerialNumber": "PHLJ9123001X", "SKU": "7X2106Z",
           "@odata.id": "/redfish/v1/Chassis/1/Drives/PHLJ9123001X",
           "Links": [{"@odata.id": "/redfish/v1/Chassis/1/Drives/PHLJ9123001X"}]}
    out, scrubber = _scrub(doc)
    assert out["SerialNumber"] == "FAKE-SN-0001"
    assert out["SKU"] == "FAKE-SN-0002"
    assert out["@odata.id"] == "/redfish/v1/Chassis/1/Drives/FAKE-SN-0001"
    assert out["Links"][0]["@odata.id"] == out["@odata.id"]
    assert scrubber.counts["serial"] == 2


def test_placeholder_serials_are_kept():
    out, scrubber = _scrub({"SerialNumber": "N/A", "SKU": ""})
    assert out == {"SerialNumber": "N/A", "SKU": ""}
    assert scrubber.counts["serial"] == 0


def test_asset_tag_is_scrubbed_like_a_serial_and_checked_by_the_leak_check():
    """An operator's asset tag (inventory number, rack location) identifies the machine;
    sushy-emulator's chassis carries one (``Chicago-45Z-2381``)."""
    doc = {"AssetTag": "Chicago-45Z-2381", "Description": "asset Chicago-45Z-2381"}
    assert find_leaks_in_documents({"raw": doc})[0].category == "serial"
    out, scrubber = _scrub(doc)
    assert out == {"AssetTag": "FAKE-SN-0001", "Description": "asset FAKE-SN-0001"}
    assert scrubber.counts["serial"] == 1
    assert find_leaks_in_documents({"scrubbed": out}) == []
    assert _scrub({"AssetTag": ""})[0] == {"AssetTag": ""}


def test_chassis_location_is_scrubbed():
    """Redfish Location.PostalAddress / Placement say where a data centre and a rack are."""
    doc = {"Location": {"PostalAddress": {"Street": "1 Main St", "City": "Springfield",
                                          "Country": "US"},
                        "Placement": {"Rack": "R42", "Row": "North", "RackOffset": 12}},
           "Description": "in Springfield"}
    out, scrubber = _scrub(doc)
    address, placement = out["Location"]["PostalAddress"], out["Location"]["Placement"]
    assert address["Street"] == "FAKE-LOC-0001" and address["City"] == "FAKE-LOC-0002"
    assert placement["Rack"].startswith("FAKE-LOC-") and placement["Row"].startswith("FAKE-LOC-")
    assert placement["RackOffset"] == 12  # numbers are not identities
    assert out["Description"] == "in FAKE-LOC-0002"
    assert scrubber.counts["location"] == 4
    assert _scrub(out)[0] == out  # scrubbing twice changes nothing


def test_uuid_keeps_links_and_case():
    doc = {"UUID": REAL_UUID, "@odata.id": f"/redfish/v1/Systems/{REAL_UUID.lower()}",
           "Nil": "00000000-0000-0000-0000-000000000000"}
    out, _ = _scrub(doc)
    assert out["UUID"] == "00000000-0000-4000-8000-000000000001"
    assert out["@odata.id"] == "/redfish/v1/Systems/00000000-0000-4000-8000-000000000001"
    assert out["Nil"] == "00000000-0000-0000-0000-000000000000"


def test_macs_become_locally_administered_keeping_order_and_style():
    doc = {"A": {"MACAddress": "B4:96:91:AA:00:09"}, "B": {"MACAddress": "b4-96-91-aa-00-01"},
           "C": {"PermanentMACAddress": "b49691aa0005"},
           "Text": "link up on b4:96:91:aa:00:09"}
    out, scrubber = _scrub(doc)
    assert out["B"]["MACAddress"] == "02-00-00-00-00-01"
    assert out["C"]["PermanentMACAddress"] == "020000000002"
    assert out["A"]["MACAddress"] == "02:00:00:00:00:03"
    assert out["Text"] == "link up on 02:00:00:00:00:03"
    assert scrubber.counts["mac"] == 3


def test_ip_addresses_and_hostnames_go_to_documentation_names():
    doc = {"HostName": "node7", "FQDN": "node7.corp.local",
           "IPv4Addresses": [{"Address": "10.1.2.3", "SubnetMask": "255.255.255.0",
                              "Gateway": "10.1.2.1"}],
           "IPv6Addresses": [{"Address": "fe80::b696:91ff:feaa:1"}],
           "Loop": "127.0.0.1", "FirmwareVersion": "2.81.81.81",
           "Message": "node7.corp.local at 10.1.2.3 answered at 12:30:45"}
    out, _ = _scrub(doc)
    assert out["HostName"] == "host-0001"
    assert out["FQDN"] == "host-0002.example.test"
    assert out["IPv4Addresses"][0] == {"Address": "192.0.2.1", "SubnetMask": "255.255.255.0",
                                       "Gateway": "192.0.2.2"}
    assert out["IPv6Addresses"][0]["Address"] == "2001:db8::1"
    assert out["Loop"] == "127.0.0.1"
    assert out["FirmwareVersion"] == "2.81.81.81"
    assert out["Message"] == "host-0002.example.test at 192.0.2.1 answered at 12:30:45"


def test_session_ids_in_paths_and_bodies():
    sid = "a1b2c3d4e5f60718"
    doc = {"@odata.id": f"/redfish/v1/SessionService/Sessions/{sid}", "Id": sid}
    out, _ = _scrub(doc)
    assert out == {"@odata.id": "/redfish/v1/SessionService/Sessions/FAKE-SESSION-0001",
                   "Id": "FAKE-SESSION-0001"}


def test_same_input_gives_same_output_and_scrubbing_is_idempotent():
    doc = {"SerialNumber": "ABC123456", "UUID": REAL_UUID, "MACAddress": "b4:96:91:aa:00:01",
           "Address": "10.0.0.5"}
    first, _ = _scrub(doc)
    second, _ = _scrub(doc)
    again, scrubber = _scrub(first)
    assert first == second
    assert again == first
    assert sum(scrubber.counts.values()) == 0


def test_scrub_exchanges_keeps_request_bodies_and_only_listed_headers():
    exchanges = [Exchange("POST", "/redfish/v1/SessionService/Sessions", 201,
                          {"X-Auth-Token": "deadbeefdeadbeef", "Location":
                           "https://10.0.0.5/redfish/v1/SessionService/Sessions/77aa77aa",
                           "Server": "Apache", "content-type": "application/json"},
                          request_json={"UserName": "root", "Password": "calvin123"},
                          response_json={"Id": "77aa77aa"})]
    [out], counts = scrub_exchanges(exchanges)
    assert out.headers == {"Content-Type": "application/json",
                           "Location": "/redfish/v1/SessionService/Sessions/FAKE-SESSION-0001"}
    assert out.request_json == {"UserName": "root", "Password": "***"}
    assert out.response_json == {"Id": "FAKE-SESSION-0001"}
    assert counts == {"password": 1, "session": 1, "token": 1}


def test_keep_headers_makes_location_a_path():
    kept = keep_headers({"location": "http://127.0.0.1:8000/redfish/v1/TaskMonitors/1?x=1",
                         "retry-after": "5", "Etag": 'W/"1"'})
    assert kept == {"Location": "/redfish/v1/TaskMonitors/1?x=1", "Retry-After": "5",
                    "ETag": 'W/"1"'}


DELL_SYSTEM = {"@odata.id": "/redfish/v1/Systems/System.Embedded.1",
               "SerialNumber": "CNIVC0012345AB",
               "Oem": {"Dell": {"DellSystem": {
                   "ChassisServiceTag": "7XJ2K93", "NodeID": "7XJ2K93",
                   "BoardSerialNumber": "CNFCP0078R0912",
                   "ChassisSerialNumber": "CNIVC0099999XY"}}},
               "PartNumber": "0X3D66A01"}


def test_vendor_prefixed_serial_keys_are_scrubbed():
    out, scrubber = _scrub(DELL_SYSTEM)
    dell = out["Oem"]["Dell"]["DellSystem"]
    assert dell["ChassisServiceTag"] == dell["NodeID"]  # the same tag, the same fake
    for key in ("ChassisServiceTag", "BoardSerialNumber", "ChassisSerialNumber"):
        assert dell[key].startswith("FAKE-SN-"), key
    assert scrubber.counts["serial"] == 4
    text = repr(out)
    assert not any(real in text for real in ("7XJ2K93", "CNFCP0078R0912", "CNIVC0099999XY"))
    assert find_leaks_in_documents({"scrubbed": out}) == []


def test_leak_check_flags_vendor_prefixed_serial_keys():
    leaks = find_leaks_in_documents({"raw": DELL_SYSTEM})
    flagged = {leak.where.rsplit(".", 1)[-1] for leak in leaks if leak.category == "serial"}
    assert flagged == {"SerialNumber", "ChassisServiceTag", "BoardSerialNumber",
                       "ChassisSerialNumber"}


def test_serial_key_rule_is_a_case_insensitive_suffix():
    assert all(is_serial_key(k) for k in ("SKU", "serialnumber", "PSUSerialNumber",
                                          "chassisservicetag", "SystemAssetTag"))
    assert not any(is_serial_key(k) for k in ("SerialNumberFormat", "ServiceTagHistory",
                                              "PartNumber", "Model", None))


def test_leak_check_flags_originals_the_scrubber_knew():
    _, scrubber = _scrub({"SerialNumber": "ZX81SPECTRUM", "UUID": REAL_UUID, "Id": "1",
                          "Links": {"@odata.id": "/redfish/v1/SessionService/Sessions/1"}})
    originals = scrubber.originals()
    assert "ZX81SPECTRUM" in originals
    survived = {"Description": "board ZX81SPECTRUM rev A", "Name": "ZX81SPECTRUM",
                "Id": "1", "Other": "ZX81SPECTRUMX"}
    leaks = find_leaks_in_documents({"x": survived}, originals=originals)
    assert sorted(leak.where for leak in leaks if leak.category == "original") == \
        ["$.Description", "$.Name"]
    assert all("ZX81" not in leak.hint for leak in leaks)
    assert find_leaks_in_documents({"x": survived}) == []  # without originals: not caught
