#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: power
short_description: Read or change a server's power state through its BMC
version_added: 0.1.0
description:
  - Reads the host power state, or powers the host on, off (forced), off through the OS, or
    cycles it, through the hamnhw library; a change waits until the BMC confirms it (off is
    believed after two exact C(Off) reads).
  - O(state=on), O(state=off) and O(state=soft_off) on a host already in that state send
    nothing and report C(changed=false).  O(state=cycle) always changes.
  - In check mode nothing is sent; the task reports what would be sent (RV(plan)); a host
    is planned as already off after two exact C(Off) reads, as the change believes it.
  - A task that fails after its reset request was sent reports C(changed=true) (see
    RV(request_sent)).
  - O(state=on) and O(state=cycle) of a node of the MN pair (C(primary), C(standby), another
    config entry for its BMC, or its BMC URL) fail with C(changed=false), nothing sent,
    while the pair's failover journal on the host the module runs on holds an unfinished failover,
    drill or C(pair setup-raid) run, or exists but cannot be read; the message names the
    run and the commands that go on with it (as C(hamnhw power on) without C(--yes)).
  - O(state=off), O(state=soft_off) and O(state=cycle) of the MN pair's active node (the
    failover journal's, else C([pair] active), else either pair node; recognised however it
    is addressed, as above) fail with C(changed=false), nothing sent, unless its name is
    typed in O(confirm_node) (as C(hamnhw power off) without C(--yes)), in check mode too.
options:
  state:
    description:
      - V(status) reads the state; the others change it.
      - V(cycle) is refused when the host is off or powering off.
    type: str
    choices: [status, "on", "off", soft_off, cycle]
    default: status
  wait:
    description:
      - Wait for the state to be confirmed, up to O(timeout).  V(false) returns once the BMC
        accepted the request (RV(confirmed) is then V(false)).
    type: bool
    default: true
  poll_interval:
    description:
      - Seconds between two reads of the power state while waiting.
    type: float
    default: 2.0
  escalate_after:
    description:
      - With O(state=soft_off), force the host off if it is still on after this many seconds.
        Must be shorter than O(timeout) less the 5 s kept for logging out.
    type: float
  confirm_node:
    description:
      - The node's name in the MN pair (V(primary) or V(standby)), typed to power it off,
        soft off or cycle it while it is, or may be, the pair's active node.
    type: str
extends_documentation_fragment:
  - hamnhw.bmc.connection
attributes:
  check_mode:
    support: full
    description: Reads the host and reports the requests a change would send; sends none.
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: Power the nodes off and wait until each reads Off twice
  hamnhw.bmc.power:
    node: "{{ inventory_hostname }}"
    state: "off"
    timeout: 300

- name: Read the power state of a BMC given by URL
  hamnhw.bmc.power:
    bmc: redfish://10.0.0.5
    username: root
    password: "{{ vault_bmc_password }}"
    ca_file: /etc/hamnhw/bmc-ca.pem
  register: power

- name: Shut down through the OS, forcing off after two minutes
  hamnhw.bmc.power:
    node: "{{ inventory_hostname }}"
    state: soft_off
    escalate_after: 120
    timeout: 300
"""

RETURN = r"""
node:
  description: The node name, or the BMC URL.
  returned: always
  type: str
  sample: mn1
power_state:
  description: The power state read (V(on), V(off), V(powering_on), V(powering_off),
    V(unknown)); after a change, the state it ended in; in check mode, the state now.
  returned: success
  type: str
  sample: "off"
elapsed_s:
  description: Seconds the change took, request and wait.
  returned: success, when state is not status and not in check mode
  type: float
  sample: 12.34
confirmed:
  description: True when the target state was confirmed by the required reads; false with
    O(wait=false) or a cycle of a BMC without any reset evidence.
  returned: success, when state is not status and not in check mode
  type: bool
protocol:
  description: The protocol that served the change, V(redfish) or V(ipmi).
  returned: success, when state is not status and not in check mode
  type: str
method:
  description: How the change was made, V(reset) (one reset request) or V(off-on) (a cycle
    made of an off then an on, each confirmed, where the BMC shows no evidence of a reset,
    as on every IPMI node).
  returned: success, when state is not status and not in check mode
  type: str
  sample: reset
unconfirmed_reason:
  description: Why RV(confirmed) is false, V(no-wait) with O(wait=false) (a change waited
    for that could not be confirmed fails instead).
  returned: success, when RV(confirmed) is false
  type: str
  sample: no-wait
request_sent:
  description: On failure, whether a write (a reset request) had been sent before it
    (V(true)), none had (V(false)), or that is not known (V(null), over IPMI).  When it
    had, the task reports C(changed=true), as the BMC may act on it; read the state before
    running the task again.
  returned: failure
  type: bool
