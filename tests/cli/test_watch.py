"""What an interrupted command says about the requests it sent: false before anything
connected, counted over Redfish, "not known" (None) over IPMI."""

from __future__ import annotations

from hamnhw.cli.watch import RequestWatch


class _Transport:
    host = "bmc.test"


def test_nothing_was_sent_before_connecting() -> None:
    assert RequestWatch().request_sent is False


def test_redfish_requests_are_counted() -> None:
    watch = RequestWatch()
    wrap = watch.wrapper_for("redfish://bmc.test")
    assert wrap is not None and watch.request_sent is False
    counter = wrap(_Transport())
    counter.unsafe_attempts += 1
    assert watch.request_sent is True


def test_ipmi_requests_are_not_known() -> None:
    watch = RequestWatch()
    assert watch.wrapper_for("ipmi://bmc.test") is None
    assert watch.request_sent is None
