"""No fixture under fixtures/ may hold a real-looking secret or identifier,
and the check itself is proven to find them."""

from __future__ import annotations

import json
import pathlib

import pytest

from hamnhw.fixturetools.fixture import Exchange, scrub_exchanges
from hamnhw.fixturetools.leaks import find_leaks

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures"


def test_fixtures_hold_no_secrets():
    assert FIXTURES.is_dir()
    leaks = find_leaks(FIXTURES)
    assert not leaks, "suspicious values in fixtures:\n" + "\n".join(map(str, leaks[:50]))


def test_fixtures_are_not_empty():
    recordings = list(FIXTURES.rglob("exchanges.json"))
    assert recordings, "no recorded fixtures under fixtures/"


def _write(tmp_path: pathlib.Path, document) -> pathlib.Path:
    target = tmp_path / "redfish" / "acme" / "x_1" / "walk"
    target.mkdir(parents=True)
    (target / "exchanges.json").write_text(json.dumps(document))
    return tmp_path


REAL_LOOKING = [
    {"method": "GET", "path": "/redfish/v1/Systems/1", "status": 200, "headers": {},
     "request_json": None,
     "response_json": {"SerialNumber": "CN7475156D0123", "UUID":
                       "4c4c4544-0042-3610-8057-b4c04f4e4d32",
                       "MACAddress": "b4:96:91:aa:00:01"}},
    {"method": "POST", "path": "/redfish/v1/SessionService/Sessions", "status": 201,
     "headers": {"X-Auth-Token": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                 "Location": "/redfish/v1/SessionService/Sessions/9f8e7d6c5b4a"},
     "request_json": {"UserName": "root", "Password": "calvin"},
     "response_json": {"@odata.type": "#Session.v1_0_0",
                       "Oem": {"AuthKey": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=="}}},
]


def test_leak_check_bites_on_real_looking_values(tmp_path):
    leaks = find_leaks(_write(tmp_path, REAL_LOOKING))
    categories = sorted({leak.category for leak in leaks})
    assert categories == ["mac", "password", "secret", "serial", "session", "token", "uuid"]
    by_category = {leak.category: set() for leak in leaks}
    for leak in leaks:
        by_category[leak.category].add(leak.where)
    assert by_category["token"] == {"$[1].headers.X-Auth-Token"}
    assert by_category["secret"] == {"$[1].response_json.Oem.AuthKey"}


def test_leak_report_never_shows_whole_values(tmp_path):
    leaks = find_leaks(_write(tmp_path, REAL_LOOKING))
    text = "\n".join(map(str, leaks))
    assert "calvin" not in text
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" not in text
    assert "CN7475156D0123" not in text


@pytest.mark.parametrize("mac, flagged", [
    ("00:1b:21:3a:4f:10", True),   # Intel OUI
    ("B4-96-91-AA-00-01", True),
    ("02:00:00:00:00:01", False),  # the scrubber's fake
    ("52:54:00:12:34:56", False),  # locally administered (QEMU)
    ("00:00:00:00:00:00", False),  # unset
])
def test_mac_rule_is_the_locally_administered_bit(tmp_path, mac, flagged):
    doc = [{"method": "GET", "path": "/x", "status": 200, "headers": {},
            "response_json": {"Description": f"port {mac}"}}]
    leaks = find_leaks(_write(tmp_path, doc))
    assert ([leak.category for leak in leaks] == ["mac"]) is flagged


def test_text_files_are_scanned_too(tmp_path):
    (tmp_path / "notes.txt").write_text('curl -H "X-Auth-Token: abcdef0123456789"\n'
                                        '{"Password": "calvin"}\nhost 10.20.30.40\n')
    categories = sorted(leak.category for leak in find_leaks(tmp_path))
    assert categories == ["ip", "password", "token"]


def test_scrubbed_real_looking_values_pass_the_check(tmp_path):
    exchanges = [Exchange.from_json(item) for item in REAL_LOOKING]
    cleaned, _ = scrub_exchanges(exchanges)
    leaks = find_leaks(_write(tmp_path, [e.to_json() for e in cleaned]))
    assert leaks == []  # the Oem AuthKey is a secret key (is_secret_key): scrubbed too
