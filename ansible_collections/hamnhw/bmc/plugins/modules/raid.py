#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: raid
short_description: Hardware RAID through the BMC, a RAID1 over named drives, rebuilds, spares
version_added: 0.1.0
description:
  - Creates a volume (by default RAID1) over named drives, deletes one, rebuilds a degraded
    volume onto a replacement drive, or makes a drive a hot spare, through the hamnhw library
    (the C(hamnhw raid) commands' calls), each decided from a fresh read of the BMC.
  - O(state=present) on a node that already has that volume over those drives (or has its
    creation pending the next reset) sends nothing and reports C(changed=false); so does
    O(state=absent) for a volume that is not there and O(state=spare) for a drive that
    already is that spare.  A volume already over those drives with that RAID level is
    present whatever its name and size; it is left as it is, and a O(name) or
    O(size_bytes) it does not match (or the BMC does not tell) is reported as a warning,
    in the words of the result's C(notes) and of C(hamnhw raid create) (a different RAID
    level fails the task).
  - O(state=rebuild) sends nothing and reports C(changed=false) while the controller
    rebuilds onto O(drive) (the drive the BMC shows rebuilding; where it shows none, a member
    or spare of O(volume)), and once the rebuild finished with O(drive) a member of the
    optimal volume; it fails, sending nothing, while the controller rebuilds onto another
    drive (naming it), or for a drive that is not a member of the optimal volume.
    O(confirm_serial) is compared without spaces and case.
  - Pair protection as on the command line, so a write touching the management node's RAID1
    (its members in the latest C(hamnhw pair snapshot)), on any node, runs only with each
    concerned drive's serial in O(confirm_serials), and on the active node (the config's
    C([primary]) or C([standby]), however addressed; the failover journal's, else
    C([pair] active), else either) with its name in O(confirm_node); so does O(state=absent)
    of any volume of the active node (it destroys the volume's data).
  - In check mode nothing is sent; the task reports the plan (RV(requests), RV(summary)) and
    what the pair protection would demand.
options:
  state:
    description:
      - V(present) creates the volume over O(drives); V(absent) deletes O(volume);
        V(rebuild) rebuilds O(volume) onto O(drive), typed again as O(confirm_serial);
        V(spare) makes O(drive) a hot spare (dedicated to O(volume), else global), or with
        O(remove) no longer one.
    type: str
    choices: [present, absent, rebuild, spare]
    default: present
  drives:
    description:
      - Member drive ids as C(hamnhw raid show) and the facts list them, for example
        V(RAIDController1/Bay1).  Required with O(state=present).
    type: list
    elements: str
  raid_type:
    description: The RAID level of a new volume.
    type: str
    default: RAID1
    choices: [RAID0, RAID1, RAID1E, RAID5, RAID6, RAID10, RAID50, RAID60]
  name:
    description: The name of a new volume; the BMC chooses when not given.
    type: str
  size_bytes:
    description: The capacity of a new volume; default the smallest member's.
    type: int
  apply_time:
    description:
      - V(immediate) (default where the BMC supports it) or V(on-reset) (staged until the
        node's next reset; the task then reports C(pending)).
    type: str
    choices: [immediate, on-reset]
  write_cache:
    description: Redfish C(WriteCachePolicy) of a new volume.
    type: str
    choices: [WriteThrough, ProtectedWriteBack, UnprotectedWriteBack, "Off"]
  volume:
    description:
      - The volume id (as listed in the facts). Required with O(state=absent) and
        O(state=rebuild); with O(state=spare), the volume the spare is dedicated to.
    type: str
  drive:
    description: The replacement drive (O(state=rebuild)) or the spare (O(state=spare)).
    type: str
  confirm_serial:
    description:
      - The replacement drive's serial, typed; the rebuild is refused unless it matches
        (without spaces and case).  Required with O(state=rebuild).
    type: str
  remove:
    description: With O(state=spare), stop the drive being that spare.
    type: bool
    default: false
  confirm_serials:
    description:
      - Serials of the pair's RAID1 drives (or of drives with a foreign configuration) this
        write touches, typed to confirm it (pair protection).
    type: list
    elements: str
    default: []
  confirm_node:
    description: The node's name, typed to confirm a protected write on the active MN.
    type: str
extends_documentation_fragment:
  - hamnhw.bmc.connection
attributes:
  check_mode:
    support: full
    description: Reads and validates, reports the requests the write would send; sends none.
      Fails as the real run would where the pair protection refuses it.
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: RAID1 over the first two bays
  hamnhw.bmc.raid:
    node: "{{ hamnhw_node }}"
    drives: [RAIDController1/Bay1, RAIDController1/Bay2]
    name: mn-os

- name: Rebuild onto the replacement disk in bay 2
  hamnhw.bmc.raid:
    node: primary
    state: rebuild
    volume: RAIDController1/Volume1
    drive: RAIDController1/Bay2
    confirm_serial: S3Z9NB0K123456
"""

RETURN = r"""
node:
  description: The node name, or the BMC URL.
  returned: always
  type: str
operation:
  description: V(create), V(delete), V(rebuild) or V(spare).
  returned: success
  type: str
summary:
  description: One line saying what was (or would be) done, or why nothing was.
  returned: success
  type: str
pending:
  description: The change waits for the node's next reset.
  returned: success
  type: bool
volume_id:
  description: The volume concerned.
  returned: success
  type: str
requests:
  description: The requests the write sends (or, in check mode, would send).
  returned: success
  type: list
  elements: dict
notes:
  description: What else to know (the property naming the RAID level, a fallback; for a
    volume already there, the name or size asked for that it does not have).
  returned: success
  type: list
  elements: str
job:
  description: The long operation the write started (id, kind, state, percent, messages).
  returned: success, when one was started
  type: dict
volume:
  description: The volume as read back.
  returned: success, when there is one
  type: dict
protection:
  description: What the pair protection demanded (its node is null when the node is not
    a pair node).
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

import dataclasses
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hamnhw.bmc.plugins.module_utils.hamnhw_bmc import (
    HAMNHW_IMPORT_ERROR,
    new_module,
    run_on_node,
    target_name,
)

RAID_IMPORT_ERROR = None
if HAMNHW_IMPORT_ERROR is None:
    try:
        from hamnhw.cli.commands.raid.protection import pair_guard, run_write
        from hamnhw.cli.options import TargetOptions
        from hamnhw.models import RaidType
        from hamnhw.raid import ApplyTime, CreateRequest
    except ImportError:
        # a hamnhw without the RAID writes (hamnhw.raid, the raid command package)
        RAID_IMPORT_ERROR = traceback.format_exc()


CLI_FLAGS = {'--confirm-serial': 'confirm_serial', '--volume': 'volume', '--drives': 'drives',
             '--drive': 'drive', '--confirm-node': 'confirm_node'}
"""The ``hamnhw raid`` flags the library's messages name, as this module's options."""


def writes(params, node, timeout):
    """The plan and the write of ``state``, as ``hamnhw raid`` runs them; ``timeout`` is what
    the write's wait may take (the task's budget less the logout's reserve)."""
    raid = node.raid
    state = params['state']
    if state == 'present':
        request = CreateRequest(RaidType(params['raid_type']), tuple(params['drives']),
                                params['name'], params['size_bytes'],
                                ApplyTime(params['apply_time']) if params['apply_time'] else None,
                                params['write_cache'])
        return (lambda: raid.plan_create(request),
                lambda: raid.create(request, timeout=timeout))
    if state == 'absent':
        # absent: a volume that is not there is ok (changed=false), as the module documents
        return (lambda: raid.plan_delete(params['volume'], missing_ok=True),
                lambda: raid.delete(params['volume'], timeout=timeout, missing_ok=True))
    if state == 'rebuild':
        args = (params['volume'], params['drive'], params['confirm_serial'])
        return lambda: raid.plan_rebuild(*args), lambda: raid.rebuild(*args)
    spare = (params['drive'], params['volume'])
    return (lambda: raid.plan_spare(*spare, remove=params['remove']),
            lambda: raid.spare(*spare, remove=params['remove']))


def left_as_it_is(plans):
    """The notes of a plan that finds the volume already over O(drives) (a O(name) or
    O(size_bytes) it does not match: the library's notes, as C(hamnhw raid create) prints
    them), to be reported as warnings."""
    return [note for plan in plans[:1] if plan.volume_id is not None and not plan.changed
            and not plan.pending for note in plan.notes]


def main():
    module = new_module(dict(
        state=dict(type='str', default='present',
                   choices=['present', 'absent', 'rebuild', 'spare']),
        drives=dict(type='list', elements='str'),
        raid_type=dict(type='str', default='RAID1',
                       choices=['RAID0', 'RAID1', 'RAID1E', 'RAID5', 'RAID6', 'RAID10',
                                'RAID50', 'RAID60']),
        name=dict(type='str'),
        size_bytes=dict(type='int'),
        apply_time=dict(type='str', choices=['immediate', 'on-reset']),
        write_cache=dict(type='str', choices=['WriteThrough', 'ProtectedWriteBack',
                                              'UnprotectedWriteBack', 'Off']),
        volume=dict(type='str'),
        drive=dict(type='str'),
        confirm_serial=dict(type='str'),
        remove=dict(type='bool', default=False),
        confirm_serials=dict(type='list', elements='str', default=[]),
        confirm_node=dict(type='str'),
    ), supports_check_mode=True, required_if=[
        ('state', 'present', ('drives',)),
        ('state', 'absent', ('volume',)),
        ('state', 'rebuild', ('volume', 'drive', 'confirm_serial')),
        ('state', 'spare', ('drive',)),
    ])
    if RAID_IMPORT_ERROR is not None:
        module.fail_json(msg=missing_required_lib('hamnhw with the RAID writes (hamnhw.raid)'),
                         exception=RAID_IMPORT_ERROR)
    params = module.params
    serials = list(params['confirm_serials'])
    if params['state'] == 'rebuild':
        serials.append(params['confirm_serial'])

    def action(node, budget):
        guard = dataclasses.replace(   # its refusals name this module's options
            pair_guard(TargetOptions(node=target_name(params), config=params['config'])),
            serial_option='confirm_serials', node_option='confirm_node')
        plan, write = writes(params, node, budget.wait_seconds())
        plans = []

        def planned():   # the plan run_write reads first, kept for its notes
            plans.append(plan())
            return plans[-1]

        result = run_write(node, planned, write, guard, serials, params['confirm_node'],
                           dry_run=module.check_mode, raise_refusal=True)
        result.pop('dry_run', None)
        if params['state'] == 'present':
            for warning in left_as_it_is(plans):
                module.warn(warning)
        return result

    run_on_node(module, action, options=CLI_FLAGS)


if __name__ == '__main__':
    main()
