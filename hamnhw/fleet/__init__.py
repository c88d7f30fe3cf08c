"""Many BMCs at once: :func:`fanout` runs one operation on every node and yields each
node's result as it finishes.

::

    import hamnhw

    urls = [f"redfish://10.0.{i // 256}.{i % 256}" for i in range(1, 201)]
    for result in hamnhw.fanout(urls, lambda node: node.power.state(), concurrency=64,
                                username="root", password=secret, ca_file="bmc-ca.pem"):
        print(result.node, result.value if result.ok else result.error)

Each node is connected (:func:`hamnhw.connect`), given to ``operation`` and logged out,
all within one deadline of ``timeout`` seconds; its error (a
:class:`~hamnhw.errors.HamnhwError` naming the BMC) is its result and never stops the
others.  The CLI's ``NODE...``, ``--nodes-file``, ranges and groups are in
:mod:`hamnhw.fleet.targets`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from hamnhw.fleet.runner import DEFAULT_CONCURRENCY, Later, NodeResult, run_each

if TYPE_CHECKING:
    from hamnhw.deadline import Deadline
    from hamnhw.node import Node

__all__ = ["DEFAULT_CONCURRENCY", "Later", "NodeResult", "fanout", "redfish_only", "run_each"]

R = TypeVar("R")
NodeSpec = str | Mapping[str, Any]
"""A BMC URL, or the keyword arguments of :func:`hamnhw.connect` for one node (``url``
and ``name`` included)."""


def fanout(nodes: Iterable[NodeSpec], operation: Callable[[Node], R], *,
           concurrency: int | None = None, cooperative: bool = False, **connect_kwargs: Any,
           ) -> Generator[NodeResult[R], None, None]:
    """Connect to every node, run ``operation(node)``, log out; yield a
    :class:`~hamnhw.fleet.runner.NodeResult` per node as each finishes.

    :param nodes: BMC URLs, or per-node :func:`hamnhw.connect` keyword arguments
        (``{"url": ..., "name": ..., "username": ...}``), which override ``connect_kwargs``.
    :param operation: what to do on a connected :class:`~hamnhw.node.Node`; its return
        value is the result's ``value``.
    :param concurrency: nodes worked on at once (default
        :data:`~hamnhw.fleet.runner.DEFAULT_CONCURRENCY`); two nodes of one BMC address
        never run at once.
    :param cooperative: ``operation`` waits on nothing but the node it is given (no
        lock, barrier, queue or event shared with other operations, no blocking call of
        its own, no other ``Node``: a node's requests from two tasks of one thread are
        not kept apart as two threads' are): the Redfish nodes may then run as
        cooperative tasks on one thread (:mod:`hamnhw.coop`, less CPU over hundreds of
        BMCs).  Default: a thread per node, since one operation blocking the shared
        thread would hold every node (one waiting for a lock another holds across a
        node call, forever).
    :param connect_kwargs: shared :func:`hamnhw.connect` arguments (credentials, TLS,
        ``timeout``: one deadline per node for connecting, the operation and the logout).
    :raises Interrupted: SIGINT/SIGTERM under :func:`hamnhw.interrupts.interruptible`,
        after the results of the nodes that ran.

    Leaving early: when the generator is closed before its end (``break``, garbage
    collection, an exception in the loop body) or a ``KeyboardInterrupt`` or
    :class:`~hamnhw.errors.Interrupted` reaches it, no further node is started, this
    fan-out's requests in flight are ended at once and each later one as soon as it is
    sent (:class:`hamnhw.transport.watchdog.AbortScope`: other fan-outs and other
    requests of the process are untouched), and every started node is logged out within
    the logout's short grace (:func:`hamnhw.transport.session.logout_grace`, at most
    5 s); control returns once they have, not after a hung BMC's read timeout.  An
    operation sleeping between polls ends at its next request.
    """
    from hamnhw.address import parse_bmc_url
    from hamnhw.deadline import Deadline
    from hamnhw.node import connect

    def arguments(spec: NodeSpec) -> dict[str, Any]:
        own = {"url": spec} if isinstance(spec, str) else dict(spec)
        return {**connect_kwargs, **own}

    def task(spec: NodeSpec) -> Later[R]:
        kwargs = arguments(spec)
        deadline = kwargs.pop("deadline", None) or Deadline(float(kwargs.get("timeout", 120.0)))
        node = connect(deadline=deadline, **kwargs)
        with node.operation(deadline=deadline):
            try:
                value = operation(node)
            except BaseException:
                node.close()
                raise
        # The node's result goes out now; its logout follows (run_each waits for it).
        return Later(value, lambda: _close_within(node, deadline))

    def name(spec: NodeSpec) -> str:
        kwargs = arguments(spec)
        return str(kwargs.get("name") or kwargs["url"])

    def host(spec: NodeSpec) -> str | None:
        try:
            return str(parse_bmc_url(arguments(spec)["url"]).netloc)
        except Exception:  # a bad URL fails in its own task, with its own error
            return None

    listed = list(nodes)
    return run_each(listed, task, name=name, bmc=lambda spec: host(spec) or name(spec),
                    host=host, concurrency=concurrency,
                    cooperative=cooperative and all(redfish_only(arguments(spec))
                                                    for spec in listed))


def redfish_only(arguments: Mapping[str, Any]) -> bool:
    """Whether a node's work may run as a cooperative task (:mod:`hamnhw.coop`): a
    Redfish BMC's, with no IPMI path (IPMI sessions have threads of their own)."""
    from hamnhw.address import parse_bmc_url
    from hamnhw.errors import HamnhwError

    try:
        protocol = parse_bmc_url(str(arguments.get("url"))).protocol
    except HamnhwError:  # fails in its own task, with its own error
        return True
    return protocol == "redfish" and arguments.get("ipmi") is None


def _close_within(node: Node, deadline: Deadline) -> None:
    """Log ``node`` out under ``deadline`` (a command's deadline bounds its logouts, see
    :meth:`hamnhw.deadline.Deadline.logout_deadline`), or with the logout's own grace
    when the transport refuses a deadline already passed."""
    from hamnhw.errors import HamnhwError

    try:
        with node.operation(deadline=deadline):
            node.close()
    except HamnhwError:
        node.close()  # safe twice: a logout done is not done again
