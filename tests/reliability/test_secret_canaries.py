"""Secrets: a canary password and a canary session token through every command at DEBUG,
error paths included, as an operator runs them (the console script in a subprocess) against
a simulated pair over loopback.

The canaries must appear nowhere: not in stdout or stderr (the DEBUG log, error messages),
the journal (runs, events, snapshots, sessions: its bytes on disk), the recorded fixtures,
the exporter's metrics, any process's argv (``/proc/<pid>/cmdline`` of the command and its
children, sampled while it runs) or the environment and argv of a child (``verify_commands``,
``events listen --exec``).  A wrong password (a second canary) and an unreachable BMC are
run too.  Files hamnhw writes (journal, fixtures) are 0600 even under ``umask 000``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "failover"))

from pairsim import PairSim, pair_specs, write_config

import hamnhw.sim.state as sim_state
from hamnhw.cli.table import COMMANDS
from hamnhw.sim import SimCluster

pytestmark = pytest.mark.e2e

PASSWORD = "cAnary-PW-4f1e9d"
"""The simulated BMCs' password."""
WRONG = "cAnary-WRONG-77b0"
"""A wrong password tried on purpose (an error path)."""
TOKEN = "cAnaryT0ken"
"""Every session token the simulated BMCs hand out starts with this."""
CANARIES = (PASSWORD, WRONG, TOKEN)
ACTIVE = "primary is the active MN"
HAMNHW = str(Path(sys.executable).with_name("hamnhw"))
DUMP = """import json, os, sys
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps({"argv": sys.argv, "env": dict(os.environ),
                          "cmdline": open("/proc/self/cmdline", "rb").read().decode()}) + "\\n")
"""
NOT_RUN = {
    "sim": "serves simulated BMCs with simulator-only credentials (no operator secret)",
    "demo": "a drill on its own simulated pair with simulator-only credentials (make demo)",
}
"""Commands of the table this suite does not run, and why."""


class _Tokens:
    """``hamnhw.sim.state``'s ``secrets`` with canary session tokens."""

    compare_digest = staticmethod(__import__("secrets").compare_digest)
    _count = 0

    def token_hex(self, nbytes: int = 16) -> str:
        _Tokens._count += 1
        return f"{TOKEN}{_Tokens._count:04d}{os.urandom(8).hex()}"


