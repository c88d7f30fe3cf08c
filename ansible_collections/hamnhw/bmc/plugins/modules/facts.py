#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: facts
short_description: Gather a server's hardware facts from its BMC
version_added: 0.1.0
description:
  - Reads the system, the BMC, the host NICs with their MACs (from every place the BMC shows
    them), the BMC's own NICs, storage controllers, drives with serials and bays, RAID
    volumes with their members and health, through the hamnhw library, and returns them as
    the fact C(hamnhw).
  - C(null) means the BMC does not tell, an empty list that it said there are none; a
    partial read sets C(incomplete) and says why in C(warnings).
  - Reads only; never changes anything.
options:
  raid_health:
    description:
      - Classify each volume's RAID state through the driver (a second read of the storage
        tree, 9 requests on a small server).  V(false) leaves C(raid_state) null, for plays
        that need no RAID health (a MAC collection).
    type: bool
    default: true
extends_documentation_fragment:
  - hamnhw.bmc.connection
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode too.
  facts:
    support: full
    description: Returns C(ansible_facts.hamnhw).
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: Gather BMC facts of every node
  hamnhw.bmc.facts:
    node: "{{ inventory_hostname }}"

- name: Print each host MAC
  ansible.builtin.debug:
    msg: "{{ hamnhw.nics | map(attribute='mac') | list }}"
"""

RETURN = r"""
ansible_facts:
  description: The facts.
  returned: success
  type: dict
  contains:
    hamnhw:
      description: What the BMC shows, with the keys of C(hamnhw --json inventory) and
        C(hamnhw --json nics) together.
      type: dict
      contains:
        system:
          description: Manufacturer, model, serial, uuid, bios_version, power_state,
            boot_mode.
          type: dict
        manager:
          description: The BMC (model, firmware), or null.
          type: dict
        nics:
          description: Host NIC ports (id, mac, permanent_mac, link, speed_mbps, source,
            adapter, location, port); null when the BMC links no place showing them.
          type: list
          elements: dict
        bmc_nics:
          description: The BMC's own network ports; null when they could not be read.
          type: list
          elements: dict
        controllers:
          description: Storage controllers.
          type: list
          elements: dict
        drives:
          description: Drives (id, serial, model, capacity_bytes, media, protocol, health,
            state, location, uri).
          type: list
          elements: dict
        volumes:
          description: Volumes (id, name, raid_type, capacity_bytes, health, state, drives,
            operation).
          type: list
          elements: dict
        empty_bays:
          description: Bays shown without a drive.
          type: list
          elements: dict
        health:
          description:
            - By volume id, the BMC's health and state, the running operation, and hamnhw's
              RAID state (optimal, degraded, rebuilding, failed, unknown) with the rebuild
              percent and the reason (null where the driver cannot classify); by drive id,
              the drive's health.
          type: dict
        incomplete:
          description: True when part of what the BMC links could not be read.
          type: bool
        warnings:
          description: What could not be read.
          type: list
          elements: str
node:
  description: The node name, or the BMC URL.
  returned: always
  type: str
error:
  description: The hamnhw error (type, message, exit_code, exit_code_name).
  returned: failure
  type: dict
"""

from ansible_collections.hamnhw.bmc.plugins.module_utils.hamnhw_bmc import (
    HAMNHW_IMPORT_ERROR,
    new_module,
    run_on_node,
)

if HAMNHW_IMPORT_ERROR is None:
    from hamnhw.facts import node_facts


def main():
    module = new_module(dict(raid_health=dict(type='bool', default=True)),
                        supports_check_mode=True)
    raid_health = module.params['raid_health']
    run_on_node(module, lambda node, budget: dict(
        ansible_facts=dict(hamnhw=node_facts(node, raid_health=raid_health))))


if __name__ == '__main__':
    main()
