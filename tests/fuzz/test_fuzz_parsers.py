"""Property: every parser of untrusted input gives a model or a typed HamnhwError, never
another exception (targets in :mod:`fuzzlib`; the long coverage-guided run is ``make soak``)."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import pytest
from fuzzlib import TARGETS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = {"driver_reads": 150, "redfish_documents": 400, "raid_health": 300, "config": 250,
            "ipmi_replies": 400, "bodies": 300, "events": 300}
"""Inputs per target in ``make test`` (about a minute in all on an idle 2-core machine)."""
TRIED: collections.Counter[str] = collections.Counter()


class DataDraw:
    """A fuzzlib ``Draw`` over hypothesis' ``data`` object (so failures shrink)."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))

    def text(self, max_size: int) -> str:
        return self.data.draw(st.text(max_size=max_size))

    def raw(self, max_size: int) -> bytes:
        return self.data.draw(st.binary(max_size=max_size))


@pytest.fixture(scope="module", autouse=True)
def report_inputs(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfuzz: {sum(TRIED.values())} inputs tried "
              f"({', '.join(f'{k} {v}' for k, v in sorted(TRIED.items()))})")


def _property(name: str):  # type: ignore[no-untyped-def]
    @pytest.mark.timeout(180)
    @settings(max_examples=EXAMPLES[name], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def test(data: st.DataObject) -> None:
        TRIED[name] += 1
        TARGETS[name](DataDraw(data))

    test.__doc__ = (f"Expected: {name} inputs give a model or a HamnhwError "
                    f"({(TARGETS[name].__doc__ or '').strip()})")
    return test


test_redfish_documents = _property("redfish_documents")
test_driver_reads = _property("driver_reads")
test_raid_health = _property("raid_health")
test_config = _property("config")
test_ipmi_replies = _property("ipmi_replies")
test_bodies = _property("bodies")
test_events = _property("events")


def test_every_target_has_a_property() -> None:
    """Expected: a new target in fuzzlib.TARGETS gets its property here too."""
    assert set(TARGETS) == set(EXAMPLES) == {
        name.removeprefix("test_") for name in globals() if name.startswith("test_")
        and name != "test_every_target_has_a_property"}
