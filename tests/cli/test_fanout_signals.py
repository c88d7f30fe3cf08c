"""SIGINT and SIGTERM during a fan-out, in a real ``hamnhw`` process against simulated BMCs
on loopback HTTP.  Six nodes, at most two at once: n01 is quick, n02 and n03 are slowed
(a latency fault on a read, or a power-on that takes a minute), n04-n06 wait their turn.
The signal comes once n02 and n03 are both under way, each with a session open.  The
contract (README, "Interrupts" and the fan-out's output): exit 130 (143), a line per node
(n01's result, the others' ``Interrupted`` error), the summary line agreeing with them,
every session opened logged out, no write re-sent, and the nodes not started never
contacted at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ptyrun import CTRL_C, clean_env, hamnhw_argv, run_on_pty

from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

NAMES = tuple(f"n{i:02d}" for i in range(1, 7))
QUICK, SLOW, WAITING = NAMES[:1], NAMES[1:3], NAMES[3:]
PASSWORD = "s3cr3t-signals-pw-41"
RESET = "/Actions/ComputerSystem.Reset"
SESSIONS = "/redfish/v1/SessionService/Sessions"
GIVE_UP_S = 60.0
"""A guard against a hang, not a timing assertion."""
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
SIGNALS = [signal.SIGINT, signal.SIGTERM]


def cluster_of(power: str, power_delay: Callable[[str], float]) -> SimCluster:
    return SimCluster([ServerSpec(name=n, password=PASSWORD, power=power,
                                  power_delay=power_delay(n)) for n in NAMES])


@pytest.fixture
def reads() -> Iterator[SimCluster]:
    """Six hosts on; a GET under Systems of n02 and n03 takes five minutes."""
    with cluster_of("On", lambda _name: 0.0) as cluster:
        for name in SLOW:
            cluster[name].inject("latency", method="GET", path="/redfish/v1/Systems",
                                 seconds=300.0)
        yield cluster


@pytest.fixture
def power_ons() -> Iterator[SimCluster]:
    """Six hosts off; n02 and n03 stay PoweringOn for a minute once told to power on."""
    with cluster_of("Off", lambda name: 60.0 if name in SLOW else 0.0) as cluster:
        yield cluster


def write_config(cluster: SimCluster, directory: Path) -> tuple[Path, Path]:
    """``hamnhw.toml`` naming every server, and a nodes file listing them in order."""
    secret = directory / "bmc.pw"
    secret.write_text(PASSWORD + "\n")
    os.chmod(secret, 0o600)
    username = cluster[NAMES[0]].username
    tables = "".join(f'[nodes.{s.name}]\nbmc = "{s.url}"\n\n' for s in cluster)
    config = directory / "hamnhw.toml"
    config.write_text(f'[defaults]\nusername = "{username}"\npassword_file = "bmc.pw"\n\n'
                      f'{tables}')
    listing = directory / "nodes.txt"
    listing.write_text("".join(f"{name}\n" for name in NAMES))
    return config, listing


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(hamnhw_argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, env=clean_env())


def signal_when(condition: Callable[[], bool], proc: subprocess.Popen[str],
                sig: int) -> tuple[int, str, str]:
    """Send ``sig`` once ``condition()`` holds; the exit code, stdout and stderr."""
    give_up = time.monotonic() + GIVE_UP_S
    try:
        while not condition():
            if proc.poll() is not None:
                pytest.fail(f"exited before the signal: {proc.communicate()}")
            if time.monotonic() > give_up:
                pytest.fail("the slow nodes never got under way")
            time.sleep(0.05)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=GIVE_UP_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def in_flight(server: SimServer, method: str, fragment: str) -> bool:
    """A request of ``method`` under ``fragment`` was received and is not answered yet,
    while a session is open."""
    return bool(server.state.sessions) and any(
        r.method == method and fragment in r.path and r.status is None for r in server.requests)


def slow_reads_under_way(cluster: SimCluster) -> Callable[[], bool]:
    """Whether n02 and n03 are both held by their latency fault, each with a session."""
    return lambda: all(in_flight(cluster[n], "GET", "/redfish/v1/Systems") for n in SLOW)


def waiting_after_reset(server: SimServer) -> bool:
    """The reset was answered and the wait after it is reading, a session open: two reads
    (one GET each) were received, so the first answer was seen (its state reported)."""
    requests = server.requests
    resets = [i for i, r in enumerate(requests) if r.method == "POST" and RESET in r.path
              and r.status is not None]
    return bool(server.state.sessions) and bool(resets) and sum(
        r.method == "GET" for r in requests[resets[0] + 1:]) >= 2


def sent(server: SimServer, method: str, fragment: str = "") -> int:
    return sum(r.method == method and fragment in r.path for r in server.requests)


def node_lines(out: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The JSON line of each node (exactly one each) and the summary, which comes last."""
    *lines, last = [json.loads(line) for line in out.splitlines()]
    assert set(last) == {"summary"}, out
    by_node = {line["node"]: line for line in lines}
    assert sorted(by_node) == sorted(NAMES) and len(lines) == len(NAMES), out
    return by_node, last["summary"]


