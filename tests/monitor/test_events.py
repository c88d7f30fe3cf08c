"""``hamnhw events listen`` as a user runs it, against the simulator's EventService: SSE and
push each deliver a drive failure as a reported change within a few seconds (bounded waits),
subscriptions are found by Context, survive a BMC reset, are deleted on exit; --exec gets
the documented variables and no secret."""

from __future__ import annotations

import hashlib
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from monitor_helpers import PASSWORD, assert_no_secret, free_port, hamnhw_argv

from hamnhw.monitor.eventrecords import EventRecord, clean, is_storage_event, parse_event
from hamnhw.monitor.events import sse_payloads
from hamnhw.monitor.subscriptions import context_for, destination_for
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

WAIT_S = 20.0
"""Bound of every wait for a line (the assertion is on what arrives, not on how fast)."""


class Listener:
    """``hamnhw events listen`` in a subprocess, its JSON lines collected."""

    def __init__(self, env: dict[str, str], *args: str, debug: bool = False) -> None:
        level = ("--log-level", "debug") if debug else ()
        self.process = subprocess.Popen(hamnhw_argv(*level, "events", "listen",
                                                    "--check-interval", "0.5", *args),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env=env)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.raw: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.raw.append(line)
            self.lines.put(json.loads(line))

    def wait_for(self, event: str, **fields: Any) -> dict[str, Any]:
        """The first line (not yet consumed) of ``event`` with ``fields``; fails after WAIT_S."""
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no {event} {fields} within {WAIT_S}s; seen: {self.seen}")
            self.seen.append(line)
            if line["event"] == event and all(line.get(k) == v for k, v in fields.items()):
                return line

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=WAIT_S)
        return self.process.returncode, err


@pytest.fixture
def listeners() -> Iterator[list[Listener]]:
    started: list[Listener] = []
    yield started
    for listener in started:
        if listener.process.poll() is None:
            listener.process.kill()
            listener.process.communicate(timeout=10)


def fail_drive(cluster: SimCluster, server: SimServer) -> None:
    """A member of the RAID1 fails in the simulator's RAID model, which emits the BMC's
    events (DriveFailure, VolumeDegraded) itself."""
    cluster.fail_drive(server.drives[1].serial)


def test_sse_listener_reports_the_change(cluster: SimCluster, cli_env: dict[str, str],
                                         listeners: list[Listener]) -> None:
    primary = cluster["primary"]
    listener = Listener(cli_env, primary.url, debug=True)
    listeners.append(listener)
    assert listener.wait_for("subscribed")["mode"] == "sse"
    tokens = list(primary.state.sessions.values())
    assert tokens
    fail_drive(cluster, primary)
    change = listener.wait_for("volume_changed")
    assert (change["old"], change["new"], change["subject"]) == (
        "optimal", "degraded", "RAIDController1/Volume1")
    assert change["message_id"] in ("StorageDevice.1.2.DriveFailure",
                                    "StorageDevice.1.2.VolumeDegraded")
    code, err = listener.stop(signal.SIGINT)
    assert code == 0, err
    # the BMC notices the closed stream at its next keep-alive
    deadline = time.monotonic() + WAIT_S
    while primary.events.subscriptions and time.monotonic() < deadline:
        time.sleep(0.1)
    assert primary.events.subscriptions == []
    assert_no_secret(err, *listener.raw)
    for token in tokens:
        assert token not in err and token not in "".join(listener.raw)


