"""Boot device (System Boot Options parameter 5) and chassis identify over IPMI.

pyghmi's ``set_bootdev`` clears the UEFI bit unless told otherwise, which makes a UEFI
node try a legacy boot of the disks it is handed (the failover boots moved UEFI disks
this way).  IPMI cannot read the node's firmware mode: the UEFI bit means something only
in valid boot flags, and a BMC with no override in force reports invalid flags (all zero
on a fresh one).  So a new override takes its mode from, in this order: the caller
(``uefi=``), the node's configured ``boot_mode``, the BMC's valid flags; with none of
them it is refused (:class:`~hamnhw.errors.ConfigError`) rather than guessed.  The flags
are read back.
"""

from __future__ import annotations

from hamnhw_drivers.ipmi import codec
from hamnhw_drivers.ipmi.codec import BootFlags
from hamnhw_drivers.ipmi.context import IpmiContext

from hamnhw.errors import ConfigError, OperationFailed
from hamnhw.interfaces import ManagementInterface
from hamnhw.log import get_logger
from hamnhw.models import BootMarks, BootOverride, BootOverrideMode, BootSource, PowerState

LOG = get_logger("hamnhw.drivers.ipmi.management")


class IpmiManagement(ManagementInterface):
    """:class:`~hamnhw.interfaces.ManagementInterface` over IPMI chassis commands."""

    def __init__(self, context: IpmiContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context

    # -- boot ------------------------------------------------------------------------------
    def boot_flags(self) -> BootFlags:
        """The raw boot flags: device, once or persistent, UEFI or legacy mode."""
        data = self.context.client.raw("get boot flags", codec.NETFN_CHASSIS,
                                       codec.GET_BOOT_OPTIONS, [codec.BOOT_FLAGS, 0, 0])
        return codec.parse_boot_flags(data, self.host)

    def get_boot_override(self) -> BootOverride:
        """The next boot device, once or persistent; no override when the flags are invalid."""
        return self.boot_flags().override()

    def set_boot_override(self, target: BootSource, *, persistent: bool = False,
                          uefi: bool | None = None) -> BootOverride:
        """Boot from ``target`` next time (or always) and return what is read back.

        :param target: PXE, HDD, CD, USB or BIOS setup; ``NONE`` clears the override.
        :param uefi: the boot mode to ask for; None: the node's configured ``boot_mode``,
            else the mode of the BMC's current flags when they are valid.
        :raises UnsupportedOperation: a target IPMI cannot select.
        :raises ConfigError: no mode is known (no ``uefi``, no configured ``boot_mode``, and
            the BMC's flags are not valid): nothing is sent.
        :raises OperationFailed: the flags read back differ from what was set (device, once
            or persistent, or boot mode).
        """
        current = self.boot_flags()
        if target is BootSource.NONE:
            wanted = BootFlags(valid=False, persistent=False, uefi=False, device=0)
        elif target in codec.BOOT_DEVICES:
            mode = self._mode_for(target, current, uefi)
            wanted = BootFlags(True, persistent, mode, codec.BOOT_DEVICES[target])
        else:
            self._unsupported("management.set_boot_override",
                              f"IPMI cannot select the boot source {target.value}")
        mode = wanted.uefi
        LOG.info("%s: boot override %s (%s, %s mode)", self.host, target.value,
                 "persistent" if persistent else "once", "UEFI" if mode else "legacy")
        client = self.context.client
        client.raw("boot flag valid bit clearing", codec.NETFN_CHASSIS, codec.SET_BOOT_OPTIONS,
                   [codec.BOOT_FLAG_VALID_BIT_CLEARING, codec.DONT_CLEAR_ON_WATCHDOG],
                   unsafe=True)
        client.raw("set boot flags", codec.NETFN_CHASSIS, codec.SET_BOOT_OPTIONS,
                   [codec.BOOT_FLAGS, *wanted.encode()], unsafe=True)
        readback = self.boot_flags()
        self._check_readback(wanted, readback)
        return readback.override()

    def _mode_for(self, target: BootSource, current: BootFlags, uefi: bool | None) -> bool:
        """UEFI (True) or legacy: the caller's, the configured one, the valid flags'."""
        if uefi is not None:
            return uefi
        configured = self.context.boot_mode
        if configured is not None:
            if current.valid and current.uefi != (configured == "UEFI"):
                LOG.warning("%s: the BMC's boot flags say %s mode; the configured boot_mode "
                            "%s is kept", self.host, "UEFI" if current.uefi else "legacy",
                            configured)
            return configured == "UEFI"
        if current.valid:
            return current.uefi
        raise ConfigError(
            f"boot override {target.value}: the node's boot mode is unknown (IPMI cannot "
            "read it and the BMC's boot flags are not valid, as with no override in force); "
            'give it: boot_mode = "UEFI" or "Legacy" in the node\'s config table '
            "(for a pair node, a pair snapshot taken over Redfish tells it too)",
            host=self.host)

    def _check_readback(self, wanted: BootFlags, readback: BootFlags) -> None:
        got, expected = readback.override(), wanted.override()
        if got != expected:
            raise OperationFailed(
                f"boot override set to {_describe(expected)} but reads back {_describe(got)}",
                host=self.host)
        if wanted.valid and readback.uefi != wanted.uefi:
            raise OperationFailed(
                f"boot override set in {'UEFI' if wanted.uefi else 'legacy'} mode but reads "
                f"back {'UEFI' if readback.uefi else 'legacy'} mode", host=self.host)

    def boot_marks(self) -> BootMarks:
        """The power state and, where valid boot flags say UEFI, the boot mode.  IPMI has no
        boot progress or reset times (None); a cleared UEFI bit is no proof of a legacy boot
        on many BMCs, and the bit of invalid flags means nothing (None too)."""
        power = self.context.chassis_status().power_on
        flags = self.boot_flags()
        return BootMarks(PowerState.ON if power else PowerState.OFF,
                         boot_mode="UEFI" if flags.valid and flags.uefi else None)

    # -- identify --------------------------------------------------------------------------
    def get_identify(self) -> bool | None:
        """The chassis identify state; None when the BMC does not report it."""
        return self.context.chassis_status().identify

    def set_identify(self, on: bool) -> bool:
        """Chassis Identify: on until turned off, or off.

        :returns: the state read back, or ``on`` when the BMC does not report the state.
        """
        self.context.client.raw("chassis identify", codec.NETFN_CHASSIS,
                                codec.CHASSIS_IDENTIFY, [0, 1 if on else 0], unsafe=True)
        readback = self.get_identify()
        if readback is None:
            LOG.info("%s: the BMC does not report the identify state; not read back", self.host)
            return on
        if readback is not on:
            raise OperationFailed(f"identify set {'on' if on else 'off'} but reads back "
                                  f"{'on' if readback else 'off'}", host=self.host)
        return readback


def _describe(override: BootOverride) -> str:
    if override.mode is BootOverrideMode.DISABLED:
        return "no override"
    return f"{override.target.value} ({override.mode.value})"
