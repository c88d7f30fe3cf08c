"""Outcome of one ``pair check`` check: status, evidence, message."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


class Status(enum.StrEnum):
    """Outcome of one check."""

    PASS = "pass"  # noqa: S105 - a check outcome, not a password
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One check with its evidence."""

    name: str
    status: Status
    evidence: dict[str, Any]
    """What was read, per node where it applies."""
    message: str
    """Why the status, in a sentence."""

    def to_json(self) -> dict[str, Any]:
        """``{name, status, evidence, message}``."""
        return {"name": self.name, "status": self.status.value, "evidence": self.evidence,
                "message": self.message}


def result(name: str, status: Status, message: str, **evidence: Any) -> CheckResult:
    """A :class:`CheckResult` with keyword evidence."""
    return CheckResult(name, status, evidence, message)
