"""Everything hamnhw reads about one node, as one JSON object: the system, the BMC, host
and BMC NICs with their MACs, storage controllers, drives with serials, volumes and their
health.  The Ansible module ``hamnhw.bmc.facts`` returns it as ``ansible_facts.hamnhw``::

    from hamnhw.facts import node_facts

    facts = node_facts(node)
    print([nic["mac"] for nic in facts["nics"] or ()], facts["health"]["volumes"])

The keys are those of ``hamnhw --json inventory`` and ``hamnhw --json nics`` together (see
:func:`hamnhw.views.inventory_json`, :func:`hamnhw.views.nics_json`): ``incomplete`` is true
when either read was partial, ``warnings`` lists both reads' messages.  ``null`` still means
"the BMC does not tell" and ``[]`` "it said there are none".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hamnhw.models import Inventory
from hamnhw.views import inventory_json, nics_json

if TYPE_CHECKING:
    from hamnhw.node import Node

FACT_KEYS = ("system", "manager", "nics", "bmc_nics", "controllers", "drives", "volumes",
             "empty_bays", "health", "incomplete", "warnings")
"""The keys of :func:`node_facts`, in order."""


def node_facts(node: Node) -> dict[str, Any]:
    """Read the node's inventory and NICs once each and return them as one object."""
    inventory = node.inventory.inventory()
    view = node.nics.view()
    merged: dict[str, Any] = {**inventory_json(inventory), **nics_json(view)}
    merged["incomplete"] = inventory.incomplete or view.incomplete
    merged["warnings"] = [*inventory.warnings, *view.warnings]
    merged["health"] = health_json(inventory)
    return {key: merged[key] for key in FACT_KEYS}


def health_json(inventory: Inventory) -> dict[str, Any]:
    """``{"volumes": {id: {"health", "state", "operation"}}, "drives": {id: health}}`` as
    the BMC reports them; ``null`` where it does not tell."""
    volumes = None if inventory.volumes is None else {
        v.id: {"health": v.health.value, "state": v.state,
               "operation": None if v.operation is None else v.operation.name}
        for v in inventory.volumes}
    drives = None if inventory.drives is None else {
        d.id: d.health.value for d in inventory.drives}
    return {"volumes": volumes, "drives": drives}
