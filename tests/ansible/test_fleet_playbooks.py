"""The collection end to end: ``ansible-playbook`` with forks over 30 simulated BMCs on
loopback, through the ``hamnhw.bmc.nodes`` inventory plugin.

Facts are checked against the simulator's own MACs and serials, power off/on against its
power state, check mode against its request log (no write), and a canary password against
everything Ansible wrote: stdout and stderr at ``-v``, the tree callback's files,
``ANSIBLE_LOG_PATH`` and the jsonfile fact cache.  Half of the nodes get the password as the
module's ``password`` option (no_log) from a vault-encrypted group variable, the other half
from the config's ``[defaults]`` ``password_env``.  The tests run in file order and share the fleet.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ansiblerun import COLLECTION, ansible_env, run, tool, unwrap
from click.testing import CliRunner

from hamnhw.cli.main import cli
from hamnhw.sim import ServerSpec, SimCluster, SimServer

# each test runs a playbook or two over 30 BMCs on a shared 2-core machine
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

CANARY = "Canary-pw-7f3Kq9-zX"  # the BMC password: must appear in nothing Ansible writes
FORKS = "8"
RACK1 = [f"n{i:02d}" for i in range(1, 15)]
FEW = RACK1[:4]
"""Where a second run checks that nothing changes (the suite's time is counted)."""
RACK2 = [f"n{i:02d}" for i in range(15, 29)]
PAIR = ["primary", "standby"]
NODES = RACK1 + RACK2 + PAIR
PLAYBOOKS = Path(__file__).parent / "playbooks"
UNSAFE = {"POST", "PATCH", "PUT", "DELETE"}
RAID1_DRIVES = ["RAIDController1/Bay1", "RAIDController1/Bay2"]
RESET = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset"
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)",
                   re.MULTILINE)


