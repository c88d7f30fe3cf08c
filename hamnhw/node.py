"""A connected BMC: :func:`connect` returns a :class:`Node`.

::

    import hamnhw
    with hamnhw.connect("redfish://10.0.0.5", username="root",
                        password=os.environ["BMC_PW"], ca_file="bmc-ca.pem") as node:
        print(node.detection.driver, node.power.state())
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from hamnhw import readmemo, registry
from hamnhw.address import BmcAddress, parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.deadline import Deadline
from hamnhw.driver import Driver
from hamnhw.errors import (
    AuthenticationError,
    BmcUnreachable,
    ConfigError,
    DriverNotFound,
    TlsError,
)
from hamnhw.interfaces import (
    InventoryInterface,
    ManagementInterface,
    NicInterface,
    PollPolicy,
    PowerInterface,
    RaidInterface,
)
from hamnhw.ipmi_fallback import (
    FallbackDriver,
    FallbackPower,
    IpmiSettings,
    PowerOnlyDriver,
    UnsafeCounter,
)
from hamnhw.log import get_logger
from hamnhw.models import Detection
from hamnhw.readmemo import MemoClient
from hamnhw.transport.client import BmcClient

LOG = get_logger("hamnhw.node")


class Node:
    """One BMC with its chosen driver.  Use as a context manager: leaving the
    block logs the session out (Redfish or IPMI).

    Threads: a Node may be used from several threads at once.  The deadline of an
    :meth:`operation` block belongs to the thread (or asyncio task) that opened it
    (a context variable, :class:`~hamnhw.transport.client.DeadlineScope`), so one
    thread's short operation keeps its limit while another runs a long one; a thread
    outside any block gets the default deadline per request.  Over Redfish the Node's
    requests pass its transport's gate (:class:`~hamnhw.transport.gate.RequestGate`): a
    few in flight at once, a re-login and the logout alone (a re-login never races
    another request); over IPMI they are serialised by a lock.  A thread waits at either
    no longer than its own deadline allows (then :class:`~hamnhw.errors.BmcTimeout`).  A
    power change waited for in one thread holds its place only during each request, not
    between polls."""

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
    def protocol(self) -> str:
        """``redfish`` or ``ipmi``: the protocol serving the node (for a Redfish node with
        an IPMI fallback, the one that served the last power call)."""
        return str(getattr(self.driver, "active_protocol", self.driver.protocol))

    @property
    def power(self) -> PowerInterface:
        """Power interface of the driver."""
        self._new_call()
        return self.driver.power

    @property
    def management(self) -> ManagementInterface:
        """Boot override and identify LED."""
        self._new_call()
        return self.driver.management

    @property
    def nics(self) -> NicInterface:
        """Host and BMC NICs."""
        self._new_call()
        return self.driver.nics

    @property
    def inventory(self) -> InventoryInterface:
        """System, manager and storage inventory."""
        self._new_call()
        return self.driver.inventory

    @property
    def raid(self) -> RaidInterface:
        """Hardware RAID."""
        self._new_call()
        return self.driver.raid

    def _new_call(self) -> None:
        """Outside an :meth:`operation` block, each call reads afresh (:mod:`hamnhw.readmemo`)."""
        client = getattr(self.driver, "client", None)
        if isinstance(client, MemoClient) and not readmemo.in_command():
            client.new_call()

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

        The block is one command: what its calls read is read once (a resource two calls
        need is not fetched twice, :mod:`hamnhw.readmemo`), and the first block after
        :func:`connect` also uses what connecting read; waits and writes still read afresh.
        Outside a block, each call reads afresh.

        :param seconds: the deadline; None for the ``timeout`` given to :func:`connect`.
        :param deadline: an existing deadline to share instead (the one given to
            :func:`connect`, so that connecting and the block share one budget).
        """
        client = self.driver.client
        if isinstance(client, MemoClient) and not readmemo.in_command():
            client.begin_command()
        with readmemo.command():
            if deadline is None:
                with client.operation(seconds):
                    yield
            elif hasattr(client, "within"):
                with client.within(deadline):
                    yield
            else:
                with BmcClient.within(client, deadline):
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
            deadline: Deadline | None = None, ipmi: IpmiSettings | None = None,
            choose_system: bool = True) -> Node:
    """Connect to a BMC, authenticate, detect its driver and return a :class:`Node`.

    The URL's protocol chooses the transport: ``redfish`` (HTTPS, or HTTP for emulators) or
    ``ipmi`` (IPMI 2.0 over LAN through pyghmi, :mod:`hamnhw.transport.ipmi`).

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
        URL (``redfish+http://``) or an ``ipmi://`` one they raise ``ConfigError``.
    :param timeout: overall deadline of one operation, seconds: of connecting
        (ServiceRoot or IPMI login, detection, system choice) and, by default, of each
        request or :meth:`Node.operation` block after it.  A power change outside such a
        block runs under its own wait's deadline, its requests included: the call's
        ``timeout``, else ``poll.timeout`` (120 s by default); pass ``timeout=`` to the
        call, or run it in ``node.operation(seconds)``, to bound it by less.
    :param connect_timeout: TCP/TLS connect timeout per request, seconds.
    :param read_timeout: read timeout per request, seconds.
    :param driver: force a driver by entry-point name instead of detecting.
    :param poll: how power changes are waited for.
    :param name: a name for messages; defaults to the URL.
    :param client_wrapper: called with the opened Redfish transport; what it returns (a
        :class:`~hamnhw.transport.base.RedfishClient` decorator, e.g.
        :class:`hamnhw.fixturetools.record.RecordingClient`) is what detection
        and the driver use.  Redfish only.
    :param ipmi: IPMI settings (:class:`~hamnhw.ipmi_fallback.IpmiSettings`): Kg,
        privilege and pacing of an ``ipmi://`` URL, or, with its ``url``, the IPMI path of a
        Redfish node, which serves power when Redfish is unreachable
        (:mod:`hamnhw.ipmi_fallback`).
    :param choose_system: choose the system now (:meth:`Driver.open
        <hamnhw.driver.Driver.open>`: several systems and none picked fail here); False for
        a caller that needs no system, such as detection (:meth:`Driver.probe
        <hamnhw.driver.Driver.probe>` only).
    :raises hamnhw.errors.HamnhwError: any failure, typed.
    """
    address = parse_bmc_url(url)
    if username and password is None:
        raise ConfigError(f"a username ({username!r}) but no password was given; pass "
                          'password="" explicitly for an account without one',
                          host=address.netloc)
    secret = password if isinstance(password, Secret) else Secret(password or "")
    credentials = Credentials(username or "", secret)
    timeouts = Timeouts(connect=connect_timeout, read=read_timeout, operation=timeout)
    if address.protocol == "ipmi":
        transport = _ipmi_transport(address, credentials, timeouts, ipmi,
                                    bool(ca_file or pin_fingerprint or insecure or client_wrapper))
    elif address.protocol == "redfish":
        from hamnhw.transport.redfish import RedfishTransport

        tls = TlsOptions(ca_file=ca_file, pin_fingerprint=pin_fingerprint, insecure=insecure)
        transport = RedfishTransport(address, credentials, tls, timeouts)
    else:  # pragma: no cover - parse_bmc_url knows no other protocol
        raise DriverNotFound(f"no driver registered for {address.scheme}:// addresses",
                             host=address.netloc, usage=True)
    fallback = _fallback_settings(address, ipmi)
    counter: list[UnsafeCounter] = []
    if fallback is not None:
        client_wrapper = _counting(client_wrapper, counter)
    # Connecting is one operation: one deadline (the caller's, when given).
    try:
        bound = transport.within(deadline) if deadline else transport.operation()
        with bound:
            node = _open_node(transport, address, name or url, driver, poll, client_wrapper,
                              choose_system, pin_fingerprint)
    except AuthenticationError as exc:
        named = naming_account(exc, credentials)
        if named is exc:
            raise
        raise named from exc
    except BmcUnreachable as exc:
        if fallback is None or isinstance(exc, TlsError):
            raise
        return _power_only_node(address, name or url, exc, fallback, credentials, timeout,
                                poll, deadline)
    if fallback is not None:
        reconnect = functools.partial(_connect_ipmi, fallback, credentials, name or url,
                                      timeout, poll, deadline)
        power = FallbackPower(node.driver.power, counter[0], reconnect)
        node.driver = FallbackDriver(node.driver, power)
    return node


