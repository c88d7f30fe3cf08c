"""An interrupted fan-out's abort (watchdog.abort_requests_in_flight) gives a login in
flight its grace: answered, its session is known and deleted at logout; hung, it ends within
the grace, not at its own deadline.  In-process against the simulator, with the ServiceRoot
read first (a quick pace), so the login goes where the ServiceRoot says (not the early one)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import hamnhw
from hamnhw.errors import HamnhwError
from hamnhw.sim import ServerSpec, SimCluster, SimServer
from hamnhw.transport import watchdog
from hamnhw.transport.redfish import ROOT_PACE

SESSIONS = "/redfish/v1/SessionService/Sessions"
GIVE_UP_S = 60.0
"""A guard against a hang, far below the deadlines given (not a timing assertion)."""


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimCluster([ServerSpec(name="bmc")]) as cluster:
        yield cluster["bmc"]


@pytest.fixture(autouse=True)
def _root_first() -> Iterator[None]:
    """ServiceRoots answer quickly here: the login is sent after the ServiceRoot's answer,
    by ``Authenticator._post_login``."""
    ROOT_PACE.forget()
    ROOT_PACE.note(0.001)
    yield
    ROOT_PACE.forget()


def login_in_flight(server: SimServer) -> bool:
    return any(r.method == "POST" and r.status is None for r in server.requests)


def wait_for(condition: Callable[[], bool]) -> None:
    give_up = time.monotonic() + GIVE_UP_S
    while not condition():
        assert time.monotonic() < give_up, "never happened"
        time.sleep(0.02)


def connect_in_thread(server: SimServer, outcome: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        try:
            outcome["node"] = hamnhw.connect(server.url, server.username, server.password,
                                             timeout=300, read_timeout=300)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_login_answered_after_the_abort_is_kept_and_logged_out(server: SimServer) -> None:
    server.inject("latency", method="POST", path=SESSIONS, seconds=1.0)
    outcome: dict[str, Any] = {}
    thread = connect_in_thread(server, outcome)
    wait_for(lambda: login_in_flight(server))
    watchdog.abort_requests_in_flight()
    thread.join(GIVE_UP_S)
    assert "error" not in outcome, outcome
    node = outcome["node"]
    assert [r.path for r in server.requests if r.method == "POST"] == [SESSIONS]
    assert len(server.state.sessions) == 1
    node.close()
    assert server.state.sessions == {}
    assert [r.status for r in server.requests if r.method == "DELETE"] == [204]


def test_a_hung_login_ends_within_its_grace_after_the_abort(server: SimServer) -> None:
    """Its deadline and read timeout are 300 s: only the grace (5 s) can end it within the
    guard."""
    server.inject("hang", method="POST", path=SESSIONS)
    outcome: dict[str, Any] = {}
    thread = connect_in_thread(server, outcome)
    wait_for(lambda: login_in_flight(server))
    watchdog.abort_requests_in_flight()
    thread.join(GIVE_UP_S)
    assert not thread.is_alive(), "the hung login outlived its grace"
    assert isinstance(outcome.get("error"), HamnhwError), outcome


HELD_SIGNAL = """
import os, signal, threading, time
import hamnhw
from hamnhw import interrupts
from hamnhw.errors import Interrupted
from hamnhw.sim import ServerSpec, SimCluster

with SimCluster([ServerSpec(name="bmc")]) as cluster:
    bmc = cluster["bmc"]
    bmc.inject("hang", method="POST", path="/redfish/v1/SessionService/Sessions")

    def signal_once_the_login_is_sent():
        while not any(r.method == "POST" for r in bmc.requests):
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=signal_once_the_login_is_sent, daemon=True).start()
    with interrupts.interruptible():
        try:
            hamnhw.connect(bmc.url, bmc.username, bmc.password, timeout=300,
                           read_timeout=300)
        except Interrupted as exc:
            print("interrupted", exc.signal_name)
"""


def test_a_signal_held_during_a_hung_login_ends_it_within_its_grace() -> None:
    """In a one-shot command's main thread the signal is held while the login is awaited;
    the login's deadline and read timeout are 300 s, so only the grace the signal gives it
    can end it before the child's guard (60 s)."""
    done = subprocess.run([sys.executable, "-c", HELD_SIGNAL], capture_output=True,
                          text=True, timeout=GIVE_UP_S, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "interrupted SIGINT"


WORKER_LOGIN = """
import json, os, signal, threading, time
import hamnhw
from hamnhw import interrupts
from hamnhw.errors import Interrupted
from hamnhw.sim import ServerSpec, SimCluster, actions
from hamnhw.transport.redfish import ROOT_PACE

made = actions.create_session

def without_location(state, body):  # the session's URI in the body only
    answer = made(state, body)
    answer.headers.pop("Location", None)
    return answer

actions.create_session = without_location
ROOT_PACE.note(0.001)  # the ServiceRoot first, the login after it (as in a busy fan-out)
with SimCluster([ServerSpec(name="bmc")]) as cluster:
    bmc = cluster["bmc"]
    bmc.inject("latency", method="POST", path="/redfish/v1/SessionService/Sessions",
               seconds=1.0)
    outcome = {}

    def work():
        try:
            hamnhw.connect(bmc.url, bmc.username, bmc.password, timeout=30).close()
            outcome["worker"] = "connected"
        except Interrupted as exc:
            outcome["worker"] = exc.signal_name

    worker = threading.Thread(target=work)
    with interrupts.interruptible():
        try:
            worker.start()
            while not any(r.method == "POST" for r in bmc.requests):
                time.sleep(0.02)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(30)
        except Interrupted:
            pass
        worker.join(30)
    outcome["post"] = [r.status for r in bmc.requests if r.method == "POST"]
    outcome["delete"] = [r.status for r in bmc.requests if r.method == "DELETE"]
    outcome["left"] = len(bmc.state.sessions)
    print(json.dumps(outcome))
"""


def test_a_worker_login_answered_after_a_signal_is_deleted_by_its_body() -> None:
    """A fan-out worker's login answered after SIGINT: the answer is read whole, so a BMC
    naming the session only in the body (no Location) still gets its DELETE."""
    done = subprocess.run([sys.executable, "-c", WORKER_LOGIN], capture_output=True,
                          text=True, timeout=GIVE_UP_S, check=False)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome == {"worker": "SIGINT", "post": [201], "delete": [204], "left": 0}


ARMED_AFTER_SIGNAL = """
import os, signal, socket, time
from hamnhw import interrupts
from hamnhw.errors import Interrupted
from hamnhw.transport import watchdog

with interrupts.interruptible():
    try:
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGINT)  # held; no request in flight yet
            with watchdog.spared_from_abort(0.2):
                dog = watchdog.Watchdog()
            left, right = socket.socketpair()
            dog.watch(left)
            dog.arm(300.0)  # a login sent after the signal came
            give_up = time.monotonic() + 30
            while not dog.fired and time.monotonic() < give_up:
                time.sleep(0.01)
            print("fired" if dog.fired else "still armed")
    except Interrupted:
        pass
"""


def test_a_spared_request_armed_after_a_held_signal_gets_only_its_grace() -> None:
    """A signal that came before the login's watchdog was armed cannot hurry it: arming
    itself caps it at the grace (else Ctrl-C would wait for the login's own deadline)."""
    done = subprocess.run([sys.executable, "-c", ARMED_AFTER_SIGNAL], capture_output=True,
                          text=True, timeout=GIVE_UP_S, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fired"
