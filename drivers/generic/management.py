"""Boot override and identify LED on the ComputerSystem, each set then read back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hamnhw_drivers.generic import mappings
from hamnhw_drivers.generic.context import DriverContext
from hamnhw_drivers.generic.resource import Field, Resource

from hamnhw import models
from hamnhw.errors import OperationFailed
from hamnhw.interfaces import ManagementInterface
from hamnhw.models import BootOverrideMode, BootSource
from hamnhw.plannedrequest import PlannedRequest

if TYPE_CHECKING:  # built through hamnhw.models on first use (power status builds none)
    from hamnhw.models import BootMarks, BootOverride

BOOT_TARGET = Field("Boot.BootSourceOverrideTarget", str, "Where the host boots next.")
BOOT_ENABLED = Field("Boot.BootSourceOverrideEnabled", str, "Once, Continuous or Disabled.")
BOOT_ALLOWED = Field(("Boot", "BootSourceOverrideTarget@Redfish.AllowableValues"), list,
                     "Targets the BMC accepts, where listed.")
LOCATION_INDICATOR = Field("LocationIndicatorActive", bool,
                           "Identify LED on current schemas (ComputerSystem >= 1.13).")
INDICATOR_LED = Field("IndicatorLED", str, "Identify LED on older schemas: Lit, Blinking, Off.")

BOOT_STAGE = Field(("BootProgress", "LastState"), str, "Current boot stage (ComputerSystem 1.13+).")
BOOT_STAGE_TIME = Field(("BootProgress", "LastStateTime"), str, "When the current stage began.")
LAST_RESET_TIME = Field("LastResetTime", str, "When the host was last reset (1.12+).")
BOOT_MODE = Field("Boot.BootSourceOverrideMode", str, "UEFI or Legacy.")

_LED_ON = ("Lit", "Blinking")


class RedfishManagement(ManagementInterface):
    """:class:`~hamnhw.interfaces.ManagementInterface` over DMTF Redfish.

    Vendor subclasses override :meth:`build_boot_patch` or :meth:`build_identify_patch`.
    """

    def __init__(self, context: DriverContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context

    def _system(self) -> Resource:
        return self.context.locator.system()

    # -- boot marks ------------------------------------------------------------------------

    def boot_marks(self) -> BootMarks:
        """PowerState, ``BootProgress``, ``LastResetTime`` and boot mode from one fresh read
        of the ComputerSystem (never a cached copy: the failover compares two reads)."""
        system = self._system()
        return models.BootMarks(mappings.power_state(system.doc.get("PowerState")),
                         mappings.boot_stage(system.field(BOOT_STAGE)),
                         system.field(BOOT_STAGE_TIME), system.field(LAST_RESET_TIME),
                         system.field(BOOT_MODE))

    # -- boot override ---------------------------------------------------------------------

    def get_boot_override(self) -> BootOverride:
        """Read ``Boot.BootSourceOverrideTarget`` and ``BootSourceOverrideEnabled``."""
        return self.parse_boot_override(self._system())

    def parse_boot_override(self, system: Resource) -> BootOverride:
        """Translate a system's ``Boot`` object into a :class:`BootOverride`."""
        if not system.has("Boot"):
            self._unsupported("management.get_boot_override", "the system has no Boot object")
        target = system.field(BOOT_TARGET) or "None"
        mode = system.field(BOOT_ENABLED) or "Disabled"
        try:
            return models.BootOverride(BootSource(target), BootOverrideMode(mode))
        except ValueError:
            raise system.malformed(f"boot override {target!r}/{mode!r} is not one hamnhw "
                                   "models", "Boot") from None

    def build_boot_patch(self, target: BootSource, persistent: bool) -> dict[str, Any]:
        """The PATCH body that sets the override (hook for vendor quirks)."""
        if target is BootSource.NONE:
            mode = BootOverrideMode.DISABLED
        else:
            mode = BootOverrideMode.CONTINUOUS if persistent else BootOverrideMode.ONCE
        return {"Boot": {"BootSourceOverrideTarget": target.value,
                         "BootSourceOverrideEnabled": mode.value}}

    def set_boot_override(self, target: BootSource, *, persistent: bool = False) -> BootOverride:
        """Boot from ``target`` once (or always) and return what is read back.

        :raises UnsupportedOperation: the BMC does not list ``target`` as allowable.
        :raises OperationFailed: the BMC accepted but reads back something else.
        """
        system = self._system()
        self._check_allowed(system, target)
        body = self.build_boot_patch(target, persistent)
        self.context.client.patch(system.uri, body)
        readback = self.get_boot_override()
        wanted = body["Boot"]
        if (readback.target.value != wanted.get("BootSourceOverrideTarget", target.value)
                or readback.mode.value != wanted.get("BootSourceOverrideEnabled",
                                                     readback.mode.value)):
            raise OperationFailed(f"boot override set to {target.value} but reads back "
                                  f"{readback.target.value}/{readback.mode.value}", host=self.host)
        return readback

    def _check_allowed(self, system: Resource, target: BootSource) -> None:
        """Refuse a target the BMC does not list as allowable (where it lists them)."""
        allowed = system.field(BOOT_ALLOWED)
        if allowed is not None and target.value not in allowed:
            listed = ", ".join(map(str, allowed))
            self._unsupported("management.set_boot_override",
                              f"boot target {target.value} not among {listed}")

    def boot_override_requests(self, target: BootSource, *,
                               persistent: bool = False) -> tuple[PlannedRequest, ...]:
        """The PATCH :meth:`set_boot_override` would send (refused like it)."""
        system = self._system()
        self._check_allowed(system, target)
        return (PlannedRequest("PATCH", system.uri, self.build_boot_patch(target, persistent)),)

    # -- identify LED ----------------------------------------------------------------------

    def get_identify(self) -> bool | None:
        """``LocationIndicatorActive``, else ``IndicatorLED`` (Lit/Blinking: on), else None."""
        return self.parse_identify(self._system())

    @staticmethod
    def parse_identify(system: Resource) -> bool | None:
        """The identify LED state of a system document."""
        active = system.field(LOCATION_INDICATOR)
        if active is not None:
            return active
        led = system.field(INDICATOR_LED)
        return None if led is None else led in _LED_ON

    def build_identify_patch(self, system: Resource, on: bool) -> dict[str, Any]:
        """The PATCH body turning the LED on or off, by the property the BMC shows."""
        if system.has(LOCATION_INDICATOR.path):
            return {"LocationIndicatorActive": on}
        if system.has(INDICATOR_LED.path):
            return {"IndicatorLED": "Lit" if on else "Off"}
        self._unsupported("management.set_identify",
                          "the system shows neither LocationIndicatorActive nor IndicatorLED")

    def set_identify(self, on: bool) -> bool:
        """Turn the identify LED on or off and return the state read back.

        :raises OperationFailed: the BMC accepted but reads back the other state.
        """
        system = self._system()
        self.context.client.patch(system.uri, self.build_identify_patch(system, on))
        readback = self.get_identify()
        if readback is not on:
            raise OperationFailed(f"identify LED set {'on' if on else 'off'} but reads back "
                                  f"{readback}", host=self.host)
        return readback
