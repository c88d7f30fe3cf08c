"""What ``pair check`` reads from each node of the pair, once, before judging anything.

A node whose BMC cannot be reached (or refuses the credentials) is a :class:`NodeFacts` with
``error`` set: the checks then fail ``reachable`` and say ``unknown`` for what needed it.  A
fact the BMC could not give (a 404, a malformed document, a capability the driver lacks) is
None with the reason in ``unread``; None is never taken for "there are none".  A walk that
read only part of the storage or of the host NICs (a drive, an interface answering 404) is
kept with what failed in ``partial``: a missing drive or NIC may be a read failure, so the
checks never pass on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from hamnhw import noanswer
from hamnhw.errors import AccessDenied, AuthenticationError, ConfigError, HamnhwError, TlsError
from hamnhw.models import (
    Drive,
    Inventory,
    Manager,
    Nic,
    NicView,
    PowerRestorePolicy,
    PowerState,
    StorageController,
    System,
    Volume,
)
from hamnhw.node import Node

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class NodeFacts:
    """One node as its BMC showed it."""

    name: str
    """``primary`` or ``standby``."""
    error: str | None = None
    """Why the BMC could not be read at all (unreachable, TLS, credentials), else None."""
    error_type: str | None = None
    """The error's class name."""
    error_kind: str | None = None
    """What the BMC answered, a key of :data:`NOT_READ`: ``privilege`` (IPMI: the level
    asked, or the account's, refused), ``credentials`` (rejected),
    ``access`` (denied), ``certificate`` (not accepted), ``refused`` (the TCP connection:
    something at the address answers), ``hung`` (a new connection accepted, then no reply
    in time), ``dropped`` (a new connection accepted, then closed unanswered), ``silent``
    (no answer), ``error`` (another error answered), ``config``."""
    error_waited_s: float | None = None
    """How long the BMC was waited for, when the error tells (``hung``: ``within N s``)."""
    error_host: str | None = None
    """The BMC address the error names (``host[:port]``), when it names one."""
    system: System | None = None
    manager: Manager | None = None
    controllers: tuple[StorageController, ...] | None = None
    drives: tuple[Drive, ...] | None = None
    volumes: tuple[Volume, ...] | None = None
    empty_bays: tuple[str, ...] | None = None
    """Bays the BMC reports empty, where it does."""
    restore_policy: PowerRestorePolicy | None = None
    nics: tuple[Nic, ...] | None = None
    unread: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Fact name -> why it could not be read."""
    partial: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """``storage`` and/or ``nics`` -> what could not be read of it: the lists above may miss
    entries."""

    @property
    def reachable(self) -> bool:
        """True when the BMC answered and accepted the credentials."""
        return self.error is None

    @property
    def power_state(self) -> PowerState:
        """Host power as read, UNKNOWN when not read."""
        return self.system.power_state if self.system else PowerState.UNKNOWN

    @property
    def boot_mode(self) -> str | None:
        """``UEFI`` or ``Legacy`` where the model and the BMC tell."""
        value = getattr(self.system, "boot_mode", None)
        return str(value) if value else None


NOT_READ: Mapping[str, tuple[str, str]] = {
    "privilege": ("privilege level refused", "refused the IPMI privilege level asked"),
    "credentials": ("credentials rejected", "refused the credentials"),
    "access": ("access denied", "denied the account access"),
    "certificate": ("certificate not accepted",
                    "answered with a certificate that is not accepted"),
    "refused": ("connection refused",
                "refused the connection at {host} (something there answers: its web server "
                "down, or a firewall rejecting?)"),
    "hung": ("connected, then no reply {within}",
             "accepted the connection at {host}, then sent no reply {within}"),
    "dropped": ("connected, then closed unanswered",
                "accepted the connection at {host}, then closed it before replying"),
    "silent": ("no answer", "does not answer"),
    "error": ("BMC error", "answered with an error"),
    "config": ("not configured", "was not tried"),
}
"""Kind -> (short reason, what the BMC did): how a node that could not be read is named
(``{host}``: the BMC's address; ``{within}``: ``within 30 s``, how long it was waited for,
else ``in time``)."""

_ACCEPTED = {noanswer.NO_ANSWER_FRESH: "hung", noanswer.DROPPED_FRESH: "dropped"}
"""A new connection accepted, then left without a reply: a BMC up at the TCP level."""


def error_kind(exc: BaseException) -> str:
    """The :data:`NOT_READ` kind of a failure to open a node's BMC."""
    from hamnhw.failover.bmcanswer import no_http_answer
    from hamnhw.transport.ipmi_errors import InsufficientPrivilege, RoleRefused

    kinds = ((InsufficientPrivilege | RoleRefused, "privilege"),
             (AuthenticationError, "credentials"), (AccessDenied, "access"),
             (TlsError, "certificate"), (ConfigError, "config"))
    for kind, name in kinds:
        if isinstance(exc, kind):
            return name
    reason = getattr(exc, "reason", None)
    if reason == noanswer.REFUSED:  # an answer, not silence
        return "refused"
    if reason in _ACCEPTED and not getattr(exc, "headers_came", False):
        return _ACCEPTED[reason]
    return "silent" if isinstance(exc, HamnhwError) and no_http_answer(exc) else "error"


