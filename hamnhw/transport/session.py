"""Session login helpers of the Redfish transport: the raw answer type, where to log in,
where the created session lives, and how long a logout may run past a deadline."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from hamnhw.connection import Timeouts
from hamnhw.errors import MalformedResponse
from hamnhw.log import get_logger
from hamnhw.transport.errormap import parse_json
from hamnhw.transport.paths import bmc_path

LOG = get_logger("hamnhw.transport.redfish")

DEFAULT_SESSIONS_PATH = "/redfish/v1/SessionService/Sessions"
"""Where sessions live when the ServiceRoot does not say (DSP0266 fixes the sessions
collection there since Redfish 1.6): where the login is POSTed while the ServiceRoot is
still being read (:class:`EarlyLogin`)."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """One raw HTTP answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    generation: int = 0
    """The login (:attr:`Authenticator.generation <hamnhw.transport.auth.Authenticator.
    generation>`) the request was sent under."""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


@dataclasses.dataclass
class EarlyLogin:
    """The login POSTed to :data:`DEFAULT_SESSIONS_PATH` while the ServiceRoot was being
    read: its answer, or what sending it raised (with the headers of an answer whose body
    was cut short, which may carry the token of a session made)."""

    sent: bool = False
    """True once the POST went out (or was being sent)."""
    answer: Answer | None = None
    error: BaseException | None = None
    headers: Mapping[str, str] | None = None

    def outcome(self) -> Answer:
        """The answer; what sending raised is raised."""
        if self.answer is None:
            assert self.error is not None, "an early login that was sent has an outcome"
            raise self.error
        return self.answer

    @property
    def session_made(self) -> Answer | None:
        """The answer when it made a session (a 2xx carrying ``X-Auth-Token``), else None."""
        answer = self.answer
        if answer is not None and answer.ok and answer.headers.get("X-Auth-Token"):
            return answer
        return None

    @property
    def unanswered(self) -> bool:
        """True when the POST may have reached the BMC unanswered (a timeout, a dropped
        connection): a session may exist that nobody heard of.  A refused connection sent
        nothing; any HTTP answer is definitive."""
        return self.answer is None and not getattr(self.error, "refused", False)


def fixed_collection(sessions: str | None) -> bool:
    """Whether the ServiceRoot's sessions collection is exactly
    :data:`DEFAULT_SESSIONS_PATH`, where an :class:`EarlyLogin` went.  A root naming it
    with a trailing slash is not taken at its word for the slashless URI (a BMC may answer
    that one 404, 405 or a redirect): the early answer then settles the login only when
    it made a session."""
    return sessions == DEFAULT_SESSIONS_PATH


def sessions_path(root: Mapping[str, Any]) -> str | None:
    """Where to POST a login, or None when the service has no sessions (basic auth then)."""
    links = root.get("Links")
    sessions = links.get("Sessions") if isinstance(links, dict) else None
    if isinstance(sessions, dict) and isinstance(sessions.get("@odata.id"), str):
        return sessions["@odata.id"]
    if "SessionService" in root or not root:
        return DEFAULT_SESSIONS_PATH
    return None


LOGOUT_GRACE_S = 5.0
"""Upper bound of the logout grace, seconds."""


def logout_grace(timeouts: Timeouts) -> float:
    """Seconds a logout may take past an expired deadline: ``min(connect + read, 5 s)``."""
    return min(timeouts.connect + timeouts.read, LOGOUT_GRACE_S)


def session_path(answer: Answer, host: str, sessions: str) -> str | None:
    """The new session's path on ``host``: the first usable one of ``Location``, the
    body's ``@odata.id``, and ``{sessions}/{Id}`` from the body's ``Id`` (a Location such
    as ``//other/...`` or ``@other/...`` is never followed, see
    :func:`~hamnhw.transport.paths.bmc_path`, but the session is still deleted at logout);
    None when none gives one.

    :param sessions: the collection the login was POSTed to.
    """
    body = _json_object(answer)
    ident = body.get("Id")
    candidates: list[tuple[str, object]] = [("Location", answer.headers.get("Location")),
                                            ("@odata.id", body.get("@odata.id"))]
    if isinstance(ident, str) and ident and "/" not in ident:
        candidates.append(("Id", f"{sessions.rstrip('/')}/{ident}"))
    refused: list[str] = []
    for source, uri in candidates:
        if not uri:
            continue
        try:
            path = bmc_path(uri, host=host)
        except MalformedResponse as exc:
            refused.append(f"{source}: {exc.message} ({exc.uri})")
            continue
        if refused:
            LOG.warning("%s: the new session's %s; deleting it at %s instead (from its %s)",
                        host, "; ".join(refused), path, source)
        return path
    LOG.warning("%s: the new session's location is unusable, it cannot be deleted at "
                "logout: %s", host, "; ".join(refused) or "none given")
    return None


def _json_object(answer: Answer) -> Mapping[str, Any]:
    try:
        body = parse_json(answer.body, answer.content_type, host="", path="")
    except MalformedResponse:
        return {}
    return body if isinstance(body, dict) else {}
