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


def test_pair_nodes_of_many_nodes_at_once() -> None:
    from hamnhw.cli.commands.raid.pairnode import pair_nodes_of

    nodes = ["other", "mn1", "REDFISH://10.0.0.5/", "redfish+http://localhost:8001",
             "redfish+http://127.0.0.1:8002", "unknown-name"]
    assert pair_nodes_of(CONFIG, nodes) == {"mn1": "primary", "REDFISH://10.0.0.5/": "primary",
                                            "redfish+http://localhost:8001": "standby"}


def test_a_name_that_does_not_resolve_in_time_stands_for_no_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading

    from hamnhw.cli.commands.raid import pairnode

    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> object:
        if host == "hung.example":
            release.wait(30)
            raise socket.gaierror("released")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(pairnode, "RESOLVE_TIMEOUT_S", 0.05)
    try:
        found = pairnode.resolve_all(["hung.example", "localhost", "10.0.0.5"])
    finally:
        release.set()
    assert found["hung.example"] == frozenset() and found["10.0.0.5"] == {"10.0.0.5"}
    assert "127.0.0.1" in found["localhost"] or "::1" in found["localhost"]