def assert_summary_agrees(by_node: dict[str, dict[str, Any]], summary: dict[str, Any]) -> None:
    codes = Counter(str(line["error"]["exit_code"]) for line in by_node.values()
                    if "error" in line)
    failed = sum(codes.values())
    assert (summary["nodes"], summary["ok"], summary["failed"]) == (
        len(by_node), len(by_node) - failed, failed)
    assert summary["by_exit_code"] == dict(codes)


def assert_interrupted(line: dict[str, Any], sig: int, *, request_sent: bool) -> None:
    error = line["error"]
    assert (error["type"], error["exit_code"], error["signal"]) == (
        "Interrupted", CODES[sig], signal.Signals(sig).name)
    assert error["message"].startswith("127.0.0.1:"), line  # its BMC, as other errors
    assert error["request_sent"] is request_sent, line


def assert_all_logged_out(cluster: SimCluster) -> None:
    """No session left on any BMC; each login deleted once, no other write re-sent."""
    for server in cluster:
        assert server.state.sessions == {}, f"{server.name} has a session left"
        logins = sent(server, "POST", SESSIONS)
        assert logins <= 1, server.name
        assert sent(server, "DELETE", SESSIONS) == logins, server.name
        assert sent(server, "PATCH") == 0 and sent(server, "POST", RESET) <= 1, server.name


def assert_not_contacted(cluster: SimCluster) -> None:
    for name in WAITING:
        assert cluster[name].requests == [], f"{name} was never started but was contacted"


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_during_a_fanned_out_inventory(reads: SimCluster, tmp_path: Path,
                                                sig: int) -> None:
    config, listing = write_config(reads, tmp_path)
    proc = start("--json", "inventory", "--config", str(config), "--nodes-file", str(listing),
                 "--fanout", "2", "--timeout", "600")
    code, out, err = signal_when(slow_reads_under_way(reads), proc, sig)
    assert code == CODES[sig], (out, err)
    assert "Traceback" not in err and PASSWORD not in out + err
    by_node, summary = node_lines(out)
    assert by_node["n01"]["system"]["power_state"] == "on" and "error" not in by_node["n01"]
    for name in (*SLOW, *WAITING):
        assert_interrupted(by_node[name], sig, request_sent=False)
    assert_summary_agrees(by_node, summary)
    assert summary["by_exit_code"] == {str(CODES[sig]): 5}
    assert_all_logged_out(reads)
    for name in (*QUICK, *SLOW):
        assert sent(reads[name], "POST", SESSIONS) == 1, name
    assert_not_contacted(reads)


def test_sigterm_during_a_fanned_out_inventory_as_text(reads: SimCluster,
                                                       tmp_path: Path) -> None:
    """Without ``--json``: n01's text on stdout, an error line per other node and the
    summary line on stderr."""
    config, listing = write_config(reads, tmp_path)
    proc = start("inventory", "--config", str(config), "--nodes-file", str(listing),
                 "--fanout", "2", "--timeout", "600")
    code, out, err = signal_when(slow_reads_under_way(reads), proc, signal.SIGTERM)
    assert code == 143, (out, err)
    assert "n01: system" in out and not any(f"{n}:" in out for n in NAMES[1:])
    lines = [line for line in err.splitlines() if line.startswith("hamnhw: ")]
    assert sorted(lines[:-1]) == [  # each names its BMC, as every other error of a node
        f"hamnhw: {n}: {reads[n].url.split('://', 1)[1]}: interrupted by SIGTERM"
        for n in NAMES[1:]]
    assert lines[-1].startswith("hamnhw: 6 nodes: 1 ok, 5 failed (exit 143: 5) in "), err
    assert "Traceback" not in err
    assert_all_logged_out(reads)
    assert_not_contacted(reads)


