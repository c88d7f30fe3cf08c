"""The event listener: one watcher per node, subscribed to the BMC's EventService.

Per node, one watcher thread makes the node's requests (see "Threads" below):

1. connect and read the RAID health (the baseline; after a reconnect the differences from
   the last read are reported, so nothing that happened meanwhile is missed);
2. SSE where ``ServerSentEventUri`` is offered (a reader thread on its own connection),
   else a push subscription to hamnhw's HTTPS listener at a path ending in a random token
   drawn for this run and node (:func:`~hamnhw.monitor.subscriptions.new_token`); older
   subscriptions with hamnhw's ``Context`` (a crashed run's) are found and deleted first; a
   Subscriptions collection that does not list its ``Members`` (null: unknown, not none)
   refuses the subscription and ends the node's watch (``failed``, saying so): it could
   duplicate one of hamnhw's;
3. on a storage event (DMTF ``StorageDevice``, a vendor id the driver names, or an origin
   under storage), re-read the RAID health and report what changed.  Re-reads are paced:
   one at a time, at least ``min_reread_interval`` apart, the events arriving meanwhile
   served by the next one; at most :data:`MAX_PENDING_EVENTS` wait (more are dropped: the
   next re-read reads the state they were about anyway).  A pushed event's own text is
   unauthenticated (anyone reaching the listener with the token could post it): the change
   reported is what the re-read shows, and its ``trigger`` says ``"source": "push
   (unauthenticated)"``;
4. every ``check_interval`` make sure the subscription is still hamnhw's (the BMC shows it
   with hamnhw's ``Context`` and ``Destination``: a reset BMC may give its id to another
   client) and re-read the RAID health (a change whose event was lost is still reported, one
   interval late); a stream that ends, a subscription gone or taken over (a BMC reset) or a
   BMC that stops answering is reported (``subscription_lost``, ``unreachable``) and the
   watcher reconnects and subscribes again;
5. on stop: the push subscription is deleted if it is still hamnhw's, and the session
   logged out.

Threads: a node's transport may serve several threads (a few Redfish requests at once
behind the transport's gate, IPMI requests serialised by a lock, each thread's deadline its
own: :mod:`hamnhw.transport.redfish`, :mod:`hamnhw.transport.ipmi`); a watcher still makes
its node's requests from its own thread, so that the rounds (a re-read, a subscription
check) run one after the other, and the SSE reader thread reads its stream on
a connection of its own.  :meth:`NodeWatcher.stop` and :meth:`NodeWatcher.deliver` only put
items on the watcher's queue: any thread may call them.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from hamnhw.errors import (
    BmcUnreachable,
    ConfigError,
    HamnhwError,
    MalformedResponse,
    RefusedOperation,
    UnsupportedOperation,
)
from hamnhw.log import get_logger
from hamnhw.monitor import subscriptions as subs
from hamnhw.monitor.eventrecords import EventRecord, is_storage_event, parse_event
from hamnhw.monitor.health import RaidHealth, changes, read_raid_health
from hamnhw.monitor.lockout import refused_login
from hamnhw.monitor.receiver import EventReceiver
from hamnhw.monitor.report import Report, Reporter

LOG = get_logger("hamnhw.events")
MODES = ("auto", "sse", "push")
MAX_PENDING_EVENTS = 64
"""Events waiting for a re-read, per node; more are dropped (see the module docstring)."""
PUSH_SOURCE = "push (unauthenticated)"
"""A pushed event's ``trigger.source``: its text is whatever was posted to the listener."""
SSE_SOURCE = "sse"
"""An SSE event's ``trigger.source``: read from the BMC over the verified session."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """How every watcher listens."""

    mode: str = "auto"
    """``auto`` (SSE where offered, else push), ``sse`` or ``push``."""
    destination: str | None = None
    """Base URL of hamnhw's HTTPS listener as the BMCs reach it (push)."""
    check_interval: float = 60.0
    """Seconds between checks that the subscription still exists."""
    operation_timeout: float = 30.0
    """Bound of each round of BMC requests (connect, subscribe, a re-read...)."""
    sse_idle_timeout: float = 600.0
    """Silence (no event, no keep-alive) after which an SSE stream counts as lost."""
    retry_max: float = 60.0
    """Longest wait between two reconnection attempts."""
    min_reread_interval: float = 2.0
    """Least seconds between two event-triggered re-reads (a flood of events, forged or
    not, costs the BMC at most one RAID read per interval)."""


