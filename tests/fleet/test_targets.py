"""Node selection: NODE arguments, xCAT ranges against config names, groups, nodes files."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from hamnhw.errors import ConfigError
from hamnhw.fleet.targets import read_nodes_file, select


@dataclasses.dataclass
class FakeConfig:
    nodes: dict[str, Any]
    groups: dict[str, tuple[str, ...]]
    path: str = "hamnhw.toml"


NAMES = [f"node{i:03d}" for i in range(1, 13)] + ["primary", "standby", "n1-n2"]
CONFIG = FakeConfig({n: object() for n in NAMES}, {"rack1": ("node001", "node002", "primary")})


def pick(*args: str, nodes_file: str | None = None) -> tuple[tuple[str, ...], bool]:
    selection = select(args, nodes_file, lambda: CONFIG)
    return selection.nodes, selection.single


def test_one_plain_name_or_url_is_single() -> None:
    assert pick("primary") == (("primary",), True)
    assert pick("redfish://127.0.0.1:1") == (("redfish://127.0.0.1:1",), True)


def test_bracket_range_keeps_padding_and_is_a_fanout() -> None:
    nodes, single = pick("node[001-003]")
    assert nodes == ("node001", "node002", "node003")
    assert single is False


def test_lists_in_brackets_commas_and_dashed_form() -> None:
    assert pick("node[001-002,010]")[0] == ("node001", "node002", "node010")
    assert pick("node001-node003")[0] == ("node001", "node002", "node003")
    assert pick("primary,standby")[0] == ("primary", "standby")


def test_a_node_named_like_a_dashed_range_is_the_node() -> None:
    assert pick("n1-n2") == (("n1-n2",), True)


def test_group_expands_and_duplicates_keep_first_place() -> None:
    nodes, single = pick("rack1", "node002", "standby")
    assert nodes == ("node001", "node002", "primary", "standby")
    assert single is False
    assert pick("rack1")[1] is False  # one argument, but a group


def test_range_member_missing_from_the_config_is_refused_up_front() -> None:
    with pytest.raises(ConfigError, match=r"node013, node014") as caught:
        pick("node[010-099]")
    assert "and 82 more" in caught.value.message


@pytest.mark.parametrize("bad", ["node[a-b]", "node[5-1]", "node[1-99999999]", "node[1"])
def test_bad_ranges(bad: str) -> None:
    with pytest.raises(ConfigError):
        pick(bad)


def test_nodes_file(tmp_path: Path) -> None:
    listing = tmp_path / "nodes"
    listing.write_text("# rack 1\nnode001\n\n  redfish://127.0.0.1:9/#frag  \nnode001  # again\n")
    assert read_nodes_file(str(listing)) == ["node001", "redfish://127.0.0.1:9/#frag", "node001"]
    nodes, single = pick(nodes_file=str(listing))
    assert nodes == ("node001", "redfish://127.0.0.1:9/#frag")
    assert single is False
    assert pick("primary", nodes_file=str(listing))[1] is False


def test_unreadable_nodes_file_and_nothing_selected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nodes file"):
        pick(nodes_file=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="no node given"):
        pick()


def test_urls_need_no_config() -> None:
    def no_config() -> None:
        raise AssertionError("the config was read for URLs only")

    urls = ("redfish://127.0.0.1:1", "redfish://127.0.0.1:2")
    assert select(urls, None, no_config).nodes == urls
