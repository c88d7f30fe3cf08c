"""hamnhw beside the Redfish clients users would pick instead, in one run (``make bench-compare``).

For each scenario (scheme, per-request latency, number of BMCs, workers) a multi-BMC
server (:mod:`server`) is started in its own process, then every client (:mod:`clients`)
runs the task over the same BMCs in a fresh process (:mod:`worker`); the server's
per-BMC counts and CPU are read before and after each client, and every answer is
checked against the BMC's own tree.  hamnhw also runs against BMCs advertising
``$expand`` (levels 1, and up to 6), the others against BMCs that do not (they would
not use it).  See ``docs/performance.md`` ("Comparison").

The server builds each answer (JSON encoding, ``$expand`` expansion) on the first request
for it and keeps it per BMC, so the first client to read a group of BMCs would pay the
server's building CPU on the machine's shared cores, and the later ones would not.  Before
a scenario's rows are measured, the server is therefore warmed, unmeasured
(:func:`warm_up`; ``--cold`` turns it off): one run of the hamnhw library over each
``$expand`` group the rows read (the expanded queries are the client's own), then the
server builds every resource's plain answer and, on each BMC, every answer it built for
another BMC of the same group, and a query asked of a collection member also of its
collection, and the reverse (``POST /warm``).  A warm-up that fails is reported
(``warm_up_failed``; that scenario's ``warm`` is false).  Every worker runs without the
caller's ``HAMNHW_*`` variables (:func:`client_env`).

Run: ``.venv-bench/bin/python benchmarks/compare/compare.py [--quick] [--json] [--cold]
[--scenario https,0.05,200,64 ...] [--clients hamnhw,requests]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import report  # noqa: E402 - scripts beside their helpers
import tree as mock  # noqa: E402

WORKER_TIMEOUT_S = 900.0


@dataclasses.dataclass(frozen=True)
class Row:
    """One row of the table: a client over one group of BMCs."""

    client: str
    """Client name in :data:`clients.CLIENTS`."""
    group: str = "plain"
    """The BMCs: ``plain`` (no $expand advertised), ``expand1`` (levels 1), ``expand``."""
    remembered: bool = False
    """Run once before (not measured) with ``HAMNHW_DETECT_CACHE``, then measure."""


LIBRARIES = ("http.client", "requests", "redfish", "redfish.aio", "sushy")
"""The other clients, run against the plain BMCs (written the obvious way, no $expand)."""
ROWS: dict[str, Row] = {
    **{name: Row(name) for name in LIBRARIES},
    "hamnhw": Row("hamnhw"),
    "hamnhw remembered": Row("hamnhw", remembered=True),
    "hamnhw fan-out": Row("hamnhw-fanout"),
    "hamnhw CLI": Row("hamnhw-cli"),
    "hamnhw $expand=1": Row("hamnhw", "expand1"),
    "hamnhw $expand": Row("hamnhw", "expand"),
    "hamnhw fan-out $expand": Row("hamnhw-fanout", "expand"),
    "hamnhw CLI $expand": Row("hamnhw-cli", "expand"),
}
"""Every row by the name the table shows, in order."""


@dataclasses.dataclass(frozen=True)
class Scenario:
    scheme: str
    latency: float
    bmcs: int
    workers: int | None
    """None: unbounded (one worker per BMC; hamnhw's fan-out its own default)."""

    @classmethod
    def parse(cls, text: str) -> Scenario:
        scheme, latency, bmcs, workers = text.split(",")
        return cls(scheme, float(latency), int(bmcs), None if workers == "max" else int(workers))

    @property
    def label(self) -> str:
        workers = "unbounded" if self.workers is None else f"{self.workers} workers"
        return (f"{self.bmcs} BMCs, {self.scheme.upper()}, {self.latency * 1000:g} ms, "
                f"{workers}")


def default_scenarios() -> list[Scenario]:
    """N = 1, 50, 200, 1000 at 0 and 50 ms over HTTP and HTTPS with 64 workers, and
    200 BMCs at 50 ms over HTTPS unbounded."""
    found = [Scenario(scheme, latency, n, 64) for scheme in ("http", "https")
             for latency in (0.0, 0.05) for n in (1, 50, 200, 1000)]
    return [*found, Scenario("https", 0.05, 200, None)]


QUICK = [Scenario("http", 0.0, 2, 2), Scenario("https", 0.01, 2, 2)]


class BenchServer:
    """The server child process of one scenario."""

    def __init__(self, scenario: Scenario, cert: Any, groups: list[str]) -> None:
        command = [sys.executable, str(HERE / "server.py"), "--bmcs", str(scenario.bmcs),
                   "--latency", str(scenario.latency), "--groups", ",".join(groups)]
        if scenario.scheme == "https":
            command += ["--cert", cert.cert_file, "--key", cert.key_file]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            raise SystemExit("the benchmark server did not start")
        ready = json.loads(line)
        self.control = ready["control"]
        self.groups: dict[str, list[tuple[int, int]]] = ready["groups"]
        self.scheme = scenario.scheme

    def urls(self, group: str) -> list[str]:
        return [f"{self.scheme}://127.0.0.1:{port}" for port, _ in self.groups[group]]

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """Counts and CPU; ``reset``: after zeroing the counts and dropping the sessions."""
        return self._control("reset" if reset else "stats", post=reset)

    def warm(self) -> None:
        """Build answers ahead: every resource's plain one, and on each BMC those built for
        another BMC of its group (:func:`server.warm`)."""
        self._control("warm", post=True)

    def _control(self, action: str, post: bool) -> dict[str, Any]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.control}/{action}",
                                         method="POST" if post else "GET")
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.load(response)  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def worker_command(client: str, urls: list[str], listing: Path, scenario: Scenario,
                   ca_file: str | None) -> list[str]:
    """The :mod:`worker` command running ``client`` over ``urls`` (written to ``listing``)."""
    listing.write_text("\n".join(urls))
    command = [sys.executable, str(HERE / "worker.py"), client, str(listing),
               "--workers", str(scenario.workers or len(urls))]
    if scenario.workers is None:
        command.append("--unbounded")
    if ca_file:
        command += ["--ca-file", ca_file]
    return command


