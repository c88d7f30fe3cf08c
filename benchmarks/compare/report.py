"""The comparison's table, ratios, machine description and whole-process startup costs."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tree import USERNAME

FLOOR = "http.client"
OTHERS = ("requests", "redfish", "redfish.aio", "sushy")
"""The "best other client" is the best of these in the same scenario."""
COLUMNS = (
    ("client", "client", "{}"),
    ("correct", "ok", "{}"),
    ("requests_per_bmc", "req/BMC", "{:.1f}"),
    ("connections_per_bmc", "conn/BMC", "{:.2f}"),
    ("sessions_left", "sess left", "{}"),
    ("client_cpu_ms_per_bmc", "CPU ms/BMC", "{:.1f}"),
    ("server_cpu_s", "server CPU s", "{:.2f}"),
    ("server_build_cpu_s", "server build CPU s", "{:.3f}"),
    ("wall_s", "wall s", "{:.2f}"),
    ("cpu_vs_floor", "CPU/floor", "{:.2f}x"),
    ("cpu_vs_best", "CPU/best", "{:.2f}x"),
    ("wall_vs_floor", "wall/floor", "{:.2f}x"),
    ("wall_vs_best", "wall/best", "{:.2f}x"),
    ("wall_vs_latency_floor", "wall/lat.floor", "{:.2f}x"),
    ("import_ms", "import ms", "{:.0f}"),
)


def progress_line(row: dict[str, Any]) -> str:
    """One line on stderr while the run goes on."""
    if "failed" in row or "skipped" in row:
        return f"{row['client']}: {row.get('failed') or row.get('skipped')}"
    late = f", imported late: {' '.join(row['late_imports'])}" if row.get("late_imports") else ""
    return (f"{row['client']}: {row['correct']}/{row['bmcs']} correct, "
            f"{row['requests_per_bmc']:.1f} req/BMC, {row['client_cpu_ms_per_bmc']:.1f} ms "
            f"CPU/BMC, {row['wall_s']:.2f} s; server {row['server_cpu_s']:.2f} s CPU, "
            f"{row.get('built_per_bmc', 0):.1f} answers built/BMC, "
            f"{row.get('server_build_cpu_s', 0):.3f} s to build every answer{late}")


def with_ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with CPU and wall-time ratios to the lean floor and to the best other
    client of the same scenario, and wall time over the latency floor."""
    measured = {row["client"]: row for row in rows if "wall_s" in row}
    floor = measured.get(FLOOR)
    others = [measured[name] for name in OTHERS if name in measured]
    for row in measured.values():
        for metric, key in (("client_cpu_ms_per_bmc", "cpu"), ("wall_s", "wall")):
            if floor and floor[metric] > 0:
                row[f"{key}_vs_floor"] = row[metric] / floor[metric]
            best = min((o[metric] for o in others), default=0.0)
            if best > 0:
                row[f"{key}_vs_best"] = row[metric] / best
        if row["latency_floor_s"] > 0:
            row["wall_vs_latency_floor"] = row["wall_s"] / row["latency_floor_s"]
    return rows


