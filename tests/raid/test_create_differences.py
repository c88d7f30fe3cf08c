"""The notes of a create that finds its volume already there
(:func:`hamnhw_drivers.generic.raid_create.differences`): shared by ``hamnhw raid create``
and the Ansible module (review 7, item 6)."""

from __future__ import annotations

import pytest
from hamnhw_drivers.generic.raid_create import differences

from hamnhw.models import RaidType, Volume
from hamnhw.raid import CreateRequest

VOLUME = Volume(id="C1/V1", uri="/v/V1", name="data", raid_type=RaidType.RAID1,
                capacity_bytes=1000, drive_ids=("C1/1", "C1/2"))


def asked(name: str | None = None, size: int | None = None) -> CreateRequest:
    return CreateRequest(RaidType.RAID1, ("C1/1", "C1/2"), name, size)


@pytest.mark.parametrize("request_", [asked(), asked("data"), asked(size=1000),
                                      asked("data", 1000)])
def test_nothing_to_say_when_it_matches_or_was_not_asked(request_: CreateRequest) -> None:
    assert differences(request_, VOLUME) == ()


def test_name_and_size_each_say_what_was_asked_and_what_is() -> None:
    assert differences(asked("other", 999), VOLUME) == (
        "volume C1/V1 is named 'data', not 'other': left as it is",
        "volume C1/V1 holds 1000 bytes, not the 999 asked for: left as it is (a BMC may "
        "round a capacity)")


def test_a_name_or_size_the_bmc_does_not_tell_is_not_confirmed() -> None:
    unknown = Volume(id="C1/V1", uri=None, name=None, raid_type=RaidType.RAID1,
                     capacity_bytes=None)

    assert differences(asked("data", 1000), unknown) == (
        "the BMC does not tell volume C1/V1's name, so 'data' is not confirmed: left as it is",
        "the BMC does not tell volume C1/V1's capacity, so the 1000 bytes asked for are not "
        "confirmed: left as it is")
