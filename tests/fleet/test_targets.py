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
    listing.write_text("# rack 1\nnode001\n\n  redfish://127.0.0.1:9/   # rack 3, node9\n"
                       "node001  # again\n\t# indented comment\n")
    assert read_nodes_file(str(listing)) == ["node001", "redfish://127.0.0.1:9/", "node001"]
    nodes, single = pick(nodes_file=str(listing))
    assert nodes == ("node001", "redfish://127.0.0.1:9/")
    assert single is False
    assert pick("primary", nodes_file=str(listing))[1] is False


def test_a_nodes_file_line_takes_every_command_line_form(tmp_path: Path) -> None:
    listing = tmp_path / "nodes"
    listing.write_text("node[003-004]\nnode010-node011  # dashed\nrack1\nstandby,node012\n")
    assert pick(nodes_file=str(listing))[0] == (
        "node003", "node004", "node010", "node011", "node001", "node002", "primary", "standby",
        "node012")


@pytest.mark.parametrize("line", ["redfish://127.0.0.1:9/#frag", "node001#2", "node001 x#y"])
def test_a_hash_that_starts_no_comment_is_refused_by_its_line(tmp_path: Path,
                                                              line: str) -> None:
    listing = tmp_path / "nodes"
    listing.write_text(f"node001\n{line}\n")
    with pytest.raises(ConfigError, match=r"^line 2: a '#' starts a comment only") as caught:
        read_nodes_file(str(listing))
    assert line not in caught.value.message


def test_credentials_after_a_urls_hash_are_refused_unechoed(tmp_path: Path) -> None:
    """A password may hold " #": the line is refused by its number, never shown."""
    listing = tmp_path / "nodes"
    listing.write_text("node001   # ops@example.org\nredfish://root:pa #ss@10.0.0.5\n")
    with pytest.raises(ConfigError, match=r"^line 2: credentials") as caught:
        read_nodes_file(str(listing))
    assert "pa" not in caught.value.message.replace("password", "")


def test_every_unknown_name_is_named_before_anything_is_selected(tmp_path: Path) -> None:
    listing = tmp_path / "nodes"
    listing.write_text("node002\nnode0O3\n")
    with pytest.raises(ConfigError) as caught:
        pick("node001", "primray", "rack2", "node[011-013]", "redfish://127.0.0.1:9",
             nodes_file=str(listing))
    message = caught.value.message
    assert message.startswith(
        "3 names are no node or group of the config: 'primray' (did you mean primary?), "
        "'rack2' (did you mean rack1?), 'node0O3' (did you mean node003?); "
        "the range 'node[011-013]' names nodes the config does not have: node013; "), message
    assert message.endswith("15 nodes and 1 group known; nothing was sent (file hamnhw.toml)")


def test_a_single_plain_unknown_name_is_left_to_the_node(tmp_path: Path) -> None:
    """One plain NODE prints as a single-node command: its error is that node's."""
    assert pick("nodeX") == (("nodeX",), True)


def test_names_without_a_config_are_refused_together() -> None:
    with pytest.raises(ConfigError, match=r"^'a', 'b' are not BMC URLs .* no config file was "
                                          r"found .*: nothing was sent$"):
        select(["a", "redfish://127.0.0.1:1", "b"], None, lambda: None)


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
