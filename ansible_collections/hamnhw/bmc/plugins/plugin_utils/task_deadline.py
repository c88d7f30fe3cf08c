# Copyright: hamnhw developers
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The action plugin of every hamnhw.bmc module: it hands the module the task's own deadline.

Ansible's task ``timeout`` keyword fails a task after that many seconds but does not stop the
module it started: left alone, a module could still send a write nobody would hear of.  So
the worker, which knows the keyword, passes the module ``task_deadline`` (the wall-clock time
the task times out, counted from now, when the action starts); the module shortens its own
``timeout`` to end, logged out and reported, a second before it.  Without the keyword the
module runs as before, bounded by its ``timeout`` option.
"""

from __future__ import annotations

import time

from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash


class TaskDeadlineAction(ActionBase):
    """Run the module of the same name with ``task_deadline`` from the task's ``timeout``."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        module_args = dict(self._task.args)
        if self._task.timeout:
            module_args['task_deadline'] = time.time() + float(self._task.timeout)
        wrap_async = self._task.async_val and not self._connection.has_native_async
        return merge_hash(result, self._execute_module(module_args=module_args,
                                                       task_vars=task_vars,
                                                       wrap_async=wrap_async))
