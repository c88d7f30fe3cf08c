"""Render a :class:`~hamnhw.dhcp.plan.Plan` for one DHCP server: the file, the commands that
apply it (or that a failover needs), and the notes, all printed together."""

from __future__ import annotations

import dataclasses
import re
import sysconfig
from collections.abc import Callable

from hamnhw.dhcp.plan import Plan

FORMATS = ("isc", "kea", "dnsmasq", "xcat")
"""Output formats of ``hamnhw dhcp render --format``."""


def default_kea_hooks_dir() -> str:
    """Where Debian/Ubuntu install Kea's hook libraries (``--kea-hooks-dir`` to change;
    RHEL: ``/usr/lib64/kea/hooks``)."""
    triplet = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    return f"/usr/lib/{triplet}/kea/hooks"


@dataclasses.dataclass(frozen=True)
class RenderOptions:
    """Server-side settings the rendered files need."""

    interfaces: tuple[str, ...] = ("*",)
    """Interfaces Kea listens on."""
    kea_socket: str = "/run/kea/kea4-ctrl-socket"
    """Kea's control socket (lease_cmds commands go there)."""
    kea_lease_file: str | None = None
    """Kea memfile lease file; None for Kea's default."""
    kea_hooks_dir: str = dataclasses.field(default_factory=default_kea_hooks_dir)
    """Directory holding ``libdhcp_lease_cmds.so``."""


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A rendered configuration."""

    format: str
    text: str
    """The file (commands and notes included as comments)."""
    commands: tuple[str, ...]
    """Shell commands to apply it or to run at failover."""
    notes: tuple[str, ...]


def safe_name(text: str) -> str:
    """A name usable as an ISC host declaration or a Kea/xCAT key."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "nic"


def header(fmt: str, plan: Plan, commands: tuple[str, ...], mark: str = "#",
           commands_title: str = "Commands:") -> list[str]:
    """The comment lines every rendered file starts with: what the file gives, every address
    it leaves unreserved for a node, the commands and the notes."""
    lines = [f"Rendered by `hamnhw dhcp render --format {fmt}`: the primary's and the "
             "standby's NIC get the same address,"]
    if plan.unreserved:
        lines += ["EXCEPT these, NOT reserved for both nodes: the MN does not keep them when its "
                  "disks boot in the standby:", *[f"  {gap}" for gap in plan.unreserved]]
    else:
        lines.append("so the MN keeps its addresses when its disks boot in the standby.")
    if commands:
        lines += ["", commands_title, *[f"  {c}" for c in commands]]
    if plan.notes:
        lines += ["", "Notes:", *[f"  {n}" for n in plan.notes]]
    return [f"{mark} {line}".rstrip() for line in lines]


Renderer = Callable[[Plan, RenderOptions], Rendered]


def render(fmt: str, plan: Plan, options: RenderOptions | None = None) -> Rendered:
    """Render ``plan`` in format ``fmt`` (one of :data:`FORMATS`)."""
    from hamnhw.dhcp import dnsmasq, isc, kea, xcat

    renderers: dict[str, Renderer] = {"isc": isc.render, "kea": kea.render,
                                      "dnsmasq": dnsmasq.render, "xcat": xcat.render}
    if fmt not in renderers:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return renderers[fmt](plan, options or RenderOptions())
