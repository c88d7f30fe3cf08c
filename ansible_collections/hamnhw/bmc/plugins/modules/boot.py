#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: boot
short_description: Set where a server boots next (the BMC's boot source override)
version_added: 0.1.0
description:
  - Sets the boot source override through the hamnhw library, to boot once (or always, with
    O(persistent)) from the network, the local disk, a CD, USB or the firmware setup, or
    clear the override with O(target=none).  The BMC's answer is read back and checked.
  - A host already set that way is left alone (C(changed=false), nothing sent); O(target=none)
    is already in state when no override is in force.
  - In check mode nothing is sent; the task reports what would be sent (RV(plan)).
options:
  target:
    description:
      - Where the host boots next; V(none) clears the override.
    type: str
    required: true
    choices: [none, pxe, hdd, cd, usb, bios_setup]
  persistent:
    description:
      - Keep the override for every boot (C(Continuous)) rather than the next one only
        (C(Once)).  Ignored with O(target=none).
    type: bool
    default: false
extends_documentation_fragment:
  - hamnhw.bmc.connection
attributes:
  check_mode:
    support: full
    description: Reads the override and reports the request a change would send; sends none.
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: Boot the node from the network once (for an xCAT install)
  hamnhw.bmc.boot:
    node: "{{ inventory_hostname }}"
    target: pxe

- name: Clear any override
  hamnhw.bmc.boot:
    node: "{{ inventory_hostname }}"
    target: none
"""

RETURN = r"""
node:
  description: The node name, or the BMC URL.
  returned: always
  type: str
boot_override:
  description: The override as C(<target>/<mode>) (for example C(Pxe/Once)), as read back
    after the change, else as read before it (check mode, already in state).
  returned: success
  type: str
  sample: Pxe/Once
plan:
  description: What was (or, in check mode, would be) done, from a fresh read (operation,
    changed, summary, current, wanted, requests, notes).
  returned: success
  type: dict
error:
  description: The hamnhw error (type, message, exit_code, exit_code_name).
  returned: failure
  type: dict
request_sent:
  description: On failure, whether a write had been sent before it (V(true)), none had
    (V(false)), or that is not known (V(null), over IPMI).  When it had, the task reports
    C(changed=true), as the BMC may act on it; read the state before running the task again.
  returned: failure
  type: bool
"""

from ansible_collections.hamnhw.bmc.plugins.module_utils.hamnhw_bmc import (
    HAMNHW_IMPORT_ERROR,
    new_module,
    run_write,
)

if HAMNHW_IMPORT_ERROR is None:
    from hamnhw.models import BootSource
    from hamnhw.plan import apply_boot_override


def main():
    module = new_module(dict(
        target=dict(type='str', required=True,
                    choices=['none', 'pxe', 'hdd', 'cd', 'usb', 'bios_setup']),
        persistent=dict(type='bool', default=False),
    ), supports_check_mode=True)
    target = BootSource[module.params['target'].upper()]
    run_write(module, 'boot_override', lambda node, check: apply_boot_override(
        node, target, persistent=module.params['persistent'], check=check))


if __name__ == '__main__':
    main()