@dataclass
class Fleet:
    """The simulated BMCs, the config and inventory naming them, and every run's output."""

    sim: SimCluster
    root: Path
    inventory: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    def server(self, name: str) -> SimServer:
        return self.sim[name]

    def playbook(self, playbook: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a playbook over the inventory at -v with FORKS forks; keep its output."""
        result = run("ansible-playbook", ["-i", str(self.inventory), "-f", FORKS, "-v",
                                          str(playbook), *args], self.env, cwd=self.root)
        self.outputs += [result.stdout, result.stderr]
        return result

    def writes(self, names: list[str] | None = None) -> list[tuple[str, str, str]]:
        """Writes the BMCs saw since their logs were cleared, sessions aside."""
        return [(server.name, r.method, r.path) for server in self.sim
                if names is None or server.name in names for r in server.requests
                if r.method in UNSAFE and "/SessionService/" not in r.path]

    def clear_requests(self) -> None:
        for server in self.sim:
            server.clear_requests()

    def cached_facts(self, host: str) -> dict[str, Any]:
        """``host``'s facts in the jsonfile fact cache (its file name is the host's after a
        prefix, its facts a JSON text under ``__payload__``: ansible-core 2.19's format)."""
        found = [p for p in (self.root / "facts").iterdir()
                 if p.name == host or p.name.endswith(f"_{host}")]
        assert len(found) == 1, found
        data = json.loads(found[0].read_text())
        facts: dict[str, Any] = json.loads(data["__payload__"]) if "__payload__" in data else data
        return facts

    def tree(self, host: str) -> dict[str, object]:
        """The tree callback's last result of ``host``."""
        data: dict[str, object] = json.loads((self.root / "tree" / host).read_text())
        return data


def recap(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[int, int, int, int]]:
    """PLAY RECAP: host -> (ok, changed, unreachable, failed)."""
    return {m[0]: (int(m[1]), int(m[2]), int(m[3]), int(m[4]))
            for m in RECAP.findall(result.stdout)}


def write_config(path: Path, sim: SimCluster) -> None:
    lines = ["[defaults]", 'username = "admin"', 'password_env = "HAMNHW_IT_PASSWORD"',
             "timeout = 60", ""]
    for name in RACK1 + RACK2:
        lines += [f"[nodes.{name}]", f'bmc = "{sim[name].url}"', ""]
    for name in PAIR:
        lines += [f"[{name}]", f'bmc = "{sim[name].url}"', ""]
    lines += ["[pair]", f'journal_dir = "{path.parent / "journal"}"', ""]
    lines += ["[groups]", f"rack1 = {json.dumps(RACK1)}", f"rack2 = {json.dumps(RACK2)}", ""]
    path.write_text("\n".join(lines))


def write_vaulted_password(path: Path, env: dict[str, str]) -> None:
    """``bmc_password`` (the canary) for the group, vault-encrypted as it would be kept."""
    result = subprocess.run([tool("ansible-vault"), "encrypt_string", "--stdin-name",
                             "bmc_password"], input=CANARY, env=env, text=True,
                            capture_output=True, timeout=60, check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.stdout)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("fleet")
    # the primary's RAID1 is made by the raid1_pair playbook; the standby's bays are free for
    # its disks (a pair check rule)
    specs = [ServerSpec(name=name, password=CANARY, raid1=name != "primary",
                        drives=() if name == "standby" else None) for name in NODES]
    with SimCluster(specs) as sim:
        write_config(root / "hamnhw.toml", sim)
        inventory = root / "fleet.hamnhw.yml"
        inventory.write_text("plugin: hamnhw.bmc.nodes\nconfig: hamnhw.toml\n")
        (root / "vault-pass").write_text("vault-test-key-not-a-secret\n")
        env = ansible_env(root / "home", {
            "HAMNHW_IT_PASSWORD": CANARY,
            "ANSIBLE_VAULT_PASSWORD_FILE": str(root / "vault-pass"),
            "ANSIBLE_LOG_PATH": str(root / "ansible.log"),
            "ANSIBLE_CACHE_PLUGIN": "jsonfile",
            "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(root / "facts"),
            "ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.tree",
            "ANSIBLE_CALLBACK_TREE_DIR": str(root / "tree"),
        })
        write_vaulted_password(root / "group_vars" / "rack2.yml", env)
        (root / "host_vars").mkdir()
        (root / "host_vars" / "primary.yml").write_text(
            f"raid1_drives: {json.dumps(RAID1_DRIVES)}\nraid1_name: mn-os\n")
        yield Fleet(sim, root, inventory, env)


def test_inventory_plugin_makes_hosts_and_groups(fleet: Fleet) -> None:
    result = run("ansible-inventory", ["-i", str(fleet.inventory), "--list"], fleet.env)
    assert result.returncode == 0, result.stderr
    listed: dict[str, Any] = unwrap(json.loads(result.stdout))  # type: ignore[assignment]
    hostvars = listed["_meta"]["hostvars"]
    assert sorted(hostvars) == sorted(NODES)
    for name in NODES:
        assert hostvars[name]["ansible_connection"] == "local"
        assert hostvars[name]["hamnhw_node"] == name
        assert hostvars[name]["hamnhw_bmc"] == fleet.server(name).url
        assert Path(hostvars[name]["ansible_python_interpreter"]).exists()
    assert listed["rack1"]["hosts"] == RACK1
    assert listed["rack2"]["hosts"] == RACK2
    assert listed["hamnhw_pair"]["hosts"] == PAIR


def installed_play(fleet: Fleet, name: str) -> Path:
    """The collection's playbook ``name`` copied away from the source tree (as an installed
    collection's is, elsewhere than the directory ansible-playbook runs in)."""
    where = fleet.root / "installed" / "playbooks"
    where.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(COLLECTION / "playbooks" / name, where))


