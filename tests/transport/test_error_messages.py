"""Error messages say what went wrong in the operator's words, not urllib3's wrapping."""

from __future__ import annotations

import pytest
from transport_loopback import make_transport

from hamnhw import errors


def test_refused_port_message_is_short(refused_url) -> None:
    with pytest.raises(errors.BmcUnreachable) as info:
        make_transport(refused_url).open()
    text = str(info.value)
    assert "Connection refused" in text
    assert "Max retries" not in text and "Pool" not in text


def test_untrusted_certificate_message_names_the_reason(tls_bmc) -> None:
    tls_bmc.standard()
    with pytest.raises(errors.TlsError) as info:
        make_transport(tls_bmc.url).open()
    text = str(info.value)
    assert "self-signed certificate" in text
    assert "Max retries" not in text


def test_plain_http_port_over_tls_says_so(bmc) -> None:
    bmc.standard()
    with pytest.raises(errors.TlsError) as info:
        make_transport(bmc.url.replace("redfish+http://", "redfish+https://")).open()
    assert "is it an HTTPS port?" in str(info.value)
