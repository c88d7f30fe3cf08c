"""One read per resource per command: a connected node's recent GETs, answered from memory.

A command reads the same resources from several places (the System for detection, the
power state, the NICs and the inventory; the Manager for the BMC's NICs and the inventory;
a chassis for the NIC adapters and the drives).  :class:`MemoClient` wraps a node's Redfish
client so that a repeated GET of one path is answered with the document read a moment ago.

What shares the memo: one call of the library (``node.inventory.inventory()`` reads each
resource once), and everything inside one :meth:`hamnhw.node.Node.operation` block (a
command), which also shares what connecting read when it is the node's first use (the CLI
and :func:`hamnhw.fanout` connect, then run each node's action in one block).  Outside
such a block, each call through ``node.power``, ``node.nics``... starts afresh
(:meth:`MemoClient.new_call`).  What a memo never hides:

* a write: any POST, PATCH, PUT or DELETE through the client forgets everything read;
* a wait: :func:`hamnhw.poll.poll_until` starts a new *epoch* (per thread) before each
  read, and a document read in an earlier epoch is read again;
* time: a document older than :data:`MAX_AGE_S` is read again (a library user keeping a
  node open for hours sees current data);
* a fresh read asked for: :meth:`MemoClient.get_fresh` (the reads of a power wait, see
  ``hamnhw_drivers.generic.power``).

Concurrent callers asking for one resource share one GET (the first one's; the others
wait for its answer).  :meth:`MemoClient.prefetch` reads the resources a walk is about to
read one after the other (a collection's members) side by side instead, at most
:data:`PARALLEL_READS` at once (:func:`hamnhw.parallel.each`): what one of them answers
is remembered, and an error is kept until the walk reads that resource, so that the walk
meets it where a sequential read would have (the first in its order) as the same typed
error, without a second GET.

Where the service advertises ``$expand`` (:mod:`hamnhw.expand`), a GET the memo cannot
answer asks for the resource expanded and remembers every resource the answer carries, so
that the walk that follows (a collection's members, a controller's drives) costs no
request.  A service refusing the expanded GET (4xx/5xx) is asked again plainly, and never
again with ``$expand`` (for the life of the process: :func:`expand_refused`).
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from hamnhw import expand, parallel
from hamnhw.errors import HttpError, MalformedResponse
from hamnhw.log import get_logger
from hamnhw.transport.gate import MAX_IN_FLIGHT

LOG = get_logger("hamnhw.readmemo")

MAX_AGE_S = 5.0
"""A remembered document older than this is read again."""

PARALLEL_READS = MAX_IN_FLIGHT
"""Reads of one BMC that :meth:`MemoClient.prefetch` sends at once."""

QUICK_BMC_S = parallel.QUICK_ANSWER_S
"""A BMC that has answered a GET within this many seconds is read one request after the
other (:data:`hamnhw.parallel.QUICK_ANSWER_S`)."""

_EPOCH: contextvars.ContextVar[int] = contextvars.ContextVar("hamnhw_read_epoch", default=0)
"""The read epoch of the calling thread or cooperative task (:mod:`hamnhw.coop`: the
greenlets of one thread each have their own)."""
_COMMAND = contextvars.ContextVar("hamnhw_command", default=False)
_REFUSED: set[str] = set()
"""BMCs (``host`` + ServiceRoot UUID) that refused an expanded GET in this process."""


def new_epoch() -> None:
    """Start a new read epoch in this thread (or cooperative task): what was read before
    is read again."""
    _EPOCH.set(_EPOCH.get() + 1)


def epoch() -> int:
    """This thread's read epoch."""
    return _EPOCH.get()


@contextlib.contextmanager
def command() -> Iterator[None]:
    """Calls inside the block share what they read (one command, see the module
    docstring); :meth:`hamnhw.node.Node.operation` opens one."""
    token = _COMMAND.set(True)
    try:
        yield
    finally:
        _COMMAND.reset(token)


def in_command() -> bool:
    """True inside :func:`command`."""
    return _COMMAND.get()


