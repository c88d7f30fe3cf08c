"""How deep each expanded read asks (``hamnhw.expand.NEEDS``), over the driver's NIC and
storage walks: a chassis one level deep (deeper, its answer carries every sensor), a Storage
two (its drives, volumes and controllers in one answer).  The same answers as the plain
walk; on DMTF public-localstorage (the benchmark tree) and the simulator's adapter shapes
(``card_nics`` in each card style, ``hca_ports``), never a request more than asking every
read at the advertised levels; BMCs expanding less than they advertise, or not at all, still
give every NIC, drive and volume."""

from __future__ import annotations

from typing import Any

import pytest
from expand_service import ExpandingService, Lookup, documents, driver_over, simulated
from test_chassis_reads import LOCAL_CHASSIS, LOCAL_SYSTEM, localstorage, with_jbod_drive

from hamnhw import expand
from hamnhw.sim.spec import HcaPortSpec, NicSpec, ServerSpec

R = "/redfish/v1"
NIC_A, NIC_B = NicSpec("P1", "02:00:00:00:0a:01"), NicSpec("P2", "02:00:00:00:0a:02")
IB_A, IB_B = HcaPortSpec("1", "0002:C903:00AA:BB01"), HcaPortSpec("2", "0002:C903:00AA:BB02")
SHAPES = {
    **{f"card {style}, {len(nics)} NIC(s)": ServerSpec(name="n", card_nics=nics,
                                                       card_style=style)
       for style in ("functions", "ports", "network_ports")
       for nics in ((NIC_A,), (NIC_A, NIC_B))},
    "hca": ServerSpec(name="n", hca_ports=(IB_A, IB_B)),
    "card and hca": ServerSpec(name="n", card_nics=(NIC_A,), hca_ports=(IB_A,)),
    "no adapter": ServerSpec(name="n"),
}


def shape_docs(name: str) -> Lookup:
    if name == "jbod":
        return documents(with_jbod_drive(localstorage()))
    return documents(localstorage()) if name == "localstorage" else simulated(SHAPES[name])


def walked(docs: Lookup, levels: int | None = None,
           honoured: int = 6) -> tuple[tuple[Any, ...], ExpandingService]:
    """Host NICs, drives and volumes as one command reads them (NICs, then storage)."""
    service = ExpandingService(docs, honoured)
    driver = driver_over(service, levels)
    nics = driver.nics.list() or ()
    storage = driver.raid.storage()
    answer = (sorted((n.mac or "", n.port_guid or "") for n in nics),
              sorted(d.serial or "" for d in storage.drives or ()),
              sorted((v.id, v.raid_type) for v in storage.volumes or ()))
    return tuple(answer), service


def every_read_at_advertised_levels(docs: Lookup, monkeypatch: pytest.MonkeyPatch
                                    ) -> ExpandingService:
    with monkeypatch.context() as patch:
        patch.setattr(expand, "NEEDS", ())
        return walked(docs)[1]


def test_the_benchmark_tree_reads_its_chassis_one_level_deep_and_its_storage_two(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three expanded reads as before (Systems; the chassis; the drives and volumes), a
    quarter of the bytes: 3 levels deep the chassis' answer carries Power, Thermal and
    what their sensors' ``RelatedItem`` name (92 KB of the benchmark's 116 KB)."""
    answer, service = walked(shape_docs("localstorage"))
    plain, _ = walked(shape_docs("localstorage"), levels=0)
    everything = every_read_at_advertised_levels(shape_docs("localstorage"), monkeypatch)

    assert answer == plain and len(answer[1]) == 4 and len(answer[2]) == 3
    assert service.sent == [f"{R}/Systems?$expand=.($levels=3)",
                              f"{LOCAL_CHASSIS}?$expand=.($levels=1)",
                              f"{LOCAL_SYSTEM}/Storage/1?$expand=.($levels=2)"]
    assert len(everything.sent) == 3
    assert service.answered * 3 < everything.answered


@pytest.mark.parametrize("name", [*SHAPES, "localstorage"])
def test_no_shape_costs_a_request_more_than_every_read_at_the_advertised_levels(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An adapter's functions and ports come with one expanded read of the chassis'
    adapter list (or of its one adapter), at the advertised levels: the chassis read
    3 deep would carry them only to the adapters' collections, whose members then cost a
    read each."""
    answer, service = walked(shape_docs(name))
    plain, _ = walked(shape_docs(name), levels=0)
    everything = every_read_at_advertised_levels(shape_docs(name), monkeypatch)

    assert answer == plain
    assert len(service.sent) <= len(everything.sent)
    assert service.answered <= everything.answered
    chassis = [path for path in service.sent if expand.key(path).count("/") == 4
               and "/Chassis/" in path]
    assert chassis and all(path.endswith("($levels=1)") for path in chassis), chassis


def test_nics_of_a_chassis_adapter_need_one_deeper_read_of_its_list() -> None:
    answer, service = walked(shape_docs("card and hca"))
    adapters = f"{R}/Chassis/Chassis1/NetworkAdapters"

    assert ("02:00:00:00:0a:01", "") in answer[0]
    assert ("", "00:02:c9:03:00:aa:bb:01") in answer[0]
    assert f"{adapters}?$expand=.($levels=3)" in service.sent
    assert not [path for path in service.sent if path.startswith(f"{adapters}/")]


def test_a_drive_only_the_chassis_lists_comes_with_its_drive_list() -> None:
    """A drive behind no controller (HBA, JBOD) is read with the chassis' Drives list,
    expanded, side by side with the Storage: one request more than the chassis read 3
    deep, which would carry every sensor with it."""
    answer, service = walked(shape_docs("jbod"))

    assert "JBOD-SERIAL" in answer[1] and len(answer[1]) == 5
    assert service.sent[1:] == [f"{LOCAL_CHASSIS}?$expand=.($levels=1)",
                                  f"{LOCAL_SYSTEM}/Storage/1?$expand=.($levels=2)",
                                  f"{LOCAL_CHASSIS}/Drives?$expand=.($levels=3)"]


@pytest.mark.parametrize("honoured", [0, 1, 2])
@pytest.mark.parametrize("name", ["card and hca", "localstorage", "jbod"])
def test_a_bmc_expanding_less_than_it_advertises_gives_the_same_answers(
        name: str, honoured: int) -> None:
    answer, service = walked(shape_docs(name), honoured=honoured)
    plain, walk = walked(shape_docs(name), levels=0)

    assert answer == plain
    assert len(service.sent) <= len(walk.sent)


def test_advertising_one_level_asks_no_storage_again_for_its_volumes() -> None:
    """One level deep, a Storage's answer brings its Volumes collection without the
    volumes: the collection is read on its own, not through the Storage."""
    _, service = walked(shape_docs("localstorage"), levels=1)

    assert f"{LOCAL_SYSTEM}/Storage/1?$expand=.($levels=1)" not in service.sent
    assert f"{LOCAL_SYSTEM}/Storage/1/Volumes?$expand=.($levels=1)" in service.sent
