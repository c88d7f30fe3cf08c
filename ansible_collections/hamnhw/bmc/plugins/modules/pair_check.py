#!/usr/bin/python
# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: pair_check
short_description: Preflight of a management-node pair; fails when a check fails
version_added: 0.1.0
description:
  - Runs C(hamnhw pair check) through the hamnhw library on the config's C([primary]) and
    C([standby]) nodes, checking reachability, model, BIOS and boot mode, storage controller and
    firmware, RAID1 health and write cache on the active node, free bays on the other,
    power-restore policies, serial numbers, and the NICs (count, speed, order, link), each
    primary NIC paired with its standby counterpart.
  - Once a C(hamnhw pair snapshot) with a RAID1 was taken, the C(snapshot) check too, as the
    command has it.  Each RAID1 serial the last pair snapshot records (read from the pair's
    journal on the host running the module) must be in a bay of either node.  One in no bay
    (a disk replaced since the snapshot) fails it, as the failover would stop at its
    preflight; run C(hamnhw pair snapshot) then.  It is C(unknown) when a node's drives were
    not all read.
  - The task fails when a check fails (as the command exits 5); warnings and unknowns do not
    fail it.  Every check comes back with its evidence either way.
  - The failover itself stays the C(hamnhw failover) command, which needs an operator
    between its steps.
  - Reads only; run it once per pair (C(run_once), or on the C(hamnhw_pair) group's first
    host).
options:
  config:
    description:
      - The hamnhw config file with C([primary]) and C([standby]).
      - Default, as on the command line, C($HAMNHW_CONFIG), C(./hamnhw.toml),
        C(/etc/hamnhw/hamnhw.toml).
    type: path
  active:
    description:
      - The node holding the MN's RAID1.  Default worked out from what the BMCs show.
    type: str
    choices: [primary, standby]
  timeout:
    description:
      - The deadline of the whole check in seconds (connecting to both BMCs and reading
        them); a node that does not answer in time fails its C(reachable) check.
      - Default each node's C(timeout) from the config, else 120, for each node.
      - With the task keyword C(timeout), the module ends a second before it, whatever this
        option says; see O(task_deadline).
    type: float
  task_deadline:
    description:
      - Set by the collection's action plugin, not by hand; the wall-clock time (seconds
        since the epoch) at which the task's C(timeout) keyword fails the task.
    type: float
requirements:
  - The hamnhw Python library on the interpreter that runs the module.
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode too.
author:
  - hamnhw developers (@hamnhw)
"""

EXAMPLES = r"""
- name: Preflight the pair before a failover drill
  hamnhw.bmc.pair_check:
    config: /etc/hamnhw/hamnhw.toml
  run_once: true
  register: preflight
"""

RETURN = r"""
checks:
  description: Every check with its name, status (pass, warn, fail, unknown), evidence
    and message.  The C(snapshot) check, right after C(raid1), is there only when a pair
    snapshot with a RAID1 was taken; its evidence gives the snapshot's RAID1 C(serials),
    where each was C(found), and the C(missing) ones when it fails.
  returned: when the config could be read
  type: list
  elements: dict
nic_map:
  description: Each primary NIC with its standby counterpart, how they were matched and
    their MACs; null when a node's NICs are unknown (its BMC not read, or showing no host
    NICs), never an empty list for that.
  returned: when the config could be read
  type: list
  elements: dict
active:
  description: The node taken as active and why.
  returned: when the config could be read
  type: dict
nodes:
  description: What each node's BMC showed.
  returned: when the config could be read
  type: dict
failed_checks:
  description: The names of the failed checks (the task fails when there is one).
  returned: when the config could be read
  type: list
  elements: str
error:
  description: The hamnhw error (type, message, exit_code, exit_code_name), for an unusable
    config.
  returned: failure
  type: dict
"""

from ansible_collections.hamnhw.bmc.plugins.module_utils.hamnhw_bmc import (
    CONFIG_ORIGIN,
    HAMNHW_IMPORT_ERROR,
    error_result,
    new_module,
    task_seconds,
)

if HAMNHW_IMPORT_ERROR is None:
    from hamnhw import interrupts, orphan, pair
    from hamnhw.cli.budget import CommandBudget
    from hamnhw.cli.exit_codes import ExitCode
    from hamnhw.config import find_config, load_config
    from hamnhw.errors import ConfigError, HamnhwError, Interrupted
    from hamnhw.pair.check import Status, check_pair
    from hamnhw.pair.snapshotcheck import with_snapshot_check


def read_config(path):
    """The config with both pair nodes."""
    found = find_config(path, origin=CONFIG_ORIGIN)
    if found is None:
        raise ConfigError("pair_check needs a config file with [primary] and [standby] "
                          "(option config, $HAMNHW_CONFIG, ./hamnhw.toml, "
                          "/etc/hamnhw/hamnhw.toml)")
    config = load_config(found)
    pair.check_pair_config(config)
    return config


def run_check(params):
    """The pair check's report, within the ``timeout`` option shortened to end before the
    task's deadline (None: each node's own timeout), with the ``snapshot`` check of the
    newest pair snapshot in the pair's journal (as ``hamnhw pair check`` has it)."""
    config = read_config(params['config'])
    seconds = params['timeout']
    if params['task_deadline'] is not None:
        seconds = task_seconds(seconds or 120.0, params['task_deadline'])
    deadline = CommandBudget(seconds).work if seconds else None
    report = check_pair(lambda name: pair.connect_node(config, name, deadline=deadline),
                        active=params['active'])
    return with_snapshot_check(report, pair.read_records(config).snapshot)


def main():
    module = new_module(dict(
        config=dict(type='path'),
        active=dict(type='str', choices=['primary', 'standby']),
        timeout=dict(type='float'),
        task_deadline=dict(type='float'),
    ), connection=False, supports_check_mode=True)
    try:
        with interrupts.interruptible(), orphan.stop_when_orphaned():
            report = run_check(module.params)
    except (HamnhwError, Interrupted) as exc:
        module.fail_json(**error_result(exc, None))
    result = report.to_json()
    failed = [c.name for c in report.checks if c.status is Status.FAIL]
    if report.failed:
        names = ', '.join(failed)
        code = ExitCode.UNHEALTHY
        module.fail_json(msg=f'pair check failed: {names}', changed=False, failed_checks=failed,
                         error=dict(type='PairCheckFailed', exit_code=int(code),
                                    exit_code_name=code.name,
                                    message=f'failed checks: {names}'),
                         **result)
    module.exit_json(changed=False, failed_checks=[], **result)


if __name__ == '__main__':
    main()
