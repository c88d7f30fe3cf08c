"""IpmiTransport over a scripted pyghmi Command: every pyghmi failure becomes a typed error
naming the BMC, retries only where the issue allows them, the deadline, pacing, secrets."""

from __future__ import annotations

import logging
import struct
import threading
import time

import pytest
from ipmi_fakes import (
    KG,
    PASSWORD,
    Factory,
    ScriptedCommand,
    blocking,
    failed,
    make_transport,
    ok,
)
from pyghmi.exceptions import IpmiException
from pyghmi.ipmi import command as _pyghmi_command  # noqa: F401 - creates pyghmi's loggers

from hamnhw import noanswer
from hamnhw.connection import Credentials, Secret
from hamnhw.errors import (
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConfigError,
    ConnectionDropped,
    MalformedResponse,
)
from hamnhw.failover.bmcanswer import did, silent, undecided
from hamnhw.node import naming_account
from hamnhw.sim.clock import ManualClock
from hamnhw.transport.ipmi import IpmiTransport
from hamnhw.transport.ipmi_errors import (
    PYGHMI_TESTED,
    CipherSuiteMismatch,
    InsufficientPrivilege,
    IpmiBusy,
    IpmiCommandError,
    IpmiError,
    RoleRefused,
)
from hamnhw.transport.ipmi_pacing import Pacer, pacing_from_env
from hamnhw.transport.retry import RetryPolicy

HOST = "127.0.0.1:6230"
CHASSIS_STATUS = (0x00, 0x01)
CHASSIS_CONTROL = (0x00, 0x02)