def test_push_listener_reports_the_change_and_cleans_up(
        cli_env: dict[str, str], listeners: list[Listener]) -> None:
    spec = ServerSpec(name="pushy", power="On", post_time=0.0, boot_time=0.0, event_sse=False,
                      event_https_only=True, password=PASSWORD)
    with SimCluster([spec]) as cluster:
        server = cluster["pushy"]
        port = free_port()
        listener = Listener(cli_env, server.url, "--listen", f"127.0.0.1:{port}")
        listeners.append(listener)
        assert listener.wait_for("subscribed")["mode"] == "push"
        (sub,) = server.events.subscriptions
        base = f"https://127.0.0.1:{port}"
        token = (sub.destination or "").removeprefix(base + "/")
        assert sub.destination == destination_for(base, token)
        assert len(token) >= 32 and token != hashlib.sha256(server.url.encode()).hexdigest()[:16]
        assert sub.context == context_for(server.url)
        # review 9-14 item 5: the old guessable path (and any other) is refused
        guessed = hashlib.sha256(server.url.encode()).hexdigest()[:16]
        forged = requests.post(f"{base}/{guessed}", json={"Events": []}, verify=False,
                               timeout=10)
        assert forged.status_code == 404
        fail_drive(cluster, server)
        change = listener.wait_for("volume_changed")
        assert change["new"] == "degraded"
        # The simulator records a delivery once the listener's answer came back, which may be
        # after the listener already reported the change it read: wait for the record.
        for _ in range(200):
            if any(d.status == 204 for d in server.events.deliveries):
                break
            threading.Event().wait(0.05)
        assert any(d.status == 204 for d in server.events.deliveries)
        code, err = listener.stop()
        assert code == 0, err
        assert server.events.subscriptions == []
        deletes = [r for r in server.requests if r.method == "DELETE"
                   and "/EventService/Subscriptions/" in r.path]
        assert len(deletes) == 1
        assert_no_secret(err, *listener.raw)


def test_old_subscriptions_found_by_context_are_replaced(cli_env: dict[str, str],
                                                         listeners: list[Listener]) -> None:
    """A crashed run's subscriptions (hamnhw's Context, another run's token) are deleted
    before the one of this run is created; another client's is left alone."""
    spec = ServerSpec(name="old", power="On", post_time=0.0, boot_time=0.0, event_sse=False,
                      password=PASSWORD)
    with SimCluster([spec]) as cluster:
        server = cluster["old"]
        port = free_port()
        base = f"https://127.0.0.1:{port}"
        ours = {"Destination": destination_for(base, "an-earlier-runs-token"),
                "Context": context_for(server.url)}
        stale = {"Destination": "https://127.0.0.1:9/elsewhere", "Context": context_for(server.url)}
        other = {"Destination": "https://127.0.0.1:9/x", "Context": "someone else"}
        for body in (ours, stale, other):
            assert server.events.write("POST", "/redfish/v1/EventService/Subscriptions",
                                       body).status == 201  # type: ignore[union-attr]
        server.clear_requests()
        listener = Listener(cli_env, server.url, "--listen", f"127.0.0.1:{port}", "--mode", "push")
        listeners.append(listener)
        assert listener.wait_for("subscribed")["subscription"].endswith("/Subscriptions/4")
        posts = [r for r in server.requests if r.method == "POST" and r.path.endswith(
            "/Subscriptions")]
        deletes = sorted(r.path for r in server.requests if r.method == "DELETE")
        assert len(posts) == 1
        assert deletes == [f"/redfish/v1/EventService/Subscriptions/{n}" for n in (1, 2)]
        contexts = sorted(s.context or "" for s in server.events.subscriptions)
        assert contexts == sorted([context_for(server.url), "someone else"])
        listener.stop()
        assert [s.context for s in server.events.subscriptions] == ["someone else"]


