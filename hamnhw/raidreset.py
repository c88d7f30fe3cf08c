"""A RAID create staged for the next reset, applied: reset the node (power cycle when it is
on, power on when it is off), then follow the create until the volume is listed.

Used by ``hamnhw raid create --apply-time on-reset --reboot``; a library user may call it
after :meth:`RaidInterface.create <hamnhw.interfaces.RaidInterface.create>` came back
pending::

    outcome = node.raid.create(request)
    if outcome.pending:
        outcome = apply_at_reset(node, request, outcome, timeout=600)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hamnhw.errors import OperationFailed
from hamnhw.jobs import JobState, JobStatus
from hamnhw.models import PowerState
from hamnhw.poll import PollPolicy, poll_until
from hamnhw.raid import CreateRequest, RaidOutcome, RaidPlan

if TYPE_CHECKING:
    from hamnhw.node import Node


def apply_at_reset(node: Node, request: CreateRequest, outcome: RaidOutcome, *,
                   timeout: float, policy: PollPolicy | None = None) -> RaidOutcome:
    """Reset ``node`` and wait until the pending create is applied: the power change and
    the wait for the volume share ``timeout`` seconds.

    :raises OperationFailed: the reset came and went but no volume over the drives shows.
    :raises JobFailed: the BMC reports the staged create failed.
    """
    policy = policy or PollPolicy()
    deadline = policy.deadline(timeout)
    if node.power.state() is PowerState.ON:
        node.power.cycle(timeout=max(deadline.left(), 1.0))
        how = "power cycled to apply the create"
    else:
        node.power.on(timeout=max(deadline.left(), 1.0))
        how = "powered on to apply the create"
    if outcome.job is not None:
        status = outcome.job.wait(policy, deadline)
    else:
        plan = poll_until(lambda: node.raid.plan_create(request), _applied, deadline, policy,
                          what=f"{node.name}: pending RAID create", host=node.address.netloc,
                          describe=lambda p: "pending" if p.pending else "applied")
        if plan.changed:
            raise OperationFailed("the reset came and went but no volume over "
                                  f"{', '.join(request.drive_ids)} is listed",
                                  host=node.address.netloc)
        status = JobStatus(JobState.COMPLETED, 100)
    volume_id = node.raid.plan_create(request).volume_id
    volume = next((v for v in node.raid.volumes() or () if v.id == volume_id), None)
    return dataclasses.replace(outcome, status=status, volume=volume,
                               notes=(*outcome.notes, how))


def _applied(plan: RaidPlan) -> bool:
    return not plan.pending
