"""How a check's verdict is kept and shown (hamnhw.failover.verdicts): WARN for what the
run goes on with, resolved for what failed at an earlier attempt only (admin review #5)."""

from __future__ import annotations

from hamnhw.failover.report import RunReport
from hamnhw.failover.verdicts import recorded, resolve_earlier


def test_a_warning_is_no_failure_and_shows_warn() -> None:
    check = recorded("preflight: MN RAID1 health", False, "RAID1: degraded", 1.0,
                     warning=True, earlier=None)
    report = RunReport(1, "failover", "primary", "standby", "done", "done", checks=[check])
    assert "[   WARN   ] preflight: MN RAID1 health: RAID1: degraded" in report.text()
    assert check["passed"] is False and report.passed is True


def test_a_pass_after_a_failure_is_resolved_and_keeps_what_failed() -> None:
    failed = recorded("verify: primary off", False, "reads On", 1.0, warning=False,
                      earlier=None)
    again = recorded("verify: primary off", True, "Off read twice", 2.0, warning=False,
                     earlier=failed)
    assert (again["verdict"], again["earlier"], again["passed"]) == ("resolved", "reads On",
                                                                     True)
    report = RunReport(1, "failover", "primary", "standby", "done", "done", checks=[again])
    assert ("[ resolved ] verify: primary off: Off read twice (failed earlier: reads On)"
            in report.text())


def test_only_failures_of_an_earlier_attempt_of_the_step_are_resolved() -> None:
    checks = [recorded("verify: target off before its power-on", False, "reads on", 1.0,
                       warning=False, earlier=None),
              recorded("verify: MN RAID1 health", False, "degraded", 5.0, warning=False,
                       earlier=None),
              recorded("boot: standby on", False, "reads off", 1.0, warning=False,
                       earlier=None),
              {"name": "verify-import: primary off", "passed": False, "detail": "old"}]
    after = resolve_earlier(checks, "verify", since=3.0)
    assert after is not None
    assert [c.get("verdict") for c in after] == [
        "resolved", "FAIL", "FAIL", None]
    assert resolve_earlier(checks, "finish", since=3.0) is None
