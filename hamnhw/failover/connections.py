"""The BMC connections of one coordinator invocation (a mixin of
:class:`~hamnhw.failover.engine.RunContext`): opened once per node, their sessions journaled,
a refused login never tried again.

Opening a connection (:meth:`Connections.open_node`) touches neither the journal nor the
run: it may run in a helper thread (both nodes read side by side,
:mod:`hamnhw.failover.powernow`); keeping it (:meth:`Connections.keep`) journals it and runs
in the coordinator's thread, as every journal write does (the journal's SQLite connection
belongs to that thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from hamnhw import pair
from hamnhw.deadline import Deadline
from hamnhw.errors import AuthenticationError, HamnhwError, TlsError
from hamnhw.failover.bmcanswer import did
from hamnhw.log import get_logger
from hamnhw.node import Node

if TYPE_CHECKING:
    from hamnhw.config import Config
    from hamnhw.failover.journal import Journal, RunRecord
    from hamnhw.poll import PollPolicy

LOG = get_logger("hamnhw.failover")

_ASKING = threading.Lock()
"""Held while a password is asked: reads side by side ask one after the other."""


class Connections:
    """Node connections of a run context (see the module docstring)."""

    config: Config
    journal: Journal
    run: RunRecord
    poll: PollPolicy
    _prompt: Callable[[str], str] | None
    _nodes: dict[str, tuple[Node, int | None]]
    _refused: dict[str, HamnhwError]

    if TYPE_CHECKING:
        def heard(self, name: str, what: str) -> None: ...  # RunContext's

    def node(self, name: str, deadline: Deadline | None = None) -> Node:
        """A connection to ``name`` (opened once per invocation, within ``deadline`` when
        given; the session is journaled).  Connecting is an answer of its BMC
        (:meth:`heard`), as is a refused login.

        A login refused (credentials) or a certificate rejected is not tried again in this
        invocation: the same error is raised again (no repeated logins to lock the account).
        """
        if name in self._refused:
            raise self._refused[name]
        if name not in self._nodes:
            try:
                node = self.open_node(name, deadline)
            except (AuthenticationError, TlsError) as exc:
                self.refused(name, exc)
                raise
            self.keep(name, node)
        return self._nodes[name][0]

    def connected(self, name: str) -> Node | None:
        """The connection to ``name`` opened earlier in this invocation, if any."""
        entry = self._nodes.get(name)
        return entry[0] if entry is not None else None

    def open_node(self, name: str, deadline: Deadline | None = None) -> Node:
        """A new connection to ``name``, neither kept nor journaled (:meth:`keep` does): it
        touches no journal, so a helper thread may open it.  A login refused earlier in this
        invocation is raised again, without a login."""
        if name in self._refused:
            raise self._refused[name]
        return pair.connect_node(self.config, name, poll=self.poll, deadline=deadline,
                                 prompt=None if self._prompt is None else self._ask_password)

    def _ask_password(self, text: str) -> str:
        assert self._prompt is not None
        with _ASKING:
            return self._prompt(text)

    def keep(self, name: str, node: Node) -> None:
        """Keep ``node`` (:meth:`open_node`) as ``name``'s connection: its BMC answered, its
        session is journaled (logged out by :meth:`logout`)."""
        self.heard(name, "when hamnhw connected to it")
        path = session_path(node)
        session_id = (None if path is None else
                      self.journal.session_opened(self.run.id, name, path))
        self._nodes[name] = (node, session_id)

    def refused(self, name: str, exc: HamnhwError) -> None:
        """``name``'s BMC refused the login or the certificate with ``exc`` (an answer): not
        tried again in this invocation."""
        self._refused[name] = exc
        self.heard(name, f"{did(exc)}: {type(exc).__name__}")

    def refused_node(self, exc: HamnhwError) -> str | None:
        """The node whose BMC refused the login or certificate with ``exc``, if one did."""
        return next((name for name, error in self._refused.items() if error is exc), None)

    def logout(self, name: str | None = None) -> None:
        """Log out of ``name`` (of both with None) and journal the sessions closed."""
        for key in [name] if name else list(self._nodes):
            entry = self._nodes.pop(key, None) if key else None
            if entry is None:
                continue
            node, session_id = entry
            try:
                node.close()
            except HamnhwError as exc:
                LOG.warning("%s: logout failed: %s", key, exc)
            if session_id is not None:
                self.journal.session_closed(session_id)


def session_path(node: Node) -> str | None:
    """The Redfish session the connection holds (the transport's public ``session_path``),
    None with basic auth or another transport."""
    path = getattr(getattr(node.driver, "client", None), "session_path", None)
    return path if isinstance(path, str) else None
