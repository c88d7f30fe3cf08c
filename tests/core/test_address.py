"""BMC URL parsing (Metal3 conventions)."""

import pytest

from hamnhw.address import parse_bmc_url
from hamnhw.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "tls", "forced", "port"),
    [
        ("redfish://10.0.0.5", True, None, None),
        ("redfish+https://bmc.example:8443", True, None, 8443),
        ("redfish+http://127.0.0.1:8000", False, None, 8000),
        ("idrac-redfish://bmc1", True, "idrac-redfish", None),
        ("ilo5-redfish://bmc1", True, "ilo5-redfish", None),
        ("xcc-redfish://bmc1", True, "xcc-redfish", None),
        ("supermicro-redfish://bmc1", True, "supermicro-redfish", None),
        ("idrac-redfish+http://bmc1:8000", False, "idrac-redfish", 8000),
        ("REDFISH://Bmc1", True, None, None),
    ],
)
def test_redfish_schemes(url, tls, forced, port):
    address = parse_bmc_url(url)
    assert address.protocol == "redfish"
    assert address.tls is tls
    assert address.forced_scheme == forced
    assert address.port == port
    assert address.base_url.startswith("https://" if tls else "http://")


def test_system_path_picks_system():
    address = parse_bmc_url("redfish://bmc/redfish/v1/Systems/System.Embedded.1")
    assert address.system_id == "System.Embedded.1"
    assert address.netloc == "bmc"


def test_ipmi_default_port():
    address = parse_bmc_url("ipmi://10.1.1.1")
    assert (address.protocol, address.port, address.netloc) == ("ipmi", 623, "10.1.1.1:623")


def test_ipv6_literal_is_bracketed():
    address = parse_bmc_url("redfish://[fd00::5]:8443")
    assert address.host == "fd00::5"
    assert address.base_url == "https://[fd00::5]:8443"


@pytest.mark.parametrize(
    "url",
    [
        "10.0.0.5",
        "ftp://bmc",
        "redfish://user:pw@bmc",
        "redfish://bmc/some/other/path",
        "redfish://bmc:notaport",
        "ipmi://bmc/redfish/v1/Systems/1",
        "redfish://bmc/?x=1",
        "http://bmc",
        "https://bmc",
    ],
)
def test_bad_urls_are_config_errors(url):
    with pytest.raises(ConfigError):
        parse_bmc_url(url)


def test_credentials_never_echoed():
    with pytest.raises(ConfigError) as info:
        parse_bmc_url("redfish://root:s3cretpw@bmc")
    assert "s3cretpw" not in str(info.value)


@pytest.mark.parametrize("url", ["http://bmc", "https://bmc:8443", "redfish+ftp://bmc"])
def test_unknown_scheme_error_lists_the_accepted_schemes(url):
    with pytest.raises(ConfigError) as info:
        parse_bmc_url(url)
    for scheme in ("redfish://", "redfish+https://", "redfish+http://", "idrac-redfish://",
                   "<vendor>-redfish+http://", "ipmi://"):
        assert scheme in str(info.value)


@pytest.mark.parametrize("url", [
    "redfish+http://admin:s3cretpw@127.0.0.1:8000",
    "ipmi://admin:s3cretpw@127.0.0.1:623",
    "redfish://admin:s3c/retpw@bmc",  # a "/" hides the userinfo from urlsplit: bad port
    "redfish://admin:s3c#retpw@bmc",
    "redfish://s3cretpw@bmc",
])
def test_userinfo_refused_without_echo(url):
    with pytest.raises(ConfigError) as info:
        parse_bmc_url(url)
    assert "credentials do not go in a BMC URL" in str(info.value)
    assert "s3c" not in str(info.value) and "admin" not in str(info.value)


@pytest.mark.parametrize("url", ["redfish://127.0.0.1:0", "redfish+http://127.0.0.1:00",
                                 "ipmi://10.1.1.1:0", "redfish://[fd00::5]:0",
                                 "redfish://127.0.0.1:65536", "ipmi://10.1.1.1:99999"])
def test_a_port_outside_1_to_65535_is_a_bad_url(url):
    with pytest.raises(ConfigError) as info:
        parse_bmc_url(url)
    assert f"bad port in BMC URL {url!r}" in str(info.value)
    assert "1 to 65535" in str(info.value)


@pytest.mark.parametrize(("url", "port"), [("redfish://bmc:1", 1), ("redfish://bmc:65535", 65535),
                                           ("ipmi://bmc:0623", 623)])
def test_ports_at_the_edges_of_the_range_are_kept(url, port):
    assert parse_bmc_url(url).port == port
