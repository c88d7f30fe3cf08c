"""Which pair node a command addresses (:mod:`hamnhw.pair.nodes`): the pair's names, another
config entry for the same BMC, or a BMC URL spelt in any accepted way, IPMI or Redfish, or
a node's IPMI path; a different Redfish port or system is another BMC."""

from __future__ import annotations

from pathlib import Path

import pytest

from hamnhw.config import Config, parse_config
from hamnhw.pair.nodes import bmc_key, pair_node_of

CONFIG = parse_config({
    "primary": {"bmc": "redfish://10.0.0.5"},
    "standby": {"bmc": "redfish+http://127.0.0.1:8001/"},
    "nodes": {"mn1": {"bmc": "idrac-redfish://10.0.0.5:443"},
              "other": {"bmc": "redfish://10.0.0.6"}}})


@pytest.mark.parametrize("node,expected", [
    ("primary", "primary"), ("standby", "standby"), ("mn1", "primary"), ("other", None),
    ("REDFISH://10.0.0.5/", "primary"), ("redfish+https://10.0.0.5:443", "primary"),
    ("redfish://10.0.0.5/redfish/v1/Systems/1", "primary"),
    ("redfish+http://localhost:8001", "standby"),
    ("redfish+http://127.0.0.1:8002", None), ("redfish+http://10.0.0.5", None),
    ("not a url", None), ("unknown-name", None),
    # an IPv4-mapped IPv6 literal is the IPv4 host (review: it bypassed the guards)
    ("redfish://[::ffff:10.0.0.5]", "primary"), ("redfish://[::FFFF:0a00:0005]:443", "primary"),
    ("redfish+http://[::ffff:127.0.0.1]:8001", "standby"),
    ("ipmi://[::ffff:10.0.0.5]", "primary")])
def test_pair_node_of(node: str, expected: str | None) -> None:
    assert pair_node_of(CONFIG, node) == expected


def test_two_systems_of_one_bmc_are_not_the_same_node() -> None:
    one = bmc_key("redfish://10.0.0.5/redfish/v1/Systems/1")
    two = bmc_key("redfish://10.0.0.5/redfish/v1/Systems/2")
    assert one is not None and two is not None and not one.same_bmc(two)
    bare = bmc_key("redfish://10.0.0.5")
    assert bare is not None and bare.same_bmc(one)


IPMI_CONFIG = parse_config({
    "primary": {"bmc": "redfish://10.0.0.5", "ipmi": {"url": "ipmi://10.0.0.15:6230"}},
    "standby": {"bmc": "ipmi://10.0.0.7"},
    "nodes": {"old": {"bmc": "IPMI://10.0.0.5"}, "alias": {"bmc": "redfish://10.0.0.9",
                                                           "ipmi": {"url": "ipmi://10.0.0.7"}},
              "other": {"bmc": "ipmi://10.0.0.6"}}})


@pytest.mark.parametrize("node,expected", [
    ("ipmi://10.0.0.5", "primary"), ("ipmi://10.0.0.5:6230", "primary"),
    ("old", "primary"), ("ipmi://10.0.0.15", "primary"), ("redfish://10.0.0.15", "primary"),
    ("redfish://10.0.0.7", "standby"), ("redfish+http://10.0.0.7:8000", "standby"),
    ("ipmi://10.0.0.7:624", "standby"), ("alias", "standby"),
    ("other", None), ("ipmi://10.0.0.8", None), ("redfish://10.0.0.5:8443", None)])
def test_another_protocol_or_the_ipmi_path_addresses_the_same_bmc(
        node: str, expected: str | None) -> None:
    """Review: ``ipmi://10.0.0.5`` (port 623) did not match a pair node whose BMC is
    ``redfish://10.0.0.5`` (443), so the guards let it through.  IPMI and Redfish of one
    host are one BMC whatever the ports; a pair node's IPMI path (``[primary.ipmi] url``)
    is that node; only two Redfish ports of one host are two BMCs."""
    assert pair_node_of(IPMI_CONFIG, node) == expected


