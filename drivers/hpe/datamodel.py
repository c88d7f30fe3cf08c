"""Which data model each Smart Array is read and written through.

HPE, iLO 5 (Gen10/Gen10 Plus), public sources: the HPE Developer blog "Overview of the Platform
Level Data Model for Redfish Device Enablement" (iLO 5 "offer[s] the possibility to manage
those devices using both SmartStorageConfig and Storage data types.  However, always stick to
a single management data type.  Mixing those data types may lead to hazardous results";
RDE devices are reached at ``/Storage/DExxxxxx``, DCi devices at ``/DCxxxxxx``), HPE "Storage
data models" (without RDE, iLO answers from its own database populated during POST) and the
iLO 5 resource definitions (``UnderlyingDataSource``: ``DCi``, HPE's protocol, or ``RDE``).

So one controller may appear twice: as a SmartStorage ArrayController and as a standard
Storage resource.  The two are the same controller when they share a serial number (the
controller's, or a drive's).  hamnhw keeps exactly one of them, whole (controller, drives and
volumes, with or without drive links), and writes through the one it kept:

* ``RDE``: the controller serves the standard Storage itself (writes apply at once, POST to
  its Volumes): the standard one is kept, the SmartStorage view left out;
* ``DCi`` or not said: the standard Storage is iLO's copy of the same POST data, while the
  writes iLO 5 documents for a Smart Array go through SmartStorageConfig: SmartStorage is
  kept, the standard one left out.

A public iLO 5 2.72 capture (a ProLiant DL385 Gen10 Plus v2, the libredfish
``tests/mockups/hpe``) shows exactly this: a Smart Array P408i-p SR (firmware 5.32) as
``Storage/DE081000`` and as ``SmartStorage/ArrayControllers/2``, both with SerialNumber
``PFJHD0D52H60DG `` (the trailing space is iLO's), and no ``UnderlyingDataSource`` on the
Storage: its ``DE`` hash id says RDE.  Unverified: where, if anywhere, iLO 5 puts
``UnderlyingDataSource`` on a Storage (read on the Storage's and its controllers'
``Oem.Hpe`` first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TypeVar

from hamnhw_drivers.generic.resource import Reader, Resource, last_segment
from hamnhw_drivers.generic.storagewalk import StorageView
from hamnhw_drivers.hpe.smartstorage import SmartStorageInfo, SmartView

from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.models import Drive, StorageController, Volume

RDE = "RDE"
DCI = "DCi"
SOURCE = "Oem.Hpe.UnderlyingDataSource"
HASH_IDS = {"DE": RDE, "DC": DCI}
"""The first letters of an HPE device hash id in a URI and the protocol they mean."""
ItemT = TypeVar("ItemT", Drive, Volume, StorageController)


@dataclasses.dataclass(frozen=True)
class ModelChoice:
    """The controllers shown both ways and the model each is used through."""

    standard_left_out: frozenset[str] = frozenset()
    """Ids of standard Storage resources used through SmartStorage instead."""
    smart_left_out: frozenset[str] = frozenset()
    """Ids of SmartStorage controllers (``SmartArray.<n>``) used through the standard tree."""
    notes: tuple[str, ...] = ()
    """One line per controller shown both ways: which model was kept and why."""


def data_source(storage: Resource) -> str | None:
    """``RDE`` or ``DCi`` for a standard Storage resource; None when it does not say."""
    entries = [Resource(storage.uri, e, storage.host)
               for e in storage.get("StorageControllers", list) or [] if isinstance(e, dict)]
    for resource in (storage, *entries):
        found = resource.get(SOURCE, str)
        if found in (RDE, DCI):
            return found
    return HASH_IDS.get(last_segment(storage.uri)[:2].upper())


def choose(reader: Reader, storages: Sequence[Resource], view: StorageView,
           smart: SmartView) -> ModelChoice:
    """For each standard Storage that is also a SmartStorage controller, the model to keep."""
    standard: set[str] = set()
    smart_out: set[str] = set()
    notes = []
    for storage in storages:
        twin = _twin(storage, _controller_serials(reader, storage), view, smart)
        if twin is None:
            continue
        source = data_source(storage)
        if source == RDE:
            smart_out.add(twin)
            notes.append(f"controller {twin} is also Storage {storage.id} (RDE): read and "
                         "written through the standard Storage; its SmartStorage view is "
                         "left out")
        else:
            standard.add(storage.id)
            notes.append(f"Storage {storage.id} ({source or 'data source not said'}) is "
                         f"controller {twin}: read and written through SmartStorage; the "
                         "standard copy is left out")
    return ModelChoice(frozenset(standard), frozenset(smart_out), tuple(notes))


def _twin(storage: Resource, serials: set[str], view: StorageView,
          smart: SmartView) -> str | None:
    """The SmartStorage controller that is this Storage, by controller or drive serial."""
    drives = {d.serial for d in view.drives or () if owner(d.id) == storage.id and d.serial}
    for info in smart.storages:
        controller = info.capabilities.storage_id
        theirs = {d.serial for d in smart.drives if owner(d.id) == controller and d.serial}
        serial = (info.resource.get("SerialNumber", str) or "").strip()
        if (serial and serial in serials) or drives & theirs:
            return controller
    return None


def _controller_serials(reader: Reader, storage: Resource) -> set[str]:
    """Serial numbers of the Storage's controllers: embedded ``StorageControllers``, or its
    ``Controllers`` collection (Storage v1.9+, as iLO 5's RDE controllers show them)."""
    entries = [Resource(storage.uri, e) for e in storage.get("StorageControllers", list) or []
               if isinstance(e, dict)]
    collection = storage.link("Controllers")
    if not entries and collection:
        try:
            entries = reader.collection(collection)
        except (HttpError, MalformedResponse):  # the walk reported it; drives still match
            entries = []
    return {serial for entry in entries
            if (serial := (entry.get("SerialNumber", str) or "").strip())}


def owner(item_id: str) -> str:
    """The Storage (or SmartStorage controller) an id belongs to: its first part."""
    return item_id.split("/", 1)[0]


def merge(view: StorageView, smart: SmartView, choice: ModelChoice, *,
          with_volumes: bool) -> StorageView:
    """The standard walk and SmartStorage as one view, each controller from one model."""
    def kept(items: Iterable[ItemT], left_out: frozenset[str]) -> tuple[ItemT, ...]:
        return tuple(i for i in items if owner(i.id) not in left_out)

    out, smart_out = choice.standard_left_out, choice.smart_left_out
    controllers = (*kept(view.controllers or (), out), *kept(smart.controllers, smart_out))
    drives = (*kept(view.drives or (), out), *kept(smart.drives, smart_out))
    volumes = (*kept(view.volumes or (), out), *kept(smart.volumes, smart_out))
    warnings = (*view.warnings, *smart.warnings)
    return dataclasses.replace(
        view, controllers=controllers, drives=drives,
        volumes=volumes if with_volumes else view.volumes,
        incomplete=view.incomplete or bool(smart.warnings), warnings=warnings)


def kept_storages(storages: Iterable[SmartStorageInfo], choice: ModelChoice,
                  ) -> tuple[SmartStorageInfo, ...]:
    """The SmartStorage controllers still written through SmartStorageConfig."""
    return tuple(s for s in storages if s.capabilities.storage_id not in choice.smart_left_out)
