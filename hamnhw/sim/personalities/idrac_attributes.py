"""The iDRAC's own settings as DellAttributes (``Managers/iDRAC.Embedded.1/Attributes``,
linked from the Manager's ``Links.Oem.Dell.DellAttributes``): a few of the names iDRAC 9 shows
there (Dell's attribute registry; a captured iDRAC 9 Attributes document in public code), with
the values a site sets: the iDRAC's DNS name and domain, NTP, Active Directory and syslog
servers.  hamnhw reads none of them; ``hamnhw record`` walks them, and its scrubber must hide
every name that tells whose BMC it was (:func:`hamnhw.fixturetools.scrub.is_host_key`)."""

from __future__ import annotations

from hamnhw.sim.documents import Json, resource

SITE_DOMAIN = "mn-cluster.contoso.test"
"""The DNS domain the simulated site's iDRACs are named in."""


def manager_attributes(path: str, server: str) -> Json:
    """The DellAttributes document at ``path`` of the iDRAC of simulated server ``server``."""
    attributes = {
        "NIC.1.DNSRacName": f"idrac-{server}", "NIC.1.DNSDomainName": SITE_DOMAIN,
        "NIC.1.DNSDomainNameFromDHCP": "Disabled", "NIC.1.DNSRegister": "Enabled",
        "NICStatic.1.DNSDomainName": SITE_DOMAIN, "IPv4Static.1.DNS1": "10.20.0.2",
        "NTPConfigGroup.1.NTPEnable": "Enabled", "NTPConfigGroup.1.NTP1": f"ntp1.{SITE_DOMAIN}",
        "NTPConfigGroup.1.NTP2": "10.20.0.3", "NTPConfigGroup.1.NTP1SecurityKey": None,
        "NTPConfigGroup.1.NTPMaxDist": 16, "ActiveDirectory.1.Enable": "Enabled",
        "ActiveDirectory.1.DomainController1": f"dc1.{SITE_DOMAIN}",
        "ActiveDirectory.1.RacName": f"idrac-{server}", "ActiveDirectory.1.RacDomain": SITE_DOMAIN,
        "SysLog.1.SysLogEnable": "Enabled", "SysLog.1.Server1": f"syslog.{SITE_DOMAIN}",
        "SysLog.1.Port": 514,
    }
    doc = resource(path, "#DellAttributes.v1_0_0.DellAttributes", Name="OEMAttributeRegistry",
                   AttributeRegistry="ManagerAttributeRegistry.v1_0_0", Attributes=attributes)
    doc["Id"] = "iDRAC.Embedded.1"
    return doc
