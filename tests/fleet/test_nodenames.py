"""Unknown node names told in a line whatever the config's size: close matches first (a
look-alike character first of all), natural order, a count instead of thousands of names."""

from __future__ import annotations

from hamnhw.nodenames import close_matches, either, known_names, natural_sorted, no_such

THOUSANDS = [f"node{i}" for i in range(1, 2001)]


def test_natural_order_puts_node2_before_node10() -> None:
    assert natural_sorted(["node10", "node2", "rack1", "node1", "n01a", "n1b"]) == [
        "n01a", "n1b", "node1", "node2", "node10", "rack1"]


def test_a_look_alike_character_is_the_closest_match() -> None:
    assert close_matches("node2l", THOUSANDS) == ["node21"]
    assert close_matches("n0de7", THOUSANDS) == ["node7"]
    assert close_matches("NODE3", ["node3", "node30"]) == ["node3"]


def test_only_the_closest_matches_are_offered() -> None:
    assert close_matches("node3l", ["node1", "node2", "node3"]) == ["node3"]
    assert close_matches("nodeX", THOUSANDS) == ["node1", "node2", "node3"]  # ties: in order
    assert close_matches("login", THOUSANDS) == []


def test_either() -> None:
    assert [either(["a"]), either(["a", "b"]), either(["a", "b", "c"])] == [
        "a", "a or b", "a, b or c"]


def test_a_small_config_lists_its_names_a_large_one_counts_them() -> None:
    assert known_names(["node10", "node9"]) == "known: node9, node10"
    assert known_names([]) == "known: none"
    assert known_names(THOUSANDS, "nodes", ["rack1"], "groups") == "2,000 nodes and 1 group known"


def test_the_message_stays_short_with_thousands_of_nodes() -> None:
    assert no_such("node", "node2l", THOUSANDS, "nodes") == (
        "no node named 'node2l' (did you mean node21? 2,000 nodes known)")
    assert no_such("node", "x", ["b", "a"], "nodes") == "no node named 'x' (known: a, b)"
