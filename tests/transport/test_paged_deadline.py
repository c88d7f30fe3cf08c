"""A paged collection (``Members@odata.nextLink``) is read under one deadline, over real
loopback sockets: the caller's when there is one, else one default deadline
(``Timeouts.operation``) for the whole walk, not one per page.  The BMC is slow on a manual
clock (each page moves it 30 s on), so nothing here waits or measures time: the assertions
are on which page the deadline stopped the walk and on the error naming it."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest
from hamnhw_drivers.generic.resource import Reader
from transport_loopback import LoopbackBmc, answer, make_transport

from hamnhw.connection import Timeouts
from hamnhw.errors import BmcTimeout
from hamnhw.sim import ManualClock
from hamnhw.transport.redfish import RedfishTransport
from hamnhw.transport.retry import RetryPolicy

pytestmark = pytest.mark.both_io  # in a thread and as a cooperative task (conftest)

THINGS = "/redfish/v1/Things"
PAGES = 5
PAGE_S = 30.0
"""What each page costs on the manual clock: the default deadline (100 s) covers three."""


@pytest.fixture
def transport(bmc: LoopbackBmc, fake_time: ManualClock) -> Iterator[RedfishTransport]:
    """A transport on ``fake_time`` (default deadline 100 s) to a BMC paging ``THINGS`` one
    member a page, each page moving the clock :data:`PAGE_S` on before it answers."""
    bmc.standard()

    def page(handler) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        skip = int(query.get("$skip", ["0"])[0])
        doc = {"Members": [{"@odata.id": f"{THINGS}/{skip}"}], "Members@odata.count": PAGES}
        if skip + 1 < PAGES:
            doc["Members@odata.nextLink"] = f"{THINGS}?$skip={skip + 1}"
        fake_time.advance(PAGE_S)
        answer(handler, 200, json.dumps(doc).encode())

    bmc.behave("GET", THINGS, page)
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock, jitter=0.0)
    opened = make_transport(bmc.url, timeouts=Timeouts(connect=2, read=5, operation=100),
                            retry=policy).open()
    yield opened
    opened.close()


def test_a_walk_outside_any_block_has_one_default_deadline_not_one_per_page(
        transport: RedfishTransport, bmc: LoopbackBmc) -> None:
    """Old: every page got 100 s of its own, so the five pages (150 s) were all read (64
    pages of a slow BMC: 64 times the default)."""
    with pytest.raises(BmcTimeout) as info:
        Reader(transport).members(THINGS)
    error = info.value
    assert error.deadline_passed and error.host == transport.host
    assert f"collection {THINGS}: its page 4 ({THINGS}?$skip=3) not read after 3 pages, " \
           "3 members read" in error.message
    assert bmc.count("GET", THINGS) == 4  # the fourth answer came past the deadline


def test_a_walk_inside_a_block_has_the_block_s_deadline_not_the_default(
        transport: RedfishTransport, bmc: LoopbackBmc) -> None:
    """The caller's deadline, longer than the default, is the walk's: not narrowed to it."""
    with transport.operation(500):
        found = Reader(transport).members(THINGS)
    assert found.require() == [f"{THINGS}/{n}" for n in range(PAGES)]
    with transport.operation(50), pytest.raises(BmcTimeout, match="after 1 page, 1 member read"):
        Reader(transport).members(THINGS)
    assert bmc.count("GET", THINGS) == PAGES + 2


def test_the_deadline_scope_is_the_one_in_force_else_one_default_deadline(
        transport: RedfishTransport) -> None:
    with transport.deadline_scope() as first, transport.deadline_scope() as nested:
        assert nested is first and first.seconds == 100  # Timeouts.operation
    with transport.operation(7), transport.deadline_scope() as inside:
        assert inside.seconds == 7
