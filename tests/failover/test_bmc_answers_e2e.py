"""What the coordinator makes of what a BMC answers, through the real ``hamnhw`` command
against a simulated pair (review 6):

* a BMC that answers with an error (credentials rejected, a certificate that does not match
  its pin, 5xx) is never acknowledged away as pulled power cords: nothing is powered on while
  it answers, and a refused login is not tried again;
* a degraded MN RAID1 is reported (preflight warning, a failed health check and a warning after
  the move, classified as ``raid show --check`` does); a failed one refuses the run;
* a target found on before hamnhw's power-on stops the run naming that, not the firmware.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clirun import HAMNHW, hamnhw
from pairsim import PairSim, mn_serials, ready

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
CORDS = "primary power cords pulled"


def primary_variant(sim: PairSim, name: str, key: str, value: str) -> str:
    """A copy of the config whose [primary] table has ``key = "value"``."""
    text = sim.config_path.read_text()
    head, rest = text.split("[standby]", 1)
    head = re.sub(rf'^{key} = ".*"$', f'{key} = "{value}"', head, flags=re.M)
    path = sim.config_path.with_name(name)
    path.write_text(head + "[standby]" + rest)
    return str(path)


def wrong_password(sim: PairSim) -> str:
    bad = sim.config_path.with_name("bad.pw")
    bad.write_text("not-the-password\n")
    os.chmod(bad, 0o600)
    return primary_variant(sim, "bad-password.toml", "password_file", str(bad))


def is_login(record: Any) -> bool:
    return record.method == "POST" and record.path.rstrip("/").endswith(
        "SessionService/Sessions")


def refused_logins(sim: PairSim, name: str) -> int:
    return sum(1 for r in sim[name].requests if is_login(r) and r.status == 401)


def posts_to(sim: PairSim, name: str, since: int = 0) -> list[str]:
    """Every POST and PATCH ``name`` received (from request ``since`` on) but logins: power
    requests, boot overrides, restore policies, identify LEDs."""
    return [f"{r.method} {r.path}" for r in sim[name].requests[since:]
            if r.method in ("POST", "PATCH") and not is_login(r)]


def password_fix(name: str, source: Path) -> str:
    """The remedy for refused credentials, naming the password file configured (review: it
    named only password_file and said the login was tried once, which fits neither basic
    auth nor password_env)."""
    return (f"check [{name}] username and the password hamnhw reads for it (password_file "
            f"{source}; after a password change on the BMC, put the new one there): refused "
            "credentials are not sent again, and refused logins can lock the account")


def waiting_with_disks_moved(sim: PairSim) -> tuple[str, int]:
    """Start the failover, the disks moved: the good config and how many requests the
    standby had received then."""
    config = ready(sim)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10, out
    sim.move_mn_drives("primary", "standby")
    return config, len(sim["standby"].requests)


def test_a_bmc_rejecting_the_login_is_no_pulled_cord(sim_pair: PairSim) -> None:
    """The old node's BMC answers 401 to the login after the move: the run stops naming the
    credentials (no cords acknowledgement asked, none accepted), logging in once per command,
    and nothing is sent to the standby until the credentials are fixed."""
    config, since = waiting_with_disks_moved(sim_pair)
    bad = wrong_password(sim_pair)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", bad)
    assert code == 1 and out["needs"] is None, out
    assert "primary's BMC answers" in out["stop_reason"] and "password_file" in out[
        "stop_reason"]
    assert out["stop_reason"].endswith(  # copy-pasteable: the config given
        f"then `hamnhw failover resume --config {bad} --disks-moved`")
    assert refused_logins(sim_pair, "primary") == 1
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", bad,
                       "--acknowledge", CORDS)  # the review's repro: cords "acknowledged"
    assert code == 1 and out["needs"] is None and out["state"] == "awaiting_disks", out
    assert refused_logins(sim_pair, "primary") == 2  # one per command, none repeated
    assert posts_to(sim_pair, "standby", since) == []
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 0 and out["outcome"] == "done", out


def test_a_bmc_answering_garbage_is_no_pulled_cord(start_pair: Callable[..., PairSim]) -> None:
    """The old node's system answers unusable JSON for the whole power_off_timeout (a 5xx
    likewise: tests/failover/test_gates.py; the transport's own retries of a 5xx make it
    slow here): the stop says it answers with errors, asks for no acknowledgement and
    powers nothing on."""
    sim_pair = start_pair(failover={"power_off_timeout": 1.0})
    config, since = waiting_with_disks_moved(sim_pair)
    sim_pair["primary"].inject("malformed_json", path=SYSTEM, method="GET")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"] is None, out
    assert "answers, with an error" in out["stop_reason"], out
    assert "still answered with errors" in out["stop_reason"]
    assert posts_to(sim_pair, "standby", since) == []
    checks = {c["name"]: c["passed"] for c in out["checks"]}
    assert checks["disks: primary off"] is False


@pytest.mark.parametrize("variant", ["password", "pin"])
def test_start_refuses_an_active_node_whose_bmc_answers_with_an_error(
        sim_pair: PairSim, variant: str) -> None:
    """At start, the running MN's BMC rejects the credentials or its certificate pin: the run
    is refused naming that (nothing touched, no cords asked), with a single login."""
    good = ready(sim_pair)
    config = (wrong_password(sim_pair) if variant == "password" else
              primary_variant(sim_pair, "bad-pin.toml", "pin_fingerprint", "ab" * 32))
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["outcome"] == "refused" and out["needs"] is None, out
    fix = "password_file" if variant == "password" else "pin_fingerprint"
    assert "primary's BMC answers" in out["stop_reason"] and fix in out["stop_reason"]
    assert posts_to(sim_pair, "primary") == [] and posts_to(sim_pair, "standby") == []
    assert sim_pair["primary"].power_state == "On"
    assert refused_logins(sim_pair, "primary") <= 1
    code, out = hamnhw("failover", "start", "--yes", "--config", good)
    assert code == 10, out  # fixed: a new run goes on


def test_a_degraded_mn_raid1_is_reported_not_passed(sim_pair: PairSim) -> None:
    """One MN drive failed: preflight warns before the fence; after the move the MN RAID1's
    health check fails with a warning to rebuild it, as `raid show --check` judges it."""
    config = ready(sim_pair)
    sim_pair.cluster.fail_drive(mn_serials(sim_pair.cluster)[0])
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 10, out
    assert any("MN RAID1 on primary is degraded" in w for w in out["warnings"]), out
    sim_pair.move_mn_drives("primary", "standby")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert out["outcome"] == "done", out
    code, raid = hamnhw("raid", "show", "--check", "standby", "--config", config)
    assert code == 5, raid
    code, status = hamnhw("failover", "status", "--config", config)
    assert status["passed"] is False
    preflight = [c for c in status["checks"] if c["name"] == "preflight: MN RAID1 health"]
    assert [c["verdict"] for c in preflight] == ["WARN"], preflight  # the run went on
    assert any("MN RAID1 on standby is degraded" in w and "rebuild" in w
               for w in status["warnings"]), status
    health = [c for c in status["checks"] if c["name"] == "verify: MN RAID1 health"]
    assert [c["passed"] for c in health] == [False]


def test_a_failed_mn_raid1_is_refused_before_the_fence(sim_pair: PairSim) -> None:
    config = ready(sim_pair)
    for serial in mn_serials(sim_pair.cluster):
        sim_pair.cluster.fail_drive(serial)
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["outcome"] == "refused", out
    assert "MN RAID1 on primary is failed" in out["stop_reason"]
    assert posts_to(sim_pair, "primary") == [] and posts_to(sim_pair, "standby") == []


def test_a_target_found_on_before_its_power_on_is_named_not_the_firmware(
        sim_pair: PairSim) -> None:
    """Someone powers the standby on during the wait for the disks: the resume sends it
    nothing (no override, no power request) and says it was found on."""
    config, since = waiting_with_disks_moved(sim_pair)
    sim_pair["standby"].set_power("On")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"] is None, out
    assert "standby reads on before hamnhw powered it on" in out["stop_reason"]
    assert "firmware" not in out["stop_reason"]
    assert posts_to(sim_pair, "standby", since) == []
    sim_pair["standby"].set_power("Off")
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 0 and out["outcome"] == "done", out
    found_on = [c for c in out["checks"] if c["name"] == "verify: target off before its "
                                                           "power-on"]
    assert [(c["verdict"], c["earlier"]) for c in found_on] == [("resolved", "reads on")]
    assert out["passed"] is True, out  # resolved, not a FAIL of a run that ended done


def status_text(config: str) -> str:
    """``hamnhw failover status`` as a person reads it (no --json)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HAMNHW_", "PYTEST_"))}
    done = subprocess.run([HAMNHW, "failover", "status", "--config", config],
                          capture_output=True, text=True, timeout=120, env=environ,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("variant,answer,fix", [
    ("password", "credentials refused", "password_file"),
    ("pin", "certificate not accepted", "pin_fingerprint"),
    ("pulled", "no answer", "BMC health")])
def test_status_says_what_the_bmc_answered_instead_of_its_power(
        sim_pair: PairSim, variant: str, answer: str, fix: str) -> None:
    """Review: ``failover status`` showed a BMC answering 401 (or any error) as "unreachable
    now" beside the power last read: it says what the BMC answered, told apart as the
    coordinator tells an answer from silence (hamnhw.failover.bmcanswer), and what to fix;
    only a silent BMC (its cords pulled) is "no answer" (a refused connection is an answer:
    tests/failover/test_bmcanswer.py).  Outside review: the power last read is shown as that,
    never as the node's power now (``power`` is null)."""
    config, _ = waiting_with_disks_moved(sim_pair)
    if variant == "pulled":
        sim_pair.pull_cords("primary")
    shown = {"password": lambda: wrong_password(sim_pair), "pulled": lambda: config,
             "pin": lambda: primary_variant(sim_pair, "bad-pin.toml", "pin_fingerprint",
                                            "ab" * 32)}[variant]()
    code, out = hamnhw("failover", "status", "--config", shown)
    assert code == 0, out
    assert out["power"]["primary"] is None, out  # no power state it did not give now
    assert out["power_last"] == {"primary": "off"} and out["power_as_of"]["primary"], out
    found = out["power_answers"]["primary"]
    assert found["answer"] == answer and fix in found["fix"], found
    assert isinstance(found["waited_s"], float), found
    assert "standby" not in out["power_answers"]  # read now
    text = status_text(shown)
    assert "primary off" not in text and "unreachable" not in text, text
    if variant == "pulled":
        assert "primary no answer after " in text and " s (last read off at " in text, text
        return
    assert f"primary not read: its BMC answers: {answer} (last read off at " in text, text
    assert f"primary's BMC now: {answer} (" in text and fix in text, text


def refused_requests(sim: PairSim, name: str, since: int = 0) -> list[str]:
    """Every request but a login that ``name`` answered 401 (from request ``since`` on)."""
    return [f"{r.method} {r.path}" for r in sim[name].requests[since:]
            if r.status == 401 and not is_login(r)]


def test_a_password_rotated_under_basic_auth_is_a_refused_login_not_a_missing_right(
        start_pair: Callable[..., PairSim]) -> None:
    """The old node's BMC (basic auth: no SessionService) accepts the credentials, then its
    password is changed by someone else within the command: the 401 that follows is the
    credentials refused, so the stop names the password source, not the account's rights
    (review: "give the account the right" after a password rotation), and nothing is sent
    with the refused credentials again."""
    sim_pair = start_pair(primary={"session_service": False})
    config, since = waiting_with_disks_moved(sim_pair)
    primary = sim_pair["primary"]
    before = len(primary.requests)
    primary.inject("rotate_password", path=SYSTEM, method="GET", count=1)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"] is None, out
    stop = out["stop_reason"]
    assert "primary's BMC answers" in stop and "credentials rejected (HTTP 401)" in stop, out
    assert password_fix("primary", sim_pair.config_path.with_name("bmc.pw")) in stop, stop
    assert "the right" not in stop and "tried once" not in stop
    assert stop.endswith(f"then `hamnhw failover resume --config {config} --disks-moved`")
    assert refused_requests(sim_pair, "primary", before) == [f"GET {SYSTEM}"]
    assert posts_to(sim_pair, "standby", since) == []


def test_a_refused_reset_into_the_local_disk_is_the_named_stop(
        start_pair: Callable[..., PairSim]) -> None:
    """The standby (basic auth) refuses the reset into its local disk (the power helper's
    cycle, `on_or_cycle`): the run stops naming its BMC's answer and the fix, as every other
    refused power request does, not as a generic failure; the reset was not executed, so the
    resume after the fix sends it (no "resend" confirmation) and the run ends done."""
    sim_pair = start_pair(standby={"session_service": False})
    config, _since = waiting_with_disks_moved(sim_pair)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       env={"HAMNHW_FAILOVER_KILL_AT": "state:boot"})
    assert code == -9, out  # verified, killed as the boot step begins
    standby = sim_pair["standby"]
    standby.inject("rotate_password", path=f"{SYSTEM}/Actions/ComputerSystem.Reset",
                   method="POST", count=1)
    resets = len(sim_pair.reset_posts("standby"))
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 1 and out["needs"] is None and out["state"] == "boot", out
    stop = out["stop_reason"]
    assert "standby's BMC answers, with an error" in stop, out
    assert "credentials rejected" in stop, stop
    assert password_fix("standby", sim_pair.config_path.with_name("bmc.pw")) in stop, stop
    assert "standby cannot be powered on (reset)" in stop
    assert stop.endswith(f"then `hamnhw failover resume --config {config}`")
    assert [status for _type, status in sim_pair.reset_posts("standby")[resets:]] == [401]
    standby.state.spec = dataclasses.replace(standby.state.spec, password=standby.password)
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 0 and out["outcome"] == "done", out


