"""The failover coordinator: fenced power-off, operator disk move, verified standby, crash-safe
journal, drill.  See :mod:`hamnhw.failover.coordinator` and ``docs/runbook.md``.

::

    from hamnhw.config import load_config
    from hamnhw.failover import Coordinator, TtyOperator

    report = Coordinator(load_config("hamnhw.toml"), operator=TtyOperator()).start()
    print(report.outcome, report.stop_reason)

Names are imported lazily, so that :mod:`hamnhw.failover.journal` can be used without the
rest (``hamnhw.pair`` does).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Coordinator": "hamnhw.failover.coordinator",
    "RunReport": "hamnhw.failover.report",
    "Operator": "hamnhw.failover.operator",
    "TtyOperator": "hamnhw.failover.operator",
    "ScriptedOperator": "hamnhw.failover.operator",
    "WorkOrder": "hamnhw.failover.operator",
    "Journal": "hamnhw.failover.journal",
    "JournalBusy": "hamnhw.failover.lock",
    "State": "hamnhw.failover.states",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hamnhw.failover' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
