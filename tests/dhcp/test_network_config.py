"""The [network] config table: strict like the rest of the schema."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from dhcpdata import MACHINE_ID, NETWORK_TOML

from hamnhw.config import load_config, parse_config
from hamnhw.errors import ConfigError


def test_network_table_parses(tmp_path: Path) -> None:
    path = tmp_path / "hamnhw.toml"
    path.write_text(NETWORK_TOML)
    network = load_config(path).network
    assert network.machine_id == MACHINE_ID and network.alias_suffix == "-standby"
    assert list(network.nics) == ["NIC1", "NIC2", "ib0"]
    nic = network.nics["NIC1"]
    assert (nic.ip, nic.prefix, nic.hostname, nic.client_id) == ("10.213.0.10", 24, "mn", None)
    assert network.nics["NIC2"].ifname == "eno2"


def test_no_network_table_is_empty() -> None:
    assert parse_config({}).network.nics == {}


@pytest.mark.parametrize(("text", "key", "message"), [
    ('[network]\nsubnet = "x"\n', "network.subnet", "unknown key"),
    ('[network.nics.a]\nhostname = "mn"\n', "network.nics.a.ip", "missing"),
    ('[network.nics.a]\nip = "10.0.0.300"\nhostname = "mn"\n', "network.nics.a.ip", "IPv4"),
    ('[network.nics.a]\nip = "10.0.0.1"\nhostname = "-bad"\n', "network.nics.a.hostname",
     "host name"),
    ('[network.nics.a]\nip = "10.0.0.1"\nhostname = "mn"\nclient_id = "zz"\n',
     "network.nics.a.client_id", "hex"),
    ('[network.nics.a]\nip = "10.0.0.1"\nhostname = "mn"\nmac = "x"\n', "network.nics.a.mac",
     "unknown key"),
    ('[network]\nmachine_id = "abc"\n', "network.machine_id", "32"),
    ('[network.nics.a]\nip = "10.0.0.1"\nhostname = "mn"\n[network.nics.b]\nip = "10.0.0.1"\n'
     'hostname = "mn2"\n', "network.nics.b.ip", "also given"),
    ('[network]\nnics = 3\n', "network.nics", "table"),
])
def test_bad_network_tables_name_the_key(text: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_config(tomllib.loads(text), source="c.toml")
    assert info.value.key == key
