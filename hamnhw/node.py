"""A connected BMC: :func:`connect` returns a :class:`Node`.

::

    import hamnhw
    with hamnhw.connect("redfish://10.0.0.5", username="root",
                        password=os.environ["BMC_PW"], ca_file="bmc-ca.pem") as node:
        print(node.detection.driver, node.power.state())
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from hamnhw import registry
from hamnhw.address import BmcAddress, parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.driver import Driver
from hamnhw.errors import ConfigError, DriverNotFound
from hamnhw.interfaces import (
    InventoryInterface,
    ManagementInterface,
    NicInterface,
    PollPolicy,
    PowerInterface,
    RaidInterface,
)
from hamnhw.models import Detection
from hamnhw.transport.base import RedfishClient


class Node:
    """One BMC with its chosen driver.  Use as a context manager: leaving the
    block logs the Redfish session out.

    Threads: a Node may be used from several threads at once.  The deadline of an
    :meth:`operation` block belongs to the thread (or asyncio task) that opened it
    (a context variable), so one thread's short operation keeps its limit while
    another runs a long one; a thread outside any block gets the default deadline
    per request.  The Node's requests are serialised by one lock (a re-login never
    races another request); a thread waits for it no longer than its own deadline
    allows (then :class:`~hamnhw.errors.BmcTimeout`).  A power change waited for
    in one thread holds the lock only during each request, not between polls."""

    def __init__(self, name: str, address: BmcAddress, driver: Driver,
                 detection: Detection) -> None:
        self.name = name
        """Node name (config name, or the URL)."""
        self.address = address
        """Parsed BMC URL."""
        self.driver = driver
        """The driver instance."""
        self.detection = detection
        """Driver name and why it was chosen."""

    @property
    def power(self) -> PowerInterface:
        """Power interface of the driver."""
        return self.driver.power

    @property
    def management(self) -> ManagementInterface:
        """Boot override and identify LED."""
        return self.driver.management

    @property
    def nics(self) -> NicInterface:
        """Host and BMC NICs."""
        return self.driver.nics

    @property
    def inventory(self) -> InventoryInterface:
        """System, manager and storage inventory."""
        return self.driver.inventory

    @property
    def raid(self) -> RaidInterface:
        """Hardware RAID."""
        return self.driver.raid

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None, *,
                  deadline: Deadline | None = None) -> Iterator[None]:
        """Bound everything done inside the block by one overall deadline.

        Every request in the block shares the deadline, so a slow BMC fails
        with :class:`~hamnhw.errors.BmcTimeout` once ``seconds`` have passed in
        all, not per request.  Nested blocks (a driver's own) can only shorten it.
        :meth:`close` called inside the block spends what is left of it on the
        logout (plus a short grace, see :meth:`RedfishTransport.close
        <hamnhw.transport.redfish.RedfishTransport.close>`).

        :param seconds: the deadline; None for the ``timeout`` given to :func:`connect`.
        :param deadline: an existing deadline to share instead (the one given to
            :func:`connect`, so that connecting and the block share one budget).
        """
        client = self.driver.client
        if deadline is None:
            with client.operation(seconds):
                yield
        elif hasattr(client, "within"):
            with client.within(deadline):
                yield
        else:
            with RedfishClient.within(client, deadline):
                yield

    def close(self) -> None:
        """Log out and release connections."""
        self.driver.close()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Node({self.name!r}, {self.address.netloc!r}, driver={self.detection.driver!r})"


def connect(url: str, username: str | None = None, password: str | Secret | None = None, *,
            ca_file: str | None = None, pin_fingerprint: str | None = None,
            insecure: bool = False, timeout: float = 120.0, connect_timeout: float = 5.0,
            read_timeout: float = 30.0, driver: str | None = None,
            poll: PollPolicy | None = None, name: str | None = None,
            client_wrapper: Callable[[Any], Any] | None = None,
            deadline: Deadline | None = None) -> Node:
    """Connect to a BMC, authenticate, detect its driver and return a :class:`Node`.

    :param url: BMC URL (see :mod:`hamnhw.address`).
    :param username: BMC account.
    :param password: its password (plain string or :class:`~hamnhw.connection.Secret`).
        Required with a ``username``: a missing one raises ``ConfigError`` rather
        than sending an empty password, which a BMC would count as a failed
        login towards its lockout.  Pass ``""`` explicitly for an account that
        really has an empty password.
    :param ca_file: PEM bundle to verify the BMC certificate against.
    :param pin_fingerprint: trust exactly the certificate with this SHA-256.
    :param insecure: skip TLS verification (warned once).  ``ca_file``,
        ``pin_fingerprint`` and ``insecure`` apply to HTTPS only: with a plain-HTTP
        URL (``redfish+http://``) they raise ``ConfigError``.
    :param timeout: overall deadline of one operation, seconds: of connecting
        (ServiceRoot, login, detection, system choice) and, by default, of each
        request or :meth:`Node.operation` block after it.
    :param connect_timeout: TCP/TLS connect timeout per request, seconds.
    :param read_timeout: read timeout per request, seconds.
    :param driver: force a driver by entry-point name instead of detecting.
    :param poll: how power changes are waited for.
    :param name: a name for messages; defaults to the URL.
    :param client_wrapper: called with the opened transport; what it returns (a
        :class:`~hamnhw.transport.base.RedfishClient` decorator, e.g.
        :class:`hamnhw.fixturetools.record.RecordingClient`) is what detection
        and the driver use.
    :raises hamnhw.errors.HamnhwError: any failure, typed.
    """
    address = parse_bmc_url(url)
    if username and password is None:
        raise ConfigError(f"a username ({username!r}) but no password was given; pass "
                          'password="" explicitly for an account without one',
                          host=address.netloc)
    secret = password if isinstance(password, Secret) else Secret(password or "")
    credentials = Credentials(username or "", secret)
    tls = TlsOptions(ca_file=ca_file, pin_fingerprint=pin_fingerprint, insecure=insecure)
    timeouts = Timeouts(connect=connect_timeout, read=read_timeout, operation=timeout)
    if address.protocol != "redfish":
        raise DriverNotFound(f"no driver installed for {address.scheme}:// addresses",
                             host=address.netloc)
    from hamnhw.transport.redfish import RedfishTransport

    transport = RedfishTransport(address, credentials, tls, timeouts)
    # Connecting is one operation: one deadline (the caller's, when given).
    bound = transport.within(deadline) if deadline else transport.operation()
    with bound:
        return _open_node(transport, address, name or url, driver, poll, client_wrapper)


def _open_node(transport: Any, address: BmcAddress, name: str, driver: str | None,
               poll: PollPolicy | None, client_wrapper: Callable[[Any], Any] | None) -> Node:
    """Open ``transport``, detect or load the driver; close everything on failure
    (inside the caller's deadline, so the logout spends what is left of it)."""
    client: Any = transport
    try:
        transport.open()
        if client_wrapper is not None:
            client = client_wrapper(transport)
        if driver:
            cls = registry.driver_by_name(driver)
            detection = Detection(cls.name, "chosen explicitly")
        else:
            cls, detection = registry.detect(client, address)
        instance = cls(client, address, poll or PollPolicy())
        instance.open()
    except BaseException:
        client.close()
        raise
    return Node(name, address, instance, detection)