def naming_account(exc: AuthenticationError, credentials: Credentials) -> AuthenticationError:
    """A refused login saying which account and which password source were refused (never
    the password): ``credentials rejected (HTTP 401) for user 'root' (password from
    $BMC_PASSWORD)``.  A subclass (an expired session) is left as it is."""
    if type(exc) is not AuthenticationError or not credentials.username:
        return exc
    source = credentials.password.source
    whence = f" (password from {source})" if source else ""
    return AuthenticationError(f"{exc.message} for user {credentials.username!r}{whence}",
                               host=exc.host)


def _ipmi_transport(address: BmcAddress, credentials: Credentials, timeouts: Timeouts,
                    ipmi: IpmiSettings | None, https_options: bool) -> Any:
    if https_options:
        raise ConfigError("ca_file, pin_fingerprint, insecure and client wrappers apply to "
                          "Redfish only, not to ipmi:// addresses", host=address.netloc)
    settings = ipmi or IpmiSettings()
    if settings.url is not None:
        raise ConfigError("the node URL is already ipmi://; its IPMI settings take no url",
                          host=address.netloc)
    from hamnhw.transport.ipmi import IpmiTransport

    return IpmiTransport(address, credentials, timeouts, kg=settings.kg,
                         privilege=settings.privilege, pacing=settings.pacing,
                         boot_mode=settings.boot_mode)


