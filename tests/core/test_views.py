"""Plain-text views: unknown and none read differently, sizes in SI units, aligned columns."""

from hamnhw.models import Health, RaidType, Volume
from hamnhw.views import human_bytes, records_table, table, volumes_json


def test_unknown_and_none_read_differently():
    assert records_table(None, ("id",)) == "(the BMC does not tell)"
    assert records_table([], ("id",)) == "(none reported)"


def test_sizes_are_human_in_si_units():
    assert human_bytes(899_527_000_000) == "899.5 GB"
    assert human_bytes(1_200_000_000_000) == "1.2 TB"
    assert human_bytes(512) == "512 B"
    text = records_table([{"id": "d0", "capacity_bytes": 1_200_000_000_000}],
                         ("id", "capacity_bytes"))
    assert text.splitlines()[0].split() == ["ID", "CAPACITY"]
    assert "1.2 TB" in text


def test_table_aligns_and_marks_missing_values():
    lines = table(["A", "LONGER"], [["x", None], ["yyyy", [1, 2]]]).splitlines()
    assert lines[2].index("-") == lines[0].index("LONGER")
    assert lines[3].endswith("1,2")


def test_volumes_json_lists_member_drives_under_drives():
    volume = Volume("v", None, "os", RaidType.RAID1, 1, Health.OK, "Enabled", ("d0", "d1"))
    assert volumes_json([volume])[0]["drives"] == ["d0", "d1"]
    assert volumes_json(None) is None
