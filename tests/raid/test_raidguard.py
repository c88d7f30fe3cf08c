"""PairGuard demands over hand-built RAID status: foreign drives, no snapshot, dry reasons."""

from __future__ import annotations

import pytest

from hamnhw.errors import ConfigError, RefusedOperation
from hamnhw.models import Drive, RaidType, Volume
from hamnhw.raid import RaidPlan, RaidStatus
from hamnhw.raidguard import PairGuard


def drive(i: str, serial: str | None) -> Drive:
    return Drive(i, None, serial, None, 10, None, None, location=f"Bay {i}")


STATUS = RaidStatus(None, (Volume("V", None, None, RaidType.RAID1, None, drive_ids=("1", "2")),),
                    (drive("1", "A"), drive("2", "B"), drive("3", "C"), drive("4", None)),
                    {}, None, None, foreign=("3",))


def create(*ids: str) -> RaidPlan:
    return RaidPlan("create", "create", True, drive_ids=ids)


def test_a_foreign_drive_is_protected_even_without_a_snapshot() -> None:
    guard = PairGuard("standby", frozenset(), active=False, snapshot=False)
    demands = guard.demands(create("3", "1"), STATUS)
    assert [d.id for d in demands.drives] == ["3"] and not demands.node
    with pytest.raises(ConfigError, match="foreign"):
        guard.enforce(create("3", "1"), STATUS, [], None)
    assert guard.enforce(create("3", "1"), STATUS, ["C"], None)["protected"] is True


def test_nothing_to_type_off_the_pair_raid1() -> None:
    guard = PairGuard("primary", frozenset({"A", "B"}), active=True)
    assert not guard.demands(create("4"), STATUS).protected


def test_a_protected_drive_without_serial_cannot_be_confirmed() -> None:
    guard = PairGuard("primary", frozenset({"A", "B"}), active=False)
    plan = RaidPlan("delete", "delete", True, volume_id="V", drive_ids=("1", "4"))
    with pytest.raises(RefusedOperation, match="reports no serial"):
        guard.enforce(plan, STATUS, ["A", "B"], None)