@pytest.mark.parametrize("refused", ["read", "login"])
def test_a_refusal_when_a_killed_power_on_is_read_again_is_the_named_stop(
        start_pair: Callable[..., PairSim], refused: str) -> None:
    """Review: killed right after the reset into the local disk went out, the resume re-reads
    the standby to learn whether it took effect, and its BMC (basic auth) refuses the
    credentials (the password rotated): the run asked to confirm a "resend" of the reset, as
    if the BMC had shown no effect.  A refusal is the named stop, as everywhere else: what the
    BMC answered and the fix, no resend offered, nothing sent; once the password is right the
    resume reads the reset's effect and ends done without sending it again.  A login refused
    by then (``login``) was a bare AuthenticationError (exit 4) without the fix."""
    sim_pair = start_pair(standby={"session_service": False})
    config, _since = waiting_with_disks_moved(sim_pair)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       env={"HAMNHW_FAILOVER_KILL_AT": "boot.reset:sent"})
    assert code == -9, out
    standby = sim_pair["standby"]
    resets = sim_pair.accepted_resets("standby")
    if refused == "read":  # on the last read before the reset is settled (its drive view)
        standby.inject("rotate_password", path=f"{SYSTEM}/Storage/RAIDController1/Volumes/",
                       method="GET", count=1)
    else:
        standby.state.spec = dataclasses.replace(standby.state.spec, password="rotated")
    since = len(standby.requests)
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 1 and out["needs"] is None and out["state"] == "boot", out
    stop = out["stop_reason"]
    assert "standby's BMC answers, with an error" in stop and "credentials rejected" in stop, out
    assert "check [standby] username" in stop and "resend" not in stop, stop
    assert "whether its reset took effect" in stop, stop
    assert stop.endswith(f"then `hamnhw failover resume --config {config}`"), stop
    assert posts_to(sim_pair, "standby", since) == []
    standby.state.spec = dataclasses.replace(standby.state.spec, password=standby.password)
    code, out = hamnhw("failover", "resume", "--config", config)
    assert code == 0 and out["outcome"] == "done", out
    assert sim_pair.accepted_resets("standby") == resets  # the reset was not sent again