def _fallback_settings(address: BmcAddress, ipmi: IpmiSettings | None) -> IpmiSettings | None:
    """The IPMI path of a Redfish node, or None."""
    if ipmi is None or address.protocol != "redfish":
        return None
    if ipmi.url is None:
        raise ConfigError("IPMI settings for a Redfish node need the url of its IPMI path",
                          host=address.netloc)
    if parse_bmc_url(ipmi.url).protocol != "ipmi":
        raise ConfigError(f"the IPMI path {ipmi.url!r} is not an ipmi:// URL",
                          host=address.netloc)
    return ipmi


def _counting(wrapper: Callable[[Any], Any] | None,
              found: list[UnsafeCounter]) -> Callable[[Any], Any]:
    """``wrapper`` with an :class:`UnsafeCounter` around the client it is given."""
    def wrap(transport: Any) -> Any:
        counter = UnsafeCounter(transport if wrapper is None else wrapper(transport))
        found.append(counter)
        return counter

    return wrap


def _connect_ipmi(settings: IpmiSettings, credentials: Credentials, name: str, timeout: float,
                  poll: PollPolicy | None, deadline: Deadline | None) -> Node:
    """The node of a Redfish node's IPMI path (account defaults to the Redfish one)."""
    assert settings.url is not None
    own = IpmiSettings(kg=settings.kg, privilege=settings.privilege, pacing=settings.pacing,
                       boot_mode=settings.boot_mode)
    return connect(settings.url, settings.username or credentials.username,
                   settings.password if settings.password is not None else credentials.password,
                   timeout=timeout, poll=poll, name=name, deadline=deadline, ipmi=own)


def _power_only_node(address: BmcAddress, name: str, exc: BmcUnreachable,
                     settings: IpmiSettings, credentials: Credentials, timeout: float,
                     poll: PollPolicy | None, deadline: Deadline | None) -> Node:
    """Redfish never answered: the node over its IPMI path, serving power only."""
    reason = f"Redfish at {address.netloc} is unreachable ({exc.message})"
    LOG.warning("%s; using its IPMI path %s for power", reason, settings.url)
    ipmi_node = _connect_ipmi(settings, credentials, name, timeout, poll, deadline)
    driver = PowerOnlyDriver(ipmi_node.driver, address, reason)
    detection = Detection(ipmi_node.detection.driver,
                          f"{reason}; IPMI path {settings.url}: {ipmi_node.detection.reason}")
    return Node(name, address, driver, detection)


def _open_node(transport: Any, address: BmcAddress, name: str, driver: str | None,
               poll: PollPolicy | None, client_wrapper: Callable[[Any], Any] | None,
               choose_system: bool = True, pin: str | None = None) -> Node:
    """Open ``transport``, detect or load the driver; close everything on failure
    (inside the caller's deadline, so the logout spends what is left of it)."""
    client: Any = transport
    try:
        transport.open()
        if client_wrapper is not None:
            client = client_wrapper(transport)
        if address.protocol == "redfish":
            client = MemoClient(client)
        if driver:
            cls = registry.driver_by_name(driver)
            if cls.protocol != address.protocol:
                raise DriverNotFound(f"driver {driver!r} speaks {cls.protocol}, not "
                                     f"{address.protocol} ({address.scheme}://)",
                                     host=address.netloc, usage=True)
            detection = Detection(cls.name, "chosen explicitly")
        else:
            cls, detection = _detect(client, address, pin)
        instance = cls(client, address, poll or PollPolicy())
        if choose_system:
            instance.open()
        else:
            instance.probe()
    except BaseException:
        client.close()
        raise
    return Node(name, address, instance, detection)


def _detect(client: Any, address: BmcAddress, pin: str | None) -> tuple[type[Driver], Detection]:
    """:func:`registry.detect`, or the detection remembered for this BMC when
    ``HAMNHW_DETECT_CACHE`` asks for it (:mod:`hamnhw.detectcache`)."""
    from hamnhw import detectcache

    if address.protocol != "redfish" or address.forced_scheme or not detectcache.enabled():
        return registry.detect(client, address)  # a vendor scheme decides at no request
    cache_key = detectcache.key(address.netloc, getattr(client, "root", None), pin,
                                address.system_id)
    remembered = detectcache.lookup(cache_key) if cache_key else None
    if remembered is not None:
        try:
            cls = registry.driver_by_name(remembered.driver)
        except DriverNotFound:
            cls = None  # uninstalled since: detect again
        if cls is not None and cls.protocol == address.protocol:
            return cls, remembered
    problems: list[str] = []
    cls, detection = registry.detect(client, address, problems=problems)
    if cache_key and not problems:  # a read failed: the answer may differ next time
        detectcache.store(cache_key, detection)
    return cls, detection