def test_an_ipmi_address_on_a_host_of_both_pair_nodes_matches_the_equal_address_first(
        ) -> None:
    """Two pair nodes on one host (a simulator, a NAT): an address equal to one node's
    wins; otherwise the first pair node is matched (in doubt, a match); another Redfish
    port of that host is another BMC, although a pair node's IPMI path is on that host."""
    config = parse_config({
        "primary": {"bmc": "redfish+http://127.0.0.1:8001"},
        "standby": {"bmc": "redfish+http://127.0.0.1:8002",
                    "ipmi": {"url": "ipmi://127.0.0.1:6232"}}})
    assert pair_node_of(config, "ipmi://127.0.0.1:6232") == "standby"
    assert pair_node_of(config, "ipmi://localhost:6231") == "primary"
    assert pair_node_of(config, "redfish+http://127.0.0.1:8003") is None


def test_pair_nodes_of_many_nodes_at_once() -> None:
    from hamnhw.pair.nodes import pair_nodes_of

    nodes = ["other", "mn1", "REDFISH://10.0.0.5/", "redfish+http://localhost:8001",
             "redfish+http://127.0.0.1:8002", "unknown-name"]
    assert pair_nodes_of(CONFIG, nodes) == {"mn1": "primary", "REDFISH://10.0.0.5/": "primary",
                                            "redfish+http://localhost:8001": "standby"}


def test_a_name_that_does_not_resolve_in_time_stands_for_no_address(
        hung_names: set[str]) -> None:
    from hamnhw.pair import nodes as pairnode

    hung_names.add("hung.example")
    found, late = pairnode.resolve_in_time(["hung.example", "localhost", "10.0.0.5"])
    assert found["hung.example"] == frozenset() and found["10.0.0.5"] == {"10.0.0.5"}
    assert "127.0.0.1" in found["localhost"] or "::1" in found["localhost"]
    assert late == {"hung.example"}
    assert pairnode.resolve_all(["hung.example"]) == {"hung.example": frozenset()}


def journal_config(tmp_path: Path, active: str | None) -> Config:
    """A pair config whose journal lives under ``tmp_path`` (``[pair] active`` = ``active``)."""
    pair_table: dict[str, object] = {"name": "mn", "journal_dir": str(tmp_path)}
    if active is not None:
        pair_table["active"] = active
    return parse_config({"pair": pair_table, "primary": {"bmc": "redfish://10.0.0.5"},
                         "standby": {"bmc": "redfish://10.0.0.6"}})


def test_an_unreadable_journal_counts_both_pair_nodes_as_possibly_active(
        tmp_path: Path) -> None:
    """A journal that exists but cannot be read may record a failover ``[pair] active``
    does not know of: both nodes count, and the reason says why; no journal file at all
    falls back to ``[pair] active`` as before."""
    from hamnhw.failover.journal import journal_path
    from hamnhw.pair.nodes import possibly_active

    config = journal_config(tmp_path, "primary")
    assert possibly_active(config) == (("primary",), "[pair] active")
    journal_path(tmp_path, "mn").write_bytes(b"not a journal, garbage bytes " * 100)
    nodes, source = possibly_active(config)
    assert nodes == ("primary", "standby")
    assert "cannot be read" in source and "mn.journal.sqlite" in source, source


def test_a_late_name_may_be_either_pair_node_and_both_are_guarded(hung_names: set[str],
                                                                   tmp_path: Path) -> None:
    """Review: a name not resolved in time matched only the first pair node it may be
    (``primary``), so with both pair BMCs on one port and ``standby`` the active MN,
    ``power off`` of the standby's BMC by that name went unasked.  Every pair node it may
    be is guarded."""
    from hamnhw.pair import nodes as pairnode
    from hamnhw.pair.runguard import ActiveMnStop, check_power_change

    hung_names.add("bmc.hung.test")
    config = journal_config(tmp_path, "standby")
    named = pairnode.pair_nodes_of(config, ["redfish://bmc.hung.test"])
    assert named.all_of("redfish://bmc.hung.test") == ("primary", "standby")
    assert named.late == {"redfish://bmc.hung.test": ("bmc.hung.test",)}
    with pytest.raises(ActiveMnStop) as refused:
        check_power_change(config, ["redfish://bmc.hung.test"], "off")
    assert str(refused.value).startswith("'standby' (named by a BMC URL) (possibly: "
                                         "bmc.hung.test did not resolve"), refused.value