def test_facts_and_the_mac_csv_match_the_simulator(fleet: Fleet) -> None:
    """README's ``-e mac_csv=mac.csv`` writes mac.csv where ansible-playbook runs, not
    beside the (installed) playbook, where the local connection runs its tasks."""
    play = installed_play(fleet, "collect_macs.yml")
    result = fleet.playbook(play, "-e", "mac_csv=mac.csv")   # run in fleet.root
    assert result.returncode == 0, result.stdout[-3000:]
    assert not (play.parent / "mac.csv").exists()
    csv_path = fleet.root / "mac.csv"
    assert set(recap(result)) == set(NODES)
    with csv_path.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["#node", "interface", "mac", "comments", "disable"]
    by_node = {row[0]: row for row in rows[1:]}
    assert sorted(by_node) == sorted(NODES)
    for name in NODES:
        spec = fleet.server(name).spec
        assert by_node[name][2].split("|") == [nic.mac for nic in spec.nics]
        cached = fleet.cached_facts(name)["hamnhw"]
        serials = sorted(d["serial"] for d in cached["drives"])
        assert serials == sorted(d.serial for d in fleet.server(name).drives)
        assert cached["system"]["power_state"] in ("on", "off")
        assert cached["incomplete"] is False
        # collect_macs asks for no RAID health: the driver was not asked to classify
        assert all(v["raid_state"] is None for v in cached["health"]["volumes"].values())
        assert [n["mac"] for n in cached["bmc_nics"]] == [spec.bmc_mac]


def test_check_mode_sends_no_write(fleet: Fleet) -> None:
    """One run in check mode (power off, boot, restore policy planned; the plan asserted in
    the play), then one applying the settings twice: only the first round writes."""
    for server in fleet.sim:
        server.set_power("On")
    fleet.clear_requests()
    checked = fleet.playbook(PLAYBOOKS / "check_mode.yml", "--check", "-l", "rack2")
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert {host: counts[1] for host, counts in recap(checked).items()} == \
        dict.fromkeys(RACK2, 3)
    assert fleet.writes() == []
    assert all(s.power_state == "On" for s in fleet.sim)
    planned = fleet.tree("n15")     # the last task: the restore policy, in check mode
    assert planned["restore_policy"] == "AlwaysOff"          # as read: nothing was sent
    assert isinstance(planned["plan"], dict) and planned["plan"]["changed"] is True
    applied = fleet.playbook(PLAYBOOKS / "settings_twice.yml", "-l", ",".join(FEW))
    assert applied.returncode == 0, applied.stdout[-3000:]
    assert {host: counts[1] for host, counts in recap(applied).items()} == dict.fromkeys(FEW, 2)
    assert {name for name, _, _ in fleet.writes()} == set(FEW)
    assert [fleet.server(n).state.boot_target for n in FEW] == ["Pxe"] * len(FEW)
    assert {fleet.server(n).state.restore_policy for n in FEW} == {"AlwaysOn"}


def test_power_off_then_on_is_confirmed_and_idempotent(fleet: Fleet) -> None:
    """Off (confirmed, read back), off again (unchanged) and on, in one run over a rack; the
    play asserts each step, the simulator the end state and the writes."""
    for server in fleet.sim:
        server.set_power("On")
    fleet.clear_requests()
    result = fleet.playbook(PLAYBOOKS / "off_then_on.yml", "-l", "rack1")
    assert result.returncode == 0, result.stdout[-3000:]
    assert {host: counts[1] for host, counts in recap(result).items()} == \
        dict.fromkeys(RACK1, 2)
    assert {n: fleet.server(n).power_state for n in RACK1} == dict.fromkeys(RACK1, "On")
    resets = [(name, path) for name, _, path in fleet.writes() if path.endswith(".Reset")]
    assert sorted(resets) == sorted((n, RESET) for n in RACK1 for _ in range(2))
    last = fleet.tree("n01")
    assert (last["power_state"], last["confirmed"], last["changed"]) == ("on", True, True)


