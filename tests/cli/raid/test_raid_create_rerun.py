"""``hamnhw raid create`` run again over the drives of an existing volume with another
``--name`` or ``--size``: nothing is sent, and the result says what was asked for and not
found, in the words of the Ansible module's warning (review 7, item 6: it said nothing)."""

from __future__ import annotations

from cli_helpers import run
from raid_bench import TB


def _created(cluster):
    bench = cluster()
    created = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--name", "data")
    assert created["changed"] is True
    return bench, created["volume_id"]


def test_another_name_is_said_in_the_notes(cluster) -> None:
    bench, volume = _created(cluster)

    again = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--name", "other")

    assert (again["changed"], again["volume_id"]) == (False, volume)
    assert again["notes"] == [f"volume {volume} is named 'data', not 'other': left as it is"]
    assert len(bench.writes()) == 1


def test_another_size_says_the_size_asked_for_and_the_size_it_has(cluster) -> None:
    bench, volume = _created(cluster)

    again = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--size", "1000")

    assert again["changed"] is False
    assert again["notes"] == [f"volume {volume} holds {TB} bytes, not the 1000 asked for: "
                              "left as it is (a BMC may round a capacity)"]
    assert len(bench.writes()) == 1


def test_the_text_and_the_dry_run_say_it_too(cluster) -> None:
    bench, volume = _created(cluster)
    args = ("raid", "create", bench.server.url, "--level", "1", "--drives", "Bay2,Bay1",
            "--name", "other", "--size", "1000")

    text = run(*args, env=bench.env)
    dry = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--name", "other",
                   "--dry-run")

    assert text.exit_code == 0, text.output
    assert f"note: volume {volume} is named 'data', not 'other': left as it is" in text.stdout
    assert f"note: volume {volume} holds {TB} bytes, not the 1000 asked for" in text.stdout
    assert (dry["dry_run"], dry["changed"]) == (True, False)
    assert dry["notes"] == [f"volume {volume} is named 'data', not 'other': left as it is"]
    assert len(bench.writes()) == 1


def test_what_matches_or_was_not_asked_for_adds_no_note(cluster) -> None:
    bench, _ = _created(cluster)

    same = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2", "--name", "data",
                    "--size", str(TB))
    unnamed = bench.ok("create", "--level", "1", "--drives", "Bay1,Bay2")

    assert (same["changed"], same["notes"]) == (False, [])
    assert (unnamed["changed"], unnamed["notes"]) == (False, [])


def test_another_level_is_still_refused(cluster) -> None:
    bench, volume = _created(cluster)

    result = bench.cli("create", "--level", "0", "--drives", "Bay1,Bay2", "--name", "other")

    assert result.exit_code == 1, result.output
    assert f"already form volume {volume} (RAID1), not RAID0" in result.output
    assert len(bench.writes()) == 1
