"""The NIC matcher: location, then Id, then natural order; missing NICs; InfiniBand apart."""

from __future__ import annotations

from typing import Any

from hamnhw.models import LinkStatus, Nic, NicKind
from hamnhw.pair.nicmap import match_nics, natural_key, nic_map_json


def nic(nic_id: str, mac: str | None = None, speed: int | None = 25000,
        link: LinkStatus = LinkStatus.UP, **extra: Any) -> Nic:
    mac = mac if mac is not None else f"02:00:00:00:00:{abs(hash(nic_id)) % 250:02x}"
    return Nic(nic_id, None, mac, None, link, speed, **extra)


def pairs_of(primary: list[Nic], standby: list[Nic], **kwargs: bool) -> list[tuple]:
    return [(e["primary"], e["standby"], e["matched_by"])
            for e in nic_map_json(match_nics(primary, standby, **kwargs))]


def test_same_ids_in_a_different_order_match_by_id_and_report_the_order() -> None:
    result = match_nics([nic("NIC1"), nic("NIC2")], [nic("NIC2"), nic("NIC1")])
    assert [(p.primary.id, p.standby.id, p.matched_by) for p in result] == [
        ("NIC1", "NIC1", "id"), ("NIC2", "NIC2", "id")]
    assert "listed #1 on the primary, #2 on the standby" in result[0].issues


def test_different_ids_fall_back_to_natural_order() -> None:
    primary = [nic("eth10"), nic("eth2"), nic("eth1")]
    standby = [nic("port1"), nic("port2"), nic("port10")]
    assert pairs_of(primary, standby) == [("eth10", "port10", "order"),
                                          ("eth2", "port2", "order"),
                                          ("eth1", "port1", "order")]
    assert natural_key("NIC2") < natural_key("NIC10")


def test_a_missing_nic_is_unmatched_and_the_others_still_pair_by_id() -> None:
    result = pairs_of([nic("NIC1"), nic("NIC2"), nic("NIC3")], [nic("NIC1"), nic("NIC3")])
    assert result == [("NIC1", "NIC1", "id"), ("NIC2", None, None), ("NIC3", "NIC3", "id")]
    extra = pairs_of([nic("NIC1")], [nic("NIC1"), nic("NIC9")])
    assert extra == [("NIC1", "NIC1", "id"), (None, "NIC9", None)]


def test_location_and_port_win_over_ids_and_listing_order() -> None:
    primary = [nic("A", location="PCIe Slot 1", port="1"), nic("B", location="PCIe Slot 1",
                                                               port="2")]
    standby = [nic("B", location="PCIe Slot 1", port="1"), nic("A", location="PCIe Slot 1",
                                                               port="2")]
    assert pairs_of(primary, standby) == [("A", "B", "location"), ("B", "A", "location")]


def test_a_card_in_another_slot_pairs_by_order_and_says_the_location_differs() -> None:
    primary = [nic("A", location="Slot 1", port="1")]
    standby = [nic("A2", location="Slot 3", port="1")]
    result = match_nics(primary, standby)
    assert result[0].matched_by == "order"
    assert "location differs: Slot 1 port 1 vs Slot 3 port 1" in result[0].issues


def test_infiniband_ports_pair_only_with_infiniband_and_carry_their_guids() -> None:
    ib = NicKind.INFINIBAND
    primary = [Nic("ib0", None, None, None, kind=ib, port_guid="00:02:C9:03:00:AA:BB:01"),
               nic("eth0", "02:00:00:00:02:01")]
    standby = [nic("eth0", "02:00:00:00:02:02"),
               Nic("ib0", None, None, None, kind=ib, port_guid="00:02:c9:03:00:aa:bb:02")]
    entries = {e["primary"]: e for e in nic_map_json(match_nics(primary, standby))}
    assert entries["ib0"]["kind"] == "infiniband" and entries["ib0"]["standby"] == "ib0"
    assert entries["ib0"]["primary_port_guid"] == "00:02:c9:03:00:aa:bb:01"
    assert entries["ib0"]["standby_port_guid"] == "00:02:c9:03:00:aa:bb:02"
    assert entries["eth0"]["kind"] == "ethernet"


def test_speed_link_and_mac_differences() -> None:
    primary = [nic("NIC1", speed=25000, link=LinkStatus.UP)]
    standby = [Nic("NIC1", None, None, None, LinkStatus.DOWN, 10000)]
    quiet = match_nics(primary, standby)[0].issues
    assert "speed differs: 25000 vs 10000 Mbit/s" in quiet
    assert "no usable MAC on the standby" in quiet
    assert not any(i.startswith("link") for i in quiet)
    loud = match_nics(primary, standby, compare_link=True)[0].issues
    assert "link differs: up vs down" in loud


def test_unknown_speed_is_not_a_difference() -> None:
    result = match_nics([nic("NIC1", speed=None)], [nic("NIC1", speed=10000)])
    assert not any(i.startswith("speed") for i in result[0].issues)