def test_old_subscriptions_on_later_pages_are_found_and_replaced(
        cli_env: dict[str, str], listeners: list[Listener]) -> None:
    """A BMC paging its Subscriptions collection (``Members@odata.nextLink``, one a page):
    every page is read, so a crashed run's subscriptions beyond the first page are deleted
    too (before, the first page looked like the whole collection: the second stayed and this
    run's made two of hamnhw's)."""
    spec = ServerSpec(name="paged", power="On", post_time=0.0, boot_time=0.0, event_sse=False,
                      password=PASSWORD)
    with SimCluster([spec]) as cluster:
        server = cluster["paged"]
        port = free_port()
        collection = "/redfish/v1/EventService/Subscriptions"
        ours = {"Destination": destination_for(f"https://127.0.0.1:{port}", "an-earlier-token"),
                "Context": context_for(server.url)}
        other = {"Destination": "https://127.0.0.1:9/x", "Context": "someone else"}
        for body in (ours, other, dict(ours, Destination="https://127.0.0.1:9/elsewhere")):
            assert server.events.write("POST", collection,
                                       body).status == 201  # type: ignore[union-attr]
        server.inject("paged_members", path=collection, method="GET", page=1)
        server.clear_requests()
        listener = Listener(cli_env, server.url, "--listen", f"127.0.0.1:{port}", "--mode", "push")
        listeners.append(listener)
        assert listener.wait_for("subscribed")["subscription"].endswith("/Subscriptions/4")
        pages = [r.path for r in server.requests if r.method == "GET" and "?$skip=" in r.path]
        deletes = sorted(r.path for r in server.requests if r.method == "DELETE")
        assert pages == [f"{collection}?$skip=1", f"{collection}?$skip=2"]
        assert deletes == [f"{collection}/{n}" for n in (1, 3)]
        contexts = sorted(s.context or "" for s in server.events.subscriptions)
        assert contexts == sorted([context_for(server.url), "someone else"])
        listener.stop()


@pytest.mark.parametrize(("fault", "params", "why"), [
    ("no_members", {}, "no Members array"),
    ("paged_members", {"page": 1, "loop": 1}, "page already read")])
def test_subscriptions_not_listed_are_unknown_so_nothing_is_subscribed(
        cli_env: dict[str, str], listeners: list[Listener], fault: str,
        params: dict[str, int], why: str) -> None:
    """A Subscriptions collection without ``Members`` (null: the BMC did not tell, not
    "none"), or whose pages never end (not all read): hamnhw's subscription of an earlier
    run may be there, so a new one could be a second taking one of the BMC's few slots: the
    node's watch ends ``failed`` saying so, and nothing is POSTed or deleted."""
    spec = ServerSpec(name="unlisted", power="On", post_time=0.0, boot_time=0.0,
                      event_sse=False, password=PASSWORD)
    with SimCluster([spec]) as cluster:
        server = cluster["unlisted"]
        port = free_port()
        earlier = {"Destination": destination_for(f"https://127.0.0.1:{port}", "earlier-token"),
                   "Context": context_for(server.url)}
        assert server.events.write("POST", "/redfish/v1/EventService/Subscriptions",
                                   earlier).status == 201  # type: ignore[union-attr]
        server.inject(fault, path="/redfish/v1/EventService/Subscriptions", method="GET",
                      **params)
        server.clear_requests()
        listener = Listener(cli_env, server.url, "--listen", f"127.0.0.1:{port}",
                            "--mode", "push")
        listeners.append(listener)
        failed = listener.wait_for("failed")
        code = listener.process.wait(timeout=WAIT_S)
        assert "does not list its subscriptions" in failed["reason"], failed
        assert "Members" in failed["reason"] and "--mode sse" in failed["reason"]
        assert why in failed["reason"]
        writes = [(r.method, r.path) for r in server.requests
                  if r.method in ("POST", "DELETE") and "/EventService/" in r.path]
        assert writes == []
        assert [s.context for s in server.events.subscriptions] == [context_for(server.url)]
        assert code == 1, listener.seen  # its only node failed


def test_bmc_reset_is_reported_and_survived(cluster: SimCluster, cli_env: dict[str, str],
                                            listeners: list[Listener]) -> None:
    primary, standby = cluster["primary"], cluster["standby"]
    standby.set_power("On")
    port = free_port()
    listener = Listener(cli_env, primary.url, "--listen", f"127.0.0.1:{port}", "--mode", "push")
    listeners.append(listener)
    listener.wait_for("subscribed")
    primary.events.reset()
    lost = listener.wait_for("subscription_lost")
    assert "gone" in lost["reason"]
    listener.wait_for("subscribed")
    assert len(primary.events.subscriptions) == 1
    fail_drive(cluster, primary)
    assert listener.wait_for("volume_changed")["new"] == "degraded"
    code, _ = listener.stop()
    assert code == 0