@pytest.fixture(autouse=True)
def fresh_pacers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own per-BMC pacers."""
    monkeypatch.setattr(Pacer, "_by_bmc", {})


def opened(command: ScriptedCommand, **kwargs: object) -> IpmiTransport:
    transport = make_transport(Factory(command), **kwargs)  # type: ignore[arg-type]
    transport.open()
    return transport


# -- login -------------------------------------------------------------------------------

def test_login_passes_host_port_account_kg_privilege_and_reads_the_device_id() -> None:
    factory = Factory(ScriptedCommand())
    transport = make_transport(factory, kg=KG, privilege="operator")
    transport.open()
    [login] = factory.logins
    assert (login["bmc"], login["port"], login["userid"]) == ("127.0.0.1", 6230, "admin")
    assert (login["password"], login["kg"], login["privlevel"]) == (PASSWORD, KG, 3)
    device = transport.device_id
    assert device is not None
    assert (device.vendor, device.manufacturer_id, device.product, device.firmware) == (
        "Lenovo", 19046, "0x1234", "2.15")
    assert "Lenovo (IANA 19046)" in device.describe()


@pytest.mark.parametrize("text", ["Incorrect password provided", "Unauthorized name in RAKP2",
                                  "Unauthorized role or privilege level requested in RAKP2",
                                  "Invalid RAKP4 integrity code (wrong Kg?)"])
def test_refused_login_is_authentication_error_without_retry(text: str) -> None:
    factory = Factory(IpmiException(text))
    with pytest.raises(AuthenticationError, match="IPMI login refused") as caught:
        make_transport(factory).open()
    assert len(factory.logins) == 1  # BMCs lock accounts: never try again
    assert caught.value.host == HOST


@pytest.mark.parametrize(("privilege", "asked"), [
    (None, "administrator (pyghmi's default)"), ("operator", "operator")])
def test_a_refused_role_names_the_account_and_the_level_asked_not_the_password(
        privilege: str | None, asked: str) -> None:
    """Review: RMCP+ "Unauthorized role or privilege level requested" (the account's
    privilege limit is below the level the session asked for; the password is not checked
    yet) was a refused login like a wrong password, its remedy naming the password."""
    text = "Unauthorized role or privilege level requested in RAKP2"
    factory = Factory(IpmiException(text))
    with pytest.raises(RoleRefused) as caught:
        make_transport(factory, privilege=privilege).open()
    assert isinstance(caught.value, AuthenticationError) and len(factory.logins) == 1
    assert caught.value.username == "admin" and caught.value.requested == privilege
    assert str(caught.value) == (
        f"{HOST}: IPMI login refused for the privilege level it asked for: the BMC does not "
        f"grant user 'admin' the {asked} level on this channel ({text})")
    assert "password" not in str(caught.value)
    named = naming_account(caught.value, Credentials("admin", Secret(PASSWORD, "$PW")))
    assert named is caught.value  # no "(password from ...)" added


@pytest.mark.parametrize("exc", [IpmiException(None), IpmiException("timeout")])
def test_silent_bmc_is_unreachable(exc: Exception) -> None:
    with pytest.raises(BmcUnreachable, match="no IPMI answer on UDP port 6230") as caught:
        make_transport(Factory(exc)).open()
    assert caught.value.reason == noanswer.NO_REPLY and silent(caught.value)


def test_a_name_pyghmi_cannot_resolve_is_no_silence() -> None:
    """pyghmi's "Unable to transmit" is its getaddrinfo failing: nothing was sent, so
    nothing was left unanswered (it was taken for a BMC's silence)."""
    exc = IpmiException("Unable to transmit to specified address")
    with pytest.raises(BmcUnreachable, match="address does not resolve") as caught:
        make_transport(Factory(exc)).open()
    assert caught.value.reason == noanswer.UNRESOLVED and not silent(caught.value)
    command = ScriptedCommand({CHASSIS_STATUS: [exc]})
    with pytest.raises(BmcUnreachable, match="address does not resolve") as caught:
        opened(command).raw("chassis status", *CHASSIS_STATUS)
    assert caught.value.reason == noanswer.UNRESOLVED and not silent(caught.value)


def test_struct_error_is_a_cipher_suite_mismatch_saying_what_to_do() -> None:
    with pytest.raises(CipherSuiteMismatch) as caught:
        make_transport(Factory(struct.error("unpack requires a buffer of 32 bytes"))).open()
    message = str(caught.value)
    assert "cipher suite 17" in message and "suite 3" in message
    assert PYGHMI_TESTED in message
    assert isinstance(caught.value, BmcUnreachable)


def test_insufficient_resources_is_retried_with_backoff_then_succeeds() -> None:
    clock = ManualClock()
    busy = IpmiException("Insufficient resources to create new session (wait for existing "
                         "sessions to timeout)")
    factory = Factory(busy, busy, ScriptedCommand())
    transport = make_transport(factory, clock=clock)
    transport.open()
    assert len(factory.logins) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_insufficient_resources_gives_up_after_the_bounded_retries() -> None:
    clock = ManualClock()
    factory = Factory(IpmiException("Insufficient resources to create a session at the "
                                    "requested role"))
    with pytest.raises(IpmiBusy, match="no free IPMI session"):
        make_transport(factory, clock=clock).open()
    assert len(factory.logins) == 3
    assert isinstance(IpmiBusy("x"), BmcTimeout)


def test_any_other_pyghmi_failure_is_typed() -> None:
    with pytest.raises(IpmiError, match="KeyError"):
        make_transport(Factory(KeyError("sessionid"))).open()


def test_a_session_handed_back_broken_is_a_failed_login() -> None:
    command = ScriptedCommand()
    command.ipmi_session.broken = True
    command.ipmi_session.errormsg = "Incorrect password provided"
    with pytest.raises(AuthenticationError):
        make_transport(Factory(command)).open()


def test_unusable_device_id_is_malformed() -> None:
    with pytest.raises(MalformedResponse, match="Get Device ID answered 3 bytes"):
        opened(ScriptedCommand({(0x06, 0x01): [ok([1, 2, 3])]}))


def test_bad_settings_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="privilege"):
        make_transport(Factory(), privilege="root")
    with pytest.raises(ConfigError, match="pacing"):
        make_transport(Factory(), pacing=-1)
    monkeypatch.setenv("HAMNHW_IPMI_PACING_S", "soon")
    with pytest.raises(ConfigError, match="HAMNHW_IPMI_PACING_S"):
        pacing_from_env()
    monkeypatch.setenv("HAMNHW_IPMI_PACING_S", "0.25")
    assert pacing_from_env() == 0.25


