"""Core models: frozen, JSON-able; connection options checked."""

import dataclasses

import pytest

from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.errors import ConfigError
from hamnhw.models import Drive, Health, Operation, RaidType, Volume, to_jsonable


def test_models_are_frozen():
    drive = Drive("0", None, "SN1", None, None, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        drive.serial = "other"  # type: ignore[misc]


def test_to_jsonable_nests_and_uses_enum_values():
    volume = Volume("v1", "/x", "os", RaidType.RAID1, 10, Health.OK, "Enabled", ("d0", "d1"),
                    Operation("Rebuild", 40))
    data = to_jsonable(volume)
    assert data["raid_type"] == "RAID1"
    assert data["drive_ids"] == ["d0", "d1"]
    assert data["operation"] == {"name": "Rebuild", "percent": 40}
    assert data["health"] == "OK"


def test_secret_never_prints():
    creds = Credentials("root", Secret("hunter2"))
    assert "hunter2" not in repr(creds)
    assert "hunter2" not in str(Secret("hunter2"))
    assert creds.password.reveal() == "hunter2"


def test_tls_options_normalise_fingerprint_and_refuse_combinations():
    fp = "AB:" * 31 + "AB"
    assert TlsOptions(pin_fingerprint=fp).pin_fingerprint == "ab" * 32
    with pytest.raises(ConfigError):
        TlsOptions(pin_fingerprint="abc")
    with pytest.raises(ConfigError):
        TlsOptions(ca_file="ca.pem", insecure=True)


def test_timeouts_must_be_positive():
    with pytest.raises(ConfigError):
        Timeouts(read=0)


def test_power_wait_default_never_outlives_the_operation_deadline():
    from hamnhw.interfaces import PollPolicy

    assert PollPolicy().timeout <= Timeouts().operation


def test_storage_models_are_the_same_objects_through_hamnhw_models():
    """hamnhw.models re-exports the storage models it was split from (module under ~400
    lines): both import paths name one class, so isinstance and pickling agree."""
    import hamnhw.models
    import hamnhw.storagemodels

    for name in ("Drive", "EmptyBay", "Health", "Operation", "RaidType", "StorageController",
                 "Volume"):
        assert getattr(hamnhw.models, name) is getattr(hamnhw.storagemodels, name)
