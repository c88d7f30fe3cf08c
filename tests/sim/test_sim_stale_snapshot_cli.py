"""A disk of the MN's RAID1 replaced on ``hamnhw sim --pair`` (``hamnhw sim pull`` and
``insert --new``) and no new ``hamnhw pair snapshot``: the snapshot's serial is in no bay of
either node, and ``check pair``, ``pair check`` and the exporter say so (what is stale, what
to run) instead of "no snapshot match" and a silently missing ``hamnhw_pair_active``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from runningsim import RunningSim, placed

RUN_SNAPSHOT = "run `hamnhw pair snapshot` (runbook, Disk replacement step 4)"


def metric(text: str, name: str, node: str) -> float | None:
    """The sample of ``name`` for ``node`` in an exposition (None: absent)."""
    found = re.search(rf'^{name}\{{node="{node}"\}} (\S+)$', text, re.MULTILINE)
    return float(found[1]) if found else None


def export(sim: RunningSim, where: Path) -> tuple[str, str]:
    """``hamnhw exporter --textfile``: the exposition and stderr."""
    where.mkdir(exist_ok=True)
    done = sim.text("exporter", "--textfile", str(where))
    assert done.returncode == 0, done.stderr
    return (where / "hamnhw.prom").read_text(), done.stderr


def snapshot_check(sim: RunningSim) -> tuple[int, dict[str, object]]:
    """``pair check``'s exit code and its ``snapshot`` check."""
    code, report = sim.run("pair", "check")
    (found,) = [c for c in report["checks"] if c["name"] == "snapshot"]
    return code, found


@pytest.mark.timeout(180)
def test_a_disk_replaced_without_a_new_snapshot_is_named_everywhere(
        running: RunningSim, tmp_path: Path) -> None:
    assert running.run("pair", "snapshot")[0] == 0
    code, check = snapshot_check(running)
    assert (code, check["status"]) == (0, "pass"), check
    old = placed(running)["primary"]["Bay 2"]
    assert running.run("sim", "pull", old)[0] == 0
    code, out = running.run("sim", "insert", "--new", "--to", "primary", "--bay", "2")
    assert code == 0, out

    nagios = running.text("check", "pair", "--format", "nagios")
    status = nagios.stdout.splitlines()[0]
    stale = f"pair snapshot stale: its RAID1 serial(s) {old} no longer in any bay of either node"
    assert status.startswith("PAIR WARNING - ") and stale in status, nagios.stdout
    assert RUN_SNAPSHOT in status
    assert "no snapshot match" not in nagios.stdout
    assert (f"active node unknown (no journal, pair snapshot stale: {old} in no bay, no [pair] "
            "active)") in nagios.stdout
    assert any(line.startswith(f"WARNING: {stale}") for line in nagios.stdout.splitlines())

    code, check = snapshot_check(running)
    assert code == 5 and check["status"] == "fail", check
    assert str(check["message"]).startswith(stale) and RUN_SNAPSHOT in str(check["message"])
    assert check["evidence"]["missing"] == [old]  # type: ignore[index]

    text, stderr = export(running, tmp_path / "stale")
    assert [metric(text, "hamnhw_pair_snapshot_stale", n) for n in ("primary", "standby")] == [
        1.0, 1.0]
    assert metric(text, "hamnhw_pair_active", "primary") is None  # nothing else names it
    assert stale in stderr

    assert running.run("pair", "snapshot")[0] == 0  # the runbook's step 4
    nagios = running.text("check", "pair", "--format", "nagios")
    assert "stale" not in nagios.stdout
    assert "active node primary (from live state" in nagios.stdout.splitlines()[0]
    assert snapshot_check(running)[1]["status"] == "pass"
    text, stderr = export(running, tmp_path / "fresh")
    assert [metric(text, "hamnhw_pair_snapshot_stale", n) for n in ("primary", "standby")] == [
        0.0, 0.0]
    assert metric(text, "hamnhw_pair_active", "primary") == 1.0
    assert "stale" not in stderr
