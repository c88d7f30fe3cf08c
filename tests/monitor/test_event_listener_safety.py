"""The listener's defences, in-process: under a flood of forged events against the simulator
over real HTTPS (review 9-14 item 5) re-reads are paced (one per ``min_reread_interval``,
whatever the number of events), waiting events are bounded, and the change reported says that
the event which triggered it is unauthenticated; bodies over MAX_BODY are refused unread;
refused credentials end a watcher at once (never retried: lockout); ``--exec`` runs without a
shell."""

from __future__ import annotations

import io
import json
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from monitor_helpers import PASSWORD

import hamnhw
from hamnhw.errors import AuthenticationError
from hamnhw.monitor import events
from hamnhw.monitor.events import NodeWatcher, Settings
from hamnhw.monitor.receiver import MAX_BODY, EventReceiver
from hamnhw.monitor.report import Report, Reporter
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.tls import SelfSignedCert

pytestmark = pytest.mark.e2e
WAIT_S = 20.0
FORGED = {"Events": [{"MessageId": "StorageDevice.1.2.DriveFailure", "Message": "forged $(id)",
                      "OriginOfCondition": {"@odata.id": "/redfish/v1/Systems/1/Storage/X"}}]}


@pytest.fixture
def receiver() -> Iterator[EventReceiver]:
    cert = SelfSignedCert("hamnhw-events")
    listening = EventReceiver("127.0.0.1", 0, cert.cert_file, cert.key_file).start()
    yield listening
    listening.stop()
    cert.cleanup()


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _wait_for(out: io.StringIO, event: str) -> dict[str, object]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = [line for line in _lines(out) if line["event"] == event]
        if found:
            return found[0]
        time.sleep(0.05)
    pytest.fail(f"no {event} within {WAIT_S}s: {out.getvalue()}")


def test_forged_flood_costs_one_reread_and_is_labelled(receiver: EventReceiver) -> None:
    spec = ServerSpec(name="pushy", power="On", post_time=0.0, boot_time=0.0, event_sse=False,
                      password=PASSWORD)
    with SimCluster([spec]) as cluster:
        server = cluster["pushy"]
        out = io.StringIO()
        settings = Settings("push", f"https://127.0.0.1:{receiver.port}", check_interval=3600,
                            min_reread_interval=3600)
        watcher = NodeWatcher("pushy", lambda: hamnhw.connect(
            server.url, "admin", PASSWORD, timeout=10), Reporter(out), settings, receiver)
        watcher.start()
        try:
            _wait_for(out, "subscribed")
            (sub,) = server.events.subscriptions
            server.clear_requests()
            cluster.fail_drive(server.drives[1].serial)  # the sim pushes its own events
            change = _wait_for(out, "volume_changed")
            assert change["trigger"]["source"] == events.PUSH_SOURCE  # type: ignore[index]
            answers = {requests.post(sub.destination or "", json=FORGED, verify=False,
                                     timeout=10).status_code for _ in range(30)}
            assert answers == {204}
        finally:
            watcher.stop()
            watcher.join(WAIT_S)
        assert not watcher.is_alive()
        volume_reads = [r for r in server.requests if r.path.rstrip("/").endswith("/Volumes")]
        assert len(volume_reads) == 1  # the sim's events and 30 forged ones: one re-read
        assert len([line for line in _lines(out) if line["event"] == "volume_changed"]) == 1


def test_waiting_events_are_bounded() -> None:
    watcher = NodeWatcher("n", lambda: None, Reporter(io.StringIO()), Settings())
    accepted = [watcher.deliver(b"{}", events.PUSH_SOURCE)
                for _ in range(events.MAX_PENDING_EVENTS + 10)]
    assert accepted == [True] * events.MAX_PENDING_EVENTS + [False] * 10


def test_bodies_over_max_body_are_refused_unread(receiver: EventReceiver) -> None:
    delivered: list[bytes] = []
    receiver.route("tok", delivered.append)
    # the header alone: the listener must answer from it, before (and without) the body
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as raw, \
            context.wrap_socket(raw) as tls:
        tls.sendall(f"POST /events/tok HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode())
        status_line = tls.recv(4096).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"400" and delivered == []
    url = f"https://127.0.0.1:{receiver.port}/events/tok"
    fits = requests.post(url, data=b"{}", verify=False, timeout=10)
    assert fits.status_code == 204
    deadline = time.monotonic() + WAIT_S  # the listener answers first, then delivers
    while not delivered and time.monotonic() < deadline:
        time.sleep(0.01)
    assert delivered == [b"{}"]


def test_refused_credentials_end_the_watcher_without_retrying() -> None:
    attempts: list[int] = []

    def connect() -> object:
        attempts.append(1)
        raise AuthenticationError("login refused", host="n")

    out = io.StringIO()
    watcher = NodeWatcher("n", connect, Reporter(out), Settings()).start()
    watcher.join(WAIT_S)
    alive = watcher.is_alive()
    watcher.stop()
    assert not alive and watcher.failed and attempts == [1]
    assert [line["event"] for line in _lines(out)] == ["failed"]


def test_exec_runs_without_a_shell(tmp_path: Path) -> None:
    record, marker = tmp_path / "argv.json", tmp_path / "touched"
    script = tmp_path / "hook.py"
    script.write_text(f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv))\n")
    argv = [sys.executable, str(script), f"a; touch {marker}", "$HOME"]
    reporter = Reporter(io.StringIO(), argv)
    reporter.report(Report("n", "volume_changed", {"old": "optimal", "new": "degraded"}))
    reporter.close()
    assert json.loads(record.read_text())[1:] == argv[2:]
    assert not marker.exists()


def test_a_stalled_sender_is_dropped_and_holds_no_thread(monkeypatch: pytest.MonkeyPatch,
                                                         receiver: EventReceiver) -> None:
    """A connection that never does the TLS handshake, and one that sends half its headers,
    are both closed by the listener once they stall for its client timeout."""
    from hamnhw.monitor import receiver as module
    monkeypatch.setattr(module, "CLIENT_TIMEOUT_S", 0.3)
    silent = socket.create_connection(("127.0.0.1", receiver.port), timeout=20)
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    half = context.wrap_socket(socket.create_connection(("127.0.0.1", receiver.port),
                                                        timeout=20))
    half.sendall(b"POST /events/tok HTTP/1.1\r\nHost: x\r\n")
    with silent, half:
        assert silent.recv(1) == b"", "the silent connection was closed by the listener"
        try:
            closed = half.recv(1) == b""
        except (ConnectionError, ssl.SSLError):
            closed = True
        assert closed, "the half-sent request was dropped"
