"""``hamnhw exporter`` as a user runs it: a real subprocess serving /metrics over HTTP, the
real promtool judging the exposition, the read interval protecting the BMC, hung BMCs never
holding a scrape, the textfile one-shot."""

from __future__ import annotations

import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from monitor_helpers import (
    PASSWORD,
    assert_no_secret,
    free_port,
    hamnhw_argv,
    promtool,
    specs,
    write_config,
)

from hamnhw.sim import ServerSpec, SimCluster

pytestmark = pytest.mark.e2e

VOLUME = "RAIDController1/Volume1"
"""The simulated RAID1, by its qualified id."""

METRICS = ("hamnhw_bmc_up", "hamnhw_power_on", "hamnhw_volume_health", "hamnhw_volume_state",
           "hamnhw_volume_rebuild_ratio", "hamnhw_drive_health", "hamnhw_pair_active",
           "hamnhw_pair_journal_unreadable", "hamnhw_pair_snapshot_stale",
           "hamnhw_scrape_duration_seconds",
           "hamnhw_bmc_auth_failed", "hamnhw_bmc_down_reason", "hamnhw_sample_age_seconds",
           "hamnhw_bmc_last_success_timestamp_seconds")
COUNTERS = ("hamnhw_bmc_reads",)


VOLUME = "RAIDController1/Volume1"
"""The simulated RAID1's id as the generic driver qualifies it (controller/volume)."""


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        return answer.read().decode()


def value(text: str, name: str, **labels: str) -> float | None:
    """The sample of ``name`` whose labels include ``labels``."""
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match[1] for k, v in labels.items()):
            return float(match[2])
    return None