def test_reset_bmc_giving_our_id_to_another_tool(cluster: SimCluster, cli_env: dict[str, str],
                                                listeners: list[Listener]) -> None:
    """Review 9-14 item 4: after a reset that drops subscriptions and numbers them from 1
    again, another tool's subscription takes hamnhw's old id.  The listener reports the
    loss, subscribes again, and on exit deletes its own subscription, not the other tool's."""
    primary = cluster["primary"]
    port = free_port()
    listener = Listener(cli_env, primary.url, "--listen", f"127.0.0.1:{port}", "--mode", "push")
    listeners.append(listener)
    first = listener.wait_for("subscribed")["subscription"]
    assert first.endswith("/Subscriptions/1")
    primary.events.reset(keep_subscriptions=False, reuse_ids=True)
    other = {"Destination": "https://127.0.0.1:9/other", "Context": "other-tool"}
    assert primary.events.write("POST", "/redfish/v1/EventService/Subscriptions",
                                other).status == 201  # type: ignore[union-attr]
    assert [s.id for s in primary.events.subscriptions] == ["1"]
    lost = listener.wait_for("subscription_lost")
    assert "no longer hamnhw's" in lost["reason"]
    assert listener.wait_for("subscribed")["subscription"].endswith("/Subscriptions/2")
    code, err = listener.stop()
    assert code == 0, err
    assert [(s.id, s.context) for s in primary.events.subscriptions] == [("1", "other-tool")]


def test_exit_leaves_a_subscription_that_is_no_longer_ours(
        cluster: SimCluster, cli_env: dict[str, str], listeners: list[Listener]) -> None:
    """Stopped before its check noticed the reset: the id now holds another tool's
    subscription, which the listener must not DELETE on its way out."""
    primary = cluster["primary"]
    listener = Listener(cli_env, primary.url, "--listen", f"127.0.0.1:{free_port()}",
                        "--mode", "push", "--check-interval", "3600")
    listeners.append(listener)
    assert listener.wait_for("subscribed")["subscription"].endswith("/Subscriptions/1")
    primary.events.reset(keep_subscriptions=False, reuse_ids=True)
    other = {"Destination": "https://127.0.0.1:9/other", "Context": "other-tool"}
    assert primary.events.write("POST", "/redfish/v1/EventService/Subscriptions",
                                other).status == 201  # type: ignore[union-attr]
    code, err = listener.stop()
    assert code == 0, err
    assert [(s.id, s.context) for s in primary.events.subscriptions] == [("1", "other-tool")]
    assert not [r for r in primary.requests if r.method == "DELETE"
                and "/Subscriptions/" in r.path]


