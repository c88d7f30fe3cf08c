"""One SSLContext per TLS choice per process, one watchdog thread per process."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

import hamnhw
from hamnhw.errors import TlsError
from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.transport import tlscontext, watchdog

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)


@pytest.fixture(scope="module")
def https() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name=n) for n in ("a", "b")], tls=True) as cluster:
        yield cluster


def connect_each_way(https: SimCluster) -> None:
    """Each server, verified by the CA file and by a pin."""
    for server in https:
        for tls in ({"ca_file": https.cert_file}, {"pin_fingerprint": https.fingerprint}):
            with hamnhw.connect(server.url, server.username, server.password,
                                **tls) as node:  # type: ignore[arg-type]
                node.power.state()


def test_one_context_per_tls_choice_across_connections(https: SimCluster) -> None:
    assert https.cert_file is not None
    connect_each_way(https)  # warm: whatever this process built before
    built = tlscontext.built()
    connect_each_way(https)
    assert tlscontext.built() == built
    assert tlscontext.verifying(https.cert_file) is tlscontext.verifying(https.cert_file)


def test_the_shared_contexts_still_check_the_certificate(https: SimCluster,
                                                         tmp_path: object) -> None:
    server = https["a"]
    with pytest.raises(TlsError):  # a pin of another certificate
        hamnhw.connect(server.url, server.username, server.password,
                       pin_fingerprint="00" * 32)
    with pytest.raises(TlsError):  # the system store does not know the simulator's CA
        hamnhw.connect(server.url, server.username, server.password)


def test_one_watchdog_thread_fires_when_due_and_never_when_disarmed() -> None:
    left, right = socket.socketpair()
    with left, right:
        due = watchdog.Watchdog()
        due.watch(left)
        spared = [watchdog.Watchdog() for _ in range(50)]
        for dog in spared:
            dog.arm(5.0)
            dog.disarm()
        due.arm(0.01)
        done = threading.Event()
        for _ in range(500):  # a bound, not a timing assertion
            if due.fired:
                done.set()
                break
            done.wait(0.01)
        assert due.fired
        assert right.recv(1) == b""  # the watched socket was shut
        assert not any(dog.fired for dog in spared)
        assert watchdog.threads() == 1


def test_a_watchdog_lets_go_of_its_socket_before_the_pool_hands_it_on(
        https: SimCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several requests of one BMC share its keep-alive connections (the request gate): a
    socket put back in the pool may carry another thread's request at once, so the
    watchdog of the request that used it must no longer be able to shut it."""
    from hamnhw.transport import adapter

    dogs: list[watchdog.Watchdog] = []

    class Recorded(watchdog.Watchdog):
        def __init__(self) -> None:
            super().__init__()
            dogs.append(self)

    monkeypatch.setattr(adapter, "Watchdog", Recorded)
    server = https["a"]
    with hamnhw.connect(server.url, server.username, server.password,
                        ca_file=https.cert_file) as node:
        node.power.state()
        watched = [dog for dog in dogs if dog._sock is not None]
        assert dogs and not watched, f"{len(watched)} of {len(dogs)} still watch a socket"
        for dog in dogs:  # a late firing shuts nothing: the next request still goes
            dog.cancelled = False
            dog.fire()
        node.power.state()


def test_disarmed_watchdogs_do_not_pile_up_in_the_heap() -> None:
    """Disarming takes no lock: the disarmed entries are dropped when arming finds the heap
    grown, so that a long run of requests with distant deadlines keeps it bounded; armed
    entries are kept."""
    scheduler = watchdog._Scheduler()
    scheduler._thread = threading.current_thread()  # no firing thread for this one
    armed = watchdog.Watchdog()
    scheduler.schedule(armed, time.monotonic() + 3600.0)
    for _ in range(5 * scheduler.PRUNE_AT):
        dog = watchdog.Watchdog()
        scheduler.schedule(dog, time.monotonic() + 3600.0)
        dog.disarm()
    assert len(scheduler._heap) <= scheduler.PRUNE_AT
    assert scheduler.pending() == 1
    assert any(entry[2] is armed for entry in scheduler._heap)


