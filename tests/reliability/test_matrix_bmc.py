"""Fault matrix rows about one BMC: power answers, slow and broken replies, credentials,
certificates and bodies, against the simulator (or a scripted peer) over loopback.

Each test's docstring is the row's expected behaviour; each asserts it, with the requests
the simulated BMC saw.  Rows already asserted elsewhere are listed in docs/reliability.md
with the test that covers them.
"""

from __future__ import annotations

import hashlib
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hamnhw
from hamnhw import errors
from hamnhw.models import PowerState
from hamnhw.node import Node
from hamnhw.poll import PollPolicy
from hamnhw.sim import ManualClock, ServerSpec, SimCluster, SimServer
from hamnhw.sim import resources as sim_resources
from hamnhw.sim.bays import DriveBays

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
RESET = f"{SYSTEM}/Actions/ComputerSystem.Reset"
SESSIONS = "/redfish/v1/SessionService/Sessions"


def count(server: SimServer, method: str, path: str) -> int:
    return sum(1 for r in server.requests if r.method == method and r.path.rstrip("/") == path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="node", power="On", power_delay=6.0)],
                    clock=clock, sleep=clock.sleep) as cluster:
        yield cluster["node"]


def connect(server: SimServer, clock: ManualClock, **options: Any) -> Node:
    poll = PollPolicy(interval=1.0, timeout=30.0, clock=clock, sleep=clock.sleep)
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=poll, **{"timeout": 10.0, **options})


def test_power_off_over_seconds_waits_through_powering_off(sim: SimServer,
                                                           clock: ManualClock) -> None:
    """On -> PoweringOff -> Off over 6 s: ``off()`` sends one ForceOff, keeps reading
    through PoweringOff, and reports Off only after two Off reads in a row (never at the
    first PoweringOff or Off read)."""
    with connect(sim, clock) as node:
        result = node.power.off(timeout=30)
    assert result.power_state is PowerState.OFF and result.changed
    assert count(sim, "POST", RESET) == 1
    reads = [r.time for r in sim.requests if r.method == "GET" and r.path == SYSTEM]
    off_since = min(t for t in reads if t >= reads[0] + 6.0)
    assert len([t for t in reads if t < off_since]) >= 3, "PoweringOff was read and waited"
    assert len([t for t in reads if t >= off_since]) >= 2, "Off read twice"
    assert clock.now - reads[0] >= 6.0


ODD_POWER = {"OFF": "OFF", "null": None, "missing": ...}


@pytest.mark.parametrize("shown", ["OFF", "null", "missing", "html"])
def test_power_state_off_in_capitals_null_missing_or_html(
        sim: SimServer, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, shown: str) -> None:
    """PowerState ``"OFF"``, null or missing reads as unknown (never off) and an HTML page
    as a MalformedResponse naming the BMC; ``off()`` then never reports off: one ForceOff
    at most, then a timeout."""
    if shown == "html":
        sim.inject("html_error", path=SYSTEM, method="GET", status=200)
    else:
        render = sim_resources.render

        def odd(state: Any, path: str) -> Any:
            doc = render(state, path)
            if path.rstrip("/") == SYSTEM and isinstance(doc, dict):
                doc.pop("PowerState")
                if ODD_POWER[shown] is not ...:
                    doc["PowerState"] = ODD_POWER[shown]
            return doc

        monkeypatch.setattr(sim_resources, "render", odd)
    with connect(sim, clock) as node:
        if shown == "html":
            with pytest.raises(errors.MalformedResponse, match=f"127.0.0.1:{sim.port}"):
                node.power.state()
        else:
            assert node.power.state() is PowerState.UNKNOWN
        with pytest.raises(errors.HamnhwError) as info:
            node.power.off(timeout=10)
    assert not isinstance(info.value, errors.AuthenticationError)
    assert count(sim, "POST", RESET) <= 1


