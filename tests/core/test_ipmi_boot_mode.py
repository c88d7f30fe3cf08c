"""A node's ``boot_mode`` (review 9-14 item 1): what an IPMI boot override keeps when the
BMC's boot flags cannot tell it, from the config or, for a pair node, the newest snapshot."""

from __future__ import annotations

import types
from typing import Any

import pytest

import hamnhw
from hamnhw import pair
from hamnhw.config import parse_config
from hamnhw.config_ipmi import ipmi_settings
from hamnhw.errors import ConfigError


def config_with(**node: Any) -> Any:
    return parse_config({"nodes": {"old1": {"bmc": "ipmi://10.0.0.9", **node}}})


@pytest.mark.parametrize(("given", "kept"), [("UEFI", "UEFI"), ("uefi", "UEFI"),
                                             ("Legacy", "Legacy"), ("LEGACY", "Legacy")])
def test_boot_mode_is_a_node_key(given: str, kept: str) -> None:
    node = config_with(boot_mode=given).node("old1")
    assert node.boot_mode == kept
    settings = ipmi_settings(node, {})
    assert settings is not None and settings.boot_mode == kept


@pytest.mark.parametrize("bad", ["BIOS", "", "efi"])
def test_a_bad_boot_mode_names_the_key(bad: str) -> None:
    with pytest.raises(ConfigError, match='"UEFI" or "Legacy"') as caught:
        config_with(boot_mode=bad)
    assert caught.value.key == "nodes.old1.boot_mode"


def test_boot_mode_reaches_a_redfish_node_s_ipmi_path_only() -> None:
    redfish = parse_config({"nodes": {"mn": {"bmc": "redfish://10.0.0.5",
                                             "boot_mode": "UEFI"}}}).node("mn")
    assert ipmi_settings(redfish, {}) is None  # Redfish reports the mode itself
    with_path = parse_config({"nodes": {"mn": {"bmc": "redfish://10.0.0.5", "boot_mode": "UEFI",
                                               "ipmi": {"url": "ipmi://10.0.0.5"}}}}).node("mn")
    settings = ipmi_settings(with_path, {})
    assert settings is not None and settings.boot_mode == "UEFI"


def pair_config(primary: dict[str, Any]) -> Any:
    return parse_config({"primary": {"username": "root", "password_env": "PW", **primary},
                         "standby": {"bmc": "ipmi://10.0.0.6", "username": "root",
                                     "password_env": "PW"}})


@pytest.mark.parametrize(("primary", "recorded", "expected"), [
    ({"bmc": "ipmi://10.0.0.5"}, "UEFI", "UEFI"),  # the snapshot's, taken over Redfish
    ({"bmc": "ipmi://10.0.0.5", "boot_mode": "Legacy"}, "UEFI", "Legacy"),  # config first
    ({"bmc": "ipmi://10.0.0.5"}, None, None),  # nobody knows: the driver refuses later
])
def test_pair_node_boot_mode_from_config_then_snapshot(
        monkeypatch: pytest.MonkeyPatch, primary: dict[str, Any], recorded: str | None,
        expected: str | None) -> None:
    snapshot = types.SimpleNamespace(nodes={"primary": types.SimpleNamespace(boot_mode=recorded)})
    monkeypatch.setattr(pair, "load_latest_snapshot", lambda _config: snapshot)
    monkeypatch.setenv("PW", "pw-1234")
    seen: dict[str, Any] = {}
    monkeypatch.setattr(hamnhw, "connect", lambda url, **kwargs: seen.update(kwargs))
    pair.connect_node(pair_config(primary), "primary")
    ipmi = seen["ipmi"]
    assert (ipmi.boot_mode if ipmi is not None else None) == expected
