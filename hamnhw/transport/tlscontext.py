"""One :class:`ssl.SSLContext` per TLS choice per process, shared by every connection.

urllib3 builds a context for each new connection and loads the CA bundle into it: with
the system store that is ~20 ms of CPU per connection, most of a small command's cost
over HTTPS and the bulk of a fan-out's.  A context is safe to share between threads and
connections; it is built once per choice (a CA file, keyed by path, size and
modification time, so a replaced bundle is read again; or no chain check, for a pinned
fingerprint, checked on every new connection, and for ``insecure``).
"""

from __future__ import annotations

import os
import ssl
import threading

_LOCK = threading.Lock()
_CONTEXTS: dict[tuple[object, ...], ssl.SSLContext] = {}


def _client_context(verify: bool) -> ssl.SSLContext:
    """A client context as urllib3 builds one (TLS 1.2 at least, no compression, no
    session tickets), without urllib3 (and without its ``SSLKEYLOGFILE``)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_TICKET
    context.check_hostname = verify
    context.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
    return context


def verifying(ca_file: str) -> ssl.SSLContext:
    """The context that checks the chain against ``ca_file`` and the host name."""
    stat = os.stat(ca_file)
    key = ("ca", os.path.abspath(ca_file), stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _client_context(verify=True)
            context.load_verify_locations(cafile=ca_file)
            _CONTEXTS[key] = context
        return context


def unchecked() -> ssl.SSLContext:
    """The context without chain check (a pinned fingerprint is checked on every new
    connection; ``insecure`` checks nothing)."""
    with _LOCK:
        context = _CONTEXTS.get(("none",))
        if context is None:
            context = _client_context(verify=False)
            _CONTEXTS[("none",)] = context
        return context


def built() -> int:
    """How many contexts this process built (tests)."""
    with _LOCK:
        return len(_CONTEXTS)
