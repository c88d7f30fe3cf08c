# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""hamnhw.bmc.boot runs with the task's deadline (see plugin_utils/task_deadline.py)."""

from __future__ import annotations

from ansible_collections.hamnhw.bmc.plugins.plugin_utils.task_deadline import TaskDeadlineAction


class ActionModule(TaskDeadlineAction):
    """The boot module, ending before the task's ``timeout`` keyword."""
