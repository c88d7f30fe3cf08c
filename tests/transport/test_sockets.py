"""Transport behaviour over real loopback sockets: TLS choices, environment
variables ignored, deadlines against hung, dripping and slow-header BMCs,
refused ports, and a POST that times out sent exactly once."""

from __future__ import annotations

import socket
import warnings

import pytest
from transport_loopback import drip, hang, make_transport, slow_headers

from hamnhw import errors
from hamnhw.cli.exit_codes import exit_code_for
from hamnhw.connection import Timeouts, TlsOptions
from hamnhw.transport import redfish
from hamnhw.transport.retry import RetryPolicy

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

FAST = Timeouts(connect=2, read=5, operation=10)
NO_SLEEP = RetryPolicy(sleep=lambda _seconds: None)


# -- TLS -----------------------------------------------------------------------------


def test_self_signed_refused_with_system_store(tls_bmc) -> None:
    tls_bmc.standard()
    with pytest.raises(errors.TlsError) as info:
        make_transport(tls_bmc.url).open()
    assert info.value.host == f"127.0.0.1:{tls_bmc.port}"
    assert not tls_bmc.requests


def test_self_signed_accepted_with_ca_file(tls_bmc, self_signed) -> None:
    tls_bmc.standard()
    transport = make_transport(tls_bmc.url, tls=TlsOptions(ca_file=str(self_signed.cert)))
    with transport.open():
        assert transport.get("/redfish/v1/Systems") == {"Members": []}
    assert tls_bmc.count("DELETE", "/redfish/v1/SessionService/Sessions/1") == 1


def test_pinned_fingerprint_accepted(tls_bmc, self_signed) -> None:
    tls_bmc.standard()
    transport = make_transport(tls_bmc.url,
                               tls=TlsOptions(pin_fingerprint=self_signed.fingerprint))
    with transport.open():
        assert transport.root["Links"]["Sessions"]["@odata.id"].endswith("Sessions")


def test_wrong_pinned_fingerprint_refused(tls_bmc) -> None:
    tls_bmc.standard()
    with pytest.raises(errors.TlsError):
        make_transport(tls_bmc.url, tls=TlsOptions(pin_fingerprint="ab" * 32)).open()
    assert not tls_bmc.requests


def test_insecure_accepts_and_warns_once(tls_bmc, monkeypatch, caplog) -> None:
    tls_bmc.standard()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            with make_transport(tls_bmc.url, tls=TlsOptions(insecure=True)).open() as t:
                t.get("/redfish/v1/Systems")
    assert not [w for w in caught if "verification is disabled" in str(w.message)], \
        "the log line is the one warning: no UserWarning pointing into requests"
    assert not [w for w in caught if "Unverified HTTPS" in str(w.message)]
    assert caplog.text.count("verification is disabled") == 1


def test_insecure_warns_once_per_bmc_naming_it(monkeypatch, caplog) -> None:
    """Two BMCs with ``insecure``: one warning each, naming it (not one per process)."""
    import hamnhw
    from hamnhw.sim import ServerSpec, SimCluster

    with SimCluster([ServerSpec(name="a"), ServerSpec(name="b")], tls=True) as cluster:
        urls = [server.url for server in cluster]
        for _ in range(2):
            results = list(hamnhw.fanout(urls, lambda node: node.power.state(),
                                         username=cluster["a"].username,
                                         password=cluster["a"].password,
                                         insecure=True, concurrency=1))
            assert all(result.ok for result in results)
    lines = [r.getMessage() for r in caplog.records if "verification is disabled" in r.getMessage()]
    assert len(lines) == 2, lines
    for url in urls:
        netloc = url.split("://", 1)[1]
        assert sum(netloc in line for line in lines) == 1, (netloc, lines)


def test_requests_ca_bundle_env_is_ignored(tls_bmc, self_signed, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(self_signed.cert))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(self_signed.cert))
    tls_bmc.standard()
    with pytest.raises(errors.TlsError):
        make_transport(tls_bmc.url).open()


def test_proxy_env_is_ignored(bmc, refused_url, monkeypatch) -> None:
    proxy = refused_url.replace("redfish+http", "http")
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    bmc.standard()
    with make_transport(bmc.url).open() as transport:
        assert transport.get("/redfish/v1/Systems") == {"Members": []}
    assert bmc.count("GET", "/redfish/v1/Systems") == 1


