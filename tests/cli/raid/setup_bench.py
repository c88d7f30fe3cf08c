"""A simulated pair driven through ``hamnhw pair setup-raid`` (and its neighbours)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster

PW_ENV = "SETUP_RAID_PW"


class SetupPair:
    def __init__(self, cluster: SimCluster, config: Path) -> None:
        self.cluster, self.config = cluster, config

    def invoke(self, *args: str) -> Result:
        """``hamnhw --json ARGS --config CONFIG``."""
        return CliRunner().invoke(cli, ["--json", *args, "--config", str(self.config)],
                                  env={PW_ENV: self.cluster["standby"].password},
                                  catch_exceptions=False)

    def run(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.invoke(*args)
        return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])

    def serials(self, node: str = "standby") -> list[str]:
        return [d.serial for d in self.cluster[node].spec.drives or ()]

    def sent(self, node: str) -> list[str]:
        """The writes ``node`` accepted (method and path), in order."""
        return [f"{r.method} {r.path}" for r in self.cluster[node].requests
                if r.method in ("POST", "PATCH", "DELETE") and r.status and r.status < 300
                and "/SessionService/" not in r.path]


def setup_pair(tmp_path: Path, specs: list[ServerSpec], post_timeout: float = 4,
               pair_lines: str = "") -> Iterator[SetupPair]:
    """The pair ``specs`` started, with its config (stopped at the end); ``pair_lines`` go
    into its ``[pair]`` table."""
    with SimCluster(specs) as sim:
        lines = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n{pair_lines}',
                 f"[failover]\npoll_interval = 0.05\npost_timeout = {post_timeout}\n"
                 "power_off_timeout = 10\n"]
        lines += [f'[{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\npassword_env = "{PW_ENV}"\n'
                  for n in ("primary", "standby")]
        config = tmp_path / "hamnhw.toml"
        config.write_text("\n".join(lines))
        yield SetupPair(sim, config)
