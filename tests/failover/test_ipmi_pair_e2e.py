"""Follow-up B: a pair whose nodes are reached over IPMI only (``ipmi://``, the simulator
served by ``IpmiSim``): the expected serials come from ``[primary] drive_serials`` (IPMI
cannot read drives), the verification is the operator typing the serials read on the moved
disks, reported "unverified (IPMI only)", and a mismatch stops the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from doubles import OperatorDouble
from pairsim import FAILOVER_KEYS, mn_serials, pair_specs, toml_value

from hamnhw.config import load_config
from hamnhw.failover import Coordinator
from hamnhw.pair import open_journal
from hamnhw.pair.snapshot import take_snapshot
from hamnhw.sim import SimCluster
from hamnhw.sim.ipmi import IpmiSim

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def quick_pacing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAMNHW_IPMI_PACING_S", "0")


@pytest.fixture
def ipmi_pair(tmp_path: Path) -> Iterator[tuple[SimCluster, Path]]:
    with SimCluster(pair_specs()) as cluster, IpmiSim(cluster) as ipmi:
        pw = tmp_path / "bmc.pw"
        pw.write_text(cluster["primary"].password + "\n")
        os.chmod(pw, 0o600)
        serials = toml_value(list(mn_serials(cluster)))
        tables = [f'[pair]\nname = "mn"\njournal_dir = "{tmp_path / "journal"}"\n']
        for name in ("primary", "standby"):
            extra = f"drive_serials = {serials}\n" if name == "primary" else ""
            tables.append(f'[{name}]\nbmc = "{ipmi[name].url}"\nusername = "admin"\n'
                          f'password_file = "{pw}"\ntimeout = 20\nboot_mode = "UEFI"\n{extra}')
        keys = {**FAILOVER_KEYS, "poll_interval": 0.1, "power_off_timeout": 5.0,
                "post_timeout": 5.0, "boot_timeout": 8.0}
        tables.append("[failover]\n" + "".join(f"{k} = {toml_value(v)}\n"
                                               for k, v in keys.items()))
        config = tmp_path / "hamnhw.toml"
        config.write_text("\n".join(tables))
        yield cluster, config


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
    assert checks["verify: fresh POST"] == {"name": "verify: fresh POST", "passed": None,
                                            "detail": "unverified (IPMI only)"}
    assert "unverified (IPMI only)" in checks["verify: MN drives in the target"]["detail"]
    assert checks["preflight: MN drives in the old node"]["passed"] is None
    assert cluster["primary"].power_state == "Off" and cluster["standby"].power_state == "On"
    assert cluster["standby"].state.restore_policy == "AlwaysOn"
    assert cluster["primary"].state.restore_policy == "AlwaysOff"


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
