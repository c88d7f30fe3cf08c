"""What ``hamnhw record`` runs: a resource walk, or a named operation.

::

    from hamnhw.fixturetools.sessions import record, record_session

    record_session("redfish://10.0.0.5", "fixtures/redfish", "power-cycle",
                   username="root", password=secret, ca_file="bmc-ca.pem")

The sessions in :data:`CHANGES_STATE` change the host's power state (the CLI asks for
``--yes``).  ``power-cycle`` refuses a node that is off or powering off, as
``hamnhw power cycle`` does: recording never brings a fenced node back.  That check reads
the power state before the recording starts, and is not part of the recording.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping
from typing import Any

import hamnhw
from hamnhw.errors import OperationFailed
from hamnhw.fixturetools.record import (
    Identity,
    RecordingClient,
    WalkLimits,
    identify,
    save,
    walk,
)
from hamnhw.models import PowerState
from hamnhw.node import Node
from hamnhw.transport.base import RedfishClient

WALK_DIR = "walk"


def _power_cycle(node: Node) -> None:
    """Force off, then on, each waited for (a running node only: :func:`_refuse_cycle`)."""
    node.power.off()
    node.power.on()


def _refuse_cycle(node: Node) -> None:
    """Refuse to cycle a node that is off or powering off, as ``hamnhw power cycle`` does.

    :raises OperationFailed: it is; nothing was sent.
    """
    state = node.power.state()
    if state in (PowerState.OFF, PowerState.POWERING_OFF):
        raise OperationFailed(f"power cycle refused: the node is {state.value.replace('_', ' ')}"
                              " (power it on instead); nothing was sent", host=node.name)


SESSIONS: Mapping[str, Callable[[Node], Any]] = {
    "power-cycle": _power_cycle,
    "power-off": lambda node: node.power.off(),
    "power-on": lambda node: node.power.on(),
    "power-status": lambda node: node.power.state(),
    "inventory": lambda node: node.inventory.inventory(),
    "nics": lambda node: (node.nics.list(), node.nics.bmc_nics()),
    "raid": lambda node: (node.raid.volumes(), node.raid.drives()),
}
"""Named operations ``hamnhw record --session NAME`` can record."""

CHANGES_STATE = frozenset({"power-cycle", "power-off", "power-on"})
"""The sessions that change the host's power state; the others only read."""

PRECHECKS: Mapping[str, Callable[[Node], None]] = {"power-cycle": _refuse_cycle}
"""Checks run before a session's recording starts (their reads are not recorded)."""


def _client_of(node_or_client: Node | RedfishClient) -> RedfishClient:
    if isinstance(node_or_client, Node):
        client = node_or_client.driver.client
        return client.inner if isinstance(client, RecordingClient) else client
    return node_or_client


def record(node_or_client: Node | RedfishClient, out_dir: str | pathlib.Path, *,
           source: str = "bmc", vendor: str | None = None, model: str | None = None,
           firmware: str | None = None, limits: WalkLimits | None = None) -> pathlib.Path:
    """Walk a BMC's resources breadth first and write them as a scrubbed fixture.

    :param node_or_client: a connected :class:`~hamnhw.node.Node` or RedfishClient.
    :param out_dir: fixtures root; the recording goes to
        ``out_dir/<vendor>/<model>_<fw>/walk``.
    :param source: what was recorded (``bmc``, ``hamnhw-sim``, ``sushy-tools``).
    :param vendor: override the ServiceRoot ``Vendor`` in the directory name and meta.
    :param model: override the Manager ``Model``.
    :param firmware: override the Manager ``FirmwareVersion``.
    :param limits: walk bounds (500 resources, schemas/registries/log entries skipped).
    :returns: the directory written.
    """
    client = _client_of(node_or_client)
    identity = identify(client, vendor, model, firmware)
    recorder = RecordingClient(client)
    walk(recorder, limits)
    directory = identity.directory(pathlib.Path(out_dir)) / WALK_DIR
    return save(recorder, directory, source=source, kind="walk", identity=identity)


def record_session(url: str, out_dir: str | pathlib.Path, session: str, *,
                   source: str = "bmc", vendor: str | None = None, model: str | None = None,
                   firmware: str | None = None, **connect_kwargs: Any) -> pathlib.Path:
    """Connect with :func:`hamnhw.connect`, run the named operation, record every exchange.

    The recording starts with the ServiceRoot and includes driver detection,
    so that a replay through :func:`hamnhw.connect` asks the same things in
    the same order.  Login and logout are not recorded (the replay stands
    them in).

    :param session: a key of :data:`SESSIONS`.
    :param connect_kwargs: passed to :func:`hamnhw.connect` (credentials, TLS, ``poll``).
    :returns: the directory written: ``out_dir/<vendor>/<model>_<fw>/<session>``.
    :raises KeyError: unknown session name.
    :raises OperationFailed: ``power-cycle`` of a node that is off or powering off
        (nothing sent, nothing written).
    :raises ConfigError: no ``model``/``firmware`` given and the BMC does not list its
        Managers (:func:`~hamnhw.fixturetools.record.identify`): before anything is sent.
    """
    operation = SESSIONS[session]
    recorders: list[RecordingClient] = []

    def wrap(client: RedfishClient) -> RecordingClient:
        recorders.append(RecordingClient(client))
        return recorders[-1]

    with hamnhw.connect(url, client_wrapper=wrap, **connect_kwargs) as node:
        # before anything is sent: a BMC that does not tell its identity stops here
        identity = identify(recorders[0].inner, vendor, model, firmware)
        precheck = PRECHECKS.get(session)
        if precheck is not None:
            with recorders[0].paused():
                precheck(node)
        operation(node)
        directory = identity.directory(pathlib.Path(out_dir)) / session
        return save(recorders[0], directory, source=source, kind="session",
                    identity=identity, session=session)


def record_walk(url: str, out_dir: str | pathlib.Path, *, source: str = "bmc",
                vendor: str | None = None, model: str | None = None,
                firmware: str | None = None, limits: WalkLimits | None = None,
                **connect_kwargs: Any) -> pathlib.Path:
    """Connect with :func:`hamnhw.connect` and :func:`record` a walk."""
    with hamnhw.connect(url, **connect_kwargs) as node:
        return record(node, out_dir, source=source, vendor=vendor, model=model,
                      firmware=firmware, limits=limits)


__all__ = ["CHANGES_STATE", "SESSIONS", "Identity", "record", "record_session", "record_walk"]
