"""Reads of one BMC side by side, end to end against the simulator over loopback HTTP.

The simulator's ``gather`` fault holds the matching requests until that many are in
flight at once (a client reading one after the other would not get there), and
``peak_in_flight`` says how many it answered at once: parallelism is observed by what the
BMC saw, never by timing.  Each resource is still read once per command, and a session
expiring under several reads in flight is renewed by exactly one login."""

from __future__ import annotations

import collections
from collections.abc import Iterator

import pytest

import hamnhw
import hamnhw.errors
from hamnhw import parallel
from hamnhw.readmemo import PARALLEL_READS, QUICK_BMC_S
from hamnhw.sim import ServerSpec, SimCluster, SimServer

pytestmark = pytest.mark.e2e

SESSIONS = "/redfish/v1/SessionService/Sessions"
DRIVES = "/redfish/v1/Systems/1/Storage/RAIDController1/Drives/"
NICS = "/redfish/v1/Systems/1/EthernetInterfaces/"


@pytest.fixture(scope="module")
def cluster() -> Iterator[SimCluster]:
    with SimCluster([ServerSpec(name="node", power="On")]) as sim:
        yield sim


@pytest.fixture
def quick_server(cluster: SimCluster) -> Iterator[SimServer]:
    node = cluster["node"]
    node.clear_faults()
    node.clear_requests()
    yield node
    node.clear_faults()


@pytest.fixture
def server(quick_server: SimServer) -> SimServer:
    """The simulator answering every request after 30 ms, as a BMC over a network."""
    quick_server.inject("latency", seconds=QUICK_BMC_S * 1.5)
    return quick_server


def connect(server: SimServer) -> hamnhw.Node:
    return hamnhw.connect(server.url, username=server.username, password=server.password,
                          timeout=30)


def gets(server: SimServer, prefix: str = "/") -> collections.Counter[str]:
    return collections.Counter(r.path for r in server.requests
                               if r.method == "GET" and r.path.startswith(prefix))


def test_drives_and_nics_are_read_side_by_side_each_once(server: SimServer) -> None:
    with connect(server) as node, node.operation():
        server.clear_requests()
        server.inject("gather", count=2, method="GET", path=DRIVES, peers=2, seconds=20)
        storage = node.raid.storage()
        drives_peak = server.peak_in_flight
        server.clear_requests()
        server.inject("gather", count=2, method="GET", path=NICS, peers=2, seconds=20)
        nics = node.nics.list()
        nics_peak = server.peak_in_flight
    assert 2 <= drives_peak <= PARALLEL_READS and 2 <= nics_peak <= PARALLEL_READS, \
        "the two members were in flight at once"
    assert sorted(d.id for d in storage.drives or ()) == ["RAIDController1/Bay1",
                                                          "RAIDController1/Bay2"]
    assert len(nics or ()) == 2 and all(nic.mac for nic in nics or ())
    assert not storage.incomplete


def test_one_command_reads_each_resource_once_and_a_few_at_once_at_most(
        server: SimServer) -> None:
    server.inject("gather", method="GET", path="/redfish/v1/Systems/1/", peers=2,
                  seconds=0.2)  # overlapping reads wait for each other briefly
    with connect(server) as node, node.operation():
        node.inventory.inventory()
        node.nics.list()
    counts = gets(server)
    assert [path for path, n in counts.items() if n > 1] == []
    assert 1 <= server.peak_in_flight <= PARALLEL_READS


def test_a_session_expiring_under_reads_in_flight_is_renewed_by_one_login(
        server: SimServer) -> None:
    with connect(server) as node, node.operation():
        node.power.state()
        server.clear_requests()
        # Both drive reads are in flight when the session expires: both are answered 401.
        server.inject("gather", count=2, method="GET", path=DRIVES, peers=2, seconds=20)
        server.inject("expire_session", count=2, method="GET", path=DRIVES)
        storage = node.raid.storage()
    assert server.peak_in_flight >= 2
    refused = {r.path for r in server.requests if r.method == "GET" and r.status == 401}
    assert {f"{DRIVES}Bay1", f"{DRIVES}Bay2"} <= refused  # and whatever else was in flight
    posts = [r for r in server.requests if r.method == "POST"]
    assert [r.path for r in posts] == [SESSIONS], "exactly one login again, no other POST"
    assert {path: n for path, n in gets(server).items() if n > 1} == dict.fromkeys(refused, 2), \
        "each refused GET re-sent once, after the new login; nothing else read twice"
    assert sorted(d.id for d in storage.drives or ()) == ["RAIDController1/Bay1",
                                                          "RAIDController1/Bay2"]
    deletes = [r for r in server.requests if r.method == "DELETE"]
    assert len(deletes) == 2 and deletes[-1] is server.requests[-1], \
        "the superseded session is deleted, then the new one at logout"
    assert deletes[-1].status == 204


