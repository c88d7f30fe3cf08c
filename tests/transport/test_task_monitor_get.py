"""``get_response``: a GET that keeps status and headers, for task monitors."""

from __future__ import annotations

import pytest
import responses
from test_unit import BASE, URL, standard
from transport_loopback import make_transport

from hamnhw import errors

MONITOR = "/redfish/v1/TaskService/TaskMonitors/7"


@pytest.fixture
def mock() -> responses.RequestsMock:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def test_running_monitor_keeps_202_and_retry_after(mock) -> None:
    standard(mock)
    mock.get(f"{BASE}{MONITOR}", status=202, json={"TaskState": "Running"},
             headers={"Retry-After": "3", "Location": MONITOR})
    with make_transport(URL).open() as transport:
        answer = transport.get_response(MONITOR)
    assert (answer.status, answer.headers["Retry-After"]) == (202, "3")
    assert answer.body == {"TaskState": "Running"}


def test_finished_monitor_with_no_body_is_204_and_none(mock) -> None:
    standard(mock)
    mock.get(f"{BASE}{MONITOR}", status=204)
    with make_transport(URL).open() as transport:
        answer = transport.get_response(MONITOR)
    assert (answer.status, answer.body) == (204, None)


def test_gone_monitor_is_not_found(mock) -> None:
    standard(mock)
    mock.get(f"{BASE}{MONITOR}", status=404, json={})
    with make_transport(URL).open() as transport, pytest.raises(errors.NotFoundError):
        transport.get_response(MONITOR)


def test_monitor_read_on_an_expired_session_logs_in_again_once(mock) -> None:
    standard(mock)
    mock.get(f"{BASE}{MONITOR}", status=401)
    mock.get(f"{BASE}{MONITOR}", status=202, json={"TaskState": "Running"})
    with make_transport(URL).open() as transport:
        answer = transport.get_response(MONITOR)
    assert answer.status == 202
    logins = [c for c in mock.calls if c.request.method == "POST"]
    assert len(logins) == 2
