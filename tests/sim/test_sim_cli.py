"""``hamnhw sim``: prints one line per server, serves until SIGTERM/SIGINT, stops cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
import requests

from hamnhw.cli.commands.sim import server_names
from hamnhw.sim import SIM_PASSWORD

LAUNCH = "from hamnhw.cli.commands.sim import command; command(prog_name='hamnhw sim')"


def run_sim(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd)


def read_lines(proc: subprocess.Popen, count: int) -> list[str]:
    lines = [proc.stdout.readline().strip() for _ in range(count)]
    assert all(lines), (lines, proc.stderr.read() if proc.poll() is not None else "")
    return lines


def stop(proc: subprocess.Popen, sig: int) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_named_servers_until_signalled(sig):
    proc = run_sim("--names", "primary,standby", "--power-delay", "2")
    try:
        lines = read_lines(proc, 2)
        names = [line.split()[0] for line in lines]
        assert names == ["primary", "standby"]
        for line in lines:
            url = line.split()[1]
            assert url.startswith("redfish+http://127.0.0.1:")
            root = requests.get(url.replace("redfish+", "") + "/redfish/v1", timeout=10)
            assert root.json()["@odata.id"] == "/redfish/v1"
    finally:
        code = stop(proc, sig)
    assert code == 0


def test_tls_prints_cert_and_fingerprint():
    proc = run_sim("--count", "1", "--tls")
    try:
        server, cert, fingerprint = read_lines(proc, 3)
        assert server.startswith("node1 redfish+https://127.0.0.1:")
        cert_path = cert.split(" ", 1)[1]
        port = server.rsplit(":", 1)[1]
        root = requests.get(f"https://127.0.0.1:{port}/redfish/v1", verify=cert_path, timeout=10)
        assert root.status_code == 200
        assert len(fingerprint.split()[1]) == 64
    finally:
        assert stop(proc, signal.SIGTERM) == 0


def test_server_names():
    assert server_names(3, None) == ["node1", "node2", "node3"]
    assert server_names(3, "primary, standby") == ["primary", "standby"]
    with pytest.raises(click.BadParameter):
        server_names(1, "a,a")


def test_names_without_a_name_is_a_usage_error():
    with pytest.raises(click.BadParameter, match="no server name"):
        server_names(2, ",")
    done = subprocess.run([sys.executable, "-m", "hamnhw.cli.main", "sim", "--names", " , "],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "no server name" in done.stderr


@pytest.mark.parametrize("tls", [False, True])
def test_config_out_addresses_the_servers_by_name(tmp_path, tls):
    import os
    import stat

    from click.testing import CliRunner

    from hamnhw.cli.main import cli

    config = tmp_path / "sim.toml"
    proc = run_sim("--names", "primary,standby", "--config-out", str(config),
                   *(["--tls"] if tls else []))
    try:
        read_lines(proc, 2)
        secret = tmp_path / "sim.password"
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
        assert secret.read_text() == SIM_PASSWORD + "\n"
        nodes = tomllib.loads(config.read_text())["nodes"]
        assert set(nodes) == {"primary", "standby"}
        keys = {"bmc", "username", "password_file", *(["pin_fingerprint"] if tls else [])}
        assert all(set(node) == keys for node in nodes.values()), "no password in it"
        for name in ("primary", "standby"):
            result = CliRunner().invoke(cli, ["--json", "power", "status", "--config",
                                              str(config), name], env={"HAMNHW_USERNAME": None,
                                                                       "HAMNHW_PASSWORD": None})
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout) == {"node": name, "power_state": "off",
                                                 "protocol": "redfish"}
    finally:
        assert stop(proc, signal.SIGTERM) == 0


def test_pair_mode_serves_a_pair_the_failover_runs_on(tmp_path):
    """``sim --pair --config-out F``: the MN pair an admin can try ``failover start`` on."""
    config = tmp_path / "pair.toml"
    proc = run_sim("--pair", "--tls", "--power-delay", "0.1", "--config-out", str(config))
    hamnhw = [sys.executable, "-m", "hamnhw.cli.main", "--json"]
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("HAMNHW_")}

    def run(*args: str) -> tuple[int, dict]:
        done = subprocess.run([*hamnhw, *args, "--config", str(config)], capture_output=True,
                              text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
                              check=False)
        return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])

    try:
        lines = read_lines(proc, 5)
        assert [line.split()[0] for line in lines] == ["primary", "standby", "cert",
                                                       "fingerprint", "mn"]
        parsed = tomllib.loads(config.read_text())
        assert {"primary", "standby", "pair", "failover"} <= set(parsed)
        assert parsed["failover"]["mn_addresses"] == [lines[4].split()[1]]
        assert run("pair", "snapshot")[0] == 0
        ack = ("--acknowledge", "primary is the active MN")
        code, out = run("failover", "start", "--dry-run", *ack)
        assert code == 0 and out["outcome"] == "dry-run", out
        code, out = run("failover", "start", "--yes", *ack)
        assert code == 10 and out["state"] == "awaiting_disks", out
        assert len(out["work_order"]["drives"]) == 2
    finally:
        assert stop(proc, signal.SIGTERM) == 0


def test_a_pair_started_again_in_the_same_place_gets_a_fresh_journal(tmp_path):
    """The old journal (a run waiting for disks, primary recorded active) is moved aside,
    saying where: the new simulator's failover starts instead of "the target primary is on,
    not off" or "run 1 is unfinished".  A relative --config-out in a subdirectory puts the
    journal beside the config (it went to sub/sub/ before)."""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("HAMNHW_")}
    config = tmp_path / "sub" / "pair.toml"
    config.parent.mkdir()

    def run(*args: str) -> tuple[int, dict]:
        done = subprocess.run([sys.executable, "-m", "hamnhw.cli.main", "--json", *args,
                               "--config", str(config)], capture_output=True, text=True,
                              timeout=60, env=env, stdin=subprocess.DEVNULL, check=False)
        return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])

    def start() -> subprocess.Popen:
        proc = run_sim("--pair", "--tls", "--power-delay", "0.1", "--config-out",
                       "sub/pair.toml", cwd=tmp_path)
        read_lines(proc, 5)
        return proc

    ack = ("--acknowledge", "primary is the active MN")
    proc = start()
    try:
        assert run("pair", "snapshot")[0] == 0
        code, out = run("failover", "start", "--yes", *ack)
        assert code == 10 and out["state"] == "awaiting_disks", out
    finally:
        assert stop(proc, signal.SIGTERM) == 0
    journal = tmp_path / "sub" / "pair-journal"
    assert (journal / "sim.journal.sqlite").is_file()
    proc = start()
    try:
        (aside,) = tmp_path.joinpath("sub").glob("pair-journal.old-*")
        assert (aside / "sim.journal.sqlite").is_file()
        assert run("pair", "snapshot")[0] == 0
        code, out = run("failover", "start", "--yes", *ack)
        assert code == 10 and out["state"] == "awaiting_disks" and out["run_id"] == 1, out
    finally:
        assert stop(proc, signal.SIGTERM) == 0
    assert f"moved to sub/{aside.name}" in proc.stderr.read()
    assert not (tmp_path / "sub" / "sub").exists()


def test_a_journal_a_coordinator_holds_is_not_moved(tmp_path):
    from hamnhw.failover.lock import JournalBusy, JournalLock
    from hamnhw.sim.client_config import set_old_journal_aside

    journal = tmp_path / "pair-journal"
    journal.mkdir()
    (journal / "sim.journal.sqlite").write_text("")
    with JournalLock(journal / "sim.journal.sqlite.lock"), pytest.raises(JournalBusy):
        set_old_journal_aside(tmp_path / "pair.toml")
    assert [p.name for p in tmp_path.iterdir()] == ["pair-journal"]
    assert set_old_journal_aside(tmp_path / "pair.toml").name.startswith("pair-journal.old-")
    assert set_old_journal_aside(tmp_path / "pair.toml") is None


def test_ipmi_config_out_addresses_ipmi_by_name(tmp_path):
    """``--ipmi --config-out``: each node's IPMI path, and NAME-ipmi over IPMI only (the
    config had no IPMI in it)."""
    from hamnhw.config import load_config

    config = tmp_path / "ipmi.toml"
    proc = run_sim("--names", "primary,standby", "--ipmi", "--config-out", str(config))
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("HAMNHW_")}
    try:
        lines = read_lines(proc, 2)
        urls = {line.split()[0]: line.split()[2] for line in lines}
        loaded = load_config(config)
        for name in ("primary", "standby"):
            assert loaded.node(name).ipmi.url == urls[name]
            assert loaded.node(f"{name}-ipmi").bmc == urls[name]
        done = subprocess.run([sys.executable, "-m", "hamnhw.cli.main", "--json", "power",
                               "status", "--config", str(config), "primary-ipmi"],
                              capture_output=True, text=True, timeout=60, env=env,
                              stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == {"node": "primary-ipmi", "power_state": "off",
                                           "protocol": "ipmi"}
    finally:
        assert stop(proc, signal.SIGTERM) == 0


def test_a_pair_config_keeps_the_ipmi_paths(tmp_path):
    from hamnhw.config import load_config
    from hamnhw.sim import SimCluster
    from hamnhw.sim.client_config import write_pair_config
    from hamnhw.sim.mnpair import mn_pair_specs

    urls = {"primary": "ipmi://127.0.0.1:7001", "standby": "ipmi://127.0.0.1:7002"}
    with SimCluster(mn_pair_specs()) as cluster:
        path, _secret = write_pair_config(cluster, tmp_path / "pair.toml", None,
                                          "127.0.0.1:9", urls)
    loaded = load_config(path)
    assert loaded.node("primary").ipmi.url == urls["primary"]
    assert loaded.node("standby-ipmi").bmc == urls["standby"]