def test_a_ca_file_is_looked_at_once_per_connection(https: SimCluster,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The context checked up front (a missing or unusable ca_file fails before anything
    is sent) is the one the connections use: the file is not looked at again."""
    server = https["a"]
    looked: list[str] = []
    verifying = tlscontext.verifying

    def counted(path: str) -> object:
        looked.append(path)
        return verifying(path)

    monkeypatch.setattr(tlscontext, "verifying", counted)
    with hamnhw.connect(server.url, server.username, server.password,
                        ca_file=https.cert_file) as node:
        node.power.state()
    assert looked == [https.cert_file]


def test_a_watchdog_armed_when_the_heap_is_pruned_is_kept() -> None:
    """The request whose arming prunes the heap is watched too."""
    scheduler = watchdog._Scheduler()
    scheduler._thread = threading.current_thread()  # no firing thread for this one
    for _ in range(scheduler.PRUNE_AT):
        dog = watchdog.Watchdog()
        scheduler.schedule(dog, time.monotonic() + 3600.0)
        dog.disarm()
    armed = watchdog.Watchdog()
    scheduler.schedule(armed, time.monotonic() + 3600.0)  # this one prunes
    assert scheduler.pending() == 1
    assert [entry[2] for entry in scheduler._heap] == [armed]


def test_a_failed_thread_start_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A firing thread that could not start is not kept as if it ran: the next arming
    starts one, and its watchdog fires."""
    scheduler = watchdog._Scheduler()
    start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    with pytest.raises(RuntimeError):
        scheduler.schedule(watchdog.Watchdog(), time.monotonic() + 3600.0)
    assert scheduler._thread is None
    monkeypatch.setattr(threading.Thread, "start", start)
    fired = threading.Event()
    dog = watchdog.Watchdog()
    dog.fire = fired.set  # type: ignore[method-assign]
    scheduler.schedule(dog, time.monotonic())
    assert fired.wait(10)


def test_a_forked_child_keeps_none_of_the_parents_watchdogs() -> None:
    scheduler = watchdog._Scheduler()
    scheduler._thread = threading.current_thread()
    scheduler.schedule(watchdog.Watchdog(), time.monotonic() + 3600.0)
    scheduler._forked()
    assert scheduler.pending() == 0
    assert scheduler._thread is None


def test_an_abort_gives_the_spared_watchdogs_their_grace_instead() -> None:
    """abort_requests_in_flight (an interrupted fan-out) ends ordinary requests at once;
    one armed under spared_from_abort (a login or logout) gets its grace: armed for a
    minute, it fires within the grace, not at once and not a minute later."""
    pairs = [socket.socketpair() for _ in range(2)]
    try:
        ordinary = watchdog.Watchdog()
        with watchdog.spared_from_abort(0.3):
            login = watchdog.Watchdog()
        assert ordinary.abort_grace is None and login.abort_grace == 0.3
        for dog, (left, _) in zip((ordinary, login), pairs, strict=True):
            dog.watch(left)
            dog.arm(60.0)
        assert watchdog.abort_requests_in_flight() >= 1  # other tests may have left some
        assert ordinary.fired and not login.fired
        assert pairs[0][1].recv(1) == b""  # the ordinary request's socket is shut
        done = threading.Event()
        for _ in range(1000):  # a bound of 10 s, far below the minute it was armed for
            if login.fired:
                break
            done.wait(0.01)
        assert login.fired
        assert pairs[1][1].recv(1) == b""
    finally:
        for left, right in pairs:
            left.close()
            right.close()


def test_spared_from_abort_is_undone_on_leaving() -> None:
    with watchdog.spared_from_abort(5.0):
        assert watchdog.Watchdog().abort_grace == 5.0
    assert watchdog.Watchdog().abort_grace is None


def test_a_fired_watchdog_leaves_a_tls_connection_readable_to_its_end(tls_bmc,
                                                                      self_signed) -> None:
    """The watchdog shuts the TCP connection under a request in flight; the thread about
    to read through TLS then meets the connection's end, not a ``ValueError`` of a TLS
    object dropped under it (``SSLSocket.shutdown`` drops it)."""
    import ssl

    tls_bmc.standard()
    context = ssl.create_default_context(cafile=str(self_signed.cert))
    with socket.create_connection(("127.0.0.1", tls_bmc.port), timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        dog = watchdog.Watchdog()
        dog.watch(sock)
        dog.fire()
        with contextlib.suppress(ssl.SSLError, OSError):  # OpenSSL's word for the end
            assert sock.read(10) == b""  # the end (a ragged one is suppressed)
