"""A simulated pair and its config file, for the pair and DHCP end-to-end tests."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from hamnhw.cli.main import cli
from hamnhw.sim import SIM_PASSWORD, NicSpec, ServerSpec, SimCluster
from hamnhw.sim.spec import local_mac

PASSWORD_ENV = "PAIR_SIM_PASSWORD"


def mn(name: str, **changes: Any) -> ServerSpec:
    """The active MN: on, RAID1 over bays 1-2, restore AlwaysOn."""
    return ServerSpec(name=name, power="On", power_restore_policy="AlwaysOn", **changes)


def spare(name: str, nic_ids: tuple[str, ...] = ("NIC1", "NIC2"), speeds: Mapping[str, int]
          | None = None, **changes: Any) -> ServerSpec:
    """A standby without disks, off, AlwaysOff; NICs listed in the order given."""
    speeds = speeds or {}
    nics = tuple(NicSpec(i, local_mac(name, int(i[-1])), speed_mbps=speeds.get(i, 25000))
                 for i in nic_ids)
    return ServerSpec(name=name, drives=(), raid1=False, nics=nics, **changes)


def pair_config(path: Path, primary_url: str, standby_url: str, extra: str = "") -> Path:
    """A config file naming the two BMCs (password from :data:`PASSWORD_ENV`)."""
    text = "".join(f'[{role}]\nbmc = "{url}"\nusername = "admin"\n'
                   f'password_env = "{PASSWORD_ENV}"\n\n'
                   for role, url in (("primary", primary_url), ("standby", standby_url)))
    path.write_text(text + extra)
    return path


def run_cli(*args: str) -> Result:
    """``hamnhw ARGS`` in-process with the simulator password in the environment."""
    return CliRunner().invoke(cli, list(args), env={PASSWORD_ENV: SIM_PASSWORD},
                              catch_exceptions=False)


def json_of(result: Result) -> dict[str, Any]:
    """The one JSON object on stdout."""
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return dict(json.loads(lines[0]))


def closed_url() -> Iterator[str]:
    """A loopback BMC URL where nothing listens (bound, not listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"redfish+http://127.0.0.1:{sock.getsockname()[1]}"


def hung_url() -> Iterator[str]:
    """A loopback BMC URL that accepts TCP connections and never answers: a listening socket
    never accepting (the kernel completes the handshake of each queued connection)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"redfish+http://127.0.0.1:{sock.getsockname()[1]}"


def start(specs: list[ServerSpec]) -> SimCluster:
    """A started cluster (the caller stops it)."""
    return SimCluster(specs).start()
