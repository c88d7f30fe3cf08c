"""A simulated server driven through the ``hamnhw raid`` CLI, and what it was sent."""

from __future__ import annotations

from typing import Any

from cli_helpers import json_out, run
from click.testing import Result

from hamnhw.sim import DriveSpec, ManualClock, SimServer
from hamnhw.sim.spec import fake_serial

STORAGE = "/redfish/v1/Systems/1/Storage/RAIDController1"
VOLUMES = f"{STORAGE}/Volumes"
TB = 1_200_000_000_000


class Bench:
    """One simulated server, its CLI environment, and the clock both run on."""

    def __init__(self, server: SimServer, clock: ManualClock) -> None:
        self.server, self.clock = server, clock
        self.env = {"HAMNHW_USERNAME": server.username, "HAMNHW_PASSWORD": server.password}

    def cli(self, *args: str) -> Result:
        """``hamnhw --json ARGS[0] ... URL ARGS[n:]``: the URL goes after the subcommand."""
        return run("--json", "raid", args[0], self.server.url, *args[1:], env=self.env)

    def ok(self, *args: str) -> dict[str, Any]:
        result = self.cli(*args)
        assert result.exit_code == 0, result.output
        return json_out(result)

    def writes(self, method: str = "POST", path: str = VOLUMES) -> list[Any]:
        return [r.body for r in self.server.requests if r.method == method
                and r.path.startswith(path)]

    def serial(self, bay: int) -> str:
        return next(d.serial for d in self.server.drives if d.bay == f"Bay {bay}")


def drives(name: str, count: int = 4,
           overrides: dict[int, dict[str, Any]] | None = None) -> tuple[DriveSpec, ...]:
    return tuple(DriveSpec(serial=fake_serial(name, i), bay=f"Bay {i}",
                           **(overrides or {}).get(i, {})) for i in range(1, count + 1))
