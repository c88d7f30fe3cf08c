"""What the scrubber and the leak check look for: the keys whose values are secrets, serials,
host names, locations or contacts, and the shapes of an e-mail address and of a URL's host.

Shared by :mod:`hamnhw.fixturetools.scrub` (which replaces them) and
:mod:`hamnhw.fixturetools.leaks` (which flags what is left), so that both follow one rule.
Key names are those of Redfish and of the vendors' own attributes (Dell's iDRAC attribute
registry, HPE's BIOS and SNMP resources), compared case-insensitively.
"""

from __future__ import annotations

import ipaddress
import re

SECRET_KEY = re.compile(
    r"(?:password|passwd|passphrase|secret|token|authorization|cookie|passwordhash|passwordsalt"
    r"|community(?:string|name)?s?"
    r"|(?:authentication|encryption|privacy|private|secret|(?:pre)?shared|kg|session"
    r"|api|ipmi|v3|auth|priv|security)key"
    r"|(?:^|[^a-z0-9])kg)$", re.IGNORECASE)
"""Keys whose string values are secrets (see :func:`is_secret_key`)."""
HEADERS_KEY = "httpheaders"
"""``EventDestination.HttpHeaders``: every value under it is a secret (``Authorization``,
``Cookie``, a vendor's API key header)."""
SERIAL_KEY_SUFFIX = re.compile(r"(serialnumber|servicetag|assettag)$", re.IGNORECASE)
HOST_KEY = re.compile(
    r"(?:^|\.)(?:[a-z0-9-]*(?:hostname|fqdn|domainname|racname|racdomain|domaincontroller"
    r"|globalcatalog|gcrootdomain|serveraddress(?:es)?|serviceaddresses|serveripaddress"
    r"|destinations?|proxyserver|proxyaddress)"
    r"|ntp(?:servers?)?|servername|provisioningserver|(?:syslog|ldap)\.\d+\.server"
    r"|adgroup\.\d+\.domain|userdomain\.\d+\.name)\d*$")
"""Keys whose string values name hosts or DNS domains (see :func:`is_host_key`)."""
LOCATION_KEYS = frozenset({"street", "city", "postalcode", "building", "room", "floor",
                           "housenumber", "district", "neighborhood", "territory", "rack",
                           "row", "rackoffset", "additionalinfo", "gpscoords",
                           "datacentername", "aislename", "rackname", "roomname",
                           "syslocation"})
"""Where a data centre and a server in it are: the fields of Redfish
``Location.PostalAddress`` and ``Location.Placement``, Dell's ``ServerTopology.1.*Name`` and
``SystemInfo.1.SysLocation`` (see :func:`is_location_key`)."""
CONTACT_KEY = re.compile(
    r"(?:^|\.)(?:contacts?|contactname|syscontact|[a-z]*phone(?:number)?"
    r"|ownername|primaryuser|helpdesk|whosigned|signedfor|inscomp|userdefinedstring"
    r"|(?:admin|service)(?:name|otherinfo)|serverotherinfo|customasset\.\d+\.value)\d*$")
"""Keys whose string values name people, their phones or the owning site (see
:func:`is_contact_key`)."""
NOT_ADDRESS_KEY = re.compile(r"version|subnetmask|netmask", re.IGNORECASE)
"""Keys whose dotted-quad values are no IP addresses."""

EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"(?!(?:odata|redfish|message|privileges)\.)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])",
    re.IGNORECASE)
"""An e-mail address anywhere; not an OData annotation such as ``Members@odata.count``."""
NOT_EMAIL_DOMAINS = ("openssh.com", "libssh.org")
"""``name@domain`` that are SSH algorithm names (``chacha20-poly1305@openssh.com`` in
Dell's ``SSHCrypto.1.Ciphers``), not addresses."""
FAKE_DOMAIN = "example.test"
"""The domain of every fake host name and e-mail address (RFC 2606)."""
URL_RE = re.compile(
    r"\b([a-z][a-z0-9+.-]*://)(?:([^\s\"'<>]*)@)?"
    r"([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)",
    re.IGNORECASE)