FATAL = (UnsupportedOperation, ConfigError, RefusedOperation)
"""Errors that retrying cannot fix (a push subscription refused: the BMC does not list its
subscriptions, so a new one could be a second of hamnhw's): the watcher reports ``failed``
and ends, as it does on refused credentials
(:func:`~hamnhw.monitor.lockout.refused_login`: a retry would count towards the account's
lockout).  A :class:`~hamnhw.errors.RedfishUnreachable` (Redfish
gone, only the IPMI path answering) is no such error: it is retried."""


def retry_cannot_fix(exc: HamnhwError) -> bool:
    """True for an error that ends a node's watch (:data:`FATAL`, refused credentials)."""
    return refused_login(exc) or (isinstance(exc, FATAL)
                                  and not isinstance(exc, BmcUnreachable))


class _Lost(Exception):
    """The subscription or stream is gone; reconnect."""


def sse_payloads(lines: Iterator[str]) -> Iterator[str]:
    """The ``data`` of each event of a text/event-stream (comments and ids skipped)."""
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


class NodeWatcher:
    """Watches one node until :meth:`stop`; see the module docstring."""

    def __init__(self, name: str, connect: Callable[[], Any], reporter: Reporter,
                 settings: Settings, receiver: EventReceiver | None = None) -> None:
        self.name = name
        self._connect = connect
        self._reporter = reporter
        self._settings = settings
        self._receiver = receiver
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stopping = threading.Event()
        self._health: RaidHealth | None = None
        self.failed = False
        """True when the watcher ended on an error retrying cannot fix."""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"hamnhw-watch-{name}")
        self._context = subs.context_for(name)
        self._token = subs.new_token()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._last_event_read = float("-inf")
        if receiver is not None:
            receiver.route(self._token, lambda body: self.deliver(body, PUSH_SOURCE))

    def deliver(self, body: Any, source: str) -> bool:
        """Queue an event for the watcher thread (any thread may call it).

        :returns: False when :data:`MAX_PENDING_EVENTS` already wait and it was dropped.
        """
        with self._pending_lock:
            if self._pending >= MAX_PENDING_EVENTS:
                return False
            self._pending += 1
        self._queue.put(("event", (source, body)))
        return True

    def start(self) -> NodeWatcher:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the watcher to clean up (delete its subscription, log out) and end."""
        self._stopping.set()
        self._queue.put(("stop", None))

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    # -- the watcher thread --------------------------------------------------------------
    def _run(self) -> None:
        delay = 1.0
        down_reported = False
        while not self._stopping.is_set():
            try:
                self._session()
                delay, down_reported = 1.0, False
            except _Lost as lost:
                self._report("subscription_lost", reason=str(lost))
                delay = 1.0
            except HamnhwError as exc:
                if retry_cannot_fix(exc):
                    self._report("failed", reason=str(exc))
                    self.failed = True
                    return
                if not down_reported:
                    self._report("unreachable", reason=str(exc))
                    down_reported = True
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, self._settings.retry_max)

    def _session(self) -> None:
        node = self._connect()
        stream_box: list[Any] = []
        subscription: subs.Subscription | None = None
        try:
            with node.operation(self._settings.operation_timeout):
                self._reread(node, None)  # first: Redfish gone (its IPMI path up) is a retry
                info = subs.read_service(node.driver.client)
                mode = self._choose_mode(info, hasattr(node.driver.client, "stream"))
                if mode == "push":
                    subscription = self._ensure_push(node, info)
            if mode == "sse":
                self._start_reader(node, info.sse_uri, stream_box)
            self._report("subscribed", mode=mode,
                         subscription=subscription.uri if subscription else info.sse_uri)
            self._loop(node, subscription, stream_box)
        finally:
            for stream in stream_box:
                stream.close()
            self._close(node, subscription)

    def _choose_mode(self, info: subs.EventServiceInfo, can_stream: bool) -> str:
        wanted = self._settings.mode
        if info.sse_uri and can_stream and wanted in ("auto", "sse"):
            return "sse"
        if wanted == "sse":
            raise UnsupportedOperation("redfish", "events over SSE (no ServerSentEventUri)",
                                       host=self.name)
        if self._receiver is None or not self._settings.destination:
            raise UnsupportedOperation("redfish", "events: the BMC offers no SSE, and push "
                                       "needs --listen and --destination", host=self.name)
        if info.subscriptions_uri is None:
            raise UnsupportedOperation("redfish", "events (no Subscriptions collection)",
                                       host=self.name)
        return "push"

    def _ensure_push(self, node: Any, info: subs.EventServiceInfo) -> subs.Subscription:
        client, collection = node.driver.client, info.subscriptions_uri
        assert collection is not None and self._settings.destination
        destination = subs.destination_for(self._settings.destination, self._token)
        try:
            existing = subs.find_by_context(client, collection, self._context)
        except MalformedResponse as exc:
            raise RefusedOperation("events.subscribe", [
                f"the BMC does not list its subscriptions ({exc.message}): hamnhw's own may "
                "already be there, and another would take one of the BMC's few slots",
                "check the subscriptions in the BMC's web UI (or use --mode sse where the BMC "
                "offers it), then run again"], host=self.name) from exc
        reused = next((f for f in existing if f.destination == destination), None)
        for stale in existing:
            if stale is not reused:
                LOG.info("%s: deleting stale subscription %s (same Context, destination %s)",
                         self.name, stale.uri, stale.destination)
                client.delete(stale.uri)
        if reused is not None:
            LOG.info("%s: reusing subscription %s (same Context)", self.name, reused.uri)
            return reused
        return subs.subscribe(client, collection, destination, self._context)

    def _start_reader(self, node: Any, sse_uri: str | None, box: list[Any]) -> None:
        assert sse_uri is not None
        opened = node.driver.client.stream(sse_uri, self._settings.sse_idle_timeout)
        stream = opened.__enter__()
        box.append(stream)

        def read() -> None:
            reason = "the BMC ended the event stream"
            try:
                for payload in sse_payloads(stream.lines()):
                    self.deliver(payload, SSE_SOURCE)
            except HamnhwError as exc:
                reason = f"event stream broke: {exc}"
            finally:
                opened.__exit__(None, None, None)
            self._queue.put(("lost", reason))

        threading.Thread(target=read, daemon=True, name=f"hamnhw-sse-{self.name}").start()

    def _loop(self, node: Any, subscription: subs.Subscription | None,
              stream_box: list[Any]) -> None:
        while True:
            try:
                kind, value = self._queue.get(timeout=self._settings.check_interval)
            except queue.Empty:
                kind, value = "check", None
            if kind == "stop" or self._stopping.is_set():
                return
            if kind == "lost":
                raise _Lost(value)
            if kind == "event":
                self._taken(1)
                self._on_events([value, *self._drain()], node)
                continue
            with node.operation(self._settings.operation_timeout):
                if subscription is not None and not subs.still_ours(node.driver.client,
                                                                    subscription):
                    raise _Lost(f"subscription {subscription.uri} is gone from the BMC or "
                                "no longer hamnhw's (BMC reset?)")
                self._reread(node, None)

    def _taken(self, count: int) -> None:
        with self._pending_lock:
            self._pending -= count

    def _drain(self) -> list[Any]:
        """Events queued behind the first: one re-read serves a burst."""
        burst: list[Any] = []
        while True:
            try:
                kind, value = self._queue.get_nowait()
            except queue.Empty:
                return burst
            if kind != "event":
                self._queue.put((kind, value))
                return burst
            self._taken(1)
            burst.append(value)

    def _on_events(self, events: list[tuple[str, Any]], node: Any) -> None:
        prefixes = getattr(node.driver, "storage_event_messages", ())
        storage: list[tuple[str, EventRecord]] = []
        for source, body in events:
            try:
                _context, records = parse_event(body)
            except ValueError:
                LOG.warning("%s: dropped a malformed event", self.name)
                continue
            storage += [(source, r) for r in records if is_storage_event(r, prefixes)]
        if not storage:
            return
        pause = self._last_event_read + self._settings.min_reread_interval - time.monotonic()
        if pause > 0 and self._stopping.wait(pause):
            return
        self._drain()  # what arrived during the pause: this re-read serves it too
        with node.operation(self._settings.operation_timeout):
            # the burst's first storage event is the cause the change is reported with
            self._reread(node, *storage[0])
        self._last_event_read = time.monotonic()

    def _reread(self, node: Any, source: str | None, trigger: EventRecord | None = None
                ) -> None:
        health = read_raid_health(node)
        if self._health is not None:
            for change in changes(self._health, health):
                self._report(f"{change.kind}_changed", subject=change.subject, name=change.name,
                             old=change.old, new=change.new, percent=change.percent,
                             message_id=trigger.message_id if trigger else None,
                             trigger={**trigger.to_json(), "source": source} if trigger
                             else None)
        self._health = health

    def _close(self, node: Any, subscription: subs.Subscription | None) -> None:
        try:
            if subscription is not None and self._stopping.is_set():
                with node.operation(self._settings.operation_timeout):
                    deleted = subs.delete_if_ours(node.driver.client, subscription)
                LOG.info("%s: %s subscription %s", self.name,
                         "deleted" if deleted else "left (no longer hamnhw's)", subscription.uri)
        except HamnhwError as exc:
            LOG.warning("%s: could not delete subscription %s: %s", self.name,
                        subscription.uri if subscription else None, exc)
        finally:
            node.close()

    def _report(self, event: str, **fields: Any) -> None:
        self._reporter.report(Report(self.name, event, fields))