# -- commands ----------------------------------------------------------------------------

def test_raw_returns_the_response_data() -> None:
    transport = opened(ScriptedCommand({CHASSIS_STATUS: [ok([0x21, 0, 0x40])]}))
    assert transport.raw("chassis status", *CHASSIS_STATUS) == bytes([0x21, 0, 0x40])


def test_error_dict_reply_is_a_command_error_with_its_code() -> None:
    transport = opened(ScriptedCommand({(0x00, 0x06): [failed(193, "Invalid command")]}))
    with pytest.raises(IpmiCommandError) as caught:
        transport.raw("set power restore policy", 0x00, 0x06, [2], unsafe=True)
    assert caught.value.code == 0xC1
    assert str(caught.value) == (f"{HOST}: set power restore policy: the BMC answered "
                                 "completion code 0xC1 (Invalid command)")


def test_node_busy_is_retried_with_backoff() -> None:
    clock = ManualClock()
    command = ScriptedCommand({CHASSIS_CONTROL: [failed(0xC0, "Node busy"),
                                                  failed(0xC0, "Node busy"), ok()]})
    transport = opened(command, clock=clock)
    transport.raw("chassis control power up", *CHASSIS_CONTROL, [1], unsafe=True)
    assert command.sent(*CHASSIS_CONTROL) == [(1,), (1,), (1,)]
    assert clock.sleeps == [1.0, 2.0]


def test_node_busy_throughout_is_ipmi_busy() -> None:
    command = ScriptedCommand({CHASSIS_STATUS: [failed(0xC0, "Node busy")]})
    with pytest.raises(IpmiBusy, match="stayed busy through 3 attempts"):
        opened(command).raw("chassis status", *CHASSIS_STATUS)
    assert len(command.sent(*CHASSIS_STATUS)) == 3


def test_no_reply_to_a_read_is_unreachable_and_to_a_change_is_a_dropped_request() -> None:
    timeout = failed(0xFFFF, "timeout")
    command = ScriptedCommand({CHASSIS_STATUS: [timeout], CHASSIS_CONTROL: [timeout]})
    transport = opened(command)
    with pytest.raises(BmcUnreachable, match="no IPMI reply") as caught:
        transport.raw("chassis status", *CHASSIS_STATUS)
    assert caught.value.reason == noanswer.NO_REPLY and silent(caught.value)
    with pytest.raises(ConnectionDropped, match="may have acted on it and it is not re-sent"):
        transport.raw("chassis control power down", *CHASSIS_CONTROL, [0], unsafe=True)
    assert len(command.sent(*CHASSIS_CONTROL)) == 1


def test_lost_session_is_unreachable() -> None:
    command = ScriptedCommand({CHASSIS_STATUS: [IpmiException("Session no longer connected")]})
    with pytest.raises(BmcUnreachable, match="stopped answering"):
        opened(command).raw("chassis status", *CHASSIS_STATUS)


def test_insufficient_privilege_is_an_authentication_error() -> None:
    command = ScriptedCommand({CHASSIS_CONTROL: [failed(0xD4, "Insufficient privilege")]})
    with pytest.raises(AuthenticationError, match="lacks the privilege"):
        opened(command).raw("chassis control", *CHASSIS_CONTROL, [0], unsafe=True)


