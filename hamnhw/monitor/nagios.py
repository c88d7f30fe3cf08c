"""Monitoring-plugins output (Nagios, Icinga, Naemon, Checkmk, Zabbix agents running plugins).

The conventions of the monitoring-plugins development guidelines:

* exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN;
* one status line ``SERVICE STATUS - summary | perfdata``, then details on later lines;
* performance data ``'label'=value[UOM];[warn];[crit];[min];[max]``, UOM ``s``, ``%`` or
  none, ``U`` for a value that could not be determined;
* a socket error or a timeout talking to the monitored device is CRITICAL, not UNKNOWN;
  UNKNOWN is for invalid arguments and for a device that cannot tell.

Several results combine to the worst, ordered CRITICAL > WARNING > UNKNOWN > OK.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Sequence

import click

from hamnhw.errors import AuthenticationError, BmcTimeout, BmcUnreachable, ConfigError
from hamnhw.monitor.health import Severity


class Status(enum.IntEnum):
    """Plugin status; the value is the exit code."""

    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.WARNING: 2, Status.CRITICAL: 3}
FROM_SEVERITY = {Severity.OK: Status.OK, Severity.WARNING: Status.WARNING,
                 Severity.CRITICAL: Status.CRITICAL, Severity.UNKNOWN: Status.UNKNOWN}


def worst(statuses: Iterable[Status]) -> Status:
    """The worst status: CRITICAL > WARNING > UNKNOWN > OK (OK for none)."""
    return max(statuses, key=_RANK.__getitem__, default=Status.OK)


def status_for_error(exc: BaseException) -> Status:
    """The status of a check that failed with ``exc`` (see the README's outcome table)."""
    if isinstance(exc, (ConfigError, click.UsageError)):
        return Status.UNKNOWN
    if isinstance(exc, (BmcUnreachable, BmcTimeout, AuthenticationError)):
        return Status.CRITICAL
    return Status.UNKNOWN


@dataclasses.dataclass(frozen=True)
class PerfDatum:
    """One performance-data value."""

    label: str
    value: float | None
    """None prints a bare ``U`` (undetermined: no unit, which Icinga 2 would refuse)."""
    uom: str = ""
    warn: float | None = None
    crit: float | None = None
    min: float | None = None
    max: float | None = None

    def render(self) -> str:
        """``'label'=value[UOM];[warn];[crit];[min];[max]``."""
        label = self.label.replace("'", "''")
        if re.search(r"[\s=']", label):
            label = f"'{label}'"
        value = "U" if self.value is None else _number(self.value) + self.uom
        fields = [value, *(_number(v) if v is not None else ""
                                          for v in (self.warn, self.crit, self.min, self.max))]
        return f"{label}={';'.join(fields).rstrip(';')}"


def _number(value: float) -> str:
    """``3``, ``0.25``, ``0.000123``: at most six decimals, trailing zeros dropped; a value
    rounding to zero is ``0``, never ``0.`` (not a number in the guidelines' grammar)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclasses.dataclass(frozen=True)
class PluginOutput:
    """What a check prints and its exit code."""

    service: str
    status: Status
    summary: str
    details: Sequence[str] = ()
    perfdata: Sequence[PerfDatum] = ()

    def render(self) -> str:
        """Status line (with perfdata after ``|``), then the details."""
        line = f"{self.service} {self.status.name} - {safe_text(self.summary)}"
        if self.perfdata:
            line += " | " + " ".join(p.render() for p in self.perfdata)
        return "\n".join([line, *(safe_text(d) for d in self.details)])


def safe_text(text: str) -> str:
    """One line without ``|`` (it would start the perfdata) or control characters."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).replace("|", "/").strip()
