"""The README's example config loads as written (its placeholders once made every node in
the file unusable)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import hamnhw
from hamnhw import registry
from hamnhw.address import parse_bmc_url
from hamnhw.cli.options import TargetOptions
from hamnhw.cli.resolve import connect_arguments
from hamnhw.config import load_config

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_config() -> str:
    """The first ```toml block after the "Configuration file" heading."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Configuration file"):]
    match = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert match, "no toml block in README's Configuration file section"
    return match.group(1)


def test_readme_example_config_loads_and_every_node_is_usable(tmp_path: Path) -> None:
    path = tmp_path / "hamnhw.toml"
    path.write_text(readme_config(), encoding="utf-8")
    config = load_config(path)
    assert set(config.nodes) == {"mn1", "old1", "primary", "standby"}
    environ = {"PRIMARY_BMC_PASSWORD": "example", "STANDBY_BMC_PASSWORD": "example"}
    for name in ("primary", "standby"):
        kwargs = connect_arguments(TargetOptions(node=name, config=str(path)), environ=environ)
        assert kwargs["username"] == "root"
        assert len(kwargs["pin_fingerprint"].replace(":", "")) == 64
    assert config.node("mn1").timeout == 120


class _Built(Exception):
    """Raised by the stand-in transports: every check before the network passed."""


def test_every_node_of_the_readme_example_gets_as_far_as_its_transport(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each node, as the CLI would connect to it, passes every check made before anything is
    sent ([defaults] TLS keys once made the ipmi:// node old1 exit 2); the transports are
    stand-ins, so nothing goes to the example addresses."""
    path = tmp_path / "hamnhw.toml"
    path.write_text(readme_config(), encoding="utf-8")
    password_file = tmp_path / "mn1.pw"
    password_file.write_text("example\n")
    password_file.chmod(0o600)
    built: dict[str, str] = {}

    def stand_in(protocol: str) -> Any:
        def build(address: Any, *_args: Any, **_kwargs: Any) -> None:
            built[address.url] = protocol
            raise _Built

        return build

    monkeypatch.setattr("hamnhw.transport.redfish.RedfishTransport", stand_in("redfish"))
    monkeypatch.setattr("hamnhw.transport.ipmi.IpmiTransport", stand_in("ipmi"))
    environ = {name: "example" for name in ("PRIMARY_BMC_PASSWORD", "STANDBY_BMC_PASSWORD",
                                            "OLD1_PASSWORD", "MN1_IPMI_PASSWORD", "BMC_PASSWORD")}
    environ["MN1_KG"] = "0123456789abcdef0123"
    config = load_config(path)
    for name in config.nodes:
        own_file = str(password_file) if name == "mn1" else None
        kwargs = connect_arguments(
            TargetOptions(node=name, config=str(path), password_file=own_file), environ=environ)
        registry.check_registered(parse_bmc_url(kwargs["url"]))
        with pytest.raises(_Built):
            hamnhw.connect(**kwargs)
    assert built == {"idrac-redfish://10.0.0.5": "redfish", "ipmi://10.0.0.9": "ipmi",
                     "redfish://10.0.0.5": "redfish", "redfish://10.0.0.6": "redfish"}


def _normalized(report: str) -> list[str]:
    """The check lines of the first drill leg and the verdict, ports and seconds masked."""
    first_leg = report.split("failover run 2")[0]
    lines = [line for line in first_leg.splitlines() if line.startswith("  [")]
    lines += [line for line in report.splitlines() if line.startswith(("DRILL", "Simulator"))]
    return [re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line) for line in lines]


def test_readme_demo_output_is_what_the_demo_prints() -> None:
    from cli_helpers import run

    text = README.read_text(encoding="utf-8")
    quick_start = text[text.index("## Quick start"):text.index("## Library")]
    match = re.search(r"```text\n(.*?)```", quick_start, re.DOTALL)
    assert match, "no demo output in README's Quick start"
    shown = _normalized(match.group(1))
    result = run("demo", "--power-delay", "0")
    assert result.exit_code == 0, result.output
    printed = _normalized(result.stdout.split("=== drill report ===")[1])
    assert len(shown) > 10
    assert printed == shown
