"""Only silence stands for pulled power cords (outside review), through the real ``hamnhw``
command against a simulated pair:

* a BMC that refuses connections (its web server down: the simulator stopped) answers:
  the failover stops naming its address, and "power cords pulled" typed anyway does not get
  past it; nothing is powered on;
* a BMC that accepts a new connection and then sends nothing (a hung web server) answers
  too;
* pulled cords (``SimServer.pull_cords``: new connections time out, nothing is refused) are
  silence: the acknowledgement is asked for and taken, and stands for the later silences;
* a request on a connection opened earlier left unanswered decides nothing by itself: the
  read on a new connection (its connect timing out) makes it silence.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from clirun import hamnhw
from pairsim import SILENT_NODE, PairSim
from runs import ready

pytestmark = pytest.mark.e2e

SYSTEM = "/redfish/v1/Systems/1"
CORDS = "primary power cords pulled"
ANSWERING_THEN_SILENT = {"connect_timeout": 1.0, "read_timeout": 1.0, "timeout": 2.5}
"""The primary's limits where it answers, then falls silent within one command (a connect
timeout of 1 s, the shortest that counts as silence; a TLS handshake fits in it)."""


def address(sim: PairSim, name: str = "primary") -> str:
    return str(sim[name].url.split("://", 1)[1])


def started(sim: PairSim) -> str:
    """The pair made ready (in this process: not what is tested) and ``failover start``
    run: waiting for the disks; the config."""
    ready(sim)
    code, out = hamnhw("failover", "start", "--yes", "--config", str(sim.config_path))
    assert code == 10, out
    return str(sim.config_path)


def test_a_bmc_refusing_connections_at_the_fence_is_no_pulled_cord(
        start_pair: Callable[..., PairSim]) -> None:
    """The fence stopped for the acknowledgement (the cords pulled), then the BMC refuses
    connections (it came back with its web server down): the resume with the phrase typed
    stops naming the address and what it did, asks nothing, and nothing is powered on."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = str(sim.config_path)
    ready(sim)
    sim.pull_cords("primary")
    code, out = hamnhw("failover", "start", "--yes", "--config", config)
    assert code == 1 and out["needs"]["situation"] == "fence:unreachable", out
    at = address(sim)
    sim["primary"].stop()  # refuses: something answers at its address
    code, out = hamnhw("failover", "resume", "--config", config, "--acknowledge", CORDS)
    assert code == 1 and out["needs"] is None and out["state"] == "fence", out
    reason = out["stop_reason"]
    assert f"primary's BMC refuses connections: something at {at} answers" in reason, reason
    assert "web server is down, or a firewall rejecting" in reason
    assert "an acknowledgement does not override that" in reason
    assert "firewall between this host and it" in reason
    assert sim.accepted_resets("standby") == [] and sim.accepted_resets("primary") == []


def test_after_the_move_only_the_silence_of_pulled_cords_takes_the_acknowledgement(
        start_pair: Callable[..., PairSim]) -> None:
    """After the move, the old node's BMC:

    1. accepts each new connection and answers nothing (every request hangs): a stop naming
       that, the phrase typed anyway; nothing powered on;
    2. has its cords pulled as a read of its system arrives on the connection the command
       opened: that read gets no answer, the next connects anew and times out: silence,
       the phrase is asked for;
    3. typed, the phrase is taken, and stands for the next checks of the old node, its BMC
       silent at each: the run is done.
    """
    sim = start_pair(failover={"power_off_timeout": 1.0})
    config = started(sim)
    sim.move_mn_drives("primary", "standby")
    sim.configure({"primary": ANSWERING_THEN_SILENT})
    primary = sim["primary"]
    primary.inject("hang")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 1 and out["needs"] is None and out["state"] == "awaiting_disks", out
    reason = out["stop_reason"]
    assert f"accepts connections at {address(sim)} but sends no answer" in reason, reason
    assert "still answered at the connection level" in reason
    assert {c["name"]: c["passed"] for c in out["checks"]}["disks: primary off"] is False

    primary.clear_faults()
    before = len(primary.requests)
    primary.inject("pull_cords", path=SYSTEM, method="GET", answered=1)
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and out["needs"]["kind"] == "cords_pulled", out
    assert out["needs"]["situation"].startswith("disks.") and primary.cords.pulled
    seen = primary.requests[before:]
    assert [(r.method, r.path, r.status) for r in seen][-1] == ("GET", SYSTEM, None)
    assert [r.status for r in seen[:-1]] and all(r.status for r in seen[:-1])
    check = {c["name"]: c for c in out["checks"]}["disks: primary off"]
    assert check["passed"] is None, check  # the read on a new connection: its connect timed out
    assert check["detail"] == "BMC silent (no connection, no route)"
    assert "retrying" not in out["_stderr"]  # a connect that timed out is not tried again

    sim.configure({"primary": SILENT_NODE})  # silent from now on: shorter reads
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 0 and out["outcome"] == "done", out
    details = {c["name"]: c["detail"] for c in out["checks"]}
    assert "(standing: no answer from its BMC since)" in details["verify: primary off"]


@pytest.mark.parametrize("limits", [
    {"connect_timeout": 0.3, "read_timeout": 1.0, "timeout": 2.0},
    {"connect_timeout": 5.0, "read_timeout": 5.0, "timeout": 0.8},
], ids=["connect-timeout-under-1s", "deadline-shorter-than-connect"])
def test_a_connect_cut_short_by_hamnhw_is_no_silence(
        start_pair: Callable[..., PairSim], limits: dict[str, float]) -> None:
    """The primary's cords pulled, but its connects are given less than a silence takes: a
    connect timeout under 1 s (a lost SYN, a BMC slow to accept look the same), or a
    deadline with less left than the connect timeout.  No read tells silence: the fence
    stops without asking for the acknowledgement, saying why; typed anyway, it is ignored;
    nothing is powered on."""
    sim = start_pair(failover={"power_off_timeout": 0.5})
    config = str(sim.config_path)
    ready(sim)
    sim.configure({"primary": limits})
    sim["primary"].pull_cords()
    code, out = hamnhw("failover", "start", "--yes", "--config", config,
                       "--acknowledge", CORDS)
    assert code == 1 and out["needs"] is None and out["state"] == "fence", out
    reason = out["stop_reason"]
    assert "no read of its BMC within the 0.5 s wait told its silence from an answer" in reason
    assert "tells nothing of the BMC" in reason, reason
    assert sim.accepted_resets("standby") == []
