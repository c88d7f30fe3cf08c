"""Which failed reads the failover takes as silence (what pulled power cords leave), which
as an answer (a BMC that is up, whose node may be too), and which decide nothing until a
new connection is read (outside review: a refused connection and a connection accepted then
left unanswered were taken as silence)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hamnhw import noanswer
from hamnhw.config import Config, load_config
from hamnhw.errors import (
    AuthenticationError,
    BmcTimeout,
    BmcUnreachable,
    ConnectionDropped,
    HamnhwError,
    MalformedResponse,
    ServerSideError,
    TlsError,
)
from hamnhw.failover.bmcanswer import (
    answered,
    answers,
    did,
    maybe_applied,
    remedy,
    silent,
    transient,
    undecided,
)
from hamnhw.failover.livepower import answer_kind, answer_of
from hamnhw.transport.ipmi_errors import (
    CipherSuiteMismatch,
    InsufficientPrivilege,
    IpmiBusy,
    RoleRefused,
)

HOST = "10.0.0.5:443"
SILENT, UNDECIDED, TRANSIENT, FINAL = "silent", "undecided", "transient", "final"


def unreachable(reason: str | None) -> BmcUnreachable:
    return BmcUnreachable(f"GET /redfish/v1/: {reason}", host=HOST, reason=reason)


CASES: list[tuple[str, HamnhwError, str]] = [
    ("connect timed out", unreachable(noanswer.CONNECT_TIMEOUT), SILENT),
    ("no route", unreachable(noanswer.HOST_UNREACHABLE), SILENT),
    ("ipmi no reply", unreachable(noanswer.NO_REPLY), SILENT),
    ("ipmi lost reply", ConnectionDropped("no reply", host=HOST, reason=noanswer.NO_REPLY),
     SILENT),
    ("deadline connecting", BmcTimeout("deadline", host=HOST, deadline_passed=True,
                                       reason=noanswer.CONNECT_TIMEOUT), SILENT),
    ("connect cut short", unreachable(noanswer.CONNECT_CUT), UNDECIDED),
    ("deadline cutting a connect", BmcTimeout("deadline", host=HOST, deadline_passed=True,
                                              reason=noanswer.CONNECT_CUT), UNDECIDED),
    ("ipmi wait cut", BmcTimeout("no IPMI reply within the deadline", host=HOST,
                                 reason=noanswer.REPLY_CUT), UNDECIDED),
    ("ipmi session wait cut", unreachable(noanswer.REPLY_CUT), UNDECIDED),
    ("refused", BmcUnreachable("Connection refused", host=HOST, refused=True), TRANSIENT),
    ("accepted then silent", unreachable(noanswer.NO_ANSWER_FRESH), TRANSIENT),
    ("accepted then silent, answered before",
     BmcTimeout("read timed out", host=HOST, reason=noanswer.NO_ANSWER_FRESH), TRANSIENT),
    ("new connection closed", unreachable(noanswer.DROPPED_FRESH), TRANSIENT),
    ("answer cut", unreachable(noanswer.ANSWER_CUT), TRANSIENT),
    ("unresolved", unreachable(noanswer.UNRESOLVED), TRANSIENT),
    ("ipmi busy", IpmiBusy("node busy", host=HOST), TRANSIENT),
    ("stalled after headers", BmcTimeout("stalled", host=HOST, headers_came=True), TRANSIENT),
    ("5xx", ServerSideError(host=HOST, method="GET", path="/x", status=503), TRANSIENT),
    ("garbage", MalformedResponse("not JSON", host=HOST), TRANSIENT),
    ("kept connection unanswered",
     BmcTimeout("read timed out", host=HOST, reason=noanswer.NO_ANSWER_REUSED), UNDECIDED),
    ("kept connection reset", unreachable(noanswer.DROPPED_REUSED), UNDECIDED),
    ("reason not known", BmcTimeout("gate", host=HOST), UNDECIDED),
    ("tls", TlsError("pin mismatch", host=HOST), FINAL),
    ("cipher suite", CipherSuiteMismatch("suite 17", host=HOST), FINAL),
    ("credentials", AuthenticationError("credentials rejected", host=HOST), FINAL),
]


@pytest.mark.parametrize(("error", "kind"), [(e, k) for _n, e, k in CASES],
                         ids=[n for n, _e, _k in CASES])
def test_each_failed_read_is_silence_an_answer_or_undecided(error: HamnhwError,
                                                            kind: str) -> None:
    found = {SILENT: silent(error), UNDECIDED: undecided(error),
             TRANSIENT: transient(error)}
    assert [k for k, v in found.items() if v] == ([] if kind == FINAL else [kind])
    assert answers(error) is (kind in (TRANSIENT, FINAL))


def test_a_refused_connection_is_named_with_its_address_and_what_to_check() -> None:
    refused = BmcUnreachable("GET /redfish/v1/: cannot connect: [Errno 111] Connection "
                             "refused", host=HOST, refused=True)
    text = answered("primary", refused, "primary cannot be confirmed off",
                    "resume --disks-moved")
    assert text.startswith("primary's BMC refuses connections: something at 10.0.0.5:443 "
                           "answers (a BMC whose web server is down, or a firewall rejecting)")
    assert "an acknowledgement does not override that" in text
    assert "web server" in text and "firewall" in text and "[primary] bmc" in text
    assert text.endswith("then `hamnhw failover resume --disks-moved`")


def test_status_calls_only_silence_no_answer() -> None:
    """``failover status`` tells what a BMC answered as the coordinator does."""
    assert answer_kind(unreachable(noanswer.CONNECT_TIMEOUT)) == "no answer"
    assert answer_kind(unreachable(noanswer.NO_ANSWER_REUSED)) == "no answer"
    refused = BmcUnreachable("Connection refused", host=HOST, refused=True)
    assert answer_kind(refused) == "refuses connections"
    assert "web server" in answer_of("primary", refused)["fix"]
    assert answer_kind(unreachable(noanswer.NO_ANSWER_FRESH)) == (
        "accepts connections, sends no answer")
    assert answer_kind(TlsError("pin", host=HOST)) == "certificate not accepted"


def test_what_the_bmc_did_is_said_for_each_kind() -> None:
    hung = unreachable(noanswer.NO_ANSWER_FRESH)
    assert did(hung) == ("accepts connections at 10.0.0.5:443 but sends no answer (its "
                         "network stack is alive: a hung web server)")
    assert did(unreachable(noanswer.CONNECT_TIMEOUT)).startswith("does not answer")
    assert did(ServerSideError(host=HOST, method="GET", path="/x", status=503)) == (
        "answers, with an error")


@pytest.mark.parametrize("error,applied", [
    (BmcTimeout("PATCH /x: read timed out", host=HOST, reason=noanswer.NO_ANSWER_REUSED), True),
    (ConnectionDropped("PATCH /x: dropped", host=HOST, reason=noanswer.DROPPED_REUSED), True),
    (unreachable(noanswer.NO_ANSWER_FRESH), True),
    (ServerSideError(host=HOST, method="PATCH", path="/x", status=500), True),
    (BmcTimeout("deadline", host=HOST), True),  # where it stood is not known
    (unreachable(noanswer.REFUSED), False),
    (unreachable(noanswer.CONNECT_TIMEOUT), False),
    (IpmiBusy("node busy", host=HOST), False),
    (unreachable(noanswer.NO_REPLY), True),  # a command's reply lost after it went out
    (unreachable(noanswer.CONNECT_CUT), False),
    (TlsError("pin mismatch", host=HOST), False),
    (AuthenticationError("credentials rejected", host=HOST), False),
])
def test_a_write_that_failed_may_have_been_applied_unless_the_bmc_said_no_or_never_got_it(
        error: HamnhwError, applied: bool) -> None:
    """What decides whether the preflight's restore-policy write leaves the run open
    (review: a timed-out PATCH was counted as nothing done)."""
    assert maybe_applied(error) is applied


def config_with(tmp_path: Path, keys: str) -> Config:
    path = tmp_path / "hamnhw.toml"
    path.write_text(f'[primary]\nbmc = "redfish://10.0.0.5"\nusername = "root"\n{keys}')
    return load_config(path)


@pytest.mark.parametrize("keys,source", [
    ('password_env = "PRIMARY_PW"\n', "password_env PRIMARY_PW"),
    ("", "$HAMNHW_PASSWORD or the terminal's prompt"),
    (None, "password_file or password_env")])
def test_refused_credentials_name_the_password_source_configured(
        tmp_path: Path, keys: str | None, source: str) -> None:
    """Review: the remedy named only password_file ("the login was tried once"), wrong for
    password_env and for basic auth, where every request carries the credentials."""
    config = None if keys is None else config_with(tmp_path, keys)
    fix = remedy("primary", AuthenticationError("credentials rejected", host=HOST), config)
    assert fix.startswith(f"check [primary] username and the password hamnhw reads for it "
                          f"({source}"), fix
    assert "after a password change on the BMC, put the new one there" in fix
    assert "refused credentials are not sent again" in fix and "tried once" not in fix


def test_a_missing_ipmi_privilege_names_the_user_and_level_never_the_password(
        tmp_path: Path) -> None:
    """Review: an IPMI "lacks the privilege" refusal (completion 0xD4: the credentials were
    accepted) was given the refused-credentials remedy, naming the password source."""
    error = InsufficientPrivilege("chassis control power on", host=HOST,
                                  detail="completion code 0xD4", needed="operator",
                                  username="monitor", requested="user")
    config = config_with(tmp_path, 'password_env = "PRIMARY_PW"\n')
    fix = remedy("primary", error, config)
    assert "give the account 'monitor' the IPMI privilege level operator" in fix, fix
    assert "set [primary.ipmi] privilege to operator (it asks for user)" in fix, fix
    assert "accepted the credentials" in fix
    assert "password" not in fix, fix
    stop = answered("primary", error, "primary cannot be powered on", config=config)
    assert "password" not in stop and "user 'monitor' lacks the privilege" in stop, stop


@pytest.mark.parametrize(("requested", "fix"), [
    (None, "set [primary.ipmi] privilege to operator (it asks for administrator, pyghmi's "
           "default; power, boot and restore-policy changes need operator), or give the "
           "account 'monitor' the administrator privilege level on primary's BMC (its LAN "
           "channel's privilege limit)"),
    ("operator", "give the account 'monitor' the operator privilege level on primary's BMC "
                 "(its LAN channel's privilege limit; power, boot and restore-policy changes "
                 "need operator)")])
def test_a_refused_ipmi_role_is_fixed_by_the_privilege_level_never_the_password(
        tmp_path: Path, requested: str | None, fix: str) -> None:
    """Review: an IPMI login refused for its role ("Unauthorized role or privilege level
    requested": the account's privilege limit is below the level asked) got the
    refused-credentials remedy, naming the password source."""
    error = RoleRefused("Unauthorized role or privilege level requested in RAKP2", host=HOST,
                        username="monitor", requested=requested)
    config = config_with(tmp_path, 'password_env = "PRIMARY_PW"\n')
    found = remedy("primary", error, config)
    assert found == f"{fix}: the BMC refused the privilege level asked, not the password", found
    assert answer_kind(error) == "privilege level refused"
    stop = answered("primary", error, "primary cannot be powered on", config=config)
    assert "password_env" not in stop and "PRIMARY_PW" not in stop, stop


def test_a_wait_hamnhw_cut_short_is_said_to_tell_nothing() -> None:
    cut = unreachable(noanswer.CONNECT_CUT)
    assert did(cut) == ("made no connection at 10.0.0.5:443 in the little time hamnhw's own "
                        "limit left it (that tells nothing: a BMC slow to accept looks the "
                        "same)")
    assert "tells nothing" in did(unreachable(noanswer.REPLY_CUT))


@pytest.mark.parametrize(("waited", "timeout", "reason"), [
    (5.0, 5.0, noanswer.CONNECT_TIMEOUT),
    (1.0, 1.0, noanswer.CONNECT_TIMEOUT),
    (0.3, 5.0, noanswer.CONNECT_CUT),  # the deadline had 0.3 s left
    (4.9, 5.0, noanswer.CONNECT_CUT),
    (0.5, 0.5, noanswer.CONNECT_CUT),  # under the 1 s silence takes
])
def test_only_a_whole_connect_timeout_of_a_second_or_more_is_silence(
        waited: float, timeout: float, reason: str) -> None:
    assert noanswer.connect_timed_out(waited, timeout) == reason