def test_raid1_on_the_pair_checked_then_created_once(fleet: Fleet) -> None:
    play = COLLECTION / "playbooks" / "raid1_pair.yml"
    fleet.clear_requests()
    checked = fleet.playbook(play, "--check")
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert recap(checked)["primary"][1] == 1
    planned = fleet.tree("primary")      # the create's plan (the read-back tasks skip in check)
    assert planned["operation"] == "create" and planned["changed"] is True
    assert fleet.writes(PAIR) == []
    created = fleet.playbook(play)
    assert created.returncode == 0, created.stdout[-3000:]
    assert recap(created)["primary"][1] == 1
    posts = fleet.writes(PAIR)
    assert [(name, method) for name, method, _ in posts] == [("primary", "POST")]
    assert planned["requests"][0]["path"] == posts[0][2]            # type: ignore[index]
    fleet.clear_requests()
    again = fleet.playbook(play)
    assert again.returncode == 0, again.stdout[-3000:]
    assert recap(again)["primary"][1] == 0
    assert fleet.writes(PAIR) == []


def read_report(path: Path) -> dict[str, list[dict[str, str]]]:
    """The RAID health CSV's rows by node."""
    with path.open() as handle:
        rows: dict[str, list[dict[str, str]]] = {}
        for row in csv.DictReader(handle):
            rows.setdefault(row["node"], []).append(row)
        return rows


def assert_msg(result: subprocess.CompletedProcess[str]) -> str:
    """The final assert's message (it failed: the play's exit is not 0)."""
    assert result.returncode != 0, result.stdout[-3000:]
    assert "every volume is optimal" not in result.stdout
    found = re.findall(r'"msg": "(.*)"', result.stdout)
    assert found, result.stdout[-3000:]
    return found[-1]


def test_raid_health_report(fleet: Fleet) -> None:
    """Over the whole fleet the standby (its bays empty) has no volume: its row says so and
    the play fails naming it, never saying "every volume is optimal"; three nodes with
    their volumes optimal pass; then a failed member makes its volume degraded."""
    report = fleet.root / "raid.csv"
    play = installed_play(fleet, "raid_health_report.yml")
    result = fleet.playbook(play, "-e", "report_csv=raid.csv")   # relative: where it runs
    assert assert_msg(result) == "standby: no RAID volume"
    assert not (play.parent / "raid.csv").exists()
    rows = read_report(report)
    with_volumes = [s.name for s in fleet.sim
                    if fleet.sim.bays.volumes_on({d.serial for d in s.drives})]
    assert sorted(with_volumes) == sorted(set(NODES) - {"standby"})
    assert sorted(rows) == sorted(NODES)
    assert [(r["raid_state"], r["volume"], r["error"]) for r in rows.pop("standby")] == [
        ("no volume", "", "no RAID volume")]
    assert {(r["raid_type"], r["health"], r["raid_state"], r["error"])
            for node_rows in rows.values() for r in node_rows} == {("RAID1", "OK", "optimal", "")}
    healthy = fleet.playbook(play, "-e", f"report_csv={report}", "-l", "n19,n20,n21")
    assert healthy.returncode == 0, healthy.stdout[-3000:]
    assert '"msg": "every volume is optimal (3 node(s) read)"' in healthy.stdout
    fleet.server("n20").fail_drive(fleet.server("n20").drives[1].serial)
    degraded = fleet.playbook(play, "-e", f"report_csv={report}", "-l", "n19,n20,n21")
    assert re.fullmatch(r"volumes not optimal: n20 RAIDController1/Volume\d+",
                        assert_msg(degraded))
    states = {node: r["raid_state"] for node, (r,) in read_report(report).items()}
    assert states == {"n19": "optimal", "n20": "degraded", "n21": "optimal"}