def client_env(detect_cache: str | None = None) -> dict[str, str]:
    """The environment of every worker: the caller's without the ``HAMNHW_*`` variables
    hamnhw reads (a detection cache, config file, credentials, IPMI pacing, fail-over kill
    points would change what a row does, and a cache left warm by the warm-up or an earlier
    row would favour hamnhw), with ``HAMNHW_DETECT_CACHE`` set to ``detect_cache`` when
    given (the ``remembered`` rows, each with a scratch folder of its own)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("HAMNHW_") or key.startswith("HAMNHW_BENCH_")}
    if detect_cache is not None:
        env["HAMNHW_DETECT_CACHE"] = detect_cache
    return env


WARMING_CLIENT = "hamnhw-warm"
"""The client whose unmeasured run warms each ``$expand`` group (:func:`warm_up`): the
library's task and the inventory, whose queries the fan-out and the command send too (one
run of each of them as well cost ~45 s more per 1,000-BMC scenario, for at most one answer
per BMC)."""


def warm_up(server: BenchServer, scenario: Scenario, clients: list[str],
            ca_file: str | None) -> str | None:
    """Warm the server for ``clients``' rows, unmeasured: each ``$expand`` group the rows
    read walked once by the hamnhw library, its task and the inventory (the expanded
    queries are the client's; the server does not guess them), then every plain answer
    built ahead and, on each BMC, every answer built for another BMC of its group, and a
    query asked of a collection member also of its collection and the reverse (a walk may
    read a member alone or inside its collection).  The counts and
    sessions are reset before each row (:meth:`BenchServer.stats`); a row's
    ``built_per_bmc`` shows what the warm-up missed.  Returns why a walk failed (exit
    status or wrong answers, and its stderr's tail), or None."""
    failed = []
    for group in server.groups:
        if group != "plain" and any(ROWS[c].group == group for c in clients):
            with tempfile.TemporaryDirectory() as scratch:
                command = worker_command(WARMING_CLIENT, server.urls(group),
                                         Path(scratch) / "urls", scenario, ca_file)
                done = subprocess.run(command, capture_output=True, text=True,
                                      env=client_env(), cwd=scratch,
                                      timeout=WORKER_TIMEOUT_S, check=False)
            problem = _walk_problem(done, len(server.groups[group]))
            if problem:
                failed.append(f"{group}: {problem}")
    server.warm()  # plain answers need no client's query: built here, every one
    return "; ".join(failed) or None


def _walk_problem(done: subprocess.CompletedProcess[str], bmcs: int) -> str | None:
    """Why a worker's run did not read every BMC (exit status, or answers that are error
    strings), with its stderr's tail; None when it did."""
    tail = done.stderr.strip()[-800:]
    if done.returncode != 0:
        return f"exit status {done.returncode}: {tail}"
    try:
        answers = json.loads(done.stdout)["answers"]
    except (ValueError, KeyError, TypeError):
        return f"no answers: {tail}"
    errors = [a for a in answers if isinstance(a, str)]
    if len(answers) != bmcs or errors:
        return (f"{len(answers) - len(errors)}/{bmcs} BMCs answered"
                f"{': ' + errors[0][:300] if errors else ''}; {tail}")
    return None


def run_client(server: BenchServer, name: str, scenario: Scenario,
               ca_file: str | None, base: mock.Tree) -> dict[str, Any]:
    """One row: a client over one group of BMCs."""
    row = ROWS[name]
    group = row.group
    urls = server.urls(group)
    workers = scenario.workers or len(urls)
    with tempfile.TemporaryDirectory() as scratch:
        command = worker_command(row.client, urls, Path(scratch) / "urls", scenario, ca_file)
        env = client_env(scratch if row.remembered else None)
        if row.remembered:  # the run that fills the cache, not measured
            subprocess.run(command, capture_output=True, text=True, env=env, cwd=scratch,
                           timeout=WORKER_TIMEOUT_S, check=False)
        before = server.stats(reset=True)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=scratch,
                              timeout=WORKER_TIMEOUT_S, check=False)
        process_s = time.perf_counter() - start
    after = server.stats()
    client = name
    if done.returncode != 0:
        return {"client": client, "failed": done.stderr.strip()[-800:]}
    result = json.loads(done.stdout)
    expected = [mock.expected_answer(mock.personalised(base, index))
                for _, index in server.groups[group]]
    wrong = [f"{url}: {got!r}" for url, got, want in zip(urls, result["answers"], expected,
                                                          strict=True) if got != want]
    counts = [after["bmcs"][str(port)] for port, _ in server.groups[group]]
    n = len(urls)
    requests = sum(c.get("requests", 0) for c in counts)
    return {
        "client": client, "bmcs": n, "correct": n - len(wrong), "wrong": wrong[:3],
        "requests_per_bmc": requests / n,
        "requests_min_max": [min(c.get("requests", 0) for c in counts),
                             max(c.get("requests", 0) for c in counts)],
        "connections_per_bmc": sum(c.get("connections", 0) for c in counts) / n,
        "sessions_left": sum(c.get("sessions_open", 0) for c in counts),
        "sessions_per_bmc": sum(c.get("sessions_created", 0) for c in counts) / n,
        "basic_auth": sum(c.get("basic_auth", 0) for c in counts),
        "built_per_bmc": sum(c.get("built", 0) for c in counts) / n,
        "server_build_cpu_s": sum(c.get("build_cpu_s", 0.0) for c in counts),
        "server_build_cpu_once_s": sum(c.get("build_cpu_once_s", 0.0) for c in counts),
        "late_imports": result.get("late_imports", []),
        "client_cpu_ms_per_bmc": result["cpu_s"] * 1000 / n,
        "client_cpu_s": result["cpu_s"],
        "server_cpu_s": after["cpu_s"] - before["cpu_s"],
        "wall_s": result["wall_s"],
        "process_s": process_s,
        "import_ms": result["import_s"] * 1000,
        "latency_floor_s": math.ceil(n / min(workers, n)) * requests / n * scenario.latency,
    }


def run_scenario(scenario: Scenario, clients: list[str], cert: Any,
                 base: mock.Tree, warm: bool = True) -> dict[str, Any]:
    """Every client of ``clients`` in one scenario (``warm``: after :func:`warm_up`)."""
    groups = sorted({ROWS[c].group for c in clients},
                    key=["plain", "expand1", "expand"].index)
    server = BenchServer(scenario, cert, groups)
    ca_file = cert.cert_file if scenario.scheme == "https" else None
    rows = []
    warm_up_s = failed = None
    try:
        if warm:
            start = time.perf_counter()
            failed = warm_up(server, scenario, clients, ca_file)
            warm_up_s = round(time.perf_counter() - start, 1)
            print(f"  {scenario.label}: server warmed in {warm_up_s} s"
                  + (f"; WARM-UP FAILED: {failed}" if failed else ""), file=sys.stderr)
        for client in clients:
            if client == "redfish.aio" and scenario.scheme == "http":
                rows.append({"client": client, "skipped": "logs in over HTTPS only"})
                continue
            rows.append(run_client(server, client, scenario, ca_file, base))
            print(f"  {scenario.label}: {report.progress_line(rows[-1])}", file=sys.stderr)
    finally:
        server.stop()
    return {"scenario": dataclasses.asdict(scenario), "label": scenario.label,
            "warm": warm and not failed, "warm_up_s": warm_up_s,
            **({"warm_up_failed": failed} if failed else {}),
            "rows": report.with_ratios(rows)}


def measure_startup(quick: bool) -> dict[str, float]:
    """Whole-process costs, against one plain-HTTP BMC of its own."""
    server = BenchServer(Scenario("http", 0.0, 1, 1), None, ["plain"])
    try:
        return report.startup_costs(server.groups["plain"][0][0], mock.PASSWORD, quick)
    finally:
        server.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 BMCs, HTTP and HTTPS")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--scenario", action="append", type=Scenario.parse, default=[],
                        metavar="SCHEME,LATENCY_S,BMCS,WORKERS|max")
    parser.add_argument("--clients", default=",".join(ROWS),
                        help=f"comma-separated rows of: {', '.join(ROWS)}")
    parser.add_argument("--no-startup", action="store_true",
                        help="skip the whole-process (import, --help) measurements")
    parser.add_argument("--cold", action="store_true",
                        help="do not warm the server before each scenario's rows: the first "
                        "client to read a group of BMCs then also pays the server's building "
                        "of its answers (JSON encoding, $expand), on the shared cores")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from hamnhw.sim.tls import SelfSignedCert

    scenarios = args.scenario or (QUICK if args.quick else default_scenarios())
    clients = args.clients.split(",")
    base = mock.load_mockup()
    cert = SelfSignedCert("hamnhw-bench")
    machine = report.machine()  # its load average before the run
    start = time.perf_counter()
    try:
        results = [run_scenario(s, clients, cert, base, warm=not args.cold)
                   for s in scenarios]
    finally:
        cert.cleanup()
    startup = None if args.no_startup else measure_startup(args.quick)
    doc = {"machine": machine, "warm": not args.cold, "scenarios": results,
           "startup": startup,
           "wall_s": round(time.perf_counter() - start, 1)}
    if args.json:
        print(json.dumps(doc, indent=1))
    else:
        print(report.render(doc))
    bad = [f"{r['label']}: {row['client']}" for r in results for row in r["rows"]
           if "failed" in row or row.get("correct", row.get("bmcs")) != row.get("bmcs")]
    for line in bad:
        print(f"WRONG OR FAILED: {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
