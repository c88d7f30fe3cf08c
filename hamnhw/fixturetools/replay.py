"""Replay recorded fixtures with ``responses`` (tests only).

::

    from hamnhw.fixturetools.replay import replay

    with replay("fixtures/redfish/hamnhw/sim-bmc_1.0.0/power-cycle") as bmc:
        with hamnhw.connect(bmc.url, "admin", "***", poll=fast_poll) as node:
            node.power.cycle()
    # leaving the block asserts that every recorded exchange was requested

Two modes, chosen from ``meta.json`` ``kind`` unless given:

``session`` (ordered)
    The recorded exchanges must be requested exactly in their order
    (``OrderedRegistry``), request bodies are matched with
    ``matchers.json_params_matcher``, and all must be used.
``walk`` (resource map)
    Every recorded GET is served as often as asked, in any order.

In both modes the connection preamble is standing (any order, any count):
GET of the ServiceRoot, the session login (POST to the SessionService
Sessions collection, answered with a fake token) and its logout (DELETE).  A
ServiceRoot naming no sessions collection, or another one than DSP0266's fixed
``/redfish/v1/SessionService/Sessions``, has that fixed one answer 404, as such a
service does: the transport POSTs its login there while it reads the ServiceRoot.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pathlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import responses
from responses import matchers
from responses.registries import OrderedRegistry

from hamnhw.fixturetools.fixture import Exchange, load_exchanges, load_meta
from hamnhw.transport.session import DEFAULT_SESSIONS_PATH, fixed_collection

REPLAY_HOST = "bmc.replay.test"
FAKE_TOKEN = "replay-token"  # noqa: S105 - a fake, sent only to the mock
SESSION_ID = "FAKE-SESSION-9999"
_ROOT = re.compile(r"^/redfish/v1/?$")
_NOT_FOUND = {"error": {"code": "Base.1.0.ResourceMissingAtURI",
                        "message": "The resource at the URI was not found."}}


class ReplayRegistry(OrderedRegistry):
    """Ordered registry plus standing responses consulted first (any order, reusable)."""

    def __init__(self) -> None:
        super().__init__()
        self.standing: list[responses.BaseResponse] = []

    def find(self, request: Any) -> tuple[responses.BaseResponse | None, list[str]]:
        """Standing responses first, then the next ordered one."""
        for response in self.standing:
            if response.matches(request)[0]:
                return response, []
        return super().find(request)


@dataclasses.dataclass
class ReplayedBmc:
    """A replay in progress."""

    url: str
    """BMC URL to pass to :func:`hamnhw.connect`."""
    base_url: str
    """``https://host``: prefix of every registered URL."""
    mock: responses.RequestsMock
    """The active mock (``mock.calls`` lists what was requested)."""
    exchanges: list[Exchange]
    """The recording being replayed."""

    @property
    def remaining(self) -> list[responses.BaseResponse]:
        """Ordered responses not yet requested."""
        return list(self.mock.registered())


@contextlib.contextmanager
def replay(fixture_dir: str | pathlib.Path, *, ordered: bool | None = None,
           host: str = REPLAY_HOST, assert_all_used: bool | None = None) -> Iterator[ReplayedBmc]:
    """Serve a recording through ``responses`` while the block runs.

    :param fixture_dir: directory with ``exchanges.json`` (and ``meta.json``).
    :param ordered: force the mode; default: ordered unless ``meta.json`` says ``walk``.
    :param host: host name in the replay URLs.
    :param assert_all_used: check on exit that every ordered exchange was
        requested (default: True when ordered).
    """
    exchanges = load_exchanges(fixture_dir)
    if ordered is None:
        ordered = load_meta(fixture_dir).get("kind") != "walk"
    if assert_all_used is None:
        assert_all_used = ordered
    base_url = f"https://{host}"
    mock = responses.RequestsMock(assert_all_requests_are_fired=assert_all_used,
                                  registry=ReplayRegistry)
    registry = mock.get_registry()
    assert isinstance(registry, ReplayRegistry)
    registry.standing.extend(_preamble(base_url, exchanges))
    for exchange in exchanges:
        if _ROOT.match(exchange.path) and exchange.method == "GET":
            continue
        if ordered:
            mock.add(_response(base_url, exchange, match_body=True))
        elif exchange.method == "GET":
            registry.standing.extend(_response(base_url, exchange, path=variant)
                                     for variant in _slash_variants(exchange.path))
    with mock:
        yield ReplayedBmc(f"redfish+https://{host}", base_url, mock, exchanges)


def _preamble(base_url: str, exchanges: Sequence[Exchange]) -> list[responses.BaseResponse]:
    root = next((e.response_json for e in exchanges
                 if e.method == "GET" and _ROOT.match(e.path)), None)
    if not isinstance(root, dict):
        raise ValueError("recording has no ServiceRoot GET (/redfish/v1/)")
    standing: list[responses.BaseResponse] = [responses.Response("GET", base_url + path, json=root)
                for path in ("/redfish/v1/", "/redfish/v1")]
    sessions = ((root.get("Links") or {}).get("Sessions") or {}).get("@odata.id")
    if isinstance(sessions, str):
        session_path = f"{sessions.rstrip('/')}/{SESSION_ID}"
        login = {"@odata.id": session_path, "Id": SESSION_ID, "Name": "User Session",
                 "UserName": "admin"}
        standing += [responses.Response(
            "POST", base_url + variant, json=login, status=201,
            headers={"X-Auth-Token": FAKE_TOKEN, "Location": session_path})
            for variant in _slash_variants(sessions)]
        standing.append(responses.Response("DELETE", base_url + session_path, status=204))
    if not fixed_collection(sessions if isinstance(sessions, str) else None):
        standing += [responses.Response("POST", base_url + variant, status=404, json=_NOT_FOUND)
                     for variant in _slash_variants(DEFAULT_SESSIONS_PATH)]
    return standing


def _response(base_url: str, exchange: Exchange, *, match_body: bool = False,
              path: str | None = None) -> responses.BaseResponse:
    match: list[Any] = []
    if match_body and exchange.request_json is not None:
        match.append(matchers.json_params_matcher(exchange.request_json))
    headers = {k: v for k, v in exchange.headers.items() if k.lower() != "content-type"}
    kwargs: dict[str, Any] = {"status": exchange.status, "headers": headers, "match": match}
    if exchange.response_text is not None:
        kwargs["body"] = exchange.response_text
        kwargs["content_type"] = exchange.headers.get("Content-Type", "text/html")
    elif exchange.response_json is not None:
        kwargs["json"] = exchange.response_json
    else:
        kwargs["body"] = b""
    url = base_url + (path or exchange.path)
    return responses.Response(exchange.method, url, **kwargs)


def _slash_variants(path: str) -> tuple[str, ...]:
    bare = path.rstrip("/")
    return (bare, bare + "/") if bare else (path,)
