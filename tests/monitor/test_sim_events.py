"""The simulator's EventService over real HTTP: subscriptions (validation, Context, delete),
the control API's event injection and BMC reset, the SSE stream's wire format."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from hamnhw.sim import SIM_PASSWORD, ServerSpec, SimCluster

pytestmark = pytest.mark.e2e
SUBS = "/redfish/v1/EventService/Subscriptions"
AUTH = ("admin", SIM_PASSWORD)


@pytest.fixture
def sim() -> SimCluster:
    specs = [ServerSpec(name="plain"), ServerSpec(name="strict", event_sse=False,
                                                  event_https_only=True,
                                                  event_subscriptions_persist=True)]
    with SimCluster(specs) as cluster:
        yield cluster


def test_subscriptions_validated_created_listed_deleted(sim: SimCluster) -> None:
    base = sim["strict"].http_url
    service = requests.get(f"{base}/redfish/v1/EventService", auth=AUTH, timeout=10).json()
    assert "ServerSentEventUri" not in service
    assert service["Subscriptions"] == {"@odata.id": SUBS}
    refused = requests.post(base + SUBS, json={"Destination": "http://127.0.0.1:9/x"},
                            auth=AUTH, timeout=10)
    assert refused.status_code == 400
    too_long = requests.post(base + SUBS, json={"Destination": "https://127.0.0.1:9/x",
                                                "Context": "c" * 300}, auth=AUTH, timeout=10)
    assert too_long.status_code == 400
    created = requests.post(base + SUBS, json={"Destination": "https://127.0.0.1:9/x",
                                               "Context": "ctx", "HttpHeaders": [
                                                   {"Authorization": "Bearer s3cr3t-tok"}]},
                            auth=AUTH, timeout=10)
    assert created.status_code == 201
    location = created.headers["Location"]
    doc = requests.get(base + location, auth=AUTH, timeout=10).json()
    assert doc["Context"] == "ctx" and doc["HttpHeaders"] == []
    assert "s3cr3t-tok" not in requests.get(base + location, auth=AUTH, timeout=10).text
    members = requests.get(base + SUBS, auth=AUTH, timeout=10).json()["Members"]
    assert members == [{"@odata.id": location}]
    assert requests.post(f"{base}/hamnhw-sim/events/reset", json={}, timeout=10).status_code == 204
    assert len(sim["strict"].events.subscriptions) == 1   # this BMC keeps them
    assert requests.delete(base + location, auth=AUTH, timeout=10).status_code == 204
    assert requests.delete(base + location, auth=AUTH, timeout=10).status_code == 404
    unauthenticated = requests.get(base + SUBS, timeout=10)
    assert unauthenticated.status_code == 401


def test_sse_wire_format_and_control_injection(sim: SimCluster) -> None:
    server = sim["plain"]
    base = server.http_url
    lines: list[str] = []
    with requests.get(f"{base}/redfish/v1/EventService/SSE", auth=AUTH, stream=True,
                      timeout=10) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"

        def inject() -> None:
            time.sleep(0.2)
            requests.post(f"{base}/hamnhw-sim/events",
                          json={"kind": "volume_degraded", "volume": "Volume1"}, timeout=10)

        threading.Thread(target=inject, daemon=True).start()
        for raw in stream.iter_lines(chunk_size=1):
            lines.append(raw.decode())
            if raw.startswith(b"data:"):
                break
    assert any(line.startswith("id: ") for line in lines)
    data = lines[-1].removeprefix("data: ")
    assert '"MessageId": "StorageDevice.1.2.VolumeDegraded"' in data
    assert '"OriginOfCondition": {"@odata.id": "/redfish/v1/Systems/1/Storage/' in data
    bad = requests.post(f"{base}/hamnhw-sim/events", json={"kind": "nonsense"}, timeout=10)
    assert bad.status_code == 400


def test_raid_model_hook_reaches_the_streams(sim: SimCluster) -> None:
    server = sim["plain"]
    stream = server.events.open_stream()
    assert stream is not None and stream.stream is not None
    serial = server.drives[0].serial
    server.state.storage_event("drive_failed", serial=serial)
    server.state.storage_event("rebuild_finished", volume_id=sim.bays.volumes[0].id)
    first, second = stream.stream.get(timeout=5), stream.stream.get(timeout=5)
    assert first is not None and second is not None
    (failed,), (rebuilt,) = first["Events"], second["Events"]
    assert failed["MessageId"] == "StorageDevice.1.2.DriveFailure"
    assert failed["MessageArgs"] == [server.drives[0].bay]
    assert failed["OriginOfCondition"]["@odata.id"].endswith("/Drives/Bay1")
    assert rebuilt["MessageId"] == "StorageDevice.1.2.VolumeOK"
    assert rebuilt["OriginOfCondition"]["@odata.id"].endswith("/Volumes/Volume1")


def test_raid_model_emits_failure_degradation_and_rebuild_end() -> None:
    from hamnhw.sim import DriveSpec, ManualClock

    clock = ManualClock()
    drives = (DriveSpec(serial="M1", bay="Bay 1"), DriveSpec(serial="M2", bay="Bay 2"),
              DriveSpec(serial="SP", bay="Bay 3"))
    with SimCluster([ServerSpec(name="r", drives=drives)], clock=clock) as cluster:
        server = cluster["r"]
        server.set_hotspare("SP")
        stream = server.events.open_stream()
        assert stream is not None and stream.stream is not None
        cluster.fail_drive("M2")                       # the spare takes over: a rebuild starts
        clock.advance(server.spec.raid.rebuild_seconds + 1)
        server.state.raid.settle()                     # what any read of the BMC does
        ids = []
        while not stream.stream.empty():
            event = stream.stream.get_nowait()
            assert event is not None
            ids += [record["MessageId"].rsplit(".", 1)[-1] for record in event["Events"]]
    assert ids == ["DriveFailure", "VolumeDegraded", "VolumeOK"]