def render_rows(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of one scenario."""
    lines = ["| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for row in rows:
        if "wall_s" not in row:
            note = row.get("failed") or row.get("skipped")
            lines.append(f"| {row['client']} | {note} |" + " |" * (len(COLUMNS) - 2))
            continue
        cells = []
        for key, _, fmt in COLUMNS:
            value = row.get(key)
            cells.append("" if value is None else
                         f"{value}/{row['bmcs']}" if key == "correct" else fmt.format(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(doc: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    machine = doc["machine"]
    # A file without "warm" predates the warm-up: its runs were cold.
    server = ("warmed before each scenario's rows" if doc.get("warm", False)
              else "cold (--cold, or a run from before the warm-up): the first reader of "
              "each group built its answers")
    parts = [f"Machine: {machine['cpus']} CPUs, {machine['python']}, load average "
             f"{machine['load_before']} before, {machine_load()} after; run took "
             f"{doc['wall_s']} s; server {server}. \"server build CPU s\": the server CPU "
             "building the answers a row asked for took (once per request, as a BMC "
             "building each afresh), not spent in the row when warmed."]
    for scenario in doc["scenarios"]:
        failed = scenario.get("warm_up_failed")
        note = (f"**Warm-up failed, the server was not (fully) warmed**: {failed}\n\n"
                if failed else "")
        parts.append(f"### {scenario['label']}\n\n{note}{render_rows(scenario['rows'])}")
    if doc.get("startup"):
        lines = ["| whole process | best of runs, ms | over `python -c pass` |", "|---|---|---|"]
        bare = doc["startup"]["python -c pass"]
        for name, ms in doc["startup"].items():
            lines.append(f"| `{name}` | {ms:.0f} | {ms - bare:+.0f} |")
        parts.append("### Startup\n\n" + "\n".join(lines))
    return "\n\n".join(parts)


def machine_load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "load_before": machine_load()}


# -- whole-process startup ----------------------------------------------------------------

def best_of(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """The fastest of ``runs`` runs of ``command``, in milliseconds (it must succeed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def startup_costs(port: int, password: str, quick: bool = False) -> dict[str, float]:
    """Whole-process times: bare interpreter, imports, ``hamnhw --help``, and a power
    status read from the plain-HTTP BMC at ``port`` by ``hamnhw`` and by ``redfishtool``
    (both log in with a session and log out)."""
    python = sys.executable
    bindir = Path(python).parent
    runs = 3 if quick else 9
    costs = {"python -c pass": best_of([python, "-c", "pass"], runs)}
    for module in ("hamnhw", "requests", "redfish", "sushy", "aiohttp"):
        costs[f"python -c 'import {module}'"] = best_of([python, "-c", f"import {module}"], runs)
    hamnhw = shutil.which("hamnhw", path=str(bindir)) or "hamnhw"
    costs["hamnhw --help"] = best_of([hamnhw, "--help"], runs)
    with tempfile.NamedTemporaryFile("w") as secret:
        secret.write(password)
        secret.flush()
        costs["hamnhw power status"] = best_of(
            [hamnhw, "--json", "power", "status", f"redfish+http://127.0.0.1:{port}",
             "--username", USERNAME, "--password-file", secret.name], runs)
    redfishtool = shutil.which("redfishtool", path=str(bindir))
    if redfishtool:
        costs["redfishtool Systems -1 get -P PowerState"] = best_of(
            [redfishtool, "-r", f"127.0.0.1:{port}", "-u", USERNAME, "-p", password,
             "-A", "Session", "-S", "Never", "Systems", "-1", "get", "-P", "PowerState"], runs)
    return costs


SUMMARY_ROWS = ("hamnhw", "hamnhw $expand", "hamnhw fan-out $expand")


def summary(doc: dict[str, Any]) -> str:
    """One line per scenario: the floor, the best other client, hamnhw plain and with
    $expand (CPU ms per BMC and wall seconds; requests per BMC for hamnhw)."""
    lines = ["| scenario | floor CPU / wall | best other CPU / wall | "
             + " | ".join(f"{name}: req, CPU, wall" for name in SUMMARY_ROWS) + " |",
             "|---|---|---|" + "---|" * len(SUMMARY_ROWS)]
    for scenario in doc["scenarios"]:
        rows = {row["client"]: row for row in scenario["rows"] if "wall_s" in row}
        others = [rows[name] for name in OTHERS if name in rows]
        floor = rows.get(FLOOR)
        cells = [scenario["label"],
                 f"{floor['client_cpu_ms_per_bmc']:.1f} / {floor['wall_s']:.2f}" if floor
                 else "",
                 (f"{min(o['client_cpu_ms_per_bmc'] for o in others):.1f} / "
                  f"{min(o['wall_s'] for o in others):.2f}") if others else ""]
        for name in SUMMARY_ROWS:
            row = rows.get(name)
            cells.append(f"{row['requests_per_bmc']:.0f}, {row['client_cpu_ms_per_bmc']:.1f}, "
                         f"{row['wall_s']:.2f}" if row else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
