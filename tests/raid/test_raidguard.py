"""PairGuard demands over hand-built RAID status: foreign drives, no snapshot, dry reasons."""

from __future__ import annotations

import dataclasses

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


def test_serials_are_compared_normalised() -> None:
    """The snapshot and the BMC (or the operator) space and case a serial differently."""
    status = RaidStatus(None, (Volume("V", None, None, RaidType.RAID1, None,
                                      drive_ids=("1", "2")),),
                        (drive("1", " s3z9 nx0k "), drive("2", "S3Z9NX0M")), {}, None, None,
                        None)
    guard = PairGuard("primary", frozenset({"S3Z9NX0K", "s3z9 nx0m"}), active=False)
    plan = RaidPlan("delete", "delete", True, volume_id="V", drive_ids=("1", "2"))
    assert [d.id for d in guard.demands(plan, status).drives] == ["1", "2"]
    with pytest.raises(ConfigError, match="--confirm-serial"):
        guard.enforce(plan, status, ["S3Z9NX0K"], None)
    assert guard.enforce(plan, status, ["s3z9nx0k", "S3Z9 NX0M"], None)["protected"] is True


UNLISTED = RaidStatus(None, (Volume("RAIDController1/Volume1", None, None, RaidType.RAID1,
                                    None),), (drive("1", "A"),), {}, None, None, None)
DELETE = RaidPlan("delete", "delete", True, volume_id="RAIDController1/Volume1")


def test_a_recorded_pair_volume_that_lists_no_members_needs_the_recorded_serials() -> None:
    guard = PairGuard("primary", frozenset({"A", "B"}), active=False,
                      volumes={"RAIDController1/Volume1": ("A", "B")})
    demands = guard.demands(DELETE, UNLISTED)
    assert demands.protected and demands.recorded == ("A", "B") and not demands.node
    with pytest.raises(ConfigError, match="2 member"):
        guard.enforce(DELETE, UNLISTED, [], None)
    assert guard.enforce(DELETE, UNLISTED, ["a", "b"], None)["protected"] is True


def test_a_recorded_pair_volume_with_no_serial_at_all_needs_the_node_name() -> None:
    guard = PairGuard("standby", frozenset(), active=False,
                      volumes={"RAIDController1/Volume1": ()})
    with pytest.raises(ConfigError, match="--confirm-node standby"):
        guard.enforce(DELETE, UNLISTED, [], None)
    assert guard.enforce(DELETE, UNLISTED, [], "standby")["protected"] is True
    other = PairGuard("standby", frozenset(), active=False,
                      volumes={"RAIDController1/Volume2": ()})
    assert not other.demands(DELETE, UNLISTED).protected


BLANK = RaidStatus(None, (Volume("RAIDController1/Volume1", None, None, RaidType.RAID1, None,
                                 drive_ids=("1", "2")),),
                   (drive("1", " "), drive("2", None)), {}, None, None, None)
DELETE_LISTED = RaidPlan("delete", "delete", True, volume_id="RAIDController1/Volume1",
                         drive_ids=("1", "2"))


def test_a_recorded_volume_over_drives_without_serials_needs_the_node_name() -> None:
    guard = PairGuard("primary", frozenset(), active=False,
                      volumes={"RAIDController1/Volume1": ()})
    demands = guard.demands(DELETE_LISTED, BLANK)
    assert demands.protected and demands.node and not demands.drives
    with pytest.raises(ConfigError, match=r"report no serial.*--confirm-node primary"):
        guard.enforce(DELETE_LISTED, BLANK, [], None)
    assert guard.enforce(DELETE_LISTED, BLANK, [], "primary")["protected"] is True


def test_drives_that_lost_their_serial_need_the_recorded_ones() -> None:
    guard = PairGuard("primary", frozenset({"A", "B"}), active=False,
                      volumes={"RAIDController1/Volume1": ("A", "B")})
    demands = guard.demands(DELETE_LISTED, BLANK)
    assert demands.recorded == ("A", "B") and not demands.node and not demands.drives
    with pytest.raises(ConfigError, match="2 member"):
        guard.enforce(DELETE_LISTED, BLANK, [], None)
    assert guard.enforce(DELETE_LISTED, BLANK, ["A", "B"], None)["protected"] is True


def test_a_recorded_volume_over_other_serials_needs_the_drives_serials() -> None:
    """The snapshot recorded no serial (or others): the serials the drives show now are typed."""
    status = RaidStatus(None, BLANK.volumes, (drive("1", "C"), drive("2", "D")), {}, None,
                        None, None)
    guard = PairGuard("primary", frozenset(), active=False,
                      volumes={"RAIDController1/Volume1": ()})
    assert [d.id for d in guard.demands(DELETE_LISTED, status).drives] == ["1", "2"]
    assert guard.enforce(DELETE_LISTED, status, ["C", "D"], None)["protected"] is True


