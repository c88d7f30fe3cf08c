"""hamnhw's loggers, which never show a password or a session token.

Every hamnhw module logs through :func:`get_logger`, which returns a child of
the ``hamnhw`` logger carrying a :class:`RedactingFilter`.  The filter masks

* the values of ``X-Auth-Token`` and ``Authorization`` headers,
* ``"Password"`` values in JSON (or Python dict) text,
* every value registered with :func:`register_secret` (the transport
  registers the password, the basic-auth key and each session token).  A
  value of :data:`SUBSTRING_SECRET_LENGTH` characters or more is masked
  wherever it appears, inside longer text too (``pw%3D<secret>``,
  ``line1\\n<secret>``).  A shorter one is masked only where it stands as a
  token of its own (not inside a longer run of letters and digits), so that a
  password ``"pass"`` leaves ``"passive"`` readable and does not reveal itself
  by the holes it cuts.  Values shorter than :data:`MIN_SECRET_LENGTH` are not
  registered (masking them would corrupt every message and point at the
  secret); the header and ``"Password"`` masks above still apply to them.
  Registrations are counted: :func:`forget_secret` unmasks a value only when
  every :func:`register_secret` of it has been forgotten, so one transport
  closing never unmasks the password of another one still open.

python-redfish-library logs whole requests and responses, token included, at
DEBUG; its loggers are pinned at WARNING (and filtered too) as soon as this
module is imported.
"""

from __future__ import annotations

import logging
import re
import threading

ROOT_NAME = "hamnhw"
"""Name of the parent of all hamnhw loggers."""

MASK = "***"
"""What a secret is replaced with."""

MIN_SECRET_LENGTH = 4
"""Registered values shorter than this are not masked in free text."""

SUBSTRING_SECRET_LENGTH = 8
"""Registered values at least this long are masked even inside longer text."""

LIBRARY_LOGGERS = ("redfish", "redfish.rest.v1", "redfish.ris")
"""python-redfish-library loggers kept at WARNING."""

_HEADER = re.compile(
    r"(?i)((?:x-auth-token|authorization)['\"]?\s*[:=]\s*['\"]?)"
    r"(?:(?:basic|bearer)\s+)?[^\s'\",}]+")
_PASSWORD = re.compile(r"""(?i)((['"])password\2\s*:\s*(['"]))(?:\\.|(?!\3).)*""")

_WORD_CHAR = "A-Za-z0-9"

_secrets: dict[str, int] = {}
_secrets_lock = threading.Lock()
_secrets_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Mask ``value`` in hamnhw log records until it is forgotten as many times
    as it was registered (see the module docstring for where it is masked).

    Values shorter than :data:`MIN_SECRET_LENGTH` (empty included) are ignored.
    """
    global _secrets_pattern
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets[value] = _secrets.get(value, 0) + 1
            _secrets_pattern = None


def forget_secret(value: str | None) -> None:
    """Undo one :func:`register_secret` of ``value`` (a session token after
    logout, a password when its transport closes); it stops being masked once
    no registration is left, so that the set stays small in long-running
    processes.  Forgetting a value that is not registered does nothing."""
    global _secrets_pattern
    if not value:
        return
    with _secrets_lock:
        count = _secrets.pop(value, 0) - 1
        if count > 0:
            _secrets[value] = count
        else:
            _secrets_pattern = None


def _token_pattern(secret: str) -> str:
    """``secret`` as a regex: a plain substring when it is long enough, else
    one that does not match inside a longer word (no letter or digit may touch
    an end of it that is itself a letter or digit)."""
    if len(secret) >= SUBSTRING_SECRET_LENGTH:
        return re.escape(secret)
    before = f"(?<![{_WORD_CHAR}])" if secret[0].isascii() and secret[0].isalnum() else ""
    after = f"(?![{_WORD_CHAR}])" if secret[-1].isascii() and secret[-1].isalnum() else ""
    return before + re.escape(secret) + after


def _registered_pattern() -> re.Pattern[str] | None:
    """One regex for all registered secrets, longest first; None when there are none."""
    global _secrets_pattern
    with _secrets_lock:
        if _secrets_pattern is None and _secrets:
            known = sorted(_secrets, key=len, reverse=True)
            _secrets_pattern = re.compile("|".join(_token_pattern(s) for s in known))
        return _secrets_pattern


def redact(text: str) -> str:
    """Return ``text`` with headers, passwords and registered secrets masked."""
    registered = _registered_pattern()
    if registered is not None:
        text = registered.sub(MASK, text)
    text = _HEADER.sub(lambda m: m.group(1) + MASK, text)
    return _PASSWORD.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    """A filter that rewrites each record's message with :func:`redact`.

    It renders the message (``msg % args``) first, so secrets passed as
    arguments are caught too; exception text is redacted as well.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def _with_filter(logger: logging.Logger) -> logging.Logger:
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def get_logger(name: str) -> logging.Logger:
    """Return the redacting logger ``hamnhw.<name>`` (or ``hamnhw`` itself).

    :param name: a module name such as ``hamnhw.transport.redfish`` or a short
        suffix such as ``transport``.
    """
    if name != ROOT_NAME and not name.startswith(ROOT_NAME + "."):
        name = f"{ROOT_NAME}.{name}"
    return _with_filter(logging.getLogger(name))


def quiet_library_loggers() -> None:
    """Pin python-redfish-library's loggers at WARNING and filter them.  Called for each
    transport: a level already pinned is left alone (``setLevel`` empties every logger's
    level cache)."""
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level != logging.WARNING:
            logger.setLevel(logging.WARNING)
        _with_filter(logger)


get_logger(ROOT_NAME)
quiet_library_loggers()


_WARNED_KEPT = 4096
"""Distinct once-only warnings remembered per process (then forgotten all at once: a
long-running exporter says them again rather than growing without end)."""
_warned: set[tuple[object, ...]] = set()
_warned_lock = threading.Lock()


def warn_once(logger: logging.Logger, key: tuple[object, ...], message: str,
              *args: object) -> None:
    """``logger.warning(message, *args)`` the first time ``key`` is seen in this process
    (a BMC's oddity met on every read, such as a collection listing a member twice, is
    said once, not on every read of a fan-out or an exporter)."""
    with _warned_lock:
        if key in _warned:
            return
        if len(_warned) >= _WARNED_KEPT:
            _warned.clear()
        _warned.add(key)
    logger.warning(message, *args)