class Runs:
    """Every command run, with what it printed and the argv of its processes."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.config, self.env = config, env
        self.outputs: list[tuple[list[str], int, str, str]] = []
        self.cmdlines: set[str] = set()

    def run(self, *args: str, config: Path | None = None, timeout: float = 120) -> tuple[
            int, str]:
        argv = [HAMNHW, "--log-level", "debug", "--json", *args]
        if args[0] != "lint-os":  # the one command without a config
            argv += ["--config", str(config or self.config)]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=self.env, stdin=subprocess.DEVNULL,
                                   preexec_fn=lambda: os.umask(0))
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            self.cmdlines |= _tree_cmdlines(process.pid)
            time.sleep(0.02)
        out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        self.outputs.append((list(args), process.returncode, out, err))
        return process.returncode, out


def _tree_cmdlines(pid: int) -> set[str]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        try:
            found.add(Path(f"/proc/{current}/cmdline").read_bytes().decode(errors="replace"))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[PairSim, Runs]]:
    monkeypatch.setattr(sim_state, "secrets", _Tokens())
    specs = pair_specs(primary={"password": PASSWORD}, standby={"password": PASSWORD})
    cluster = SimCluster(specs, tls=True).start()
    try:
        dump = tmp_path / "dump.py"
        dump.write_text(DUMP)
        failover = {"graceful_timeout": 0,
                    "verify_commands": [[sys.executable, str(dump), str(tmp_path / "child")]]}
        config, journal = write_config(tmp_path, cluster, failover)
        nic = cluster["primary"].spec.nics[0]
        with config.open("a") as handle:  # for `dhcp render`
            handle.write(f'\n[network.nics."{nic.id}"]\nip = "10.0.0.10/24"\nhostname = "mn"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HAMNHW_", "PYTEST_"))}
        env.update(HAMNHW_PASSWORD=PASSWORD, HAMNHW_USERNAME="admin")
        yield PairSim(cluster, config, journal), Runs(config, env)
    finally:
        cluster.stop()


def _extra_config(tmp_path: Path, sim: PairSim) -> Path:
    """A config with a node whose password file holds the wrong canary, and a dead one."""
    wrong = tmp_path / "wrong.pw"
    wrong.write_text(WRONG + "\n")
    wrong.chmod(0o600)
    text = sim.config_path.read_text()
    primary = sim["primary"]
    text += (f'\n[nodes.bad]\nbmc = "{primary.url}"\nusername = "admin"\n'
             f'password_file = "{wrong}"\npin_fingerprint = "{sim.cluster.fingerprint}"\n'
             f'\n[nodes.dead]\nbmc = "redfish://127.0.0.1:9"\nusername = "admin"\n'
             f'password_file = "{wrong}"\ntimeout = 3\n')
    path = tmp_path / "errors.toml"
    path.write_text(text)
    return path


def _events_listen(runs: Runs, sim: PairSim, node: str, out: Path) -> None:
    """``events listen --exec`` at DEBUG until the child ran once for a drive failure."""
    argv = [HAMNHW, "--log-level", "debug", "--json", "events", "listen", node,
            "--check-interval", "0.5", "--config", str(runs.config),
            "--exec", f"{sys.executable} {out.parent / 'dump.py'} {out}"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=runs.env)
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any('"subscribed"' in line for line in lines) and (
                time.monotonic() < deadline and process.poll() is None):
            runs.cmdlines |= _tree_cmdlines(process.pid)
            time.sleep(0.05)
        sim.cluster.fail_drive(sim[node].drives[1].serial)
        while not out.exists() and time.monotonic() < deadline and process.poll() is None:
            runs.cmdlines |= _tree_cmdlines(process.pid)
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        reader.join(timeout=10)
    runs.outputs.append((["events", "listen"], process.returncode, "".join(lines), stderr))
    assert out.exists(), f"--exec never ran: {lines} {stderr[-2000:]}"


def _leaks(name: str, text: str) -> list[str]:
    return [f"{name}: {canary!r}" for canary in CANARIES if canary in text]


@pytest.mark.timeout(600)
def test_canaries_never_leak_through_any_command(world: tuple[PairSim, Runs],
                                                 tmp_path: Path) -> None:
    """Expected: every command (and its error paths) at DEBUG leaks neither the password, a
    wrong password tried, nor a session token anywhere an operator or another user can
    read; the journal and fixtures are 0600 under umask 000; ``verify_commands`` and
    ``--exec`` children get no secret variable."""
    sim, runs = world
    errors_config = _extra_config(tmp_path, sim)
    record_dir = tmp_path / "fixtures"
    textfile = tmp_path / "metrics"
    textfile.mkdir()
    lint_root = tmp_path / "root"
    (lint_root / "etc").mkdir(parents=True)
    ran: set[str] = set()
    plan: list[tuple[tuple[str, ...], Path | None]] = [
        (("detect", "primary"), None), (("power", "status", "primary"), None),
        (("power", "off", "standby", "--yes"), None), (("boot", "primary"), None),
        (("restore-policy", "primary"), None), (("nics", "primary"), None),
        (("inventory", "primary"), None), (("raid", "show", "primary"), None),
        (("check", "raid", "primary"), None), (("pair", "snapshot"), None),
        (("pair", "status"), None), (("pair", "check"), None),
        (("record", "primary", str(record_dir)), None),
        (("exporter", "--textfile", str(textfile), "primary", "standby"), None),
        (("dhcp", "render", "--format", "isc"), None), (("lint-os", str(lint_root)), None),
        # error paths: a wrong password, an unreachable BMC, nothing to resume
        (("power", "status", "bad"), errors_config), (("inventory", "dead"), errors_config),
        (("failover", "resume"), None),
        (("failover", "start", "--yes", "--dry-run", "--acknowledge", ACTIVE), None),
        (("failover", "start", "--yes", "--acknowledge", ACTIVE), None),
    ]
    for args, config in plan:
        runs.run(*args, config=config)
        ran.add(args[0])
    sim.move_mn_drives("primary", "standby")
    code, out = runs.run("failover", "resume", "--disks-moved")
    assert code == 0, "\n".join(f"{a} {c} {o[-300:]}" for a, c, o, _ in runs.outputs)
    runs.run("failover", "status")
    runs.run("failover", "log")
    runs.run("check", "pair")
    runs.run("drill", "--yes")  # from the new active node: waits for its disk move (exit 10)
    runs.run("failover", "abort")
    ran |= {"failover", "drill", "check"}
    _events_listen(runs, sim, "standby", tmp_path / "exec")
    ran.add("events")
    assert {c.name for c in COMMANDS} - ran == set(NOT_RUN)

    leaks: list[str] = []
    for args, code, out, err in runs.outputs:
        leaks += _leaks(f"{' '.join(args)} (exit {code}) stdout", out)
        leaks += _leaks(f"{' '.join(args)} stderr", err)
    for cmdline in runs.cmdlines:
        leaks += _leaks(f"argv {cmdline!r}", cmdline)
    written = [*sim.journal_dir.iterdir(), *record_dir.rglob("*"), *textfile.iterdir()]
    for path in written:
        if path.is_file():
            leaks += _leaks(str(path), path.read_bytes().decode(errors="replace"))
    children = [json.loads(line) for name in ("child", "exec")
                for line in (tmp_path / name).read_text().splitlines()]
    assert children, "no verify_commands / --exec child ran"
    for child in children:
        leaks += _leaks(f"child env/argv {child['argv']}", json.dumps(child))
        assert "HAMNHW_PASSWORD" not in child["env"], child["argv"]
    assert not leaks, "\n".join(leaks)

    debug_lines = sum(err.count("DEBUG") for _, _, _, err in runs.outputs)
    assert debug_lines > 50, "the commands ran at DEBUG"
    assert any(code != 0 for _, code, _, _ in runs.outputs[16:19]), "error paths ran"
    journal_files = [p for p in sim.journal_dir.iterdir() if p.suffix == ".sqlite"]
    fixture_files = [p for p in record_dir.rglob("*") if p.is_file()]
    assert journal_files and fixture_files
    for path in journal_files + fixture_files:
        assert path.stat().st_mode & 0o777 == 0o600, f"{path}: {oct(path.stat().st_mode)}"
    assert not [p for p in record_dir.rglob("*") if p.name.endswith((".tmp", "~"))]

