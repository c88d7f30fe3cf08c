"""NICs over IPMI: the BMC's own LAN channels always; host NICs only where FRU records
carry MACs, else ``None`` and a note saying to use the node's Redfish URL."""

from __future__ import annotations

from hamnhw_drivers.generic.macs import normalize_mac
from hamnhw_drivers.ipmi import codec
from hamnhw_drivers.ipmi.codec import BmcLan
from hamnhw_drivers.ipmi.context import REDFISH_HINT, IpmiContext
from hamnhw_drivers.ipmi.fru import host_macs

from hamnhw.interfaces import NicInterface
from hamnhw.models import LinkStatus, Nic
from hamnhw.transport.ipmi import RawRequests
from hamnhw.transport.ipmi_errors import IpmiCommandError


class IpmiNics(NicInterface):
    """:class:`~hamnhw.interfaces.NicInterface` over IPMI LAN configuration and FRU data.

    :meth:`notes` says, after :meth:`list`, why host NICs are unknown.
    """

    def __init__(self, context: IpmiContext) -> None:
        super().__init__(context.driver_name, context.host)
        self.context = context
        self._notes: tuple[str, ...] = ()

    def list(self) -> tuple[Nic, ...] | None:
        """Host NICs whose MACs FRU records carry; None when no record carries one (IPMI
        cannot tell: see :meth:`notes`)."""
        fru = self.context.fru()
        nics = host_macs(fru)
        if nics:
            self._notes = ()
            return nics
        why = (f"no FRU record read: {fru.error}" if fru.error and not fru.records
               else "no FRU record of this BMC carries a host MAC")
        self._notes = (f"host NICs: IPMI cannot tell ({why}); {REDFISH_HINT}",)
        return None

    def notes(self) -> tuple[str, ...]:
        """What IPMI could not tell in the last :meth:`list`, and what to use instead."""
        return self._notes

    def bmc_nics(self) -> tuple[Nic, ...]:
        """One NIC per LAN channel of the BMC (id ``lan<channel>``)."""
        return tuple(Nic(id=f"lan{lan.channel}", name=_describe(lan), mac=lan.mac,
                         permanent_mac=None, link=LinkStatus.UNKNOWN)
                     for lan in self.bmc_lan())

    def bmc_lan(self) -> tuple[BmcLan, ...]:
        """The BMC's network settings per LAN channel: MAC, IP source, IP, netmask, gateway
        and VLAN, read as one paced command."""
        lans: tuple[BmcLan, ...] = self.context.client.batch("BMC LAN configuration",
                                                             self._read_lans)
        return lans

    def _read_lans(self, requests: RawRequests) -> tuple[BmcLan, ...]:
        lans: tuple[BmcLan, ...] = ()
        for channel in codec.LAN_CHANNELS:
            try:
                info = requests.send("get channel info", codec.NETFN_APP,
                                     codec.GET_CHANNEL_INFO, [channel])
            except IpmiCommandError:
                continue  # 0xCC: no such channel (some BMCs answer other codes)
            if codec.is_lan_channel(info):
                lans += (self._read_lan(requests, channel),)
        return lans

    def _read_lan(self, requests: RawRequests, channel: int) -> BmcLan:
        values: dict[str, object] = {}
        for name, parameter in codec.LAN_PARAMETERS.items():
            try:
                data = requests.send(f"LAN parameter {parameter} of channel {channel}",
                                     codec.NETFN_TRANSPORT, codec.GET_LAN_CONFIG,
                                     [channel, parameter, 0, 0])
            except IpmiCommandError as exc:
                if exc.code != codec.PARAMETER_NOT_SUPPORTED:
                    raise
                values[name] = None
                continue
            values[name] = codec.decode_lan_parameter(name, data, self.host)
        values["mac"] = normalize_mac(values["mac"])
        return BmcLan(channel=channel, **values)


def _describe(lan: BmcLan) -> str:
    """``LAN channel 1: static 10.0.0.5/255.255.255.0 gw 10.0.0.1, no VLAN``."""
    vlan = "VLAN unknown" if lan.vlan is None else (f"VLAN {lan.vlan}" if lan.vlan else "no VLAN")
    return (f"LAN channel {lan.channel}: {lan.ip_source or 'unknown'} {lan.ip or '-'}/"
            f"{lan.netmask or '-'} gw {lan.gateway or '-'}, {vlan}")