"""A URL's scheme, user information (group 2, may hold a password) and host (group 3).  The
user information runs to the last ``@`` (a password holding ``/``, ``#``, ``?`` or ``@``
unencoded is redacted whole: more than a URL parser would take, never less)."""
PUBLIC_URL_DOMAINS = ("dmtf.org", "w3.org", "dell.com", "hpe.com", "hp.com", "lenovo.com",
                      "supermicro.com", FAKE_DOMAIN)
"""URL hosts that identify no site: standards bodies (the DMTF copyright notice, an XHTML
namespace) and the vendors' own sites; the fakes."""


def is_serial_key(key: str | None) -> bool:
    """True for ``SKU`` and any key ending in ``SerialNumber``, ``ServiceTag`` or ``AssetTag``.

    Case-insensitive, so vendor keys such as Dell's ``ChassisServiceTag``,
    ``BoardSerialNumber`` and ``ChassisSerialNumber`` count too.
    """
    lowered = (key or "").lower()
    return lowered == "sku" or SERIAL_KEY_SUFFIX.search(lowered) is not None


def is_host_key(key: str | None) -> bool:
    """True for a key whose string value is a host or DNS domain name: who runs the BMC and
    where.  Compared case-insensitively on the key or its last dotted part (vendor attribute
    names such as Dell's ``NIC.1.DNSRacName``), a trailing number ignored: ending in
    ``HostName``, ``FQDN``, ``DomainName`` (``NIC.1.DNSDomainName``,
    ``NICStatic.1.DNSDomainName``, ``ActiveDirectory.1.DCLookupDomainName``), ``RacName``,
    ``RacDomain``, ``DomainController``, ``GlobalCatalog``, ``GCRootDomain``,
    ``ServerAddress(es)`` (Redfish SMTP), ``ServiceAddresses`` (Redfish LDAP and Active
    Directory), ``ServerIPAddress`` (Dell ``RemoteHosts.1.SMTPServerIPAddress``),
    ``Destination(s)`` (Redfish ``EventDestination.Destination``, Dell
    ``SNMPAlert.N.Destination``, HPE ``AlertDestination(s)``: where traps and events go),
    ``ProxyServer``, ``ProxyAddress`` (Dell ``LCAttributes.1.UserProxyServer``,
    ``SupportAssist.1.HostOSProxyAddress``); being ``NTP``, ``NTPServer(s)`` (Dell
    ``NTPConfigGroup.1.NTP1``, Redfish ``NTP.NTPServers``), ``ServerName`` (HPE BIOS),
    ``ProvisioningServer`` (Dell); and Dell's ``SysLog.N.Server``, ``LDAP.N.Server``,
    ``ADGroup.N.Domain``, ``UserDomain.N.Name``.  Not ``NIC.1.DNSDomainNameFromDHCP``,
    ``NTPEnable`` or ``SNMPTrapIPv4.1.DestinationNum``: their values are settings, not names.
    A URI there (``https://host/events``, ``ldaps://dc:636``) keeps its shape: only its host
    is a name (:data:`URL_RE`).
    """
    return key is not None and HOST_KEY.search(key.lower()) is not None


def is_location_key(key: str | None) -> bool:
    """True for a key (or its last dotted part) in :data:`LOCATION_KEYS`, case-insensitively:
    Redfish ``Street``, ``City``, ``Rack``, ``Row``...; Dell ``ServerTopology.1.RackName``,
    ``SystemInfo.1.SysLocation``."""
    return (key or "").lower().rsplit(".", 1)[-1] in LOCATION_KEYS


def is_contact_key(key: str | None) -> bool:
    """True for a key whose string value names a person, a phone or the owning site.

    Compared case-insensitively on the key or its last dotted part, a trailing number
    ignored: Redfish ``Location.Contacts[].ContactName`` and ``PhoneNumber`` (any key ending
    in ``Phone``/``PhoneNumber``: HPE BIOS ``AdminPhone``, ``ServicePhone``, Dell
    ``SystemInfo.1.PrimaryTelephone``); ``Contact(s)``, ``SysContact`` (HPE
    ``SnmpService.Contact``: the SNMP sysContact); HPE BIOS ``AdminName``,
    ``AdminOtherInfo``, ``ServiceName``, ``ServiceOtherInfo``, ``ServerOtherInfo``; Dell's
    system attributes ``OwnerInfo.1.OwnerName``, ``OwnerInfo.1.InsComp``,
    ``SystemInfo.1.PrimaryUser``, ``SupportInfo.1.HelpDesk``, ``AcquisitionInfo.1.WhoSigned``,
    ``OutsourceInfo.1.SignedFor``, ``CustomAsset.N.Value`` and the front panel's
    ``LCD.1.UserDefinedString``.  E-mail addresses are found by their shape
    (:data:`EMAIL_RE`), under any key.
    """
    return key is not None and CONTACT_KEY.search(key.lower()) is not None


