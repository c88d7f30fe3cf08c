"""python-redfish-library's ``HttpClient`` with every unsafe default of the library set.

hamnhw sends without it (:class:`~hamnhw.transport.redfish.RedfishTransport` builds the
library's headers itself), so that a command does not import the library, nor requests;
a caller that wants the library's API gets a client from
:attr:`RedfishTransport.library_client <hamnhw.transport.redfish.RedfishTransport.
library_client>`, built here:

* always a ``cafile`` (the library hard-codes ``verify=False`` otherwise);
* ``max_retry=0`` (it re-sends any request, POSTs included, on any exception);
* ``proxies={}`` and a session with ``trust_env=False`` (``HTTPS_PROXY`` never sees BMC
  credentials, ``REQUESTS_CA_BUNDLE`` never overrides the TLS choice);
* hamnhw's TLS choice mounted on ``http://`` and ``https://`` (the requests adapter of
  :mod:`hamnhw.transport.replay`, pinned fingerprint included).
"""

from __future__ import annotations

from redfish.rest.v1 import HttpClient

from hamnhw.address import BmcAddress
from hamnhw.transport.adapter import BmcAdapter
from hamnhw.transport.replay import RequestsAdapter
from hamnhw.transport.tlschoice import system_ca_bundle


def safe_library_client(address: BmcAddress, adapter: BmcAdapter) -> HttpClient:
    """The library's client for ``address`` with ``adapter``'s TLS choice."""
    tls = adapter.tls
    client = HttpClient(address.base_url, cafile=tls.ca_file or system_ca_bundle(),
                        check_connectivity=False, max_retry=0, proxies={})
    session = client._session
    session.trust_env = False
    session.proxies = {}
    mounted = RequestsAdapter(tls, adapter.verify)
    session.mount("https://", mounted)
    session.mount("http://", mounted)
    return client
