"""An in-memory Redfish service answering ``$expand`` (DSP0266 7.3.4), for the tests of
which ``$levels`` each read asks (``hamnhw.expand.NEEDS``) over the driver's walks."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from driver_fakes import make_driver
from hamnhw_drivers.generic import GenericRedfishDriver

from hamnhw.errors import http_error_class
from hamnhw.readmemo import MemoClient
from hamnhw.sim import personalities
from hamnhw.sim.bays import DriveBays, VolumeSpec
from hamnhw.sim.resources import render
from hamnhw.sim.spec import ServerSpec
from hamnhw.sim.state import ServerState

ROOT = "/redfish/v1/"
ADVERTISED = {"ExpandQuery": {"NoLinks": True, "Levels": True, "MaxLevels": 6}}
_LEVELS = re.compile(r"^\$expand=\.\(\$levels=(\d+)\)$")
Lookup = Callable[[str], Any]
"""The document at a path (no query, no trailing slash but the root's), or None."""


class ExpandingService:
    """A read-only Redfish client over ``lookup``, whose ServiceRoot advertises
    ``$expand=.`` 6 levels deep.

    ``GET path?$expand=.($levels=n)`` answers with every reference outside ``Links``
    replaced by the resource it names, ``n`` levels deep, at most ``honoured`` (a BMC
    advertising more than it does; 0 answers as if there were no query).  ``answered``
    counts the bytes of every answer (its compact JSON).
    """

    host = "bmc.test:443"

    def __init__(self, lookup: Lookup, honoured: int = 6) -> None:
        self.lookup = lookup
        self.honoured = honoured
        self.answered = 0
        self.sent: list[str] = []
        """Every GET, in order."""

    @property
    def root(self) -> dict[str, Any]:
        return {**self.lookup(ROOT), "ProtocolFeaturesSupported": ADVERTISED}

    def get(self, path: str) -> dict[str, Any]:
        plain, _, query = path.partition("?")
        match = _LEVELS.match(query)
        if query and not match:
            raise AssertionError(f"unexpected query {query!r}")
        self.sent.append(path)
        found = self.lookup(plain)
        if not isinstance(found, dict):
            raise http_error_class(404)(host=self.host, method="GET", path=path, status=404)
        levels = min(int(match.group(1)), self.honoured) if match else 0
        doc: dict[str, Any] = self._expanded(copy.deepcopy(found), levels, False)
        self.answered += len(json.dumps(doc, separators=(",", ":")))
        return doc

    def _expanded(self, value: Any, levels: int, under_links: bool) -> Any:
        if isinstance(value, list):
            return [self._expanded(item, levels, under_links) for item in value]
        if not isinstance(value, dict):
            return value
        target = value.get("@odata.id")
        named = self.lookup(target) if (
            len(value) == 1 and isinstance(target, str) and "#" not in target
            and not under_links and levels > 0) else None
        if isinstance(named, dict):
            return self._expanded(copy.deepcopy(named), levels - 1, False)
        return {name: self._expanded(item, levels, under_links or name == "Links")
                for name, item in value.items()}


def documents(docs: Mapping[str, Any]) -> Lookup:
    """A lookup over documents by ``@odata.id``."""
    return docs.get


def simulated(spec: ServerSpec) -> Lookup:
    """A lookup over what the simulator serves for ``spec`` (rendered without a server),
    its drives placed and its RAID1 volume built as a cluster does."""
    bays = DriveBays()
    drives = spec.drives or ()
    bays.add_server(spec.name, spec.bay_names, drives)
    if spec.raid1 and len(drives) >= 2:
        bays.add_volume(VolumeSpec(bays.new_volume_id(), "RAID1", "RAID1",
                                   (drives[0].serial, drives[1].serial), drives[0].capacity_bytes))
    state = ServerState(spec, bays, lambda: 5000.0)
    personalities.attach(state)
    return lambda path: render(state, path)


def driver_over(service: ExpandingService, levels: int | None = None) -> GenericRedfishDriver:
    """The generic driver reading ``service`` through the read memo, as a connected node
    does (``levels`` None: what the ServiceRoot advertises; 0: never expanded)."""
    return make_driver(MemoClient(service, expand_levels=levels))  # type: ignore[arg-type]
