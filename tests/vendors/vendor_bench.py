"""Simulated servers of one vendor personality driven through the ``hamnhw`` CLI."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from hamnhw.cli.main import cli
from hamnhw.sim import DriveSpec, ManualClock, SimCluster, SimServer
from hamnhw.sim.spec import fake_serial

TB = 1_200_000_000_000


def drives(name: str, count: int = 4) -> tuple[DriveSpec, ...]:
    """``count`` SAS drives in bays 1.. with serials derived from ``name``."""
    return tuple(DriveSpec(serial=fake_serial(name, i), bay=f"Bay {i}")
                 for i in range(1, count + 1))


class Bench:
    """A started cluster of one personality, its clock, and the CLI against it."""

    def __init__(self, cluster: SimCluster, clock: ManualClock) -> None:
        self.cluster, self.clock = cluster, clock

    def server(self, name: str = "a") -> SimServer:
        return self.cluster[name]

    def run(self, *args: str, node: str = "a") -> Result:
        """``hamnhw --json raid ARGS[0] URL ARGS[1:]``."""
        server = self.server(node)
        env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}
        return CliRunner().invoke(cli, ["--json", "raid", args[0], server.url, *args[1:]],
                                  env=env, catch_exceptions=False)

    def ok(self, *args: str, node: str = "a") -> dict[str, Any]:
        result = self.run(*args, node=node)
        assert result.exit_code == 0, result.output
        return out(result)

    def show(self, node: str = "a") -> dict[str, Any]:
        return self.ok("show", node=node)

    def serial(self, bay: int, node: str = "a") -> str:
        return next(d.serial for d in self.server(node).drives if d.bay == f"Bay {bay}")

    def posts(self, fragment: str, node: str = "a") -> list[Any]:
        """Bodies of the POSTs (or PUTs) whose path contains ``fragment``."""
        return [r.body for r in self.server(node).requests
                if r.method in ("POST", "PUT") and fragment in r.path]

    def replace_failed(self, bay: int, serial: str, node: str = "a") -> str:
        """Fail the drive in ``bay``, pull it, insert a new one (``serial``) there; returns
        the failed drive's serial."""
        server = self.server(node)
        lost = self.serial(bay, node)
        server.fail_drive(lost)
        server.pull_drive(lost)
        server.insert_drive(DriveSpec(serial=serial, bay=f"Bay {bay}"))
        return lost

    def reset(self, node: str = "a") -> None:
        """Power cycle the host at once (staged jobs and settings apply)."""
        server = self.server(node)
        server.set_power("Off")
        server.set_power("On")


def out(result: Result) -> dict[str, Any]:
    """The single JSON object on stdout."""
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    return json.loads(lines[0])


def ids(items: list[dict[str, Any]] | None) -> list[str]:
    return [item["id"] for item in items or []]
