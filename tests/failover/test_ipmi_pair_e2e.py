"""Follow-up B: a pair whose nodes are reached over IPMI only (``ipmi://``, the simulator
served by ``IpmiSim``): the expected serials come from ``[primary] drive_serials`` (IPMI
cannot read drives), the verification is the operator typing the serials read on the moved
disks, reported "unverified (IPMI only)", and a mismatch stops the run."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import hamnhw
from doubles import OperatorDouble
from pairsim import FAILOVER_KEYS, mn_serials, pair_specs, toml_value
from runs import Crash, crash_at

from hamnhw.config import load_config
from hamnhw.failover import Coordinator
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import SimCluster
from hamnhw.sim.ipmi import IpmiSim

pytestmark = pytest.mark.e2e


QUICK_PACING = {"HAMNHW_IPMI_PACING_S": "0"}
"""No pacing between IPMI commands: this process's (the fixture) and the command line's
(``clirun.hamnhw`` passes no HAMNHW_ variable of this process on: given to each call)."""


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in QUICK_PACING.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def ipmi_pairs(tmp_path: Path) -> Iterator[Callable[..., tuple[SimCluster, Path]]]:
    """``ipmi_pairs(boot_mode="UEFI", standby={...})``: a pair served over IPMI and its
    config (each node table sets ``boot_mode`` unless it is None; ``standby`` overrides the
    standby's spec).  The IPMI endpoints are kept in ``SERVED[cluster]``."""
    with contextlib.ExitStack() as stack:
        def make(boot_mode: str | None = "UEFI",
                 standby: dict[str, Any] | None = None) -> tuple[SimCluster, Path]:
            cluster = stack.enter_context(SimCluster(pair_specs(standby=standby or {})))
            ipmi = stack.enter_context(IpmiSim(cluster))
            SERVED[id(cluster)] = ipmi
            return cluster, write_ipmi_config(tmp_path, cluster, ipmi, boot_mode)
        yield make


SERVED: dict[int, IpmiSim] = {}
"""The IPMI endpoints of each cluster the fixture started (by ``id``)."""


def controls(cluster: SimCluster, name: str) -> list[str]:
    """The chassis controls ``name``'s simulated BMC applied, as ResetTypes, in order."""
    return SERVED[id(cluster)][name].bridge.accepted


@pytest.fixture
def ipmi_pair(ipmi_pairs) -> tuple[SimCluster, Path]:
    return ipmi_pairs()


def write_ipmi_config(tmp_path: Path, cluster: SimCluster, ipmi: IpmiSim,
                      boot_mode: str | None) -> Path:
    pw = tmp_path / "bmc.pw"
    pw.write_text(cluster["primary"].password + "\n")
    os.chmod(pw, 0o600)
    serials = toml_value(list(mn_serials(cluster)))
    mode = "" if boot_mode is None else f'boot_mode = "{boot_mode}"\n'
    tables = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
    for name in ("primary", "standby"):
        extra = f"drive_serials = {serials}\n" if name == "primary" else ""
        tables.append(f'[{name}]\nbmc = "{ipmi[name].url}"\nusername = "admin"\n'
                      f'password_file = "{pw}"\ntimeout = 20\n{mode}{extra}')
    keys = {**FAILOVER_KEYS, "poll_interval": 0.1, "power_off_timeout": 5.0,
            "post_timeout": 5.0, "boot_timeout": 8.0}
    tables.append("[failover]\n" + "".join(f"{k} = {toml_value(v)}\n"
                                           for k, v in keys.items()))
    config = tmp_path / "hamnhw.toml"
    config.write_text("\n".join(tables))
    return config


def start(cluster: SimCluster, config: Path, operator: OperatorDouble):
    loaded = load_config(config)
    take_snapshot(loaded)
    with open_journal(loaded) as journal:
        journal.set_active_node("primary", "test setup")
    return Coordinator(loaded, operator=operator).start(yes=True)


def mover(cluster: SimCluster):
    return lambda _order: [cluster.move_drive(s, "primary", "standby")
                           for s in mn_serials(cluster)]


@pytest.mark.timeout(180)
def test_ipmi_only_pair_fails_over_on_the_serials_the_operator_reads(ipmi_pair) -> None:
    cluster, config = ipmi_pair
    operator = OperatorDouble(mover(cluster))
    report = start(cluster, config, operator)
    assert report.outcome == "waiting" and report.needs["kind"] == "serials", report.text()
    assert [d["serial"] for d in report.work_order["drives"]] == list(mn_serials(cluster))
    operator.serials = tuple(s.lower() for s in mn_serials(cluster))  # case is ignored
    report = Coordinator(load_config(config), operator=operator).resume()
    assert report.outcome == "done", report.text()
    checks = {c["name"]: c for c in report.checks}
    assert checks["verify: fresh POST"] | {"at": None} == {
        "name": "verify: fresh POST", "passed": None, "detail": "unverified (IPMI only)",
        "verdict": "unverified", "at": None}
    assert "unverified (IPMI only)" in checks["verify: MN drives in the target"]["detail"]
    assert checks["preflight: MN drives in the old node"]["passed"] is None
    assert_booted_off_then_on(cluster, report)
    assert cluster["standby"].state.restore_policy == "AlwaysOn"
    assert cluster["primary"].state.restore_policy == "AlwaysOff"


def assert_booted_off_then_on(cluster: SimCluster, report) -> None:
    """IPMI shows no reset (no reset time, no BootProgress; chassis status reads on while a
    power cycle still powers down): the boot is a power-off confirmed Off, then a power-on
    read On steadily, and a done run leaves the standby On, as its report says."""
    assert cluster["primary"].power_state == "Off"
    assert cluster["standby"].power_state == "On"
    assert report.power == {"primary": "off", "standby": "on"}, report.text()
    assert controls(cluster, "standby") == ["On", "ForceOff", "On"]
    assert "power: primary off, standby on" in report.text()
    checks = {c["name"]: c for c in report.checks}
    assert checks["boot: standby on"]["passed"] is True
    assert checks["boot-after: primary off"]["passed"] is True


@pytest.mark.timeout(180)
def test_ipmi_run_is_done_only_once_a_slow_standby_reads_on_steadily(ipmi_pairs) -> None:
    """A standby whose power changes take 1.5 s (10 polls): a power cycle would read "on"
    over IPMI for all its powering-down, and a run believing that ended with the standby
    still cycling and a report saying it was off."""
    cluster, config = ipmi_pairs(standby={"power_delay": 1.5})
    report = start(cluster, config, OperatorDouble(mover(cluster), serials=mn_serials(cluster)))
    assert report.outcome == "done", report.text()
    assert_booted_off_then_on(cluster, report)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("point", ["boot.power_off:sent", "boot.power_on:intent",
                                   "boot.power_on:sent", "boot.power_on:outcome"])
def test_ipmi_boot_killed_at_a_power_action_resumes_without_acting_twice(
        ipmi_pair, monkeypatch, point) -> None:
    """Killed around the boot's power-off or power-on: the journal holds the intent, the
    resume re-reads the BMC, and no chassis control is sent twice (a power-on whose intent
    shows no effect is re-sent only after the typed confirmation)."""
    cluster, config = ipmi_pair
    operator = OperatorDouble(mover(cluster), serials=mn_serials(cluster),
                              types=["resend power_on to standby"])
    crash_at(monkeypatch, point)
    with pytest.raises(Crash):
        start(cluster, config, operator)
    report = Coordinator(load_config(config), operator=operator).resume()
    assert report.outcome == "done", report.text()
    assert_booted_off_then_on(cluster, report)
    confirmations = operator.asked_for("resend_power_on")
    assert len(confirmations) == (1 if point == "boot.power_on:intent" else 0)


@pytest.mark.timeout(180)
def test_ipmi_only_pair_stops_on_a_serial_that_is_not_the_mn(ipmi_pair) -> None:
    cluster, config = ipmi_pair
    operator = OperatorDouble(mover(cluster), serials=("WRONG1",))
    report = start(cluster, config, operator)
    assert report.outcome == "stopped" and "WRONG1" in report.stop_reason, report.text()
    assert report.state == "awaiting_disks"
    assert cluster["standby"].power_state == "Off"


@pytest.mark.timeout(180)
def test_ipmi_only_pair_refuses_a_host_with_a_bmc_mac_of_the_pair(ipmi_pair, tmp_path: Path,
                                                                   monkeypatch) -> None:
    """The local-MAC refusal uses what IPMI shows: here the BMC's own LAN MAC."""
    cluster, config = ipmi_pair
    fake = tmp_path / "net" / "eth0"
    fake.mkdir(parents=True)
    (fake / "address").write_text(cluster["standby"].spec.bmc_mac + "\n")
    monkeypatch.setattr("hamnhw.failover.hostcheck.SYS_NET", tmp_path / "net")
    report = start(cluster, config, OperatorDouble(mover(cluster)))
    assert report.outcome == "refused" and "third host" in report.stop_reason, report.text()
    assert cluster["primary"].power_state == "On"


@pytest.mark.timeout(180)
def test_ipmi_target_without_a_boot_mode_is_refused_at_preflight(ipmi_pairs) -> None:
    """IPMI cannot read a boot mode and the one-time overrides need one: a target whose
    config table has no ``boot_mode`` (and no snapshot recorded one) is refused by
    preflight, naming the node and the key, with the primary still on and nothing sent."""
    cluster, config = ipmi_pairs(boot_mode=None)
    loaded = load_config(config)
    take_snapshot(loaded)
    with open_journal(loaded) as journal:
        journal.set_active_node("primary", "test setup")
    code, out = hamnhw("failover", "start", "--yes", "--config", str(config), env=QUICK_PACING)
    assert code == 1, out
    assert out["outcome"] == "refused" and out["state"] == "refused", out
    assert "[standby] boot_mode" in out["stop_reason"], out
    assert cluster["primary"].power_state == "On"
    assert cluster["standby"].power_state == "Off"
    assert cluster["primary"].state.restore_policy == "AlwaysOn"
    code, out = hamnhw("failover", "start", "--yes", "--dry-run", "--config", str(config),
                       env=QUICK_PACING)
    assert code == 1 and "[standby] boot_mode" in out["stop_reason"], out


@pytest.mark.timeout(180)
@pytest.mark.parametrize("boot_mode", [None, "Legacy"])
def test_pair_check_fails_an_ipmi_node_without_a_boot_mode(ipmi_pairs, boot_mode) -> None:
    """``hamnhw pair check`` says the same before any failover: exit 5 naming each node and
    its config key when no boot mode is known, a pass when the config gives one."""
    _cluster, config = ipmi_pairs(boot_mode=boot_mode)
    code, out = hamnhw("pair", "check", "--config", str(config), env=QUICK_PACING)
    check = next(c for c in out["checks"] if c["name"] == "ipmi_boot_mode")
    if boot_mode is None:
        assert code == 5 and check["status"] == "fail", out
        assert "[primary] boot_mode, [standby] boot_mode" in check["message"]
    else:
        assert check["status"] == "pass", out
        assert check["evidence"] == {"primary": "Legacy", "standby": "Legacy"}


@pytest.mark.timeout(180)
def test_a_standby_account_without_the_operator_privilege_is_named_not_its_password(
        ipmi_pair) -> None:
    """The standby's IPMI account has the user privilege level only: its power-on into
    setup is answered 0xD4 (insufficient privilege).  The credentials were accepted, so the
    stop names the account and the level it needs, never the password (review: it said to
    check [standby] username and password_file, the login "tried once")."""
    cluster, config = ipmi_pair
    loaded = load_config(config)
    take_snapshot(loaded)
    with open_journal(loaded) as journal:
        journal.set_active_node("primary", "test setup")
    code, out = hamnhw("failover", "start", "--yes", "--config", str(config), env=QUICK_PACING)
    assert code == 10 and out["state"] == "awaiting_disks", out
    mover(cluster)(None)
    SERVED[id(cluster)]["standby"].bridge.user_only = True
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", str(config),
                       env=QUICK_PACING)
    assert code == 1 and out["needs"] is None and out["state"] == "verify", out
    stop = out["stop_reason"]
    assert "user 'admin' lacks the privilege" in stop, stop
    assert "give the account 'admin' the IPMI privilege level operator on standby's BMC" in stop
    assert "password" not in stop, stop
    assert controls(cluster, "standby") == [] and cluster["standby"].power_state == "Off"
