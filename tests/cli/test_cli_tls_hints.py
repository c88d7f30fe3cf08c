"""The hint after a TLS verification failure fits the failure: a certificate for other
names says which names it carries (not "give --ca-file", which was given); an expired one
says when it expired and that a pin accepts it regardless of its dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from cli_helpers import json_out, run
from tls_certs import NOW, SignedCert

from hamnhw.cli.tls_hint import colon_hex, tls_hint
from hamnhw.sim import ServerSpec, SimCluster, SimServer
from hamnhw.transport.peercert import CertFacts, cert_facts

SHOWN = colon_hex("ab" * 32)
EXPIRED_ON = NOW - dt.timedelta(days=1)


def serving(cert: SignedCert) -> Iterator[SimServer]:
    cluster = SimCluster([ServerSpec(name="bmc")])
    cluster.cert = cert  # type: ignore[assignment]  # the simulator serves it
    with cluster:
        yield cluster["bmc"]


@pytest.fixture(scope="module")
def localhost_only() -> Iterator[tuple[SimServer, SignedCert]]:
    cert = SignedCert(["localhost"])
    for server in serving(cert):
        yield server, cert


@pytest.fixture(scope="module")
def expired() -> Iterator[tuple[SimServer, SignedCert]]:
    cert = SignedCert(["127.0.0.1"], not_before=NOW - dt.timedelta(days=60),
                      not_after=EXPIRED_ON)
    for server in serving(cert):
        yield server, cert


def env_of(server: SimServer) -> dict[str, str]:
    return {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}


# -- the hint itself ------------------------------------------------------------------------

def test_name_mismatch_lists_the_names_the_certificate_carries() -> None:
    facts = CertFacts(("localhost", "10.0.0.5"), NOW, NOW)
    hint = tls_hint("TLS verification failed: IP address mismatch, certificate is not valid "
                    "for '127.0.0.1'.", SHOWN, host="127.0.0.1", facts=facts, ca_given=True)
    assert "is for localhost, 10.0.0.5, not 127.0.0.1" in hint
    assert "--ca-file" not in hint
    assert f"--pin-fingerprint {SHOWN}" in hint and "whatever names" in hint


def test_name_mismatch_without_the_certificate_read_still_says_other_names() -> None:
    hint = tls_hint("Hostname mismatch, certificate is not valid for 'bmc1'.", SHOWN,
                    host="bmc1", facts=None, ca_given=True)
    assert "names other hosts than bmc1" in hint and "--ca-file" not in hint


def test_expired_says_when_and_that_a_pin_ignores_dates() -> None:
    facts = CertFacts((), NOW - dt.timedelta(days=60), dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC))
    hint = tls_hint("certificate verify failed: certificate has expired", SHOWN,
                    host="bmc1", facts=facts, ca_given=True)
    assert "expired on 2026-03-04 05:06 UTC" in hint
    assert "renew it" in hint and "whatever its dates, expired included" in hint
    assert "--ca-file" not in hint


def test_untrusted_with_a_ca_file_given_says_it_did_not_sign() -> None:
    hint = tls_hint("unable to get local issuer certificate", SHOWN, host="bmc1", facts=None,
                    ca_given=True)
    assert "the one given did not" in hint
    assert hint.index("--ca-file") < hint.index("--pin-fingerprint") < hint.index("--insecure")


def test_cert_facts_reads_names_and_dates() -> None:
    cert = SignedCert(["localhost", "10.1.2.3"], not_after=EXPIRED_ON)
    try:
        facts = cert_facts(cert.der)
    finally:
        cert.cleanup()
    assert facts is not None
    assert facts.names == ("localhost", "10.1.2.3") and facts.not_after == EXPIRED_ON
    assert cert_facts(b"not a certificate") is None


# -- through the CLI, against a simulator serving the certificate -----------------------

def refused_with_its_ca(server: SimServer, cert: SignedCert) -> dict[str, str]:
    """The JSON error of ``power status`` given the CA that signed the certificate."""
    result = run("--json", "power", "status", "--ca-file", cert.ca_file, server.url,
                 env=env_of(server))
    assert result.exit_code == 3, result.output
    return json_out(result)["error"]


def test_localhost_only_certificate_reached_by_ip_names_localhost(
        localhost_only: tuple[SimServer, SignedCert], no_retry_sleep: list[float]) -> None:
    server, cert = localhost_only
    error = refused_with_its_ca(server, cert)
    assert "IP address mismatch" in error["message"]
    assert "is for localhost, not 127.0.0.1" in error["message"]
    assert "--ca-file" not in error["message"].split(";", 1)[1]
    assert error["fingerprint"] == cert.fingerprint


def test_expired_certificate_says_so_and_a_pin_accepts_it(
        expired: tuple[SimServer, SignedCert], no_retry_sleep: list[float]) -> None:
    server, cert = expired
    message = refused_with_its_ca(server, cert)["message"]
    assert f"expired on {EXPIRED_ON:%Y-%m-%d %H:%M} UTC" in message
    assert "expired included" in message
    pinned = run("--json", "power", "status", "--pin-fingerprint", cert.fingerprint,
                 server.url, env=env_of(server))
    assert pinned.exit_code == 0, "a pin trusts that exact certificate, expired or not"
