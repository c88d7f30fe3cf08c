"""The old-node guard's identity rules (hamnhw.pair.oldnode, hamnhw.pair.identity) on nodes
faked at the System and NIC reads: every serial recorded against every serial shown, the
UUID in either byte order, MACs, values both pair nodes showed, what an older snapshot
lacks, and a snapshot that identifies the old node by nothing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hamnhw.failover.journal_records import RunRecord
from hamnhw.models import LinkStatus, Nic, System
from hamnhw.pair.identity import Identity, same_uuid
from hamnhw.pair.oldnode import OldNode, refuse_if_old_node
from hamnhw.pair.runguard import RunInProgress
from hamnhw.pair.snapshot import NodeSnapshot, PairSnapshot

RUN = RunRecord(id=7, kind="failover", drill_id=None, source="primary", target="standby",
                state="awaiting_disks", stop_reason=None, started_at=0.0, updated_at=0.0,
                finished_at=None, options={}, facts={"disks_moved_by": "test"})
UUID = "4c4c4544-0051-3510-8052-b4c04f4d3732"
UUID_SWAPPED = "44454c4c-5100-1035-8052-b4c04f4d3732"  # first three fields byte-swapped
MAC_A, MAC_B = "52:54:00:aa:00:01", "52:54:00:bb:00:01"


def snap(name: str, serial: str | None = None, serials: dict[str, str] | None = None,
         uuid: str | None = None, macs: tuple[str, ...] = (), **extra: Any) -> NodeSnapshot:
    nics = tuple({"id": f"NIC{i}", "mac": m, "permanent_mac": None}
                 for i, m in enumerate(macs)) or None
    return NodeSnapshot(name=name, system_serial=serial, model=None, power_state="off",
                        drives=None, volumes=None, nics=nics, restore_policy=None,
                        boot_override=None, boot_mode=None, system_uuid=uuid,
                        system_serials=serials, **extra)


class FakeNode:
    """A node answering the System read (and the NIC read, counted)."""

    def __init__(self, serials: dict[str, str] | None = None, uuid: str | None = None,
                 macs: tuple[str, ...] | None = None, name: str = "redfish://10.0.0.9") -> None:
        serials = serials or {}
        self.name = name
        self.nic_reads = 0
        system = System(id="1", uri=None, manufacturer=None, model=None,
                        serial=next(iter(serials.values()), None), uuid=uuid,
                        bios_version=None, serials=serials)
        self.inventory = SimpleNamespace(system=lambda: system)
        self.nics = SimpleNamespace(list=lambda: self._nics(macs))

    def _nics(self, macs: tuple[str, ...] | None) -> tuple[Nic, ...] | None:
        self.nic_reads += 1
        return None if macs is None else tuple(
            Nic(id=f"NIC{i}", name=None, mac=m, permanent_mac=None, link=LinkStatus.UNKNOWN)
            for i, m in enumerate(macs))


def guard(old: NodeSnapshot, other: NodeSnapshot | None = None) -> OldNode:
    """The old node as :func:`hamnhw.pair.oldnode.old_node` builds it from a snapshot."""
    mine = Identity.of_snapshot(old)
    theirs = Identity.of_snapshot(other) if other is not None else Identity()
    return OldNode(RUN, mine.without(theirs), theirs.without(mine))


def refused(old: OldNode, node: Any) -> str:
    with pytest.raises(RunInProgress) as caught:
        refuse_if_old_node(old, node, "on")
    message = str(caught.value)
    assert message.startswith(f"{node.name}: ") and "failover run 7" in message, message
    assert "hamnhw failover resume" in message and "--yes included" in message, message
    return message


def test_a_dell_read_over_ipmi_is_recognised_by_a_serial_of_another_source() -> None:
    """Review: a Dell's Redfish SerialNumber is its board serial and its service tag is SKU;
    over IPMI the FRU shows the service tag as product serial: any recorded serial matches
    any serial shown."""
    old = guard(snap("primary", "CNIVC0017N0081",
                     {"SerialNumber": "CNIVC0017N0081", "SKU": "7XJ2K93"}, UUID))
    node = FakeNode({"FRU Product Serial": "7xj2k93"})  # case (and spaces) ignored
    message = refused(old, node)
    assert ("its FRU Product Serial 7xj2k93 is primary's in the pair snapshot (its System SKU "
            "(Dell service tag) there): it is primary") in message, message
    board = FakeNode({"FRU Board Serial": "CNIVC0017N0081", "FRU Product Serial": "OTHER"})
    assert "its FRU Board Serial CNIVC0017N0081 is primary's" in refused(old, board)


def test_the_uuid_matches_in_either_byte_order_and_none_is_never_a_value() -> None:
    assert same_uuid(UUID, UUID_SWAPPED.upper()) and same_uuid(UUID, UUID.upper())
    assert not same_uuid(UUID, "4c4c4544-0051-3510-8052-b4c04f4d3733")
    old = guard(snap("primary", uuid=UUID, serials={}))
    assert "its System UUID " + UUID_SWAPPED in refused(old, FakeNode(uuid=UUID_SWAPPED))
    refuse_if_old_node(old, FakeNode(uuid="11111111-2222-3333-4444-555555555555"), "on")
    message = refused(old, FakeNode({"FRU Product Serial": "X1"}))  # tells no UUID
    assert "it tells no System UUID (only its FRU Product Serial X1), so it cannot be told apart " \
           f"from primary (System UUID {UUID} in the pair snapshot)" in message, message


def test_a_node_that_tells_nothing_is_refused_another_serial_is_not() -> None:
    old = guard(snap("primary", "SN-PRIMARY", {"SerialNumber": "SN-PRIMARY"}),
                snap("standby", "SN-STANDBY", {"SerialNumber": "SN-STANDBY"}))
    assert "it tells no serial, so it cannot be told apart from primary (System serial " \
           "SN-PRIMARY in the pair snapshot)" in refused(old, FakeNode())
    refuse_if_old_node(old, FakeNode({"SerialNumber": "SN-STANDBY"}), "cycle")
    refuse_if_old_node(old, FakeNode({"SerialNumber": "SN-THIRD"}), "on")


def test_macs_are_read_when_the_system_read_matched_nothing_and_then_compared() -> None:
    old = guard(snap("primary", "SN-P", {"SerialNumber": "SN-P"}, macs=(MAC_A,)))
    by_serial = FakeNode({"SerialNumber": "SN-P"}, macs=(MAC_A,))
    refused(old, by_serial)
    assert by_serial.nic_reads == 0  # the System read told it: no NIC read
    by_mac = FakeNode(macs=(MAC_A.upper(),))  # no serial, no UUID: its NICs tell
    assert "its host NIC MAC " + MAC_A in refused(old, by_mac) and by_mac.nic_reads == 1
    refuse_if_old_node(old, FakeNode(macs=(MAC_B,)), "on")  # told apart by its MACs
    # another serial form of the same machine (unknown to the snapshot): its MAC tells
    assert "its host NIC MAC" in refused(old, FakeNode({"FRU Product Serial": "TAG"},
                                                       macs=(MAC_A,)))


def test_a_value_both_pair_nodes_showed_identifies_neither() -> None:
    """Review: a board maker's default serial shown by both nodes refused the standby as the
    old node; it is left out, and the nodes are told apart by what else they show."""
    default = "01234567890123456789AB"
    old = guard(snap("primary", default, {"FRU Product Serial": default}, UUID),
                snap("standby", default, {"FRU Product Serial": default},
                     "11111111-2222-3333-4444-555555555555"))
    standby = FakeNode({"FRU Product Serial": default},
                       uuid="11111111-2222-3333-4444-555555555555")
    refuse_if_old_node(old, standby, "on")
    assert "cannot be told apart" in refused(old, FakeNode({"FRU Product Serial": default}))
    assert "its System UUID" in refused(old, FakeNode({"FRU Product Serial": default}, UUID))


def test_a_snapshot_identifying_the_old_node_by_nothing_refuses_all_but_the_other_node() -> None:
    """Review: a snapshot without the old node's serial turned the check off.  With nothing
    recorded of the old node, only a node recognised as the run's other node goes on."""
    old = guard(snap("primary", serials={}),
                snap("standby", "SN-S", {"SerialNumber": "SN-S"}, macs=(MAC_B,)))
    refuse_if_old_node(old, FakeNode({"SerialNumber": "SN-S"}), "on")
    by_mac = FakeNode(macs=(MAC_B,))
    refuse_if_old_node(old, by_mac, "on")
    assert by_mac.nic_reads == 1
    message = refused(old, FakeNode({"SerialNumber": "SN-ELSE"}, macs=(MAC_A,)))
    assert ("the pair snapshot records nothing that identifies primary (no serial, no System "
            "UUID, no host NIC MAC), and nothing it tells (System serial SN-ELSE, 1 host NIC "
            "MAC) is standby's, so it cannot be told apart from primary") in message, message
    nothing = guard(snap("primary"))  # no snapshot of either: every node is refused
    assert "records nothing that identifies primary" in refused(nothing, FakeNode())
    none = OldNode(RUN, Identity(), Identity(), snapshot=False)  # review: no snapshot at all
    assert ("no pair snapshot records what identifies primary or standby, so it cannot be "
            "told apart from primary") in refused(none, FakeNode({"SerialNumber": "SN-S"}))


