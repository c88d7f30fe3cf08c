"""The bays a work order calls taken (:func:`hamnhw.failover.hostview.bays_taken`): a bay
not read is not a free bay, so a drive list read only in part (or not at all) gives
"unknown", never the part read as the whole."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from hamnhw.failover.hostview import bays_taken
from hamnhw.interfaces import RaidView
from hamnhw.storagemodels import Drive


def drive(serial: str | None, bay: str | None, ident: str) -> Drive:
    fields = {f.name: None for f in dataclasses.fields(Drive)}
    fields.update(id=ident, serial=serial, location=bay)
    return Drive(**fields)


def node(view: RaidView) -> Any:
    return SimpleNamespace(raid=SimpleNamespace(storage=lambda: view))


DRIVES = (drive("S1", "Bay 1", "RC/1"), drive(None, None, "RC/2"), drive("MN1", "Bay 3", "RC/3"))


def test_the_bays_of_a_whole_list_but_the_moving_drives() -> None:
    assert bays_taken(node(RaidView((), DRIVES))) == ("Bay 1", "RC/2", "Bay 3")
    assert bays_taken(node(RaidView((), DRIVES)), frozenset({"MN1"})) == ("Bay 1", "RC/2")


def test_a_list_read_in_part_or_not_at_all_is_unknown() -> None:
    partial = RaidView((), DRIVES[:1], incomplete=True, warnings=("Drives page 2: 503",))
    assert bays_taken(node(partial)) is None
    assert bays_taken(node(RaidView(None, None))) is None
    assert bays_taken(node(RaidView((), ()))) == ()