def is_secret_key(key: str | None) -> bool:
    """True for a key whose string value is a secret, compared case-insensitively.

    The key (or its last part: Dell attribute names such as ``SNMP.1.AgentCommunity``
    end with it) ends in ``Password``, ``Passwd``, ``Passphrase``, ``Secret``, ``Token``
    (``X-Auth-Token``), ``Authorization``, ``Cookie``, ``PasswordHash`` or ``PasswordSalt``; in
    ``Community``, ``CommunityString``,
    ``CommunityName`` (or their plurals); in ``Key`` only after ``Authentication``,
    ``Encryption``, ``Privacy``, ``Private``, ``Secret``, ``Shared``, ``PreShared``, ``Kg``,
    ``Session``, ``Api``, ``IPMI``, ``v3``, ``Auth``, ``Priv`` or ``Security`` (SNMPv3 and
    IPMI keys, Dell user attributes' ``SHA1v3Key``, Dell's NTP ``NTP1SecurityKey``, an API
    key, a session token; ``PublicKey``, ``KeyUsage``,
    ``SecureBootEnable``, ``AuthenticationKeySet`` are not secrets); or is ``Kg`` itself
    (the IPMI BMC key).  Only string values are redacted: a boolean or number under such
    a key (``HideCommunityStrings``) is kept.
    """
    return key is not None and SECRET_KEY.search(key) is not None


def secret_category(key: str) -> str:
    """``password``, ``token`` or ``secret``: how a secret key's redaction is counted."""
    lowered = key.lower()
    if "pass" in lowered:
        return "password"
    return "token" if lowered.endswith("token") else "secret"


def is_address(value: str) -> bool:
    """True for an IP address (scrubbed as one, ``ipv4``/``ipv6``, wherever it stands)."""
    try:
        ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return True


def is_uri(value: str) -> bool:
    """True for a URI (``https://...``, ``snmp://...``, ``mailto:...``): under a host key
    only its host is a name, found by :data:`URL_RE` (or :data:`EMAIL_RE`)."""
    return "://" in value or value.strip().lower().startswith("mailto:")


def key_category(key: str | None, value: str) -> str | None:
    """``serial``, ``host``, ``location`` or ``contact``: what a string value is by its key
    (secrets aside, see :func:`is_secret_key`); None for none of them.  An IP address or a
    URI under a host key is no host name, nor is an e-mail address under any key a name:
    those are found by their shape, where they stand."""
    if EMAIL_RE.fullmatch(value.strip()):
        return None
    if is_serial_key(key):
        return "serial"
    if is_host_key(key) and not (is_address(value) or is_uri(value)):
        return "host"
    if is_location_key(key):
        return "location"
    return "contact" if is_contact_key(key) else None


def is_public_email(address: str) -> bool:
    """True for ``name@domain`` that identifies no site: an SSH algorithm name
    (:data:`NOT_EMAIL_DOMAINS`) or an address at the fake domain."""
    domain = address.rsplit("@", 1)[-1].lower()
    return _within(domain, (*NOT_EMAIL_DOMAINS, FAKE_DOMAIN))


def is_public_host(host: str) -> bool:
    """True for a URL host in (or below) :data:`PUBLIC_URL_DOMAINS`."""
    return _within(host.lower().rstrip("."), PUBLIC_URL_DOMAINS)


def without_url_authorities(text: str) -> str:
    """``text`` with each URL's user information and host left out, so that ``user:pw@host``
    is not read as an e-mail address."""
    return URL_RE.sub(lambda m: m.group(1), text)


def _within(domain: str, domains: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains)
