"""The runbook's failover chapter runs Kea's lease4-del, in the form ``dhcp render`` prints
it (review of issue 12, item 15: only the preparation chapter named it)."""

from __future__ import annotations

from pathlib import Path

from dhcpdata import MN_IP, plan

from hamnhw.dhcp.render import RenderOptions, render

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"


def chapter(title: str) -> str:
    text = RUNBOOK.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_failover_step_names_the_lease4_del_commands_the_render_prints() -> None:
    failover = chapter("Failover").replace("\n   ", " ")  # list items joined
    printed = render("kea", plan(), RenderOptions()).commands[0]
    assert MN_IP in printed
    assert printed.replace(MN_IP, "...") in failover
    assert failover.index("lease4-del") < failover.index("resume --disks-moved")
