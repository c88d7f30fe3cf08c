"""Every error class maps to its documented exit code."""

from __future__ import annotations

import signal

import click
import pytest

from hamnhw import errors
from hamnhw.cli.exit_codes import ExitCode, exit_code_for

CASES = [
    (errors.ConfigError("bad"), 2),
    (click.UsageError("bad option"), 2),
    (errors.DriverNotFound("several systems: 1, 2; pick one", usage=True), 2),
    (errors.DriverNotFound("no driver matches"), 1),
    (errors.BmcUnreachable("refused", host="h"), 3),
    (errors.BmcUnreachable("refused", host="h", refused=True), 3),
    (errors.TlsError("untrusted", host="h"), 3),
    (errors.AuthenticationError("denied", host="h"), 4),
    (errors.SessionExpired("re-login worked, request not re-sent", host="h"), 1),
    (errors.BmcTimeout("slow", host="h", elapsed_s=3.0), 1),
    (errors.ConnectionDropped("dropped after the request was sent", host="h"), 1),
    (errors.BmcUnreachable("GET /redfish/v1: connection dropped before an answer", host="h"), 3),
    (errors.HttpError(host="h", method="GET", path="/", status=418), 1),
    (errors.AccessDenied(host="h", method="GET", path="/", status=401), 1),
    (errors.BadRequestError(host="h", method="POST", path="/", status=400), 1),
    (errors.NotFoundError(host="h", method="GET", path="/", status=404), 1),
    (errors.MethodNotAllowedError(host="h", method="GET", path="/", status=405), 1),
    (errors.ConflictError(host="h", method="POST", path="/", status=409), 1),
    (errors.ServerSideError(host="h", method="GET", path="/", status=503), 1),
    (errors.MalformedResponse("html", uri="/redfish/v1"), 1),
    (errors.UnsupportedOperation("generic", "power.cycle"), 1),
    (errors.RedfishUnreachable("ipmi", "raid.list", host="h", detail="no answer"), 3),
    (errors.RefusedOperation("raid.create", ["drive Bay1 is a member of Volume1"]), 1),
    (errors.OperationFailed("reset ignored"), 1),
    (errors.StateUnconfirmed("reset accepted, then silence", host="h", accepted=True), 1),
    (errors.PowerStateTimeout(host="h", target="off", last_state="on", elapsed_s=5), 1),
    (errors.WaitTimeout(host="h", what="rebuild", last_state="running", elapsed_s=5), 1),
    (errors.JobFailed(host="h", job_id="JID_1", state="failed"), 1),
    (errors.HamnhwError("other"), 1),
    (RuntimeError("a bug"), 1),
    (errors.Interrupted(signal.SIGINT), 130),
    (errors.Interrupted(signal.SIGTERM, request_sent=True, last_state="powering_on"), 143),
]


@pytest.mark.parametrize(("exc", "code"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_exit_code_for(exc: BaseException, code: int) -> None:
    assert exit_code_for(exc) == code


def test_every_error_class_is_covered() -> None:
    classes = {cls for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, errors.HamnhwError)}
    assert classes <= {type(exc) for exc, _ in CASES}


def test_documented_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 10, 130, 143]
    doc = __import__("hamnhw.cli.exit_codes", fromlist=["x"]).__doc__ or ""
    for code in ExitCode:
        assert f"``{code.name}``" in doc


@pytest.mark.parametrize(("method", "code"), [("GET", 3), ("POST", 1), ("PATCH", 1),
                                              ("DELETE", 1)])
def test_dropped_connection_exit_code_depends_on_the_method(method: str, code: int) -> None:
    import requests
    import urllib3

    from hamnhw.transport.errormap import map_exception

    reset = requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError("reset"))
    error = map_exception(reset, host="h", method=method, path="/redfish/v1/Systems/1",
                          elapsed_s=0.1)
    assert exit_code_for(error) == code