def test_insufficient_privilege_names_the_user_and_the_level_needed_not_the_password() -> None:
    """Review: the refusal (the credentials were accepted) went to the refused-login
    remedy naming the password source; it names the account, the level the command needs
    (IPMI 2.0 appendix G) and the level the session asked for."""
    command = ScriptedCommand({CHASSIS_CONTROL: [failed(0xD4, "Insufficient privilege")]})
    with pytest.raises(InsufficientPrivilege) as caught:
        opened(command, privilege="user").raw("chassis control power on", *CHASSIS_CONTROL,
                                              [1], unsafe=True)
    error = caught.value
    assert (error.username, error.needed, error.requested) == ("admin", "operator", "user")
    assert ("chassis control power on: user 'admin' lacks the privilege for it (completion "
            "code 0xD4); it needs the operator privilege level (the session asked for "
            "user)") in str(error)
    assert "password" not in str(error)


def test_reply_that_is_not_a_dict_and_crashes_inside_pyghmi_are_typed() -> None:
    command = ScriptedCommand({CHASSIS_STATUS: [None], (0x00, 0x09): [AssertionError()]})
    transport = opened(command)
    with pytest.raises(IpmiError, match="returned NoneType"):
        transport.raw("chassis status", *CHASSIS_STATUS)
    with pytest.raises(IpmiError, match="AssertionError"):
        transport.raw("boot flags", 0x00, 0x09, [5, 0, 0])


def test_batch_runs_several_requests_as_one_command_and_types_their_errors() -> None:
    command = ScriptedCommand({(0x06, 0x42): [ok([1, 4]), failed(0xCC, "Invalid data")]})
    transport = opened(command)

    def two(requests):  # type: ignore[no-untyped-def]
        first = requests.send("channel 1", 0x06, 0x42, [1])
        try:
            requests.send("channel 2", 0x06, 0x42, [2])
        except IpmiCommandError as exc:
            return first, exc.code
        return first, None

    assert transport.batch("channels", two) == (bytes([1, 4]), 0xCC)


# -- deadline ----------------------------------------------------------------------------

def test_a_login_longer_than_the_deadline_is_cut_short() -> None:
    release = threading.Event()
    transport = make_transport(Factory(blocking(release, ScriptedCommand())), operation=0.3,
                               retry=RetryPolicy())
    try:
        with pytest.raises(BmcUnreachable,
                           match=r"no IPMI session within the 0\.3 s deadline") as caught:
            transport.open()
    finally:
        release.set()
    # hamnhw's own wait ended, not pyghmi's retransmissions: that tells nothing
    assert caught.value.reason == noanswer.REPLY_CUT
    assert not silent(caught.value) and undecided(caught.value)
    assert "tells nothing" in did(caught.value)


def test_a_command_longer_than_the_deadline_times_out_and_blocks_the_next_one() -> None:
    release = threading.Event()
    command = ScriptedCommand({CHASSIS_STATUS: [blocking(release, ok([0, 0, 0])),
                                                ok([1, 0, 0])]})
    transport = make_transport(Factory(command), retry=RetryPolicy())
    transport.open()
    try:
        with transport.operation(0.3), \
                pytest.raises(BmcTimeout, match="no IPMI reply") as caught:
            transport.raw("chassis status", *CHASSIS_STATUS)
        assert caught.value.reason == noanswer.REPLY_CUT
        assert not silent(caught.value) and undecided(caught.value)
        with pytest.raises(BmcTimeout, match="still waiting for its reply"):
            transport.raw("chassis status", *CHASSIS_STATUS)
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while not transport._idle() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert transport.raw("chassis status", *CHASSIS_STATUS) == bytes([1, 0, 0])


# -- pacing ------------------------------------------------------------------------------

