"""The README's example config loads as written (its placeholders once made every node in
the file unusable)."""

from __future__ import annotations

import re
from pathlib import Path

from hamnhw.cli.options import TargetOptions, connect_arguments
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