def test_raid_health_report_names_nodes_without_volume_or_answer(fleet: Fleet) -> None:
    """n19's volume deleted (`hamnhw raid delete`), n21's BMC hung: each has its row (no
    volume; unreadable, with the typed error; never its facts from the cache of an earlier
    run) and the play fails naming them beside n20's degraded volume."""
    report = fleet.root / "raid.csv"
    play = installed_play(fleet, "raid_health_report.yml")
    (volume,) = [r["volume"] for r in read_report(report)["n19"]]
    deleted = CliRunner().invoke(cli, ["raid", "delete", "n19", volume, "--yes", "--config",
                                       str(fleet.root / "hamnhw.toml")],
                                 env={"HAMNHW_IT_PASSWORD": CANARY}, catch_exceptions=False)
    assert deleted.exit_code == 0, deleted.output
    fleet.server("n21").inject("hang")
    try:
        result = fleet.playbook(play, "-e", f"report_csv={report}", "-e",
                                "target=n19,n20,n21", "-e", "hamnhw_timeout=4")
    finally:
        fleet.server("n21").clear_faults()
    message = assert_msg(result)
    rows = read_report(report)
    assert sorted(rows) == ["n19", "n20", "n21"]
    assert [(r["raid_state"], r["error"]) for r in rows["n19"]] == [
        ("no volume", "no RAID volume")]
    assert [r["raid_state"] for r in rows["n20"]] == ["degraded"]
    ((state, error),) = [(r["raid_state"], r["error"]) for r in rows["n21"]]
    assert state == "unreadable" and error.startswith("BmcUnreachable: "), error
    assert "never sent an HTTP answer" in error
    parts = message.split("; ")
    assert re.fullmatch(r"volumes not optimal: n20 RAIDController1/Volume\d+", parts[0])
    assert parts[1] == "n19: no RAID volume"
    assert parts[2].startswith("n21: not read (BmcUnreachable: "), parts


def test_pair_preflight_passes_and_a_failed_check_fails_the_play(fleet: Fleet) -> None:
    play = COLLECTION / "playbooks" / "pair_preflight.yml"
    fleet.clear_requests()
    passed = fleet.playbook(play)
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert recap(passed)["primary"][3] == 0
    assert recap(passed)["primary"][1] == 0           # a read: nothing changed
    assert '"run_id": null' in passed.stdout          # the journal's last run: none yet
    failed = fleet.playbook(play, "-e", "pair_active=standby")   # no RAID1 on the standby
    assert failed.returncode != 0
    assert "pair check failed: raid1" in failed.stdout
    assert fleet.writes(PAIR) == []


def test_a_failing_bmc_fails_its_task_only(fleet: Fleet) -> None:
    """A wrong password on one node: its task fails with the typed error and exit-code name,
    the others go on."""
    bad = fleet.root / "bad_password.yml"
    bad.write_text("bmc_password: not-the-password\n")
    result = fleet.playbook(PLAYBOOKS / "power.yml", "-e", "power_state=status",
                            "-l", "n01,n02", "-e", "@" + str(bad), "-e", "target=n01")
    assert recap(result)["n01"][3] == 1
    error = fleet.tree("n01")["error"]
    assert isinstance(error, dict)
    assert (error["type"], error["exit_code_name"], error["exit_code"]) == (
        "AuthenticationError", "AUTH", 4)


def test_the_canary_password_is_nowhere(fleet: Fleet) -> None:
    assert fleet.outputs, "no playbook ran"
    places = {f"run output {i}": text for i, text in enumerate(fleet.outputs)}
    for path in (fleet.root / "ansible.log", *(fleet.root / "tree").iterdir(),
                 *(fleet.root / "facts").iterdir()):
        places[str(path)] = path.read_text()
    assert (fleet.root / "ansible.log").stat().st_size > 0
    assert len(list((fleet.root / "facts").iterdir())) >= len(NODES)
    leaked = [where for where, text in places.items() if CANARY in text]
    assert leaked == []


def test_no_session_is_left_open(fleet: Fleet) -> None:
    """Every module logged out: after all the runs above, no BMC holds a session."""
    assert fleet.outputs, "no playbook ran"
    assert {s.name: len(s.state.sessions) for s in fleet.sim if s.state.sessions} == {}
