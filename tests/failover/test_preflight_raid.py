"""The MN RAID1's health at preflight is information: a read that fails does not stop the
failover (a sick MN is the usual reason for one)."""

from __future__ import annotations

import types

import pytest

from hamnhw.errors import ServerSideError
from hamnhw.failover import preflight


class Checks:
    source, target = "primary", "standby"

    def __init__(self) -> None:
        self.checks: list[tuple[str, object, str]] = []

    def check(self, name: str, passed: object, detail: str) -> None:
        self.checks.append((name, passed, detail))


def test_an_unreadable_mn_raid1_is_a_warning_not_a_stop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Expected: the check is unverified (None) saying why, a warning names it, and no
    exception leaves the preflight."""
    def unreadable(*_args: object) -> None:
        raise ServerSideError(host="bmc:443", method="GET", path="/redfish/v1/Systems/1/Storage",
                              status=500)

    monkeypatch.setattr(preflight, "mn_volume", unreadable)
    ctx, warnings = Checks(), []
    preflight._mn_raid(ctx, types.SimpleNamespace(), ["S1", "S2"], warnings)  # type: ignore[arg-type]
    [(name, passed, detail)] = ctx.checks
    assert (name, passed) == ("preflight: MN RAID1 health", None)
    assert "not read" in detail and "500" in detail
    assert len(warnings) == 1 and "could not be read" in warnings[0]