def test_an_older_snapshot_without_the_new_fields_is_read_and_still_guards() -> None:
    """A snapshot written before the UUID and the serials were recorded: those fields are
    None, its one System serial (and its MACs) still identify the old node."""
    data = PairSnapshot({"primary": snap("primary", "SN-P", macs=(MAC_A,)),
                         "standby": snap("standby", "SN-S")}, 1.0).to_json()
    for node in data["nodes"].values():
        del node["system_uuid"], node["system_serials"]
    old_snap = PairSnapshot.from_json(data).nodes["primary"]
    assert (old_snap.system_uuid, old_snap.system_serials) == (None, None)
    identity = Identity.of_snapshot(old_snap)
    assert (dict(identity.serials), identity.uuid, identity.macs) == (
        {"serial": "SN-P"}, None, frozenset({MAC_A}))
    message = refused(guard(old_snap), FakeNode({"SerialNumber": "SN-P"}))
    assert "its System serial SN-P is primary's in the pair snapshot: it is primary" in message


def test_an_unreadable_journal_is_warned_about(tmp_path: Any,
                                               caplog: pytest.LogCaptureFixture) -> None:
    """Review: with a journal that cannot be read, the identity check is off (nothing tells
    whether disks were moved); the runguard refuses the pair nodes by name, and this is now
    said, so an operator powering on an address the config does not know is warned."""
    import logging

    from hamnhw.config import parse_config
    from hamnhw.failover.journal import journal_path
    from hamnhw.pair.oldnode import old_node

    config = parse_config({"pair": {"name": "mn", "journal_dir": str(tmp_path)},
                           "primary": {"bmc": "redfish://10.0.0.5"},
                           "standby": {"bmc": "redfish://10.0.0.6"}})
    journal_path(tmp_path, "mn").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="hamnhw"):
        assert old_node(config) is None
    assert "the pair journal cannot be read" in caplog.text, caplog.text
