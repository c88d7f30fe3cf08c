"""The iDRAC's own settings and the system's asset data as DellAttributes
(``Managers/iDRAC.Embedded.1/Attributes`` and
``Managers/iDRAC.Embedded.1/Oem/Dell/DellAttributes/System.Embedded.1``, linked from the
Manager's ``Links.Oem.Dell.DellAttributes``): a few of the names iDRAC 9 shows there (Dell's
attribute registry; a captured iDRAC 9 Attributes document in public code), with the values a
site sets: the iDRAC's DNS name and domain, NTP, Active Directory and syslog servers, where
alerts go (SNMP trap destinations, e-mail), who owns the server and where it stands.  hamnhw
reads none of them; ``hamnhw record`` walks them, and its scrubber must hide every value that
tells whose BMC it was (:mod:`hamnhw.fixturetools.scrubkeys`)."""

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
        "SysLog.1.Port": 514, "SNMPAlert.1.Destination": f"nms.{SITE_DOMAIN}",
        "SNMPAlert.1.State": "Enabled", "SNMPAlert.2.Destination": "10.20.0.4",
        "SNMPAlert.2.State": "Enabled", "SNMPTrapIPv4.1.DestinationNum": 1,
        "EmailAlert.1.Address": f"hw-alerts@{SITE_DOMAIN}", "EmailAlert.1.Enable": "Enabled",
        "RemoteHosts.1.SMTPServerIPAddress": f"smtp.{SITE_DOMAIN}",
        "RemoteHosts.1.SenderEmail": f"idrac-{server}@{SITE_DOMAIN}",
        "SSHCrypto.1.Ciphers": "chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
    }
    doc = resource(path, "#DellAttributes.v1_0_0.DellAttributes", Name="OEMAttributeRegistry",
                   AttributeRegistry="ManagerAttributeRegistry.v1_0_0", Attributes=attributes)
    doc["Id"] = "iDRAC.Embedded.1"
    return doc


SITE_OWNER = "Contoso Research Computing"
"""Who owns the simulated site's servers (Dell ``OwnerInfo.1.OwnerName``)."""


def system_attributes(path: str, server: str) -> Json:
    """The system's DellAttributes (``System.Embedded.1``: asset and topology data) at
    ``path`` for simulated server ``server``: who owns it, whom to call, where it stands."""
    attributes = {
        "OwnerInfo.1.OwnerName": SITE_OWNER, "OwnerInfo.1.Type": "Owned",
        "SystemInfo.1.PrimaryUser": "Ada Lovelace", "SystemInfo.1.PrimaryTelephone": "+1 555 0142",
        "SystemInfo.1.SysLocation": "Building 7, room 2.14", "SupportInfo.1.HelpDesk":
        f"Contoso HPC help desk, hpc-help@{SITE_DOMAIN}", "CustomAsset.1.Label": "Project",
        "CustomAsset.1.Value": "Falcon cluster", "ServerTopology.1.DataCenterName": "Contoso DC1",
        "ServerTopology.1.RackName": f"rack-{server}", "ServerTopology.1.RackSlot": 7,
        "ServerTopology.1.SizeOfManagedSystemInU": 1,
    }
    doc = resource(path, "#DellAttributes.v1_0_0.DellAttributes", Name="OEMAttributeRegistry",
                   AttributeRegistry="ManagerAttributeRegistry.v1_0_0", Attributes=attributes)
    doc["Id"] = "SystemAttributes"
    return doc
