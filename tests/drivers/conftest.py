"""Fixtures: a connected client over a DMTF mockup (see driver_mockups)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import responses
from driver_mockups import CLIENT_KINDS, MockupServer, mockup_dir

from hamnhw.transport.base import RedfishClient


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture(params=sorted(CLIENT_KINDS))
def client_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def serve(mock: responses.RequestsMock, client_kind: str
          ) -> Iterator[Callable[[str], tuple[RedfishClient, MockupServer]]]:
    """``serve(name)``: a connected client over the named mockup (closed afterwards)."""
    opened: list[RedfishClient] = []

    def start(name: str) -> tuple[RedfishClient, MockupServer]:
        server = MockupServer(mockup_dir(name), mock)
        client = CLIENT_KINDS[client_kind]()
        opened.append(client)
        return client, server

    yield start
    for client in opened:
        client.close()
