"""What it takes to talk to a BMC: credentials, TLS choice and time limits.

:class:`Secret` wraps a password so that it cannot leak through ``repr``,
``str``, logging or tracebacks by accident; only :meth:`Secret.reveal` gives
the value, and only the transport calls it.
"""

from __future__ import annotations

import dataclasses
import math
import re

from hamnhw.errors import ConfigError

_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


class Secret:
    """A value that must never be printed (password, token).

    :param source: where it came from (``password_file /etc/hamnhw/mn1.pw``,
        ``$BMC_PASSWORD``), never the value: a refused login names it
        (:func:`hamnhw.connect`)."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str | None = None) -> None:
        self._value = value
        self.source = source

    def reveal(self) -> str:
        """Return the secret value; call only where it is sent to the BMC."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclasses.dataclass(frozen=True)
class Credentials:
    """BMC login."""

    username: str
    """Account name."""
    password: Secret = dataclasses.field(repr=False)
    """Password; its repr is masked."""


@dataclasses.dataclass(frozen=True)
class TlsOptions:
    """How the BMC's certificate is checked.  Verified against the system CA
    store unless ``ca_file`` or ``pin_fingerprint`` says otherwise."""

    ca_file: str | None = None
    """PEM bundle to verify against instead of the system store."""
    pin_fingerprint: str | None = None
    """SHA-256 of the BMC certificate (DER), hex, colons optional: trust exactly it."""
    insecure: bool = False
    """Skip verification entirely (warned about once)."""

    def __post_init__(self) -> None:
        if self.pin_fingerprint is not None:
            fp = normalize_fingerprint(self.pin_fingerprint)
            object.__setattr__(self, "pin_fingerprint", fp)
        chosen = [bool(self.ca_file), bool(self.pin_fingerprint), self.insecure]
        if sum(chosen) > 1:
            raise ConfigError("choose one of ca_file, pin_fingerprint and insecure")


def normalize_fingerprint(value: str) -> str:
    """Lower-case hex without separators; raise ConfigError unless it is SHA-256."""
    fp = value.strip().lower().replace(":", "")
    if fp.startswith("sha256/"):
        fp = fp[len("sha256/"):]
    if not _FINGERPRINT.match(fp):
        raise ConfigError(f"pin_fingerprint must be a SHA-256 hex digest, got {value!r}")
    return fp


@dataclasses.dataclass(frozen=True)
class Timeouts:
    """Time limits, in seconds."""

    connect: float = 5.0
    """TCP connect and TLS handshake, per request."""
    read: float = 30.0
    """Wait for bytes on an open connection, per read."""
    operation: float = 120.0
    """Overall deadline for one operation (a whole request, retries included)."""

    def __post_init__(self) -> None:
        for name in ("connect", "read", "operation"):
            check_seconds(getattr(self, name), f"timeout {name}")


def check_seconds(value: float, what: str) -> float:
    """Return ``value`` when it is a finite number of seconds above zero.

    NaN would make every deadline expire at once and infinity cannot arm a timer.

    :raises ConfigError: zero, negative, NaN or infinite.
    """
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{what} must be a finite number of seconds > 0, got {value!r}")
    return value
