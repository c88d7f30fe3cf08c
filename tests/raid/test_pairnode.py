"""Which pair node a RAID command addresses: the pair's names, another config entry for the
same BMC, or a BMC URL spelt in any accepted way; a different port or system is another
BMC."""

from __future__ import annotations

import pytest

from hamnhw.cli.commands.raid.pairnode import bmc_key, pair_node_of
from hamnhw.config import parse_config

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
    ("not a url", None), ("unknown-name", None)])
def test_pair_node_of(node: str, expected: str | None) -> None:
    assert pair_node_of(CONFIG, node) == expected


def test_two_systems_of_one_bmc_are_not_the_same_node() -> None:
    one = bmc_key("redfish://10.0.0.5/redfish/v1/Systems/1")
    two = bmc_key("redfish://10.0.0.5/redfish/v1/Systems/2")
    assert one is not None and two is not None and not one.same_bmc(two)
    bare = bmc_key("redfish://10.0.0.5")
    assert bare is not None and bare.same_bmc(one)
