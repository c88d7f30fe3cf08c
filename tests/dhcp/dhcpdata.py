"""A [network] config and a NIC map shared by the DHCP tests (addresses live only inside the
network namespaces the tests create)."""

from __future__ import annotations

from typing import Any

from hamnhw.config import NetworkConfig, parse_config
from hamnhw.dhcp.plan import Plan, plan_reservations

MACHINE_ID = "0123456789abcdef0123456789abcdef"
PRIMARY_MAC = "02:4e:00:00:01:01"
STANDBY_MAC = "02:4e:00:00:01:02"
MN_IP = "10.213.0.10"
DATA_IP = "10.213.1.10"
IB_IP = "10.214.0.10"
PRIMARY_GUID = "00:02:c9:03:00:aa:bb:01"
STANDBY_GUID = "00:02:c9:03:00:aa:bb:02"

NETWORK_TOML = f"""
[network]
machine_id = "{MACHINE_ID}"

[network.nics.NIC1]
ip = "{MN_IP}/24"
hostname = "mn"

[network.nics.NIC2]
ip = "{DATA_IP}/24"
hostname = "mn-data"
ifname = "eno2"

[network.nics.ib0]
ip = "{IB_IP}/24"
hostname = "mn-ib"
"""


def nic_map() -> list[dict[str, Any]]:
    """What `pair check --json` gives for a pair with two Ethernet NICs and one IB port."""
    def entry(primary: str, standby: str, pmac: str | None, smac: str | None,
              kind: str = "ethernet", **extra: Any) -> dict[str, Any]:
        return {"primary": primary, "standby": standby, "matched_by": "id", "kind": kind,
                "primary_mac": pmac, "standby_mac": smac, **extra}
    return [entry("NIC1", "NIC1", PRIMARY_MAC, STANDBY_MAC),
            entry("NIC2", "NIC2", "02:4e:00:00:02:01", "02:4e:00:00:02:02"),
            entry("ib0", "ib0", None, None, "infiniband", primary_port_guid=PRIMARY_GUID,
                  standby_port_guid=STANDBY_GUID)]


def network(text: str = NETWORK_TOML) -> NetworkConfig:
    """The [network] table of ``text`` (default :data:`NETWORK_TOML`)."""
    import tomllib

    return parse_config(tomllib.loads(text)).network


def plan() -> Plan:
    """The reservations of :func:`network` over :func:`nic_map`."""
    return plan_reservations(network(), nic_map())
