"""A Redfish node's IPMI path: power served over IPMI when Redfish is unreachable.

A node table may name both (``bmc = "redfish://..."`` and an ``[nodes.X.ipmi]`` sub-table,
see :mod:`hamnhw.config`).  :func:`hamnhw.connect` then connects over Redfish as usual and:

* when Redfish never answers at connect time (:class:`~hamnhw.errors.BmcUnreachable`, a TLS
  failure excepted: that is no reason to go around TLS), it connects over IPMI and returns a
  node whose power is IPMI's and whose other interfaces refuse with
  :class:`~hamnhw.errors.RedfishUnreachable` (:class:`PowerOnlyDriver`): an
  ``UnsupportedOperation`` of the IPMI path that is also a ``BmcUnreachable`` (exit 3, a
  CRITICAL check);
* otherwise each power call goes to Redfish, and goes to IPMI only when Redfish raised
  ``BmcUnreachable`` before any POST, PATCH or DELETE of that call was attempted
  (:class:`FallbackPower`): never after a request that may have run (a dropped connection,
  a timeout after sending).

Results say which protocol served them: ``PowerResult.protocol`` and ``Node.protocol``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from hamnhw.address import BmcAddress
from hamnhw.connection import Secret
from hamnhw.deadline import Deadline
from hamnhw.driver import Driver
from hamnhw.errors import BmcUnreachable, RedfishUnreachable, TlsError
from hamnhw.interfaces import (
    InventoryInterface,
    ManagementInterface,
    NicInterface,
    PowerInterface,
    RaidInterface,
)
from hamnhw.log import get_logger
from hamnhw.models import PowerRestorePolicy, PowerResult, PowerState

if TYPE_CHECKING:  # annotations only (hamnhw.hostmodels: built on first use)
    from hamnhw.models import Nic, System
from hamnhw.transport.base import RedfishClient, RedfishResponse

LOG = get_logger("hamnhw.ipmi_fallback")
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class IpmiSettings:
    """How to reach a node over IPMI (:func:`hamnhw.connect`'s ``ipmi``).

    With an ``ipmi://`` node URL, only ``kg``, ``privilege``, ``pacing`` and ``boot_mode``
    apply (``url`` stays None).  With a Redfish node URL, ``url`` names the fallback path;
    ``username`` and ``password`` default to the node's.
    """

    url: str | None = None
    """``ipmi://host[:port]`` of the fallback path."""
    username: str | None = None
    """IPMI account, when it differs from the Redfish one."""
    password: Secret | None = dataclasses.field(default=None, repr=False)
    """Its password."""
    kg: Secret | None = dataclasses.field(default=None, repr=False)
    """The BMC key (Kg), for BMCs that require one."""
    privilege: str | None = None
    """``user``, ``operator`` or ``administrator``; None: administrator, else operator."""
    pacing: float | None = None
    """Minimum seconds between two IPMI commands to the BMC (None: the default)."""
    boot_mode: str | None = None
    """``UEFI`` or ``Legacy``: the node's firmware boot mode, kept by a boot override when
    the BMC's boot flags do not tell it (None: a boot override then needs valid flags)."""


class UnsafeCounter(RedfishClient):
    """A :class:`RedfishClient` decorator counting the POST, PATCH, PUT and DELETE requests
    attempted, so that a fallback can tell whether one may have run.  Everything else the
    inner client has (``stream`` for SSE, ``session_path``...) is the inner client's."""

    def __init__(self, inner: RedfishClient) -> None:
        self.inner = inner
        self.host = inner.host
        self.unsafe_attempts = 0
        """POST, PATCH and DELETE calls so far (counted before they are sent)."""

    def __getattr__(self, name: str) -> Any:
        """What this decorator does not define: the inner client's (absent there: absent)."""
        if name == "inner":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def root(self) -> Mapping[str, Any]:
        """The inner client's ServiceRoot."""
        return self.inner.root

    def get(self, path: str) -> dict[str, Any]:
        """GET through the inner client."""
        return self.inner.get(path)

    def get_response(self, path: str) -> RedfishResponse:
        """GET keeping status and headers (a task monitor) through the inner client."""
        return self.inner.get_response(path)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> RedfishResponse:
        """POST through the inner client, counted."""
        self.unsafe_attempts += 1
        return self.inner.post(path, body)

    def patch(self, path: str, body: Mapping[str, Any],
              etag: str | None = None) -> RedfishResponse:
        """PATCH through the inner client, counted."""
        self.unsafe_attempts += 1
        return self.inner.patch(path, body, etag)

    def delete(self, path: str) -> RedfishResponse:
        """DELETE through the inner client, counted."""
        self.unsafe_attempts += 1
        return self.inner.delete(path)

    def put(self, path: str, body: Mapping[str, Any],
            etag: str | None = None) -> RedfishResponse:
        """PUT through the inner client, counted."""
        self.unsafe_attempts += 1
        return self.inner.put(path, body, etag)

    @contextlib.contextmanager
    def operation(self, seconds: float | None = None) -> Iterator[None]:
        """The inner client's deadline."""
        with self.inner.operation(seconds):
            yield

    @contextlib.contextmanager
    def within(self, deadline: Deadline) -> Iterator[None]:
        """The inner client's deadline."""
        with self.inner.within(deadline):
            yield

    def deadline_scope(self) -> contextlib.AbstractContextManager[Deadline | None]:
        """The inner client's deadline."""
        return self.inner.deadline_scope()

    def close(self) -> None:
        """Close the inner client."""
        self.inner.close()


class FallbackPower(PowerInterface):
    """Redfish power, with IPMI for calls Redfish could not even start.

    :param redfish: the Redfish driver's power interface.
    :param counter: the client that driver uses, counting unsafe requests.
    :param connect_ipmi: opens the IPMI node on first need.
    """

    def __init__(self, redfish: PowerInterface, counter: UnsafeCounter,
                 connect_ipmi: Callable[[], Any]) -> None:
        super().__init__(redfish.driver_name, redfish.host)
        self.redfish = redfish
        self.counter = counter
        self._connect_ipmi = connect_ipmi
        self.ipmi_node: Any = None
        """The IPMI node, once opened."""
        self.last_protocol = "redfish"
        """The protocol that served the last call."""

    def _run(self, what: str, call: Callable[[PowerInterface], T]) -> T:
        before = self.counter.unsafe_attempts
        try:
            result = call(self.redfish)
        except TlsError:
            raise
        except BmcUnreachable as exc:
            if self.counter.unsafe_attempts != before:
                raise  # a request of this call may have run: never repeat it over IPMI
            LOG.warning("%s: Redfish unreachable (%s); %s over IPMI", self.host, exc.message,
                        what)
        else:
            self.last_protocol = "redfish"
            return result
        if self.ipmi_node is None:
            self.ipmi_node = self._connect_ipmi()
        self.last_protocol = "ipmi"
        return call(self.ipmi_node.power)

    def state(self) -> PowerState:
        """Power state, over IPMI when Redfish is unreachable."""
        return self._run("power state", lambda p: p.state())

    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power on (see :class:`FallbackPower`)."""
        return self._run("power on", lambda p: p.on(wait=wait, timeout=timeout))

    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Force off (see :class:`FallbackPower`)."""
        return self._run("power off", lambda p: p.off(wait=wait, timeout=timeout))

    def soft_off(self, *, wait: bool = True, timeout: float | None = None,
                 escalate_after: float | None = None) -> PowerResult:
        """Graceful shutdown (see :class:`FallbackPower`)."""
        return self._run("soft off", lambda p: p.soft_off(wait=wait, timeout=timeout,
                                                          escalate_after=escalate_after))

    def cycle(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        """Power cycle (see :class:`FallbackPower`)."""
        return self._run("power cycle", lambda p: p.cycle(wait=wait, timeout=timeout))

    def get_restore_policy(self) -> PowerRestorePolicy:
        """Restore policy (see :class:`FallbackPower`)."""
        return self._run("restore policy read", lambda p: p.get_restore_policy())

    def set_restore_policy(self, policy: PowerRestorePolicy) -> PowerRestorePolicy:
        """Set the restore policy (see :class:`FallbackPower`)."""
        return self._run("restore policy", lambda p: p.set_restore_policy(policy))

    def close(self) -> None:
        """Close the IPMI node if it was opened."""
        node, self.ipmi_node = self.ipmi_node, None
        if node is not None:
            node.close()


class FallbackDriver(Driver):
    """A Redfish driver whose power falls back to IPMI (:class:`FallbackPower`)."""

    def __init__(self, inner: Driver, power: FallbackPower) -> None:
        super().__init__(inner.client, inner.address, inner.poll)
        self.inner = inner
        self.power = power
        self.management = inner.management
        self.nics = inner.nics
        self.inventory = inner.inventory
        self.raid = inner.raid

    @property
    def active_protocol(self) -> str:
        """The protocol that served the last power call."""
        power = self.power
        return power.last_protocol if isinstance(power, FallbackPower) else self.protocol

    def close(self) -> None:
        """Close the Redfish driver and the IPMI node."""
        try:
            self.inner.close()
        finally:
            if isinstance(self.power, FallbackPower):
                self.power.close()


class _Refusing:
    """Mixin: every operation, the interface's optional ones included, is refused with the
    same reason (:class:`~hamnhw.errors.RedfishUnreachable`)."""

    reason = ""
    driver_name = ""
    host = ""

    def _unsupported(self, operation: str, detail: str | None = None) -> NoReturn:
        raise RedfishUnreachable(self.driver_name, operation, host=self.host,
                                 detail=self.reason)

    def _refuse(self, operation: str) -> NoReturn:
        self._unsupported(operation)


class _NoManagement(_Refusing, ManagementInterface):
    def get_boot_override(self) -> NoReturn:
        self._refuse("management.get_boot_override")

    def set_boot_override(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._refuse("management.set_boot_override")

    def get_identify(self) -> NoReturn:
        self._refuse("management.get_identify")

    def set_identify(self, on: bool) -> NoReturn:
        self._refuse("management.set_identify")


class _NoNics(_Refusing, NicInterface):
    def list(self) -> tuple[Nic, ...] | None:
        self._refuse("nics.list")

    def bmc_nics(self) -> tuple[Nic, ...]:
        self._refuse("nics.bmc_nics")


class _NoInventory(_Refusing, InventoryInterface):
    def system(self) -> System:
        self._refuse("inventory.system")


class _NoRaid(_Refusing, RaidInterface):
    def volumes(self) -> NoReturn:
        self._refuse("raid.volumes")

    def drives(self) -> NoReturn:
        self._refuse("raid.drives")


class PowerOnlyDriver(Driver):
    """The node of a Redfish URL reached over its IPMI path: power only.

    :param ipmi_driver: the opened IPMI driver.
    :param reason: why Redfish is not used, for the refusals.
    """

    protocol = "ipmi"

    def __init__(self, ipmi_driver: Driver, redfish_address: BmcAddress, reason: str) -> None:
        super().__init__(ipmi_driver.client, redfish_address, ipmi_driver.poll)
        self.ipmi_driver = ipmi_driver
        self.power = ipmi_driver.power
        refusal = f"{reason}; its IPMI path answered, but serves power only"
        for attribute, cls in (("management", _NoManagement), ("nics", _NoNics),
                               ("inventory", _NoInventory), ("raid", _NoRaid)):
            interface = cls(ipmi_driver.name, redfish_address.netloc)
            interface.reason = refusal
            setattr(self, attribute, interface)

    def close(self) -> None:
        """Close the IPMI session."""
        self.ipmi_driver.close()
