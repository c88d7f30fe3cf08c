"""The ``ipmi`` sub-table of a node, the IPMI fallback's rules (never after a request that
may have run, never around TLS), and the IPMI-only pair helpers."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from hamnhw.config import parse_config
from hamnhw.config_ipmi import ipmi_settings
from hamnhw.connection import Secret
from hamnhw.errors import BmcUnreachable, ConfigError, TlsError
from hamnhw.interfaces import PowerInterface
from hamnhw.ipmi_fallback import FallbackPower, UnsafeCounter
from hamnhw.ipmi_pair import UNVERIFIED, expected_serials, known_macs, operator_check
from hamnhw.models import Nic, PowerResult, PowerState


def node_table(ipmi: dict[str, Any], bmc: str = "redfish://10.0.0.5") -> dict[str, Any]:
    return {"nodes": {"mn1": {"bmc": bmc, "username": "root", "password_env": "RF_PW",
                              "ipmi": ipmi}}}


# -- config ------------------------------------------------------------------------------

def test_ipmi_sub_table_parsed_and_resolved(tmp_path: Path) -> None:
    config = parse_config(node_table({"url": "ipmi://10.0.0.5:6230", "username": "ADMIN",
                                      "password_file": "ipmi.pw", "kg_env": "MN1_KG",
                                      "privilege": "operator", "pacing": 2}),
                          source="c.toml", base_dir=tmp_path)
    node = config.node("mn1")
    assert node.ipmi is not None
    assert (node.ipmi.url, node.ipmi.password_file, node.ipmi.pacing) == (
        "ipmi://10.0.0.5:6230", str(tmp_path / "ipmi.pw"), 2.0)
    (tmp_path / "ipmi.pw").write_text("ipmi-pw\n")
    (tmp_path / "ipmi.pw").chmod(0o600)
    settings = ipmi_settings(node, {"MN1_KG": "kg-value"})
    assert settings is not None
    assert (settings.url, settings.username, settings.privilege) == (
        "ipmi://10.0.0.5:6230", "ADMIN", "operator")
    assert (settings.password, settings.kg) == (Secret("ipmi-pw"), Secret("kg-value"))
    assert "ipmi-pw" not in repr(settings) and "kg-value" not in repr(settings)


def test_ipmi_only_node_takes_only_its_own_keys() -> None:
    config = parse_config(node_table({"kg_env": "KG", "pacing": 0.5}, bmc="ipmi://10.0.0.9"))
    node = config.node("mn1")
    assert node.ipmi is not None and node.ipmi.url is None
    with pytest.raises(ConfigError, match=r"nodes\.mn1\.ipmi\.url"):
        parse_config(node_table({"url": "ipmi://10.0.0.9"}, bmc="ipmi://10.0.0.9"))


@pytest.mark.parametrize(("table", "key", "text"), [
    ({}, "url", "missing required key"),
    ({"url": "redfish://10.0.0.5"}, "url", "ipmi:// URL"),
    ({"url": "ipmi://h", "privilege": "root"}, "privilege", "one of user, operator"),
    ({"url": "ipmi://h", "pacing": -1}, "pacing", ">= 0"),
    ({"url": "ipmi://h", "pacing": True}, "pacing", "must be a number"),
    ({"url": "ipmi://h", "password_env": "A", "password_file": "b"}, "password_file",
     "choose one"),
    ({"url": "ipmi://h", "port": 623}, "port", "unknown key"),
])
def test_bad_ipmi_sub_table(table: dict[str, Any], key: str, text: str) -> None:
    with pytest.raises(ConfigError, match=text) as caught:
        parse_config(node_table(table), source="c.toml")
    assert caught.value.key == f"nodes.mn1.ipmi.{key}"


def test_unset_kg_variable_is_a_config_error() -> None:
    node = parse_config(node_table({"url": "ipmi://h", "kg_env": "NOPE"})).node("mn1")
    with pytest.raises(ConfigError, match="NOPE is not set"):
        ipmi_settings(node, {})


# -- fallback rules ----------------------------------------------------------------------

class ScriptedPower(PowerInterface):
    """A power interface failing as told, optionally after "sending" a POST."""

    def __init__(self, error: Exception | None, counter: UnsafeCounter | None = None,
                 posts: int = 0) -> None:
        super().__init__("fake", "bmc")
        self.error, self.counter, self.posts = error, counter, posts

    def state(self) -> PowerState:
        return self._go()

    def on(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        self._go()
        return PowerResult(PowerState.ON, True, 0.0)

    def off(self, *, wait: bool = True, timeout: float | None = None) -> PowerResult:
        return PowerResult(self._go(), True, 0.0, protocol="ipmi")

    def _go(self) -> PowerState:
        if self.counter is not None:
            self.counter.unsafe_attempts += self.posts
        if self.error is not None:
            raise self.error
        return PowerState.OFF


def fallback(error: Exception, posts: int = 0) -> tuple[FallbackPower, list[int]]:
    counter = UnsafeCounter(types.SimpleNamespace(host="bmc"))  # type: ignore[arg-type]
    opened: list[int] = []
    ipmi_power = ScriptedPower(None)

    def connect_ipmi() -> Any:
        opened.append(1)
        return types.SimpleNamespace(power=ipmi_power, close=lambda: None)

    return FallbackPower(ScriptedPower(error, counter, posts), counter, connect_ipmi), opened


def test_unreachable_before_any_post_falls_back_once_opened() -> None:
    power, opened = fallback(BmcUnreachable("refused", host="bmc"))
    assert power.state() is PowerState.OFF
    assert power.off().protocol == "ipmi"
    assert (opened, power.last_protocol) == ([1], "ipmi")


def test_unreachable_after_a_post_was_attempted_is_raised() -> None:
    power, opened = fallback(BmcUnreachable("dropped", host="bmc"), posts=1)
    with pytest.raises(BmcUnreachable):
        power.on()
    assert opened == []


def test_tls_failure_never_falls_back() -> None:
    power, opened = fallback(TlsError("certificate mismatch", host="bmc"))
    with pytest.raises(TlsError):
        power.state()
    assert opened == []


# -- IPMI-only pairs ---------------------------------------------------------------------

def test_expected_serials_from_snapshot_then_config() -> None:
    snapshot = types.SimpleNamespace(mn_serials=lambda: ("S1", "S2"), id=7, age_s=7200.0)
    from_snapshot = expected_serials(snapshot, ["X"])
    assert (from_snapshot.serials, from_snapshot.source, from_snapshot.verified) == (
        ("S1", "S2"), "pair snapshot #7 (2.0 h old)", UNVERIFIED)
    from_config = expected_serials(None, [" X1 ", "X2", ""])
    assert (from_config.serials, from_config.source) == (("X1", "X2"),
                                                         "[primary] drive_serials")
    with pytest.raises(ConfigError, match="drive_serials"):
        expected_serials(types.SimpleNamespace(mn_serials=lambda: ()), None)


def test_operator_types_each_serial() -> None:
    expected = expected_serials(None, ["S1", "S2"])
    answers = iter(["s1 ", "S3"])
    check = operator_check(expected, lambda _prompt: next(answers))
    assert (check.missing, check.unexpected, check.matches, check.status) == (
        ("S2",), ("S3",), False, UNVERIFIED)
    assert operator_check(expected, lambda prompt: "S1" if " 1 " in prompt else "S2").matches


def test_known_macs_of_an_ipmi_node() -> None:
    nics = types.SimpleNamespace(list=lambda: None, bmc_nics=lambda: (
        Nic("lan1", None, "52:54:00:aa:bb:01", None),))
    macs, notes = known_macs(types.SimpleNamespace(nics=nics))  # type: ignore[arg-type]
    assert macs == {"52:54:00:aa:bb:01"}
    assert notes == ("host NICs: IPMI cannot tell",)