def test_ctrl_c_on_a_terminal_during_a_fanned_out_inventory(reads: SimCluster,
                                                            tmp_path: Path) -> None:
    """Ctrl-C typed on the terminal (the progress bar on it): the table of every node in the
    order given, each interrupted node saying so, then the summary line."""
    config, listing = write_config(reads, tmp_path)
    argv = hamnhw_argv("inventory", "--config", str(config), "--nodes-file", str(listing),
                       "--fanout", "2", "--timeout", "600")
    code, shown, out = run_on_pty(argv, clean_env(), [(slow_reads_under_way(reads), CTRL_C)],
                                  stdout_on_pty=False)
    assert code == 130, shown
    table = out.splitlines()
    assert table[0].split() == ["NODE", "STATUS", "RESULT"]
    rows = [row.split(maxsplit=1) for row in table[2:]]
    assert [name for name, _ in rows] == list(NAMES)
    assert rows[0][1].startswith("ok ")
    assert [rest.split() for _, rest in rows[1:]] == [
        ["exit", "130", f"{reads[n].url.split('://', 1)[1]}:", "interrupted", "by", "SIGINT"]
        for n in NAMES[1:]], out
    assert "6 nodes: 1 ok, 5 failed (exit 130: 5)" in shown
    assert "Traceback" not in shown
    assert_all_logged_out(reads)
    assert_not_contacted(reads)


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_during_a_multi_node_power_on(power_ons: SimCluster, tmp_path: Path,
                                               sig: int) -> None:
    """n01 powers on and is confirmed; n02 and n03 are waiting for theirs (the reset sent,
    answered): they report it was sent; n04-n06 are never contacted, so never powered on."""
    config, listing = write_config(power_ons, tmp_path)
    proc = start("--json", "power", "on", "--config", str(config), "--nodes-file", str(listing),
                 "--fanout", "2", "--timeout", "600")
    code, out, err = signal_when(
        lambda: all(waiting_after_reset(power_ons[n]) for n in SLOW), proc, sig)
    assert code == CODES[sig], (out, err)
    assert "Traceback" not in err and PASSWORD not in out + err
    by_node, summary = node_lines(out)
    assert (by_node["n01"]["power_state"], by_node["n01"]["confirmed"]) == ("on", True)
    for name in SLOW:
        assert_interrupted(by_node[name], sig, request_sent=True)
        assert by_node[name]["error"]["last_state"] == "powering_on"
        assert sent(power_ons[name], "POST", RESET) == 1, "the reset was not sent again"
    for name in WAITING:
        assert_interrupted(by_node[name], sig, request_sent=False)
        assert power_ons[name].power_state == "Off"
    assert_summary_agrees(by_node, summary)
    assert "while logging out" not in err, "the signal came before the logouts"
    assert_all_logged_out(power_ons)
    assert_not_contacted(power_ons)


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_while_the_reset_is_on_its_way(tmp_path: Path, sig: int) -> None:
    """The resets of n02 and n03 reached their BMCs but are not answered: the signal ends
    them at once; the BMC may act on them, so the error says a request may have been sent
    (as a single node's does), and they are not sent again."""
    with cluster_of("Off", lambda _name: 0.0) as cluster:
        for name in SLOW:
            cluster[name].inject("latency", method="POST", path="/redfish/v1/Systems",
                                 seconds=300.0)
        config, listing = write_config(cluster, tmp_path)
        proc = start("--json", "power", "on", "--config", str(config), "--nodes-file",
                     str(listing), "--fanout", "2", "--timeout", "600")
        code, out, err = signal_when(
            lambda: all(in_flight(cluster[n], "POST", RESET) for n in SLOW), proc, sig)
        assert code == CODES[sig], (out, err)
        by_node, summary = node_lines(out)
        assert by_node["n01"]["power_state"] == "on"
        for name in SLOW:
            assert_interrupted(by_node[name], sig, request_sent=True)
            assert "the BMC may act on it" in by_node[name]["error"]["message"]
            assert sent(cluster[name], "POST", RESET) == 1
        for name in WAITING:
            assert_interrupted(by_node[name], sig, request_sent=False)
        assert_summary_agrees(by_node, summary)
        assert "while logging out" not in err, "the signal came before the logouts"
        assert_all_logged_out(cluster)
        assert_not_contacted(cluster)


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_during_logouts_lets_them_finish(tmp_path: Path, sig: int) -> None:
    """n01 and n02 have their results and are logging out slowly; n03's read hangs.  The
    signal ends n03's read at once, but not the logouts: no session is left behind."""
    names = NAMES[:3]
    with SimCluster([ServerSpec(name=n, password=PASSWORD) for n in names]) as cluster:
        done, hung = [cluster[n] for n in names[:2]], cluster[names[2]]
        for server in done:
            server.inject("latency", method="DELETE", path=SESSIONS + "/", seconds=2.0)
        hung.inject("latency", method="GET", path="/redfish/v1/Systems", seconds=300.0)
        config, listing = write_config(cluster, tmp_path)
        listing.write_text("".join(f"{name}\n" for name in names))
        proc = start("--json", "inventory", "--config", str(config), "--nodes-file",
                     str(listing), "--fanout", "3", "--timeout", "600")
        code, out, err = signal_when(
            lambda: all(in_flight(s, "DELETE", SESSIONS + "/") for s in done)
            and in_flight(hung, "GET", "/redfish/v1/Systems"), proc, sig)
        assert code == CODES[sig], (out, err)
        assert "Traceback" not in err and PASSWORD not in out + err
        for server in cluster:
            assert server.state.sessions == {}, f"{server.name}: a session was left"
        for server in done:
            deletes = [r for r in server.requests if r.method == "DELETE"]
            assert [r.status for r in deletes] == [204], f"{server.name}: logout cut short"
        *lines, last = [json.loads(line) for line in out.splitlines()]
        by_node = {line["node"]: line for line in lines}
        assert all("error" not in by_node[s.name] for s in done), out
        assert_interrupted(by_node[hung.name], sig, request_sent=False)
        assert last["summary"]["ok"] == len(done), out


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_during_a_slow_login_still_deletes_its_session(tmp_path: Path,
                                                               sig: int) -> None:
    """n01's login is slow to answer, n02's read hangs.  The signal ends n02's read at once
    but gives n01's login its grace: its answer names the session the BMC made, which is
    then logged out (cut, the BMC would make the session with nobody left to delete it)."""
    names = NAMES[:2]
    with SimCluster([ServerSpec(name=n, password=PASSWORD) for n in names]) as cluster:
        slow_login, hung = cluster[names[0]], cluster[names[1]]
        slow_login.inject("latency", method="POST", path=SESSIONS, seconds=2.0)
        hung.inject("latency", method="GET", path="/redfish/v1/Systems", seconds=300.0)
        config, listing = write_config(cluster, tmp_path)
        listing.write_text("".join(f"{name}\n" for name in names))
        proc = start("--json", "inventory", "--config", str(config), "--nodes-file",
                     str(listing), "--fanout", "2", "--timeout", "600")

        def login_in_flight() -> bool:
            return any(r.method == "POST" and r.status is None
                       for r in slow_login.requests) and in_flight(hung, "GET", "/redfish/v1/")

        code, out, err = signal_when(login_in_flight, proc, sig)
        assert code == CODES[sig], (out, err)
        assert "Traceback" not in err and PASSWORD not in out + err
        give_up = time.monotonic() + GIVE_UP_S  # until the BMC has answered the login
        while any(r.method == "POST" and r.status is None for r in slow_login.requests):
            assert time.monotonic() < give_up, "the login was never answered"
            time.sleep(0.05)
        logins = [r for r in slow_login.requests if r.method == "POST"]
        assert [r.status for r in logins] == [201]
        assert slow_login.state.sessions == {}, "the slow login's session was left"
        assert [r.status for r in slow_login.requests if r.method == "DELETE"] == [204]
        assert hung.state.sessions == {}
        by_node = {line["node"]: line for line in map(json.loads, out.splitlines())
                   if "node" in line}
        for name in names:
            assert_interrupted(by_node[name], sig, request_sent=False)
