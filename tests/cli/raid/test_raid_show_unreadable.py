"""``raid show``, ``raid show --check`` and ``check raid`` on a BMC whose Storage collection
answers HTTP 500: sushy-emulator over libvirt's ``test:///default`` (no storage configured),
replayed from its committed recording.  The read is incomplete, volumes unknown, as
``inventory`` says on the same BMC; never a failed command (review 7, item 4)."""

from __future__ import annotations

import pathlib

import pytest
from cli_helpers import json_out, run

from hamnhw.fixturetools.replay import replay

WALK = (pathlib.Path(__file__).resolve().parents[3]
        / "fixtures/redfish/sushy-tools/libvirt_2.2.0/walk")
STORAGE = "/redfish/v1/Systems/00000000-0000-4000-8000-000000000003/Storage"
ENV = {"HAMNHW_USERNAME": "admin", "HAMNHW_PASSWORD": "not-the-password"}
WARNING = f"storage collection {STORAGE} not readable, skipped: GET {STORAGE} returned HTTP 500"


@pytest.fixture(autouse=True)
def _no_pause(no_retry_sleep: list[float]) -> None:
    """The transport's GET retries of the 500 do not really wait."""


def _run(*args: str) -> tuple[object, int]:
    """Run ``hamnhw ARGS <the replayed BMC>``; the result and the GETs of Storage."""
    with replay(WALK) as bmc:
        result = run(*args, bmc.url, env=ENV)
        gets = sum(1 for call in bmc.mock.calls if call.request.method == "GET"
                   and call.request.url.endswith("/Storage"))
    return result, gets


def test_raid_show_is_incomplete_with_volumes_unknown_and_reads_storage_once() -> None:
    result, gets = _run("--json", "raid", "show")
    inventory, inventory_gets = _run("--json", "inventory")

    assert result.exit_code == 0, result.output
    payload = json_out(result)
    assert (payload["volumes"], payload["drives"], payload["controllers"]) == (None, None, None)
    assert payload["incomplete"] is True
    assert [w.startswith(WARNING) for w in payload["warnings"]] == [True]
    assert json_out(inventory)["volumes"] is None
    assert gets == inventory_gets >= 1


def test_raid_show_check_is_unknown_exit_5() -> None:
    result, _ = _run("--json", "raid", "show", "--check")

    assert result.exit_code == 5, result.output
    check = json_out(result)["check"]
    assert (check["ok"], check["state"]) == (False, "unknown")
    assert WARNING in check["reason"]


def test_raid_show_text_says_the_read_is_incomplete() -> None:
    result, _ = _run("raid", "show")

    assert result.exit_code == 0, result.output
    assert "incomplete read: " + WARNING in result.stdout


@pytest.mark.parametrize(("fmt", "code"), [("text", 5), ("nagios", 3)])
def test_check_raid_is_unknown(fmt: str, code: int) -> None:
    result, _ = _run("check", "raid", "--format", fmt)

    assert result.exit_code == code, result.output
    assert result.stdout.startswith("RAID UNKNOWN" if fmt == "nagios" else "UNKNOWN")
    assert "did not tell the RAID volumes" in result.stdout