plan:
  description: What the change would send, from a fresh read (check mode only).
  returned: check mode, when state is not status
  type: dict
  contains:
    summary:
      description: One line, such as C(would send ForceOff (now on)) or C(already off).
      type: str
    requests:
      description: Each request (method, path, body) the change would send; null when the
        driver cannot describe them.
      type: list
      elements: dict
error:
  description: The hamnhw error (type, message, exit_code, exit_code_name).
  returned: failure
  type: dict
"""

import os

from ansible_collections.hamnhw.bmc.plugins.module_utils.hamnhw_bmc import (
    CONFIG_ORIGIN,
    HAMNHW_IMPORT_ERROR,
    jsonable,
    new_module,
    run_on_node,
)

if HAMNHW_IMPORT_ERROR is None:
    from hamnhw.cli.commands.power import change_power, check_escalation
    from hamnhw.config import find_config, load_config
    from hamnhw.errors import ConfigError
    from hamnhw.plan import plan_power
    from hamnhw.poll import PollPolicy


def refuse_power_change(params, check_mode=False):
    """Refuse (a ``ConfigError`` of ``hamnhw.pair.runguard``) a power-on or cycle of a pair
    node while the pair's journal holds an unfinished run, and an off, soft off or cycle of
    the pair's (possibly) active node without its name in ``confirm_node``; without a
    config there is no pair.  In check mode the same refusals, and nothing journaled."""
    from hamnhw.pair.runguard import STARTING_ACTIONS, STOPPING_ACTIONS, check_power_change

    if params['state'] not in STARTING_ACTIONS | STOPPING_ACTIONS:
        return
    path = find_config(params.get('config'), environ=os.environ, origin=CONFIG_ORIGIN)
    if path is None:
        return
    try:
        config = load_config(path)
    except ConfigError:
        if params.get('node'):
            raise
        return  # a BMC URL with an unreadable config: no pair to recognise it by
    check_power_change(config, [params.get('node') or params.get('bmc')], params['state'],
                       confirm_node=params.get('confirm_node'), node_option='confirm_node',
                       dry_run=check_mode)


def old_node_of_run(params):
    """For ``on`` and ``cycle``: the old node of the pair's unfinished run past the disk move
    (``hamnhw.pair.oldnode``), to be refused by what identifies it (its serials, System
    UUID, NIC MACs) however its BMC is addressed; None when there is none (or no config)."""
    if params['state'] not in ('on', 'cycle'):
        return None
    path = find_config(params.get('config'), environ=os.environ, origin=CONFIG_ORIGIN)
    if path is None:
        return None
    try:
        config = load_config(path)
    except ConfigError:
        return None
    from hamnhw.pair.oldnode import old_node

    return old_node(config)


def refuse_old_node(old, node, state):
    """Refuse (``RunInProgress``) the old node, recognised by what identifies it."""
    if old is not None:
        from hamnhw.pair.oldnode import refuse_if_old_node

        refuse_if_old_node(old, node, state)


def main():
    module = new_module(dict(
        state=dict(type='str', default='status',
                   choices=['status', 'on', 'off', 'soft_off', 'cycle']),
        wait=dict(type='bool', default=True),
        poll_interval=dict(type='float', default=2.0),
        escalate_after=dict(type='float'),
        confirm_node=dict(type='str'),
    ), supports_check_mode=True)
    state = module.params['state']
    escalate_after = module.params['escalate_after']
    if escalate_after is not None and state != 'soft_off':
        module.fail_json(msg='escalate_after applies to state=soft_off only')

    def status(node, budget):
        return dict(changed=False, power_state=node.power.state().value)

    def refuse_before_sending(budget):
        check_escalation(escalate_after, budget.longest_wait, option='escalate_after',
                         timeout_option='timeout')
        refuse_power_change(module.params, check_mode=module.check_mode)

    old = old_node_of_run(module.params)

    def check(node, budget):
        refuse_old_node(old, node, state)
        plan = plan_power(node, state, escalate_after=escalate_after)
        return dict(changed=plan.changed, power_state=plan.current, plan=jsonable(plan))

    def change(node, budget):
        refuse_old_node(old, node, state)
        return change_power(node, state, budget, wait=module.params['wait'],
                            escalate_after=escalate_after)

    if state == 'status':
        run_on_node(module, status)
    elif module.check_mode:
        run_on_node(module, check, before=refuse_before_sending)
    else:
        run_on_node(module, change, poll=PollPolicy(interval=module.params['poll_interval']),
                    before=refuse_before_sending)


if __name__ == '__main__':
    main()
