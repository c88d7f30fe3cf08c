"""``hamnhw.entrypoints`` gives importlib.metadata's answer without importing it: checked
against importlib.metadata itself, on the installed environment and on made-up ones."""

from __future__ import annotations

import os.path
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from hamnhw import entrypoints


def pairs(group: str) -> list[tuple[str, str]]:
    return [(ep.name, ep.value) for ep in entrypoints.entry_points(group)]


def metadata_pairs(group: str) -> list[tuple[str, str]]:
    return [(ep.name, ep.value) for ep in metadata.entry_points(group=group)]


@pytest.mark.parametrize("group", ["hamnhw.drivers", "console_scripts", "pytest11",
                                   "no.such.group"])
def test_the_installed_entry_points_are_importlib_metadata_s(group: str) -> None:
    assert pairs(group) == metadata_pairs(group)


def test_the_built_in_drivers_are_found() -> None:
    assert {"generic", "dell", "hpe", "ipmi"} <= {name for name, _ in pairs("hamnhw.drivers")}


def write_dist(directory: Path, dist: str, text: str) -> None:
    info = directory / dist
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist.split('-')[0]}\n")
    (info / "entry_points.txt").write_text(text)


def test_first_distribution_of_a_name_wins_and_the_format_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_dist(first, "acme_drivers-2.0.dist-info",
               "# a comment\n[hamnhw.drivers]\nacme = acme.driver:AcmeDriver [extra]\n"
               "\n[console_scripts]\nacme = acme.cli:main\n")
    write_dist(second, "Acme.Drivers-1.0.dist-info",  # the same name, normalised: shadowed
               "[hamnhw.drivers]\nold-acme = acme_old:Driver\n")
    write_dist(second, "zeta-1.0.dist-info", "[hamnhw.drivers]\n zeta=zeta.x : Driver\n")
    (second / "loose.egg-info").write_text("Name: loose\n")  # a file: no entry points
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    found = pairs("hamnhw.drivers")
    assert found == metadata_pairs("hamnhw.drivers")
    assert found == [("acme", "acme.driver:AcmeDriver [extra]"), ("zeta", "zeta.x : Driver")]


def test_a_zip_on_the_path_is_left_to_importlib_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("zipped-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped\n")
        zipped.writestr("zipped-1.0.dist-info/entry_points.txt",
                        "[hamnhw.drivers]\nzipped = zipped:Driver\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert pairs("hamnhw.drivers") == [("zipped", "zipped:Driver")]


def test_an_egg_on_the_path_is_left_to_importlib_metadata(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    egg = tmp_path / "eggy-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: eggy\n")
    (egg / "EGG-INFO" / "entry_points.txt").write_text("[hamnhw.drivers]\neggy = eggy:D\n")
    monkeypatch.setattr(sys, "path", [str(egg)])
    assert pairs("hamnhw.drivers") == metadata_pairs("hamnhw.drivers") == [("eggy", "eggy:D")]


def test_section_headers_are_read_as_importlib_metadata_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_dist(tmp_path, "spaced-1.0.dist-info", "[ hamnhw.drivers ]\nspaced = spaced:D\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert pairs("hamnhw.drivers") == metadata_pairs("hamnhw.drivers") == []


BROKEN_TEXT = ("[console_scripts]\nnot ours either\n"
               "[hamnhw.drivers]\nno equals sign\nkept = broken.kept:Driver\n")
"""Lines without ``=`` (importlib.metadata raises a bare TypeError on them): one in
another group, one in hamnhw's, beside a good line of that distribution."""


def test_a_line_without_an_equals_sign_is_skipped_with_a_warning_naming_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Only that line: the distribution's other entry points and the other distributions'
    are read; a bad line in another group is none of hamnhw's business."""
    write_dist(tmp_path, "broken-1.0.dist-info", BROKEN_TEXT)
    write_dist(tmp_path, "zeta-1.0.dist-info", "[hamnhw.drivers]\nzeta = zeta:Driver\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    with pytest.raises(TypeError):  # what hamnhw no longer lets through
        metadata_pairs("hamnhw.drivers")
    with caplog.at_level("WARNING", logger="hamnhw"):
        found = pairs("hamnhw.drivers")
    assert sorted(found) == [("kept", "broken.kept:Driver"), ("zeta", "zeta:Driver")]
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 1, warned
    assert "broken-1.0.dist-info" in warned[0] and "'no equals sign'" in warned[0]
    assert "not ours" not in warned[0]


def test_a_line_without_an_equals_sign_in_a_zip_is_skipped_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Where importlib.metadata lists the distributions (a zip on the path)."""
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("broken-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: broken\n")
        zipped.writestr("broken-1.0.dist-info/entry_points.txt", BROKEN_TEXT)
    monkeypatch.setattr(sys, "path", [str(archive)])
    with caplog.at_level("WARNING", logger="hamnhw"):
        assert pairs("hamnhw.drivers") == [("kept", "broken.kept:Driver")]
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 1 and "broken" in warned[0] and "'no equals sign'" in warned[0]


def test_load_follows_the_reference() -> None:
    assert entrypoints.EntryPoint("j", "os.path:join", "g").load() is os.path.join
    assert entrypoints.EntryPoint("p", "os.path [extra]", "g").load() is os.path
    with pytest.raises(ModuleNotFoundError):
        entrypoints.EntryPoint("n", "no_such_module_xyz:Driver", "g").load()
