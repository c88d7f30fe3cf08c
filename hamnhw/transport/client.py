"""What every transport has in common, whatever protocol it speaks.

:func:`hamnhw.connect` picks the transport by the URL's protocol (``redfish`` or ``ipmi``),
as Ironic keeps sibling ``drivers/redfish.py`` and ``drivers/ipmi.py``.  Both transports
are a :class:`BmcClient`: they name their BMC (``host``), bound a block of work by one
overall deadline (:meth:`~BmcClient.operation`, :meth:`~BmcClient.within`) and log out
(:meth:`~BmcClient.close`).  What is sent over the wire is protocol-specific:
:class:`~hamnhw.transport.base.RedfishClient` adds ``get``/``post``/``patch``/``delete``,
:class:`~hamnhw.transport.ipmi.IpmiTransport` adds ``raw`` IPMI commands.

:class:`DeadlineScope` is the deadline bookkeeping a transport can reuse.
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from hamnhw.connection import check_seconds
from hamnhw.deadline import Clock, Deadline
from hamnhw.errors import BmcTimeout


class BmcClient(abc.ABC):
    """A connected, authenticated BMC, whatever its protocol.

    Every method raises only :mod:`hamnhw.errors` types.
    """

    host: str
    """``host[:port]``: the BMC's name in every message."""

    protocol: str = ""
    """``redfish`` or ``ipmi``: what the transport speaks (drivers declare the same name)."""

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """Bound everything inside the block by one overall deadline.

        The default does nothing; real transports override it.
        """
        yield

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """Bound the block by an existing deadline (one that started before it,
        e.g. a command's, which also covered connecting).

        The default runs :meth:`operation` with the seconds left; transports that
        keep a :class:`DeadlineScope` adopt the deadline itself, so timeouts report
        the time since it started.

        :raises BmcTimeout: the deadline has already passed.
        """
        left = deadline.left()
        if left <= 0:
            raise BmcTimeout("operation deadline exceeded before the request was sent",
                             host=getattr(self, "host", None), elapsed_s=deadline.elapsed())
        with self.operation(left):
            yield

    def deadline_scope(self) -> contextlib.AbstractContextManager[Deadline | None]:
        """Bound the block by the deadline in force in the calling thread, else (outside
        any :meth:`operation` block) by one default deadline for the whole block, the one a
        single request would get: requests that are one piece of work (the pages of a
        collection) then share one deadline instead of getting one each.  Unlike
        :meth:`operation`, an enclosing deadline is kept as it is, never narrowed.

        The default does nothing (yields None); real transports override it.
        """
        return contextlib.nullcontext()

    @abc.abstractmethod
    def close(self) -> None:
        """Log out and release what the transport holds; safe to call twice."""


_IN_FORCE: contextvars.ContextVar[Mapping[int, Deadline]] = contextvars.ContextVar(
    "hamnhw_deadlines_in_force", default=MappingProxyType({}))
"""The deadline in force of each :class:`DeadlineScope` (by ``id``), per thread or task."""


class DeadlineScope:
    """The deadline currently bounding a transport's work: nested blocks can only shorten
    it, and work outside any block gets a fresh default one.

    The deadline in force belongs to the calling thread (or asyncio task): it lives in a
    context variable, so that two threads using one transport (one ``Node``) each keep
    their own; a new thread starts outside any block.

    :param default_seconds: the deadline of work done outside any block.
    :param clock: monotonic clock (tests inject a fake one).
    """

    def __init__(self, default_seconds: float, clock: Clock) -> None:
        self.default_seconds = default_seconds
        self.clock = clock

    @property
    def current(self) -> Deadline | None:
        """The deadline in force in the calling thread, or None outside any block."""
        return _IN_FORCE.get().get(id(self))

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[Deadline]:
        """A deadline of ``seconds`` (default :attr:`default_seconds`), never later than an
        enclosing one."""
        seconds = self.default_seconds if seconds is None else seconds
        check_seconds(seconds, "operation deadline")
        outer = self.current
        with self.adopted(outer.narrowed(seconds) if outer
                          else Deadline(seconds, self.clock)) as deadline:
            yield deadline

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[Deadline]:
        """Adopt ``deadline`` for the block (an enclosing one that expires first still wins)."""
        outer = self.current
        with self.adopted(outer if outer and outer.expires <= deadline.expires
                          else deadline) as adopted:
            yield adopted

    @contextlib.contextmanager
    def scope(self) -> Iterator[Deadline]:
        """The deadline in force, or a default one for the duration of the block."""
        current = self.current
        if current is not None:
            yield current
        else:
            with self.operation() as deadline:
                yield deadline

    def logout_deadline(self, grace: float) -> Deadline:
        """The deadline of a logout starting now: :meth:`Deadline.logout_deadline
        <hamnhw.deadline.Deadline.logout_deadline>` of the one in force (``grace`` seconds,
        unless that one bounds logouts itself), else ``grace`` seconds."""
        current = self.current
        return current.logout_deadline(grace) if current is not None else Deadline(grace,
                                                                                   self.clock)

    @contextlib.contextmanager
    def adopted(self, deadline: Deadline) -> Iterator[Deadline]:
        """Make ``deadline`` the one in force in the calling thread for the block, whatever
        the enclosing one (a logout's own grace)."""
        in_force = dict(_IN_FORCE.get())
        in_force[id(self)] = deadline
        token = _IN_FORCE.set(MappingProxyType(in_force))
        try:
            yield deadline
        finally:
            _IN_FORCE.reset(token)