def unreachable(name: str, exc: BaseException) -> NodeFacts:
    """Facts of a node whose BMC could not be opened."""
    return NodeFacts(name=name, error=str(exc) or type(exc).__name__,
                     error_type=type(exc).__name__, error_kind=error_kind(exc),
                     error_host=getattr(exc, "host", None),
                     error_waited_s=getattr(exc, "elapsed_s", None))


def not_read(nodes: Iterable[NodeFacts]) -> str:
    """``primary, standby not read (credentials rejected)``: the nodes that could not be
    read, grouped by why (never "not reachable" for a BMC that answered)."""
    groups: dict[str, list[str]] = {}
    for node in nodes:
        if not node.reachable:
            why = NOT_READ[node.error_kind or "error"][0].format(within=_within(node))
            groups.setdefault(why, []).append(node.name)
    return ", ".join(f"{', '.join(names)} not read ({why})" for why, names in groups.items())


def answered(node: NodeFacts) -> str:
    """``primary's BMC refused the credentials: <the error>``."""
    did = NOT_READ[node.error_kind or "error"][1].format(
        host=node.error_host or "its address", within=_within(node))
    return f"{node.name}'s BMC {did}: {node.error}"


def _within(node: NodeFacts) -> str:
    """``within 30 s``: how long the BMC was waited for, else ``in time``."""
    waited = node.error_waited_s
    return "in time" if waited is None else f"within {round(waited, 1):g} s"


def _attempt(unread: dict[str, str], what: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except HamnhwError as exc:
        unread[what] = f"{type(exc).__name__}: {exc}"
        return None


def read_node_facts(name: str, node: Node) -> NodeFacts:
    """Read everything the checks need from a connected node (inventory, restore policy,
    NICs); a read that fails leaves its fact None and says why in ``unread``."""
    unread: dict[str, str] = {}
    inventory: Inventory | None = _attempt(unread, "inventory", node.inventory.inventory)
    system = inventory.system if inventory else _attempt(unread, "system",
                                                          node.inventory.system)
    policy = _attempt(unread, "restore_policy", node.power.get_restore_policy)
    view: NicView | None = _attempt(unread, "nics", node.nics.view)
    nics = view.nics if view else None
    partial = {part: warnings for part, warnings in (
        ("storage", inventory.warnings if inventory and inventory.incomplete else ()),
        ("nics", view.host_warnings if view else ())) if warnings}
    empty = getattr(inventory, "empty_bays", None)
    return NodeFacts(
        name=name, system=system,
        manager=inventory.manager if inventory else None,
        controllers=inventory.controllers if inventory else None,
        drives=inventory.drives if inventory else None,
        volumes=inventory.volumes if inventory else None,
        empty_bays=tuple(str(getattr(b, "location", b)) for b in empty) if empty is not None
        else None,
        restore_policy=policy, nics=tuple(nics) if nics is not None else None,
        unread=unread, partial=partial)


def facts_json(facts: NodeFacts) -> dict[str, Any]:
    """A short summary of a node for the report (what was read, and what was not)."""
    system = facts.system
    return {"reachable": facts.reachable, "error": facts.error,
            "model": system.model if system else None,
            "serial": system.serial if system else None,
            "power_state": facts.power_state.value,
            "unread": dict(facts.unread),
            "incomplete": {part: list(warnings) for part, warnings in facts.partial.items()}}


Opener = Callable[[str], Node]
"""Opens a node of the pair by name (``primary``/``standby``); raises a HamnhwError."""


def read_pair(opener: Opener, names: tuple[str, str] = ("primary", "standby"),
              ) -> dict[str, NodeFacts]:
    """Open and read both nodes, one after the other; each is closed after its read.

    :raises ConfigError: a node's configuration is wrong (a usage error, not a check result).
    """
    found: dict[str, NodeFacts] = {}
    for name in names:
        try:
            node = opener(name)
        except ConfigError:
            raise
        except HamnhwError as exc:
            found[name] = unreachable(name, exc)
            continue
        try:
            with node.operation():
                found[name] = read_node_facts(name, node)
        finally:
            node.close()
    return found