def test_409_on_force_off_when_already_off(sim: SimServer, clock: ManualClock,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A ForceOff answered 409 because the node is already off (a stale On read before it):
    a fresh read decides; Off is a success with ``changed=False``, the 409 is not an error
    and the ForceOff is not sent again."""
    sim.set_power("Off")
    render = sim_resources.render
    first = {"done": False}

    def stale_first_read(state: Any, path: str) -> Any:
        doc = render(state, path)
        if path.rstrip("/") == SYSTEM and not first["done"] and isinstance(doc, dict):
            first["done"] = True
            doc["PowerState"] = "On"
        return doc

    with connect(sim, clock) as node:
        monkeypatch.setattr(sim_resources, "render", stale_first_read)
        result = node.power.off(timeout=10)
    assert result.power_state is PowerState.OFF and not result.changed
    posts = [r.status for r in sim.requests if r.path == RESET]
    assert posts == [409]


@pytest.fixture
def live() -> Iterator[SimServer]:
    """A simulated BMC on the real clock (latency and byte-drip faults take real time)."""
    with SimCluster([ServerSpec(name="live", power="On")]) as cluster:
        yield cluster["live"]


def live_connect(server: SimServer, **options: Any) -> Node:
    poll = PollPolicy(interval=0.1, timeout=5.0)
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          poll=poll, **{"timeout": 10.0, **options})


def test_byte_dripping_bmc_is_a_timeout_within_the_deadline(live: SimServer) -> None:
    """A BMC that answers one byte at a time: BmcTimeout within the operation deadline
    (1 s), the GET retried at most as the retry policy allows, nothing else sent."""
    with live_connect(live, timeout=1.0, read_timeout=5.0) as node:
        before = len(live.requests)
        live.inject("byte_drip", path=SYSTEM, method="GET", interval=0.2)
        with pytest.raises(errors.BmcTimeout):
            node.power.state()
        live.clear_faults()
        gets = count(live, "GET", SYSTEM) - count_before(live, before)
        assert 1 <= gets <= 4
        assert [r.method for r in live.requests[before:]] == ["GET"] * gets


def count_before(server: SimServer, index: int) -> int:
    return sum(1 for r in server.requests[:index] if r.method == "GET" and r.path == SYSTEM)


def test_reply_timeout_on_a_post_the_bmc_executed(live: SimServer) -> None:
    """The BMC executes the ForceOff but its answer comes after the read timeout: exactly
    one POST is seen, never a second; the state read afterwards decides (Off twice: off),
    else StateUnconfirmed."""
    live.inject("latency", path=RESET, method="POST", seconds=1.0)
    with live_connect(live, read_timeout=0.4, timeout=10.0) as node:
        try:
            result = node.power.off(timeout=5)
        except errors.StateUnconfirmed:
            result = None
    assert count(live, "POST", RESET) == 1
    assert live.power_state == "Off"
    assert result is None or result.power_state is PowerState.OFF


def test_wrong_password_one_login_and_nothing_leaked(sim: SimServer, clock: ManualClock,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A wrong password: AuthenticationError at once, one session login (no retry loop, no
    basic-auth retry with it), the password in no error, log or request record."""
    password = "Wr0ng-Canary-pw-7731"
    caplog.set_level("DEBUG")
    with pytest.raises(errors.AuthenticationError) as info:
        hamnhw.connect(sim.url, username=sim.username, password=password, timeout=10.0)
    assert count(sim, "POST", SESSIONS) == 1
    assert not [r for r in sim.requests if r.auth == "basic" or r.path.startswith(SYSTEM)]
    assert password not in str(info.value) and password not in repr(info.value.__dict__)
    assert password not in caplog.text
    assert not any(password in repr(r.body) for r in sim.requests)


# -- certificates ----------------------------------------------------------------------------

class Cert:
    """A self-signed certificate made with openssl for the given names."""

    def __init__(self, folder: Path, common_name: str, san: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.cert_file, self.key_file = str(folder / "cert.pem"), str(folder / "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                        "2", "-subj", f"/CN={common_name}", "-addext", f"subjectAltName={san}",
                        "-keyout", self.key_file, "-out", self.cert_file],
                       check=True, capture_output=True)
        der = ssl.PEM_cert_to_DER_cert(Path(self.cert_file).read_text())
        self.fingerprint = hashlib.sha256(der).hexdigest()

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def serve(cert: Cert, port: int = 0) -> SimServer:
    spec = ServerSpec(name="node", power="On")
    bays = DriveBays()
    bays.add_server(spec.name, spec.bay_names, spec.drives or ())
    return SimServer(spec, bays, ManualClock(), port=port, tls=cert).start()


def tls_connect(server: SimServer, **trust: Any) -> Node:
    return hamnhw.connect(f"redfish://127.0.0.1:{server.port}", username=server.username,
                          password=server.password, timeout=10.0, **trust)


def test_self_signed_certificate_refused_then_accepted_with_its_ca_or_pin(
        tmp_path: Path) -> None:
    """A self-signed certificate (right names): refused with the system store (TlsError,
    no HTTP request reaches the BMC); accepted with its CA file, and with its pin."""
    cert = Cert(tmp_path / "ok", "127.0.0.1", "IP:127.0.0.1")
    server = serve(cert)
    try:
        with pytest.raises(errors.TlsError):
            tls_connect(server)
        assert server.requests == []
        for trust in ({"ca_file": cert.cert_file}, {"pin_fingerprint": cert.fingerprint}):
            with tls_connect(server, **trust) as node:
                assert node.power.state() is PowerState.ON
    finally:
        server.stop()


def test_wrong_cn_certificate_refused_even_with_its_ca_accepted_only_with_the_pin(
        tmp_path: Path) -> None:
    """A certificate naming another host: refused with the system store and with its own
    CA file (the name does not match; no HTTP request reaches the BMC); accepted only with
    its pin (the pin is the identity)."""
    cert = Cert(tmp_path / "cn", "bmc.other.test", "DNS:bmc.other.test")
    server = serve(cert)
    try:
        for trust in ({}, {"ca_file": cert.cert_file}):
            with pytest.raises(errors.TlsError):
                tls_connect(server, **trust)
        assert server.requests == []
        with tls_connect(server, pin_fingerprint=cert.fingerprint) as node:
            assert node.power.state() is PowerState.ON
    finally:
        server.stop()


def test_changed_certificate_under_a_pin_is_refused(tmp_path: Path) -> None:
    """The BMC's certificate changes while hamnhw pins the old one: TlsError naming the
    fingerprint presented, and not one HTTP request (no password) reaches the new one."""
    old = Cert(tmp_path / "old", "127.0.0.1", "IP:127.0.0.1")
    server = serve(old)
    port = server.port
    with tls_connect(server, pin_fingerprint=old.fingerprint) as node:
        node.power.state()
    server.stop()
    new = Cert(tmp_path / "new", "127.0.0.1", "IP:127.0.0.1")
    server = serve(new, port)
    try:
        with pytest.raises(errors.TlsError) as info:
            tls_connect(server, pin_fingerprint=old.fingerprint)
        assert new.fingerprint[:16] in str(info.value).replace(":", "").lower()
        assert server.requests == []
    finally:
        server.stop()
