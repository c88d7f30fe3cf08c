"""What ``hamnhw raid create`` checks before and after its one POST, through the CLI against
the simulator (review 8, surviving mutations): a check the BMC would also make must still be
made by hamnhw, before anything is sent (RefusedOperation, no POST); and a create the BMC
calls done is read back."""

from __future__ import annotations

from typing import Any

import pytest
from cli_helpers import json_out
from raid_bench import VOLUMES, Bench, drives

from hamnhw.sim import raid_actions, raid_docs, shapes
from hamnhw.sim.actions import Response

VOLUME = "RAIDController1/Volume1"


def refused(bench: Bench, *args: str) -> str:
    """Run ``raid create``; assert it was refused before sending; the refusal's text."""
    result = bench.cli("create", *args)
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "RefusedOperation"), result.output
    assert [r for r in bench.server.requests if r.method in ("POST", "PATCH", "DELETE")
            and "Session" not in r.path] == []
    return str(error["message"])


def test_a_dedicated_spare_of_a_volume_is_refused_as_a_member(cluster) -> None:
    """The BMC would refuse it too (400 ResourceInUse), but only after a POST."""
    bench = cluster(raid1=True)
    bench.ok("spare", "--drive", "Bay3", "--volume", VOLUME)
    bench.server.clear_requests()
    reason = refused(bench, "--level", "0", "--drives", "Bay3,Bay4")
    assert f"drive RAIDController1/Bay3 is a dedicated spare of volume {VOLUME}" in reason
    assert "Bay4" not in reason


def test_a_drive_of_health_warning_is_refused(cluster) -> None:
    bench = cluster(disks=drives("node", overrides={3: {"health": "Warning"}}))
    reason = refused(bench, "--level", "1", "--drives", "Bay3,Bay4")
    assert "drive RAIDController1/Bay3 is not healthy (health Warning" in reason
    assert "Bay4" not in reason


def test_a_drive_without_capacity_is_refused(cluster, monkeypatch) -> None:
    """CapacityBytes not reported: the volume's size cannot be computed (0 is not sent)."""
    real = shapes.drive_doc

    def without_capacity(state: Any, drive: Any) -> dict[str, Any]:
        doc = real(state, drive)
        return {k: v for k, v in doc.items() if k != "CapacityBytes" or drive.bay != "Bay 3"}

    monkeypatch.setattr(shapes, "drive_doc", without_capacity)
    bench = cluster()
    reason = refused(bench, "--level", "1", "--drives", "Bay3,Bay4")
    assert "capacity not reported for RAIDController1/Bay3" in reason


def test_drives_already_forming_a_volume_of_another_level_are_refused(cluster) -> None:
    """Not 'unchanged': the RAID1 over Bay1 and Bay2 is not the RAID0 asked for."""
    bench = cluster(raid1=True)
    reason = refused(bench, "--level", "0", "--drives", "Bay1,Bay2")
    assert f"already form volume {VOLUME} (RAID1), not RAID0" in reason


def test_drives_on_two_controllers_are_refused(cluster) -> None:
    """Bays 1-4 are cabled to RAIDController1, 5-8 to RAIDController2 (each numbers its
    drives Disk.0...): no one Volumes collection can take the POST."""
    bench = cluster(disks=drives("node", count=6), server={"controllers": 2})
    reason = refused(bench, "--level", "1", "--drives",
                     "RAIDController1/Disk.0,RAIDController2/Disk.0")
    assert "the drives are not all listed by one Storage resource" in reason


def test_a_volumes_collection_without_volume_creation_is_refused(cluster, monkeypatch) -> None:
    """The collection's CollectionCapabilities list a use case, but not VolumeCreation."""
    real = raid_docs.volume_collection

    def no_creation(state: Any) -> dict[str, Any] | None:
        doc = real(state)
        if doc is not None:
            doc["@Redfish.CollectionCapabilities"]["Capabilities"][0]["UseCase"] = \
                "VolumeUpdate"
        return doc

    monkeypatch.setattr(raid_docs, "volume_collection", no_creation)
    bench = cluster()
    assert bench.ok("show")["controllers"][0]["volume_creation"] is False
    bench.server.clear_requests()
    reason = refused(bench, "--level", "1", "--drives", "Bay1,Bay2")
    assert "do not list VolumeCreation" in reason


@pytest.mark.parametrize("location", [f"{VOLUMES}/Ghost", None])
def test_a_create_called_done_without_a_volume_is_operation_failed(
        cluster, monkeypatch, location: str | None) -> None:
    """The BMC answers 201 (with or without a Location) but lists no volume over the
    drives: the read-back says the create did not happen."""
    headers = {"Location": location} if location else {}
    monkeypatch.setattr(raid_actions, "create",
                        lambda state, body: Response(201, {}, dict(headers)))
    bench = cluster()
    result = bench.cli("create", "--level", "1", "--drives", "Bay1,Bay2")
    error = json_out(result)["error"]
    assert (result.exit_code, error["type"]) == (1, "OperationFailed"), result.output
    assert "no volume over these drives is listed" in error["message"]
    assert len(bench.writes()) == 1