def test_commands_to_one_bmc_are_paced_across_transports() -> None:
    clock = ManualClock()
    first = opened(ScriptedCommand({CHASSIS_STATUS: [ok([0, 0, 0])]}), clock=clock, pacing=1.0)
    second = opened(ScriptedCommand({CHASSIS_STATUS: [ok([0, 0, 0])]}), clock=clock,
                    pacing=1.0)
    assert clock.sleeps == [1.0]  # the second login's Get Device ID waited for the first's
    clock.advance(5.0)
    clock.sleeps.clear()
    first.raw("chassis status", *CHASSIS_STATUS)
    clock.advance(0.25)
    second.raw("chassis status", *CHASSIS_STATUS)
    assert clock.sleeps == [0.75]


def test_pacing_is_atomic_across_threads() -> None:
    """Review 9-14 item 11: a command to a BMC from another thread waits for the one in
    flight to end, then the interval; it never sees the interval passed and sends alongside."""
    clock = ManualClock()
    a_entered, release, b_entered = threading.Event(), threading.Event(), threading.Event()

    def slow() -> object:
        a_entered.set()
        release.wait(30)
        return ok([0, 0, 0])

    def quick() -> object:
        b_entered.set()
        return ok([0, 0, 0])

    first = opened(ScriptedCommand({CHASSIS_STATUS: [slow]}), clock=clock, pacing=1.0)
    second = opened(ScriptedCommand({CHASSIS_STATUS: [quick]}), clock=clock, pacing=1.0)
    clock.advance(5.0)
    clock.sleeps.clear()
    threads = [threading.Thread(target=t.raw, args=("chassis status", *CHASSIS_STATUS))
               for t in (first, second)]
    threads[0].start()
    assert a_entered.wait(10)
    threads[1].start()
    sent_alongside = b_entered.wait(0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    assert not sent_alongside
    assert b_entered.is_set() and clock.sleeps == [1.0]  # the interval after the first ended


def test_pacing_that_the_deadline_cannot_afford_is_a_timeout() -> None:
    clock = ManualClock()
    transport = opened(ScriptedCommand({CHASSIS_STATUS: [ok([0, 0, 0])]}), clock=clock,
                       pacing=5.0)
    with transport.operation(2.0), pytest.raises(BmcTimeout, match="no time to wait"):
        transport.raw("chassis status", *CHASSIS_STATUS)


# -- secrets -----------------------------------------------------------------------------

def test_password_and_kg_never_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    factory = Factory(IpmiException(f"weird failure with {PASSWORD} and {KG} inside"))
    transport = make_transport(factory, kg=KG)
    with pytest.raises(IpmiError) as caught:
        transport.open()
    logging.getLogger("pyghmi.ipmi.oem.lookup").warning("pyghmi says %s / %s", PASSWORD, KG)
    shown = f"{caught.value} {caught.value!r} {caught.value.args} {transport!r} {caplog.text}"
    assert "pyghmi says" in caplog.text
    assert PASSWORD not in shown and KG not in shown
    transport.close()


def test_pyghmi_debug_records_are_dropped_even_at_debug_level(
        caplog: pytest.LogCaptureFixture) -> None:
    """pyghmi's DEBUG records (packet dumps, session keys) never pass, whatever hamnhw's own
    log level: its loggers are pinned at WARNING."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("pyghmi").setLevel(logging.NOTSET)  # as if someone had reset it
    transport = opened(ScriptedCommand())
    assert logging.getLogger("pyghmi").level == logging.WARNING
    logging.getLogger("pyghmi.ipmi.private.session").debug("session key %s", "k-0a1b2c")
    logging.getLogger("pyghmi").info("integrity key %s", "k-3d4e5f")
    assert "k-0a1b2c" not in caplog.text and "k-3d4e5f" not in caplog.text
    transport.close()


def test_close_logs_out_once_and_is_safe_twice() -> None:
    command = ScriptedCommand()
    transport = opened(command)
    transport.close()
    transport.close()
    assert command.ipmi_session.logouts == 1
    with pytest.raises(BmcUnreachable, match="not open"):
        transport.raw("chassis status", *CHASSIS_STATUS)
