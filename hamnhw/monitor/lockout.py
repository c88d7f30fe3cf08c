"""Sparing a BMC account's lockout counter: a refused login is not tried again as it was.

iDRAC, iLO and XCC lock an account after a few failed logins.  A monitor that logs in
periodically (the exporter every ``--cache-seconds``, the event listener on every
reconnect) would, with a wrong password, add one failed login per round: 1,440 a day at
the exporter's default.  So, once a BMC refused the credentials (:func:`refused_login`):

* ``events listen`` ends that node's watch (``failed``), see :mod:`hamnhw.monitor.events`;
* the exporter keeps the node down (``hamnhw_bmc_auth_failed 1``) without logging in
  (:class:`CredentialGate`) until the credentials it would send change (the password file
  or the config are read again before each read, so fixing them is enough) or it restarts.

The gate keeps no password: only a keyed digest (a key drawn per process) of what would
be sent, to tell whether it changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
import threading
from collections.abc import Mapping
from typing import Any

from hamnhw.connection import Secret
from hamnhw.errors import AuthenticationError, SessionExpired


def refused_login(exc: BaseException) -> bool:
    """True when ``exc`` says the BMC refused the credentials (a login that counts toward
    the account's lockout, or an account without the privilege): retrying with the same
    ones cannot succeed.  A :class:`~hamnhw.errors.SessionExpired` is not one (the login
    itself was accepted)."""
    return isinstance(exc, AuthenticationError) and not isinstance(exc, SessionExpired)


def _canonical(value: Any) -> Any:
    """``value`` as plain comparable data, a :class:`Secret`'s text included."""
    if isinstance(value, Secret):
        return ("secret", value.reveal())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple((f.name, _canonical(getattr(value, f.name)))
                     for f in dataclasses.fields(value))
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    return repr(value)


class CredentialGate:
    """Per node, the credentials a BMC refused, so that they are not sent again.

    Thread-safe: the exporter reads several nodes at once.
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._refused: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def fingerprint(self, arguments: Mapping[str, Any]) -> bytes:
        """A keyed digest of ``arguments`` (:func:`hamnhw.connect`'s: URL, account,
        password, IPMI settings...); equal only when what would be sent is the same."""
        text = repr(_canonical(arguments)).encode()
        return hmac.new(self._key, text, hashlib.sha256).digest()

    def blocked(self, node: str, fingerprint: bytes) -> bool:
        """True when ``node``'s BMC refused exactly these credentials before."""
        with self._lock:
            refused = self._refused.get(node)
        return refused is not None and hmac.compare_digest(refused, fingerprint)

    def refuse(self, node: str, fingerprint: bytes) -> None:
        """Remember that ``node``'s BMC refused these credentials."""
        with self._lock:
            self._refused[node] = fingerprint

    def accept(self, node: str) -> None:
        """``node``'s BMC accepted a login: forget any refusal."""
        with self._lock:
            self._refused.pop(node, None)