def start_exporter(config: Path, port: int, *args: str) -> subprocess.Popen[str]:
    """``hamnhw exporter --config CONFIG --listen 127.0.0.1:PORT ARGS...`` in a subprocess."""
    return subprocess.Popen(
        hamnhw_argv("exporter", "--config", str(config), "--listen", f"127.0.0.1:{port}", *args),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def exporter(config_file: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    process = start_exporter(config_file, port, "--cache-seconds", "1")
    wait_for(lambda: _try_scrape(port), read_everything)
    yield process, port
    if process.poll() is None:
        process.kill()
        process.communicate(timeout=10)


def read_everything(text: str | None) -> bool:
    """Every node's first read has ended (none ``pending``)."""
    return text is not None and "hamnhw_bmc_reads_total" in text and \
        'reason="pending"' not in text


def wait_for(read, until, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    """Read until ``until(value)`` or the bound passes; return the last value (bounded wait,
    the assertion is on the value)."""
    deadline = time.monotonic() + seconds
    while True:
        got = read()
        if until(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_metric_changes_over_http_and_stops_cleanly(
        cluster: SimCluster, exporter: tuple[subprocess.Popen[str], int]) -> None:
    process, port = exporter
    first = scrape(port)
    for name in METRICS:
        assert f"# HELP {name} " in first and f"# TYPE {name} gauge" in first
    for name in COUNTERS:
        assert f"# HELP {name}_total " in first and f"# TYPE {name}_total counter" in first
    assert value(first, "hamnhw_bmc_up", node="primary") == 1.0
    assert value(first, "hamnhw_power_on", node="primary") == 1.0
    assert value(first, "hamnhw_power_on", node="standby") == 0.0
    assert value(first, "hamnhw_volume_health", node="primary", volume=VOLUME) == 0.0
    assert value(first, "hamnhw_volume_state", node="primary", state="optimal") == 1.0
    primary = cluster["primary"]
    cluster.pull_drive(primary.drives[1].serial, "primary")
    after = wait_for(lambda: scrape(port),
                     lambda t: value(t, "hamnhw_volume_health", node="primary",
                                     volume=VOLUME) == 1.0)
    assert value(after, "hamnhw_volume_health", node="primary", volume=VOLUME) == 1.0
    assert value(after, "hamnhw_volume_state", node="primary", state="degraded") == 1.0
    assert value(after, "hamnhw_volume_state", node="primary", state="optimal") == 0.0
    cluster.bays.volumes[0].operation = ("Rebuilding", 25)
    rebuilding = wait_for(lambda: scrape(port), lambda t: value(
        t, "hamnhw_volume_rebuild_ratio", node="primary") is not None)
    assert value(rebuilding, "hamnhw_volume_rebuild_ratio", node="primary") == 0.25
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert_no_secret(out, err, first, after)


def test_promtool_accepts_the_exposition(exporter: tuple[subprocess.Popen[str], int],
                                         tmp_path: Path) -> None:
    _, port = exporter
    text = scrape(port)
    checked = subprocess.run([promtool(), "check", "metrics"], input=text, text=True,
                             capture_output=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "" and checked.stderr.strip() == "", checked.stderr


def test_fast_scraper_does_not_flood_the_bmc(cluster: SimCluster, config_file: Path) -> None:
    port = free_port()
    process = start_exporter(config_file, port, "--cache-seconds", "3600", "--max-parallel", "1")
    try:
        text = wait_for(lambda: _try_scrape(port), read_everything)
        assert read_everything(text)
        primary = cluster["primary"]
        logins_before = _logins(primary)
        for _ in range(10):
            scrape(port)
        assert _logins(primary) == logins_before == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert process.returncode == 0


def _try_scrape(port: int) -> str | None:
    try:
        return scrape(port)
    except OSError:
        return None


def _logins(server) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for r in server.requests
               if r.method == "POST" and r.path.rstrip("/").endswith("Sessions"))


def test_textfile_is_written_atomically_and_passes_promtool(
        cluster: SimCluster, config_file: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "textfile"
    out_dir.mkdir()
    done = subprocess.run(hamnhw_argv("exporter", "--config", str(config_file),
                                      "--textfile", str(out_dir)),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out_dir.iterdir()] == ["hamnhw.prom"]
    text = (out_dir / "hamnhw.prom").read_text()
    assert value(text, "hamnhw_bmc_up", node="standby") == 1.0
    checked = subprocess.run([promtool(), "check", "metrics"], input=text, text=True,
                             capture_output=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    assert_no_secret(done.stdout, done.stderr, text)


def test_unreachable_bmc_is_down_not_an_error(tmp_path: Path, cluster: SimCluster) -> None:
    config = write_config(tmp_path, cluster, '[nodes.gone]\nbmc = "redfish+http://127.0.0.1:9"'
                          '\nusername = "admin"\npassword_env = "NOPE_PW"\n')
    out_dir = tmp_path / "tf"
    out_dir.mkdir()
    env = {"NOPE_PW": "x", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(hamnhw_argv("exporter", "--config", str(config), "--textfile",
                                      str(out_dir), "--timeout", "3"),
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    text = (out_dir / "hamnhw.prom").read_text()
    assert value(text, "hamnhw_bmc_up", node="gone") == 0.0
    assert value(text, "hamnhw_bmc_up", node="primary") == 1.0


def test_an_unreadable_journal_is_a_metric_and_a_warning(cluster: SimCluster,
                                                         tmp_path: Path) -> None:
    """Review: a pair journal that exists on the exporter's host but cannot be read is said
    (``hamnhw_pair_journal_unreadable 1``, a warning naming the file and why), not read as
    "nothing recorded"; the active node then comes from ``[pair] active``."""
    journal = tmp_path / "journal"
    config = write_config(tmp_path, cluster, f'[pair]\njournal_dir = "{journal}"\n'
                                             'active = "primary"\n')
    out_dir = tmp_path / "tf"
    out_dir.mkdir()
    argv = hamnhw_argv("exporter", "--config", str(config), "--textfile", str(out_dir))

    def export() -> tuple[str, str]:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return (out_dir / "hamnhw.prom").read_text(), done.stderr

    text, _ = export()  # no journal on this host: nothing to say
    assert value(text, "hamnhw_pair_journal_unreadable", node="primary") == 0.0
    journal.mkdir()
    path = journal / "pair.journal.sqlite"
    path.write_bytes(b"garbage, not a journal " * 200)
    text, stderr = export()
    for node in ("primary", "standby"):
        assert value(text, "hamnhw_pair_journal_unreadable", node=node) == 1.0
    assert value(text, "hamnhw_pair_active", node="primary") == 1.0
    assert f"{path} cannot be read: file is not a database" in stderr, stderr
    checked = subprocess.run([promtool(), "check", "metrics"], input=text, text=True,
                             capture_output=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


def test_hung_bmcs_never_hold_a_scrape_and_sigterm_ends_their_reads(tmp_path: Path) -> None:
    """Review: with hung BMCs every scrape waited for their reads (60 s with 5 of 40 hung,
    past Prometheus' scrape timeout: every node dropped).  Now a scrape answers from the
    latest samples while the hung reads are still in flight (their BMCs hold the requests
    until the simulator stops; their read timeout is 600 s), the hung nodes down as
    ``pending``; SIGTERM then ends the exporter with those reads in flight."""
    hung = ("h1", "h2")
    with SimCluster([*specs(), *(ServerSpec(name=n, password=PASSWORD) for n in hung)]) as sim:
        for name in hung:
            sim[name].inject("hang")
        config = write_config(tmp_path, sim, "".join(
            f'[nodes.{n}]\nbmc = "{sim[n].url}"\nusername = "admin"\n'
            f'password_file = "{tmp_path / "bmc.pw"}"\nread_timeout = 600\n\n' for n in hung))
        port = free_port()
        process = start_exporter(config, port, "--timeout", "600", "--cache-seconds", "5")
        try:
            first = wait_for(lambda: _try_scrape(port), lambda t: t is not None and all(
                value(t, "hamnhw_bmc_up", node=n) == 1.0 for n in ("primary", "standby")))
            texts = [first, scrape(port), scrape(port)]
            assert all(any(r.status is None for r in sim[n].requests) for n in hung)  # held
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    for text in texts:
        assert value(text, "hamnhw_bmc_up", node="primary") == 1.0
        assert value(text, "hamnhw_power_on", node="standby") == 0.0
        assert value(text, "hamnhw_volume_health", node="primary", volume=VOLUME) == 0.0
        for name in hung:
            assert value(text, "hamnhw_bmc_up", node=name) == 0.0
            assert value(text, "hamnhw_bmc_down_reason", node=name, reason="pending") == 1.0
            assert value(text, "hamnhw_bmc_reads_total", node=name) == 0.0  # still in flight
    checked = subprocess.run([promtool(), "check", "metrics"], input=texts[-1], text=True,
                             capture_output=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert_no_secret(out, err, *texts)