def test_exec_gets_the_variables_and_no_secret(cluster: SimCluster, cli_env: dict[str, str],
                                               listeners: list[Listener], tmp_path: Path) -> None:
    primary = cluster["primary"]
    config = tmp_path / "hamnhw.toml"
    config.write_text(f'[primary]\nbmc = "{primary.url}"\nusername = "admin"\n'
                      'password_env = "MN_BMC_PW"\n[primary.ipmi]\nurl = "ipmi://127.0.0.1:9"\n'
                      'password_env = "PRI_IPMI_PW"\nkg_env = "PRI_KG"\n')
    out = tmp_path / "env.json"
    script = tmp_path / "hook.py"
    script.write_text("import json, os, sys\n"
                      f"open({str(out)!r}, 'a').write(json.dumps(dict(os.environ)) + '\\n')\n")
    ipmi_secrets = {"PRI_IPMI_PW": "ipmi-pw-5Rt2", "PRI_KG": "kg-9Xc4",
                    "UNNAMED_TOKEN": "tok-3Hh8"}  # the last one: named by no config
    env = dict(cli_env, MN_BMC_PW=PASSWORD, **ipmi_secrets)
    listener = Listener(env, "primary", "--config", str(config),
                        "--exec", f"{sys.executable} {script}")
    listeners.append(listener)
    listener.wait_for("subscribed")
    cluster.pull_drive(primary.drives[1].serial, "primary")
    primary.events.emit("StorageDevice.1.2.DriveFailure", "evil\x1b[31m; rm -rf / \n$(id)",
                        "Critical", origin="/redfish/v1/Systems/1/Storage/X/Drives/Bay2")
    listener.wait_for("volume_changed")
    deadline = time.monotonic() + WAIT_S
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    listener.stop()
    runs = [json.loads(line) for line in out.read_text().splitlines()]
    volume = next(r for r in runs if r["HAMNHW_EVENT"] == "volume_changed")
    assert volume["HAMNHW_NODE"] == "primary"
    assert (volume["HAMNHW_OLD"], volume["HAMNHW_NEW"]) == ("optimal", "degraded")
    assert volume["HAMNHW_SUBJECT"] == "RAIDController1/Volume1"
    assert volume["HAMNHW_MESSAGE_ID"] == "StorageDevice.1.2.DriveFailure"
    assert "\x1b" not in volume["HAMNHW_JSON"] and "\n" not in volume["HAMNHW_JSON"]
    for run in runs:
        assert "HAMNHW_PASSWORD" not in run and "MN_BMC_PW" not in run
        assert not set(ipmi_secrets) & set(run)  # review 9-14 item 3
        assert PASSWORD not in json.dumps(run)
        assert not any(value in json.dumps(run) for value in ipmi_secrets.values())
        assert run["PATH"] == env["PATH"]


def test_only_storage_events_trigger_a_reread(cluster: SimCluster, cli_env: dict[str, str],
                                              listeners: list[Listener]) -> None:
    primary = cluster["primary"]
    listener = Listener(cli_env, primary.url, "--check-interval", "3600")
    listeners.append(listener)
    listener.wait_for("subscribed")
    primary.clear_requests()
    primary.events.emit("Base.1.16.Success", "nothing to see", origin="/redfish/v1/Managers/BMC")
    time.sleep(0.5)  # apart from the next event, so that the two are not read as one burst
    primary.events.storage("drive_ok", origin="/redfish/v1/Systems/1/Storage/R/Drives/Bay1",
                           location="Bay 1")

    def volume_reads() -> int:
        return sum(1 for r in primary.requests if r.path.rstrip("/").endswith("/Volumes"))

    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and not volume_reads():
        time.sleep(0.1)
    listener.stop()
    assert volume_reads() == 1


# -- parsing, on hand-made input ----------------------------------------------------------------
def test_sse_payloads() -> None:
    lines = [": keep-alive", "", "id: 1", "data: {\"a\":", "data: 1}", "", "retry: 5", "",
             "data:{}", ""]
    assert list(sse_payloads(iter(lines))) == ['{"a":\n1}', "{}"]


def test_parse_event_is_defensive() -> None:
    context, records = parse_event({"Context": "c\x00x", "Events": [
        {"MessageId": "StorageDevice.1.2.DriveFailure", "OriginOfCondition": {"@odata.id": 5}},
        "junk", {"MessageId": "A" * 5000}]})
    assert context == "c x"
    assert len(records) == 2 and len(records[1].message_id or "") == 200
    with pytest.raises(ValueError):
        parse_event("[1]")
    assert clean("a\x07b\x9bc") == "a b c"


def test_storage_event_classification() -> None:
    def record(message_id: str, origin: str | None = None) -> EventRecord:
        return EventRecord(message_id, None, None, origin)

    assert is_storage_event(record("StorageDevice.1.0.VolumeDegraded"))
    assert is_storage_event(record("Vendor.1.Thing", "/redfish/v1/Systems/1/Storage/R/Volumes/1"))
    assert is_storage_event(record("IDRAC.2.8.PDR1016"), ("IDRAC.2.8.PDR",))
    assert not is_storage_event(record("Base.1.0.Success", "/redfish/v1/Managers/1"))
    assert not is_storage_event(record("StorageDeviceX.1.0.Y"))
