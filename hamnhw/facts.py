"""Everything hamnhw reads about one node, as one JSON object: the system, the BMC, host
and BMC NICs with their MACs, storage controllers, drives with serials, volumes and their
health.  The Ansible module ``hamnhw.bmc.facts`` returns it as ``ansible_facts.hamnhw``::

    from hamnhw.facts import node_facts

    facts = node_facts(node)
    print([nic["mac"] for nic in facts["nics"] or ()], facts["health"]["volumes"])
    # {"RAIDController1/Volume1": {"health": "OK", "raid_state": "optimal", ...}}

The keys are those of ``hamnhw --json inventory`` and ``hamnhw --json nics`` together (see
:func:`hamnhw.views.inventory_json`, :func:`hamnhw.views.nics_json`): ``incomplete`` is true
when either read was partial, ``warnings`` lists both reads' messages.  ``null`` still means
"the BMC does not tell" and ``[]`` "it said there are none".  The RAID health is the
driver's ``raid.status()`` (a second read of the storage, so that vendor hooks classify it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hamnhw.errors import UnsupportedOperation
from hamnhw.models import Inventory, Volume
from hamnhw.raid import VolumeHealth
from hamnhw.views import inventory_json, nics_json

if TYPE_CHECKING:
    from hamnhw.node import Node

FACT_KEYS = ("system", "manager", "nics", "bmc_nics", "controllers", "drives", "volumes",
             "empty_bays", "health", "incomplete", "warnings")
"""The keys of :func:`node_facts`, in order."""


def node_facts(node: Node, *, raid_health: bool = True) -> dict[str, Any]:
    """Read the node's inventory, NICs and RAID health once each and return them as one
    object.

    :param raid_health: classify each volume through the driver (``raid.status()``, a second
        read of the storage tree); False leaves ``raid_state`` null and saves those requests
        (a MAC collection needs none of it).
    """
    inventory = node.inventory.inventory()
    view = node.nics.view()
    merged: dict[str, Any] = {**inventory_json(inventory), **nics_json(view)}
    merged["incomplete"] = inventory.incomplete or view.incomplete
    merged["warnings"] = [*inventory.warnings, *view.warnings]
    merged["health"] = health_json(inventory, _raid_health(node) if raid_health else None)
    return {key: merged[key] for key in FACT_KEYS}


def _raid_health(node: Node) -> Mapping[str, VolumeHealth] | None:
    """The driver's classification of each volume (its vendor hooks included), or None
    when the driver has none (IPMI)."""
    try:
        return node.raid.status().health
    except UnsupportedOperation:
        return None


def health_json(inventory: Inventory,
                classified: Mapping[str, VolumeHealth] | None = None) -> dict[str, Any]:
    """``{"volumes": {id: {"health", "state", "operation", "raid_state", "percent",
    "reason"}}, "drives": {id: health}}``: ``health`` and ``state`` as the BMC reports them,
    ``raid_state`` hamnhw's classification (optimal, degraded, rebuilding, failed, unknown;
    see :func:`hamnhw.raid.classify_volume`) with its rebuild ``percent`` and ``reason``
    (null when the driver cannot classify); ``null`` where the BMC does not tell."""
    volumes = None if inventory.volumes is None else {
        v.id: _volume_health(v, (classified or {}).get(v.id)) for v in inventory.volumes}
    drives = None if inventory.drives is None else {
        d.id: d.health.value for d in inventory.drives}
    return {"volumes": volumes, "drives": drives}


def _volume_health(volume: Volume, classified: VolumeHealth | None) -> dict[str, Any]:
    return {"health": volume.health.value, "state": volume.state,
            "operation": None if volume.operation is None else volume.operation.name,
            "raid_state": None if classified is None else classified.state.value,
            "percent": None if classified is None else classified.percent,
            "reason": None if classified is None else classified.reason}