def test_https_proxy_env_is_ignored_for_tls(tls_bmc, self_signed, refused_url,
                                            monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", refused_url.replace("redfish+http", "http"))
    tls_bmc.standard()
    with make_transport(tls_bmc.url, tls=TlsOptions(ca_file=str(self_signed.cert))).open() as t:
        assert t.get("/redfish/v1/Systems") == {"Members": []}


# -- time limits -----------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [hang, drip, slow_headers], ids=["hang", "drip", "headers"])
def test_stalling_bmc_fails_within_deadline(bmc, behaviour) -> None:
    bmc.standard()
    bmc.behave("GET", "/redfish/v1/Slow", behaviour)
    transport = make_transport(bmc.url, timeouts=FAST).open()
    with pytest.raises(errors.BmcTimeout) as info, transport.operation(0.4):
        transport.get("/redfish/v1/Slow")
    err = info.value
    assert err.host == f"127.0.0.1:{bmc.port}"
    assert err.elapsed_s is not None and err.elapsed_s >= 0.3
    assert "127.0.0.1" in str(err) and "after" in str(err)
    assert bmc.count("GET", "/redfish/v1/Slow") == 1


def test_read_timeout_without_operation_block(bmc) -> None:
    bmc.standard()
    bmc.behave("GET", "/redfish/v1/Slow", hang)
    transport = make_transport(bmc.url, timeouts=Timeouts(connect=1, read=0.3, operation=10))
    transport.open()
    with pytest.raises(errors.BmcTimeout, match="read timed out"):
        transport.get("/redfish/v1/Slow")


def test_post_whose_answer_times_out_is_sent_once(bmc) -> None:
    bmc.standard()
    action = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
    bmc.behave("POST", action, hang)
    transport = make_transport(bmc.url, timeouts=FAST).open()
    with pytest.raises(errors.BmcTimeout), transport.operation(0.4):
        transport.post(action, {"ResetType": "ForceOff"})
    assert bmc.count("POST", action) == 1


def test_refused_port_is_unreachable(refused_url) -> None:
    with pytest.raises(errors.BmcUnreachable) as info:
        make_transport(refused_url).open()
    assert not isinstance(info.value, errors.TlsError)
    assert "127.0.0.1" in str(info.value)


def test_unresolvable_host_is_unreachable(monkeypatch) -> None:
    # No DNS query may leave the machine: name resolution fails here as a resolver would.
    def no_such_host(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(errors.BmcUnreachable, match="cannot connect"):
        make_transport("redfish+http://no-such-host.invalid").open()


def test_refused_port_says_cannot_connect(refused_url) -> None:
    with pytest.raises(errors.BmcUnreachable, match="cannot connect"):
        make_transport(refused_url).open()


def drop(handler) -> None:
    """Close the connection without an answer."""
    handler.close_connection = True
    handler.connection.shutdown(2)


def test_dropped_connection_on_post_is_not_resent(bmc) -> None:
    bmc.standard()

    bmc.behave("POST", "/redfish/v1/Actions/X", drop)
    transport = make_transport(bmc.url).open()
    with pytest.raises(errors.ConnectionDropped, match="may have acted on it") as info:
        transport.post("/redfish/v1/Actions/X", {})
    assert bmc.count("POST", "/redfish/v1/Actions/X") == 1
    assert exit_code_for(info.value) == 1, "not 'unreachable': the BMC got the request"


def test_dropped_connection_on_get_is_retried_then_unreachable(bmc, monkeypatch) -> None:
    bmc.standard()
    # the ServiceRoot read first, then the login on its connection: one idle connection
    redfish.ROOT_PACE.note(0.0)
    bmc.behave("GET", "/redfish/v1/Systems/1", drop)
    transport = make_transport(bmc.url, retry=NO_SLEEP).open()
    with pytest.raises(errors.BmcUnreachable, match="dropped before an answer") as info:
        transport.get("/redfish/v1/Systems/1")
    # The first went on the connection open() had just used: dropped unanswered, it looks
    # like a keep-alive connection the BMC closed and is sent once more at once on a new one
    # (docs/retries.md); then the GET's own retries, each on a new connection.
    assert bmc.count("GET", "/redfish/v1/Systems/1") == 1 + NO_SLEEP.max_attempts
    assert exit_code_for(info.value) == 3, "a read the BMC never answered is 'unreachable'"


def test_ssl_cert_file_env_does_not_change_trust(tls_bmc, self_signed, monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed.cert))
    with pytest.raises(errors.TlsError):
        make_transport(tls_bmc.url).open()
