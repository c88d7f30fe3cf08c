#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: restore_policy
short_description: Set what a server does when AC power returns
version_added: 0.1.0
description:
  - Sets the BMC's power restore policy through the hamnhw library and checks what the BMC
    reads back.  The active management node of a pair is usually V(always_on), its standby
    V(always_off) (so that both never run the same disks).
  - A host already set that way is left alone (C(changed=false), nothing sent).
  - In check mode nothing is sent; the task reports what would be sent (RV(plan)).
options:
  policy:
    description:
      - V(always_on) powers the host on, V(always_off) leaves it off, V(last_state) restores
        the state it was in.
    type: str
    required: true
    choices: [always_on, always_off, last_state]
extends_documentation_fragment:
  - hamnhw.bmc.connection
attributes:
  check_mode:
    support: full
    description: Reads the policy and reports the request a change would send; sends none.
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: The standby stays off after a power loss
  hamnhw.bmc.restore_policy:
    node: standby
    policy: always_off
"""

RETURN = r"""
node:
  description: The node name, or the BMC URL.
  returned: always
  type: str
restore_policy:
  description: The policy (Redfish value, for example C(AlwaysOff)) as read back after the
    change, else as read before it (check mode, already in state).
  returned: success
  type: str
  sample: AlwaysOff
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
    from hamnhw.models import PowerRestorePolicy
    from hamnhw.plan import apply_restore_policy


def main():
    module = new_module(dict(
        policy=dict(type='str', required=True,
                    choices=['always_on', 'always_off', 'last_state']),
    ), supports_check_mode=True)
    policy = PowerRestorePolicy[module.params['policy'].upper()]
    run_write(module, 'restore_policy',
              lambda node, check: apply_restore_policy(node, policy, check=check))


if __name__ == '__main__':
    main()
