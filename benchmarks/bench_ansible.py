"""The hamnhw.bmc Ansible collection over N simulated BMCs: facts and power status through
``ansible-playbook`` at a few fork counts, next to the same reads without Ansible.

Measured per run: wall time; CPU of everything Ansible started (controller, forks, module
processes: the children's user+system time) per host-task; the simulator's own CPU apart
(it runs in this process and shares the cores); BMC requests per host (the simulator's
request logs).  Baselines with the same concurrency: ``hamnhw --json power status NODE``
as one process per node (what a shell loop over the CLI does), and the library in threads
(``hamnhw.facts.node_facts`` per node from a ThreadPoolExecutor, one process).  A ``ping``
play gives Ansible's own cost of a host-task (fork, module transfer, a Python start) apart
from hamnhw's.

On a 2-core machine every figure here is saturated CPU: Ansible forks, module interpreters
and the simulator compete for two cores, so wall time stops falling at a few forks and
CPU per host-task is the figure that transfers to bigger controllers.

Not a test and not part of ``make bench`` (minutes long): ``make bench-ansible``.

Run: ``.venv/bin/python benchmarks/bench_ansible.py [--quick] [--json] [--servers N]
[--forks 4,8,16]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import benchlib
from benchlib import COUNT, Report

import hamnhw
from hamnhw.facts import node_facts
from hamnhw.sim import ServerSpec, SimCluster

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ansible"))
from ansiblerun import BIN, ansible_env

PASSWORD = "bench-pw"  # simulator only
PLAY = """
- hosts: all
  gather_facts: false
  module_defaults:
    group/hamnhw.bmc.all: {{node: "{{{{ hamnhw_node }}}}", config: "{{{{ hamnhw_config }}}}"}}
  tasks:
    - {task}
"""
TASKS = {"facts": "hamnhw.bmc.facts: {}", "facts_no_raid": "hamnhw.bmc.facts: {raid_health: false}",
         "power_status": "hamnhw.bmc.power: {state: status}",
         "ping": "ansible.builtin.ping: {}"}
"""The plays: hamnhw's two reads, and ``ping`` (a module that does nothing) for Ansible's own
cost of a host-task on this machine."""


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--servers", type=int, default=None,
                        help="simulated BMCs (30; 6 with --quick)")
    parser.add_argument("--forks", default=None,
                        help="comma-separated fork counts (4,8,16; 2,4 with --quick)")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(cluster: SimCluster, action: Callable[[], None]) -> dict[str, float]:
    """Wall time, children's CPU, this process's CPU (the simulator, plus the threads of an
    in-process baseline) and requests per BMC of one run of ``action``."""
    for server in cluster:
        server.clear_requests()
    start, cpu0, own0 = time.perf_counter(), children_cpu(), own_cpu()
    action()
    wall, cpu, own = time.perf_counter() - start, children_cpu() - cpu0, own_cpu() - own0
    per_host = [len(server.requests) for server in cluster]
    return {"wall_s": round(wall, 2), "children_cpu_s": round(cpu, 2),
            "in_process_cpu_s": round(own, 2),
            "requests_per_host": round(sum(per_host) / len(per_host), 1)}


def write_inventory(root: Path, cluster: SimCluster) -> Path:
    lines = ["[defaults]", 'username = "admin"', 'password_env = "BENCH_BMC_PASSWORD"', ""]
    for server in cluster:
        lines += [f"[nodes.{server.name}]", f'bmc = "{server.url}"', ""]
    (root / "hamnhw.toml").write_text("\n".join(lines))
    inventory = root / "bench.hamnhw.yml"
    inventory.write_text("plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n")
    for name, task in TASKS.items():
        (root / f"{name}.yml").write_text(PLAY.format(task=task))
    return inventory


def playbook(root: Path, inventory: Path, name: str, forks: int,
             env: dict[str, str]) -> Callable[[], None]:
    def action() -> None:
        result = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(inventory), "-f",
                                 str(forks), str(root / f"{name}.yml")], env=env, text=True,
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"ansible-playbook {name} failed:\n{result.stdout[-2000:]}")
    return action


def cli_power_status(root: Path, cluster: SimCluster, workers: int,
                     env: dict[str, str]) -> Callable[[], None]:
    """One ``hamnhw --json power status NODE`` process per node, ``workers`` at a time."""
    def one(name: str) -> None:
        subprocess.run([str(BIN / "hamnhw"), "--json", "power", "status", "--config",
                        str(root / "hamnhw.toml"), name], env=env, capture_output=True,
                       check=True)

    def action() -> None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, [server.name for server in cluster]))
    return action


def library_facts(cluster: SimCluster, workers: int) -> Callable[[], None]:
    """``node_facts`` of every node from a thread pool in this process."""
    def one(url: str) -> None:
        with hamnhw.connect(url, "admin", PASSWORD) as node:
            node_facts(node)

    def action() -> None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, [server.url for server in cluster]))
    return action


def per_task(metrics: dict[str, float], hosts: int) -> dict[str, float]:
    metrics["cpu_ms_per_host_task"] = round(metrics["children_cpu_s"] * 1000 / hosts, 1)
    return metrics


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv, options)
    count = args.servers or (6 if args.quick else 30)
    forks = [int(f) for f in (args.forks or ("2,4" if args.quick else "4,8,16")).split(",")]
    report = Report("ansible", args)
    report.params.update(servers=count, forks=forks, cpus=os.cpu_count(),
                         load_avg=[round(x, 2) for x in os.getloadavg()])
    specs = [ServerSpec(name=f"n{i:03d}", power="On", password=PASSWORD) for i in range(count)]
    with tempfile.TemporaryDirectory() as tmp, benchlib.simulated(specs) as cluster:
        root = Path(tmp)
        inventory = write_inventory(root, cluster)
        env = ansible_env(root / "home", {"BENCH_BMC_PASSWORD": PASSWORD,
                                          "HAMNHW_PASSWORD": PASSWORD})
        results: dict[str, Any] = {}
        for fork in forks:
            for name in TASKS:
                metrics = measure(cluster, playbook(root, inventory, name, fork, env))
                results[f"ansible {name} forks={fork}"] = per_task(metrics, count)
            cli = measure(cluster, cli_power_status(root, cluster, fork, env))
            results[f"cli power status x{fork}"] = per_task(cli, count)
            results[f"library facts threads={fork}"] = measure(cluster,
                                                               library_facts(cluster, fork))
        for key, metrics in results.items():
            report.metric(key, metrics)
        for name in TASKS:
            counts = {v["requests_per_host"] for k, v in results.items()
                      if k.startswith(f"ansible {name} forks=")}
            report.target(f"ansible {name}: requests per host differ between fork counts",
                          len(counts) - 1, 0, "values", kind=COUNT, op="==")
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