def test_errors_of_reads_side_by_side_are_met_in_the_walk_order(server: SimServer) -> None:
    """Both drives answer garbage while in flight together: the walk's warnings name them
    in its own order (Bay1, then Bay2), as reading one after the other would, and neither
    is asked for twice."""
    with connect(server) as node, node.operation():
        node.power.state()
        server.clear_requests()
        server.inject("gather", count=2, method="GET", path=DRIVES, peers=2, seconds=20)
        server.inject("malformed_json", count=2, method="GET", path=DRIVES)
        storage = node.raid.storage()
    assert server.peak_in_flight >= 2
    drives = [w for w in storage.warnings if "drive" in w]
    assert len(drives) == 2
    assert f"{DRIVES}Bay1" in drives[0] and f"{DRIVES}Bay2" in drives[1]
    assert gets(server, DRIVES) == {f"{DRIVES}Bay1": 1, f"{DRIVES}Bay2": 1}
    assert storage.incomplete and not storage.drives


def test_a_bmc_answering_quickly_is_read_one_request_after_the_other(
        quick_server: SimServer) -> None:
    """No read ahead on a BMC whose GETs take less than QUICK_BMC_S (here: the loopback
    simulator): the drives are read one at a time (a gather of two would wait its 0.5 s
    out and pass them one by one), each still once."""
    with connect(quick_server) as node, node.operation():
        node.power.state()
        quick_server.clear_requests()
        quick_server.inject("gather", count=2, method="GET", path=DRIVES, peers=2, seconds=0.5)
        storage = node.raid.storage()
    assert quick_server.peak_in_flight == 1
    assert gets(quick_server, DRIVES) == {f"{DRIVES}Bay1": 1, f"{DRIVES}Bay2": 1}
    assert sorted(d.id for d in storage.drives or ()) == ["RAIDController1/Bay1",
                                                          "RAIDController1/Bay2"]


def test_an_open_node_counts_among_the_bmcs_open_until_it_closes(
        quick_server: SimServer) -> None:
    """The fan-out's verdict (hamnhw.parallel.BUSY) counts open transports: each counted
    once while open, uncounted when it closes, and when a failed connect closes it."""
    before = parallel._open_bmcs
    with connect(quick_server):
        assert parallel._open_bmcs == before + 1
    assert parallel._open_bmcs == before
    with pytest.raises(hamnhw.errors.AuthenticationError):
        hamnhw.connect(quick_server.url, username=quick_server.username, password="wrong",
                       timeout=30)
    assert parallel._open_bmcs == before


def test_connect_reads_the_service_root_and_logs_in_side_by_side(server: SimServer) -> None:
    """The login is POSTed to the fixed sessions collection while the ServiceRoot is read:
    each is held until both are in flight; one login, one session, deleted at the end."""
    # held longer than the connection's deadline: read one after the other, it fails
    # the ServiceRoot is the first GET (the simulator matches "/redfish/v1", slash dropped)
    server.inject("gather", count=1, method="GET", path="/redfish/v1", peers=2, seconds=20)
    server.inject("gather", count=1, method="POST", path=SESSIONS, peers=2, seconds=20)
    with hamnhw.connect(server.url, username=server.username, password=server.password,
                        timeout=10) as node:
        node.power.state()
    assert server.peak_in_flight >= 2
    assert [(r.method, r.path.rstrip("/")) for r in server.requests[:2]] in (
        [("GET", "/redfish/v1"), ("POST", SESSIONS)], [("POST", SESSIONS), ("GET", "/redfish/v1")])
    assert [r.status for r in server.requests if r.method == "POST"] == [201]
    assert [r.method for r in server.requests].count("DELETE") == 1


@pytest.fixture(scope="module")
def chassis_drives() -> Iterator[SimServer]:
    """Drives under the chassis (its ``Drives`` collection), volumes under the Storage;
    every request answered after 30 ms, as a BMC over a network."""
    with SimCluster([ServerSpec(name="node", power="On", storage_view="chassis_drives")]) as sim:
        sim["node"].inject("latency", seconds=QUICK_BMC_S * 1.5)
        yield sim["node"]


def test_chassis_drive_list_and_volumes_are_read_side_by_side(
        chassis_drives: SimServer) -> None:
    """Both depend only on what was read before them (the chassis, the Storage): the
    chassis' drive list and the Volumes collection are each held until both are in
    flight, and every resource is still read once."""
    server = chassis_drives
    volumes = "/redfish/v1/Systems/1/Storage/RAIDController1/Volumes"
    with connect(server) as node, node.operation():
        node.power.state()
        server.clear_requests()
        # held longer than the deadline below: read one after the other, the walk fails
        server.inject("gather", count=1, method="GET", path="/redfish/v1/Chassis/Chassis1/Drives",
                      peers=2, seconds=20)
        server.inject("gather", count=1, method="GET", path=volumes, peers=2, seconds=20)
        with node.operation(10):
            storage = node.raid.storage()
    assert server.peak_in_flight >= 2
    assert [path for path, n in gets(server).items() if n > 1] == []
    assert [v.id for v in storage.volumes or ()] == ["RAIDController1/Volume1"]
    assert sorted(d.id for d in storage.drives or ()) == ["chassis:Chassis1/Bay1",
                                                          "chassis:Chassis1/Bay2"]
    assert not storage.incomplete
