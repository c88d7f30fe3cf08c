"""The read memo and $expand: one GET per resource per command, writes and waits read
afresh, expanded answers taken apart, BMCs that refuse or ignore $expand."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from hamnhw import expand, readmemo
from hamnhw.errors import BadRequestError, NotFoundError
from hamnhw.readmemo import MemoClient

R = "/redfish/v1"
EXPAND_ROOT = {"ProtocolFeaturesSupported": {"ExpandQuery": {
    "NoLinks": True, "Levels": True, "MaxLevels": 6}}, "UUID": "u-1"}


def res(path: str, **fields: Any) -> dict[str, Any]:
    return {"@odata.id": path, "@odata.type": "#T.v1_0_0.T", "Id": path.rsplit("/", 1)[-1],
            **fields}


TREE = {
    f"{R}/Systems": res(f"{R}/Systems", Members=[{"@odata.id": f"{R}/Systems/1"}]),
    f"{R}/Systems/1": res(f"{R}/Systems/1", PowerState="On",
                          Storage={"@odata.id": f"{R}/Systems/1/Storage"},
                          Links={"Chassis": [{"@odata.id": f"{R}/Chassis/1"}]}),
    f"{R}/Systems/1/Storage": res(f"{R}/Systems/1/Storage",
                                  Members=[{"@odata.id": f"{R}/Systems/1/Storage/1"}]),
    f"{R}/Systems/1/Storage/1": res(f"{R}/Systems/1/Storage/1", Drives=[
        {"@odata.id": f"{R}/Chassis/1/Drives/{n}"} for n in ("a", "b", "c")],
        StorageControllers=[{"@odata.id": f"{R}/Systems/1/Storage/1#/StorageControllers/0",
                             "Name": "RAID"}]),
    **{f"{R}/Chassis/1/Drives/{n}": res(f"{R}/Chassis/1/Drives/{n}", SerialNumber=n)
       for n in ("a", "b", "c")},
}


class FakeBmc:
    """A client serving TREE; ``$expand=.($levels=n)`` expands like DSP0266 unless
    ``mode`` is "ignore" (answers plainly) or "refuse" (400)."""

    def __init__(self, root: dict[str, Any] | None = None, mode: str = "expand") -> None:
        self.root = root or {"UUID": "u-0"}
        self.host = "bmc.test"
        self.mode = mode
        self.gets: list[str] = []
        self.writes = 0

    def get(self, path: str) -> dict[str, Any]:
        self.gets.append(path)
        plain, _, query = path.partition("?")
        if plain not in TREE:
            raise NotFoundError(host=self.host, method="GET", path=path, status=404)
        if not query or self.mode == "ignore":
            return copy.deepcopy(TREE[plain])
        if self.mode == "refuse":
            raise BadRequestError(host=self.host, method="GET", path=path, status=400)
        levels = int(query.rsplit("=", 1)[1].rstrip(")"))
        return self._expanded(TREE[plain], levels)

    def _expanded(self, doc: Any, levels: int, links: bool = False) -> Any:
        if isinstance(doc, list):
            return [self._expanded(item, levels, links) for item in doc]
        if not isinstance(doc, dict):
            return doc
        uri = doc.get("@odata.id")
        if len(doc) == 1 and uri in TREE and not links:
            return self._expanded(TREE[uri], levels - 1) if levels > 0 else dict(doc)
        return {k: self._expanded(v, levels, links or k == "Links") for k, v in doc.items()}

    def post(self, *args: Any, **kwargs: Any) -> None:
        self.writes += 1

    put = patch = delete = post


def test_a_resource_is_read_once_per_call_and_again_in_a_new_call() -> None:
    bmc = FakeBmc()
    memo = MemoClient(bmc)
    assert memo.get(f"{R}/Systems/1") == memo.get(f"{R}/Systems/1/") == TREE[f"{R}/Systems/1"]
    assert bmc.gets == [f"{R}/Systems/1"]
    memo.new_call()
    memo.get(f"{R}/Systems/1")
    assert len(bmc.gets) == 2


def test_writes_waits_age_and_fresh_reads_go_to_the_bmc() -> None:
    now = [0.0]
    bmc = FakeBmc()
    memo = MemoClient(bmc, clock=lambda: now[0])
    path = f"{R}/Systems/1"
    memo.get(path)
    memo.post(f"{path}/Actions/ComputerSystem.Reset", {})
    memo.get(path)  # after a write
    readmemo.new_epoch()  # what a poll does before each read
    memo.get(path)
    now[0] += readmemo.MAX_AGE_S
    memo.get(path)  # too old
    memo.get_fresh(path)
    assert bmc.gets == [path] * 5 and bmc.writes == 1
    memo.get(path)
    assert len(bmc.gets) == 5  # the fresh read serves the next one


@pytest.mark.parametrize("write", ["post", "patch", "put", "delete"])
def test_every_write_method_forgets_what_was_read(write: str) -> None:
    bmc = FakeBmc()
    memo = MemoClient(bmc)
    path = f"{R}/Systems/1"
    memo.get(path)
    getattr(memo, write)(path, {})
    memo.get(path)
    assert bmc.gets == [path, path] and bmc.writes == 1


@pytest.mark.parametrize(("features", "levels"), [
    ({}, 0),
    ({"ExpandQuery": {"NoLinks": False, "Levels": True, "MaxLevels": 6}}, 0),
    ({"ExpandQuery": {"NoLinks": True}}, 1),
    ({"ExpandQuery": {"NoLinks": True, "Levels": True, "MaxLevels": 2}}, 2),
    ({"ExpandQuery": {"NoLinks": True, "Levels": True, "MaxLevels": 6}}, expand.LEVELS_CAP),
    ({"ExpandQuery": {"NoLinks": True, "Levels": True, "MaxLevels": True}}, 1),
])
def test_levels_asked_follow_what_the_root_advertises(features: dict[str, Any],
                                                      levels: int) -> None:
    assert expand.supported_levels({"ProtocolFeaturesSupported": features}) == levels


def test_an_expanded_answer_serves_every_resource_it_carries_as_a_plain_get_would() -> None:
    bmc = FakeBmc(EXPAND_ROOT)
    memo = MemoClient(bmc)
    assert memo.get(f"{R}/Systems") == TREE[f"{R}/Systems"]
    for path in (f"{R}/Systems/1", f"{R}/Systems/1/Storage", f"{R}/Systems/1/Storage/1",
                 f"{R}/Chassis/1/Drives/b"):
        assert memo.get(path) == TREE[path], path
    # Systems (0) > System (1) > Storage (2) > Storage/1 (3): the drives below come with
    # one more read, of the list that names them (a Storage: 2 levels, expand.NEEDS).
    assert bmc.gets == [f"{R}/Systems?$expand=.($levels=3)",
                        f"{R}/Systems/1/Storage/1?$expand=.($levels=2)"]


def test_members_listed_together_come_in_one_expanded_read_of_their_list() -> None:
    bmc = FakeBmc({**EXPAND_ROOT}, mode="expand")
    memo = MemoClient(bmc, expand_levels=1)
    storage = memo.get(f"{R}/Systems/1/Storage/1")
    serials = [memo.get(d["@odata.id"])["SerialNumber"] for d in storage["Drives"]]
    assert serials == ["a", "b", "c"]
    assert bmc.gets == [f"{R}/Systems/1/Storage/1?$expand=.($levels=1)"]


def test_a_bmc_ignoring_expand_is_walked_resource_by_resource() -> None:
    bmc = FakeBmc(EXPAND_ROOT, mode="ignore")
    memo = MemoClient(bmc)
    storage = memo.get(f"{R}/Systems/1/Storage/1")
    assert storage == TREE[f"{R}/Systems/1/Storage/1"]
    assert [memo.get(d["@odata.id"]) for d in storage["Drives"]] == [
        TREE[f"{R}/Chassis/1/Drives/{n}"] for n in ("a", "b", "c")]


def test_a_bmc_refusing_expand_is_read_plainly_from_then_on() -> None:
    bmc = FakeBmc({**EXPAND_ROOT, "UUID": "refuser"}, mode="refuse")
    memo = MemoClient(bmc)
    assert memo.get(f"{R}/Systems/1") == TREE[f"{R}/Systems/1"]
    assert memo.expand_levels == 0
    assert readmemo.expand_refused("bmc.test", "refuser")
    again = MemoClient(FakeBmc({**EXPAND_ROOT, "UUID": "refuser"}, mode="refuse"))
    assert again.expand_levels == 0  # later connections of this BMC do not try


def test_a_missing_resource_is_its_own_error_not_an_expand_refusal() -> None:
    bmc = FakeBmc({**EXPAND_ROOT, "UUID": "u-404"})
    memo = MemoClient(bmc)
    with pytest.raises(NotFoundError):
        memo.get(f"{R}/Nowhere")
    assert memo.expand_levels == expand.LEVELS_CAP


def test_harvest_collapses_nested_resources_and_leaves_inline_objects() -> None:
    answer = FakeBmc()._expanded(TREE[f"{R}/Systems/1"], 3)
    plain, found = expand.harvest(answer)
    assert plain == TREE[f"{R}/Systems/1"]
    assert found[f"{R}/Systems/1/Storage/1"] == TREE[f"{R}/Systems/1/Storage/1"]
    assert f"{R}/Chassis/1" not in found  # under Links: never expanded
    assert f"{R}/Systems/1/Storage/1#/StorageControllers/0" not in found


@pytest.mark.parametrize(("root_pace_s", "read_ahead"), [
    (None, True), (readmemo.QUICK_BMC_S / 2, False), (readmemo.QUICK_BMC_S * 2, True)])
def test_the_service_roots_pace_is_the_first_verdict_on_reading_ahead(
        root_pace_s: float | None, read_ahead: bool) -> None:
    """Before any GET through the memo, the transport's ServiceRoot pace decides whether
    a prefetch reads side by side (a quick BMC: the walk reads each)."""
    bmc = FakeBmc()
    bmc.root_pace_s = root_pace_s  # type: ignore[attr-defined]
    memo = MemoClient(bmc)
    memo.prefetch([f"{R}/Systems/1", f"{R}/Systems/1/Storage"])
    assert sorted(bmc.gets) == ([f"{R}/Systems/1", f"{R}/Systems/1/Storage"] if read_ahead
                                else [])


def test_a_quick_pace_is_replaced_by_the_bmcs_own_first_get() -> None:
    """The ServiceRoot pace (other BMCs' answers) only stands in until this BMC's first
    GET: a BMC slower than the pace is read ahead after it."""
    class SlowBmc(FakeBmc):
        def get(self, path: str) -> dict[str, Any]:
            time.sleep(readmemo.QUICK_BMC_S * 1.5)  # at least this long: no upper bound
            return super().get(path)

    bmc = SlowBmc()
    bmc.root_pace_s = readmemo.QUICK_BMC_S / 10  # type: ignore[attr-defined]
    memo = MemoClient(bmc)
    memo.prefetch([f"{R}/Systems/1", f"{R}/Systems/1/Storage"])
    assert bmc.gets == [], "judged by the pace before any GET of its own"
    memo.get(f"{R}/Systems")
    memo.prefetch([f"{R}/Systems/1", f"{R}/Systems/1/Storage"])
    assert sorted(bmc.gets) == [f"{R}/Systems", f"{R}/Systems/1", f"{R}/Systems/1/Storage"]