def test_the_active_source_is_named() -> None:
    guard = PairGuard("primary", frozenset({"A", "B"}), active=True,
                      active_source="[pair] active")
    plan = RaidPlan("delete", "delete", True, volume_id="V", drive_ids=("1", "2"))
    with pytest.raises(ConfigError, match=r"active management node \(\[pair\] active\)"):
        guard.enforce(plan, STATUS, ["A", "B"], None)


def test_a_delete_on_the_active_node_needs_its_name_whatever_the_volume() -> None:
    """Deleting destroys a volume's data: on the (possibly) active MN its name is typed, as
    for its reset; a delete with nothing to send, or on another node, asks nothing."""
    plan = RaidPlan("delete", "delete", True, volume_id="W", drive_ids=("4",))
    active = PairGuard("standby", frozenset({"A", "B"}), active=True,
                       active_source="possibly: no failover is recorded")
    demands = active.demands(plan, STATUS)
    assert demands.node and not demands.drives
    assert demands.reasons[0] == "the delete destroys volume W and its data"
    with pytest.raises(ConfigError, match="--confirm-node standby"):
        active.enforce(plan, STATUS, [], None)
    assert active.enforce(plan, STATUS, [], "standby")["protected"] is True
    nothing = RaidPlan("delete", "no volume: nothing to delete", False)
    assert not active.demands(nothing, STATUS).protected
    assert not active.demands(create("4"), STATUS).protected  # a create: no volume destroyed
    assert not PairGuard("standby", frozenset(), active=False).demands(plan, STATUS).protected


def test_an_unreadable_journal_asks_another_server_holding_drives_for_its_name() -> None:
    """Review: on a server outside the pair the snapshot's serial check silently went when
    the journal could not be read; the server may hold the MN's disks, so a write on it
    needs its name as addressed; one that shows no drive holds none of them."""
    broken = "journal /j/mn.journal.sqlite cannot be read: file is not a database"
    guard = PairGuard(None, frozenset(), active=False, snapshot=False, journal_error=broken,
                      addressed="spare3")
    demands = guard.demands(create("1", "2"), STATUS)
    assert demands.node and any(broken in r for r in demands.reasons), demands
    with pytest.raises(ConfigError, match="--confirm-node spare3"):
        guard.enforce(create("1", "2"), STATUS, [], None)
    assert guard.enforce(create("1", "2"), STATUS, [], "spare3")["node"] is None
    empty = RaidStatus(None, (), (), {}, None, None, None)
    assert not guard.demands(create(), empty).node
    unknown = RaidStatus(None, (), None, {}, None, None, None)  # the BMC did not list them
    assert guard.demands(create(), unknown).node, "unknown drives may be the MN's (diff review)"


PARTIAL = RaidStatus(None, (Volume("V", None, None, RaidType.RAID1, None, drive_ids=("1", "2")),),
                     (drive("3", "C"),), {}, None, None, None, incomplete=True,
                     warnings=("drive /Drives/1 not readable, skipped: HTTP 503",
                               "drive /Drives/2 not readable, skipped: HTTP 503"))


def test_a_write_on_drives_an_incomplete_read_did_not_read_is_not_taken_as_unprotected() -> None:
    """The storage read was incomplete and missed the volume's members: whether they are the
    pair's RAID1 is not known, so deleting it needs the node's name (as addressed, on a
    server outside the pair).  Old: no member was read, so none was protected, and the
    delete asked for nothing."""
    guard = PairGuard(None, frozenset({"A", "B"}), active=False, addressed="spare3")
    delete = RaidPlan("delete", "delete", True, volume_id="V", drive_ids=("1", "2"))
    demands = guard.demands(delete, PARTIAL)
    assert demands.protected and demands.node and not demands.drives
    assert any("1, 2 not read" in r and "HTTP 503" in r for r in demands.reasons), demands
    with pytest.raises(ConfigError, match="--confirm-node spare3"):
        guard.enforce(delete, PARTIAL, [], None)
    assert guard.enforce(delete, PARTIAL, [], "spare3")["protected"] is True
    assert not guard.demands(create("3"), PARTIAL).protected  # drive 3 was read: not the MN's
    whole = RaidStatus(None, PARTIAL.volumes, (drive("1", "X"), drive("2", "Y")), {}, None,
                       None, None)
    assert not guard.demands(delete, whole).protected


def test_a_reset_after_an_incomplete_read_needs_the_node_name() -> None:
    """An unread drive may be one of the pair's RAID1 the reset would reset."""
    guard = PairGuard(None, frozenset({"A", "B"}), active=False, addressed="spare3")
    demands = guard.demands(create("3"), PARTIAL, reboot=True)
    assert demands.node and any("incomplete" in r for r in demands.reasons), demands
    assert not guard.demands(create("3"), dataclasses.replace(PARTIAL, incomplete=False),
                             reboot=True).protected