class MemoClient:
    """A Redfish client whose GETs are remembered (see the module docstring); every other
    attribute is the wrapped client's.

    :param inner: the connected client (a transport, or a wrapper around one).
    :param expand_levels: ``$levels`` to ask for; None: what the ServiceRoot advertises
        (:func:`hamnhw.expand.supported_levels`); 0: never expand.
    """

    def __init__(self, inner: Any, clock: Any = time.monotonic,
                 expand_levels: int | None = None) -> None:
        self.inner = inner
        self._clock = clock
        self._lock = threading.Lock()
        self._memo: dict[str, tuple[int, int, float, Any]] = {}
        """Path (:func:`hamnhw.expand.key`) -> the call and epoch it was read in, when, and
        the document."""
        self._listed_in: dict[str, str] = {}
        """A member's path -> the path of the document listing it among siblings."""
        self._expanded: set[str] = set()
        """Paths read expanded since the memo was last forgotten."""
        self._call = 0
        self._used = False
        self._flights: dict[str, _Flight] = {}
        """GETs in flight by URL: a concurrent caller of the same URL waits for the answer."""
        self._failed: dict[str, tuple[tuple[int, int], BaseException]] = {}
        """What a prefetched read of a path raised, until the walk reads that path."""
        root_pace_s = getattr(inner, "root_pace_s", None)
        self.quickest_get_s: float | None = (
            root_pace_s if isinstance(root_pace_s, float) else None)
        """The shortest time a GET through the memo took in this call or command (None
        before its first): a node kept open (an exporter) is judged again by each.  Until
        the first, the transport's ServiceRoot pace stands in for it (the quickest of the
        process's recent ServiceRoot GETs: a busy fan-out makes each wait for the CPU), so
        that connecting's first reads of a quick BMC do not go side by side on a
        connection of their own; this BMC's first GET then replaces it."""
        self._provisional = self.quickest_get_s is not None
        """The verdict is still the ServiceRoot pace, not this BMC's own GETs."""
        root = getattr(inner, "root", None)
        self._bmc = f"{getattr(inner, 'host', '')}|{_uuid(root)}"
        if expand_levels is None:
            expand_levels = expand.supported_levels(root) if isinstance(root, dict) else 0
        self.expand_levels = 0 if self._bmc in _REFUSED else expand_levels
        """``$levels`` asked for on a GET the memo cannot answer (0: plain GETs)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def get(self, path: str, *args: Any, **kwargs: Any) -> Any:
        """GET ``path``, or the document read for it in this epoch within
        :data:`MAX_AGE_S`."""
        if args or kwargs:
            return self.inner.get(path, *args, **kwargs)
        if "?" in path:
            return self.inner.get(path)
        key = expand.key(path)
        hit = self._recall(key)
        if hit is not None:
            return hit
        if self._failed:
            self._raise_prefetch_error(key)
        if not self.expand_levels:
            doc = self._shared_get(path)
            self._remember(key, doc)
            return doc
        container = self._listed_in.get(key)
        if container is not None and container not in self._expanded:
            # One expanded read of the list brings this member and its siblings.
            self._get_expanded(container)
            hit = self._recall(key)
            if hit is not None:
                return hit
        return self._get_expanded(path)

    def prefetch(self, paths: Iterable[str]) -> None:
        """Read the resources of ``paths`` not remembered yet side by side (see the module
        docstring); their documents, or errors, wait for the :meth:`get` of each.

        Nothing is read when fewer than two are missing (the walk reads that one itself),
        nor when the BMC answers quickly (:data:`QUICK_BMC_S`).
        """
        if parallel.answers_quickly(self.quickest_get_s):
            return  # asked first: the paths are not even looked at
        seen: set[str] = set()
        missing = []
        for path in paths:
            if "?" in path:
                continue
            key = expand.key(path)
            if key not in seen and self._recall(key) is None:
                seen.add(key)
                missing.append(path)
        if len(missing) < 2:
            return
        # the helpers run in a copy of this context: the read epoch (a context variable) too
        parallel.each(self._prefetch_one, missing, PARALLEL_READS)

    def _prefetch_one(self, path: str) -> None:
        try:
            self.get(path)
        except Exception as exc:  # raised again by the walk's own get(path)
            with self._lock:
                self._failed[expand.key(path)] = ((self._call, epoch()), exc)

    def _raise_prefetch_error(self, key: str) -> None:
        """Raise what a prefetched read of ``key`` in this call and epoch raised."""
        with self._lock:
            failed = self._failed.pop(key, None)
            now = (self._call, epoch())
        if failed is not None and failed[0] == now:
            raise failed[1]

    def _shared_get(self, url: str) -> Any:
        """``inner.get(url)``, one GET for concurrent callers of the same URL."""
        with self._lock:
            flight = self._flights.get(url)
            owner = flight is None
            if flight is None:
                flight = self._flights[url] = _Flight()
        if not owner:
            return flight.outcome()
        began = time.perf_counter()
        try:
            flight.doc = self.inner.get(url)
            self._took(time.perf_counter() - began)
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[url]
            flight.land()
        return flight.doc

    def _took(self, seconds: float) -> None:
        """Note how long a GET took (no lock: a lost update only delays the verdict)."""
        quickest = self.quickest_get_s
        if self._provisional or quickest is None or seconds < quickest:
            self._provisional = False
            self.quickest_get_s = seconds

    def new_call(self) -> None:
        """A new library call outside a command: what was read before is read again."""
        with self._lock:
            self._call += 1
            self._used = True
            self.quickest_get_s = None
            self._provisional = False

    def begin_command(self) -> None:
        """A command block starts: it shares what connecting read when it is the first
        use of the node, else it reads afresh."""
        with self._lock:
            if self._used:
                self._call += 1
                self.quickest_get_s = None
                self._provisional = False
            self._used = True

    def _recall(self, key: str) -> Any:
        """The remembered document of ``key`` (:func:`hamnhw.expand.key`) still valid, or
        None.  No lock: one read of a dict is atomic, and an entry is replaced whole."""
        hit = self._memo.get(key)
        if hit is None:
            return None
        call, read_epoch, when, doc = hit
        if (call != self._call or read_epoch != _EPOCH.get()
                or self._clock() - when >= MAX_AGE_S):
            return None
        return doc

    def get_fresh(self, path: str) -> Any:
        """GET ``path`` from the BMC, never expanded (and remember it)."""
        doc = self.inner.get(path)
        self.remember(path, doc)
        return doc

    def remember(self, path: str, doc: Any) -> None:
        """Record a document read by other means as read now."""
        self._remember(expand.key(path), doc)

    def _remember(self, key: str, doc: Any) -> None:
        read_epoch = _EPOCH.get()  # epoch(), inline: every GET
        with self._lock:
            self._store(key, read_epoch, self._clock(), doc)

    def _store(self, key: str, read_epoch: int, when: float, doc: Any) -> None:
        """Remember ``doc`` as read in this call and ``read_epoch`` at ``when`` (lock held),
        and which members it lists among siblings."""
        self._memo[key] = (self._call, read_epoch, when, doc)
        if self.expand_levels:  # only an expanded read of a list can use it
            for member in expand.listed_members(doc, self.expand_levels):
                self._listed_in.setdefault(member, key)

    def _get_expanded(self, path: str) -> Any:
        """GET ``path`` expanded; remember it and every resource it carries."""
        try:
            answer = self._shared_get(f"{path}?{expand.query_for(path, self.expand_levels)}")
        except (HttpError, MalformedResponse) as exc:
            doc = self.get_fresh(path)  # the resource itself failing is not $expand's fault
            LOG.info("%s: an expanded GET of %s failed (%s) where a plain one works; reading "
                     "without $expand from now on", getattr(self.inner, "host", "BMC"), path,
                     exc.message)
            _REFUSED.add(self._bmc)
            self.expand_levels = 0
            return doc
        doc, embedded = expand.harvest(answer)
        key = expand.key(path)
        read_epoch, when = epoch(), self._clock()
        with self._lock:
            self._expanded.add(key)
            for uri, member in embedded.items():
                self._store(uri, read_epoch, when, member)
            self._store(key, read_epoch, when, doc)
        return doc

    def forget(self) -> None:
        """Forget every remembered document."""
        with self._lock:
            self._memo.clear()
            self._listed_in.clear()
            self._expanded.clear()
            self._failed.clear()

    def post(self, *args: Any, **kwargs: Any) -> Any:
        """POST through the client, forgetting what was read."""
        return self._write(self.inner.post, *args, **kwargs)

    def patch(self, *args: Any, **kwargs: Any) -> Any:
        """PATCH through the client, forgetting what was read."""
        return self._write(self.inner.patch, *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """DELETE through the client, forgetting what was read."""
        return self._write(self.inner.delete, *args, **kwargs)

    def put(self, *args: Any, **kwargs: Any) -> Any:
        """PUT through the client (HPE iLO settings objects), forgetting what was read."""
        return self._write(self.inner.put, *args, **kwargs)

    def _write(self, send: Any, *args: Any, **kwargs: Any) -> Any:
        """Forget what was read before the write and after it (answered or not)."""
        self.forget()
        try:
            return send(*args, **kwargs)
        finally:
            self.forget()


class _Flight:
    """One GET in flight, awaited by its other callers (most GETs have none: a bare lock,
    held until the answer lands, costs less than an ``Event`` to make)."""

    __slots__ = ("_flying", "doc", "error")

    def __init__(self) -> None:
        self._flying = threading.Lock()
        self._flying.acquire()
        self.doc: Any = None
        self.error: BaseException | None = None

    def land(self) -> None:
        """The GET is over (answered or failed): every waiter goes on."""
        self._flying.release()

    def outcome(self) -> Any:
        """The document, once answered (the GET is bounded by its sender's deadline);
        what it raised is raised."""
        with self._flying:  # waits for land()
            pass
        if self.error is not None:
            raise self.error
        return self.doc


def _uuid(root: Any) -> str:
    uuid = root.get("UUID") if isinstance(root, dict) else None
    return uuid if isinstance(uuid, str) else ""


def expand_refused(host: str, uuid: str) -> bool:
    """True when the BMC ``host`` (ServiceRoot ``uuid``) refused an expanded GET in this
    process (its later connections read without ``$expand``)."""
    return f"{host}|{uuid}" in _REFUSED
