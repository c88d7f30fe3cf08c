"""Entry points of one group (``hamnhw.drivers``), read without :mod:`importlib.metadata`.

Why: ``hamnhw power status`` is a whole process measured against redfishtool's
(docs/performance.md), and every command that connects loads the drivers.  Importing
:mod:`importlib.metadata` (it brings ``zipfile``, ``csv``, ``importlib.resources``...) and
its scan of every installed distribution cost ~15 ms of that process; reading the
``entry_points.txt`` files directly costs ~1 ms.

What is read is what importlib.metadata's own path finder reads for
:func:`importlib.metadata.entry_points`: the ``NAME-VERSION.dist-info`` and ``.egg-info``
directories of each :data:`sys.path` directory, the first distribution of a (normalised)
name winning, and each ``entry_points.txt`` in the INI format of the PyPA entry points
specification.  Where distributions may come from anywhere else (a zip archive or an egg
on :data:`sys.path`, a meta path finder of its own that provides them), importlib.metadata
lists them, and their ``entry_points.txt`` are read here all the same.

A line of the group without ``=`` (on which importlib.metadata raises a bare
:exc:`TypeError`, taking every distribution's entry points down with it) is skipped with a
warning naming the distribution and the line; a bad line of another group is ignored.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

INFO_SUFFIXES = (".dist-info", ".egg-info")


class EntryPoint:
    """One entry point: ``name = module:attr`` of ``group``.

    :param value: the object reference, ``module`` or ``module:attr.attr`` (an
        ``[extras]`` suffix is ignored, as importlib.metadata ignores it when loading).
    """

    __slots__ = ("group", "name", "value")

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name = name
        self.value = value
        self.group = group

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"

    def load(self) -> Any:
        """Import the module and return the object the reference names."""
        reference = self.value.split("[", 1)[0].strip()
        module_name, _, attrs = reference.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for attr in filter(None, attrs.strip().split(".")):
            target = getattr(target, attr)
        return target


def entry_points(group: str) -> list[EntryPoint]:
    """Every installed entry point of ``group``, in :data:`sys.path` order.

    Same answer as ``importlib.metadata.entry_points(group=group)`` (which lists the
    distributions when they may come from elsewhere than :data:`sys.path` directories),
    but for a line without ``=``: skipped, with a warning, where importlib.metadata raises.
    """
    if _paths_alone_provide_distributions():
        return _read_paths(group)
    return _read_distributions(group)


def _read_paths(group: str) -> list[EntryPoint]:
    """:func:`entry_points` from the :data:`sys.path` directories' distributions."""
    found: list[EntryPoint] = []
    seen: set[str] = set()
    for info in _distribution_infos():
        name = _normalized_name(os.path.basename(info))
        if name in seen:
            continue  # shadowed by a distribution of that name earlier on sys.path
        seen.add(name)
        found.extend(_read_group(os.path.join(info, "entry_points.txt"), group))
    return found


def _read_distributions(group: str) -> list[EntryPoint]:
    """:func:`entry_points` from the distributions importlib.metadata lists, the first of
    each normalised name (as its ``entry_points()`` tells them apart: the private
    ``_normalized_name``, from the directory's name without reading ``METADATA``, which
    would cost ~0.7 ms a distribution)."""
    from importlib import metadata

    found: list[EntryPoint] = []
    seen: set[str] = set()
    for dist in metadata.distributions():
        name = getattr(dist, "_normalized_name", None) or _normalize(dist.metadata["Name"] or "")
        if name and name in seen:
            continue  # shadowed by a distribution of that name listed earlier
        seen.add(name)
        text = dist.read_text("entry_points.txt")
        read, malformed = _parse_group((text or "").splitlines(), group)
        found.extend(read)
        if malformed:
            _warn_malformed(f"{dist.metadata['Name']} {dist.version}", group, malformed)
    return found


def _paths_alone_provide_distributions() -> bool:
    """True when :data:`sys.path`'s directories are the only place distributions come
    from: no meta path finder but the standard path finder provides them, and no
    :data:`sys.path` entry is a file (a zip archive) or an egg (``NAME.egg``, whose
    metadata is in its ``EGG-INFO``)."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and hasattr(finder, "find_distributions"):
            return False
    return not any(os.path.isfile(entry or ".") or entry.lower().endswith(".egg")
                   for entry in sys.path)


def _distribution_infos() -> Iterator[str]:
    """The ``.dist-info``/``.egg-info`` entries of each :data:`sys.path` directory, in
    path order and each directory's listing order, as importlib.metadata lists them (an
    ``.egg-info`` file has no entry points, but shadows a later distribution of its name
    there too)."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # missing, or not a directory
            continue
        for child in names:
            if child.lower().endswith(INFO_SUFFIXES):
                yield os.path.join(entry or ".", child)


def _normalized_name(info_dir: str) -> str:
    """The distribution's name from ``NAME-VERSION.dist-info``, normalised (PEP 503,
    ``-``/``_``/``.`` runs as ``_``, lower case) as importlib.metadata compares them."""
    return _normalize(info_dir.lower().rpartition(".")[0].partition("-")[0])


def _normalize(name: str) -> str:
    """A distribution's name normalised (PEP 503, ``-``/``_``/``.`` runs as ``_``, lower
    case)."""
    normalized = "".join("_" if char in "-_." else char for char in name.lower())
    while "__" in normalized:
        normalized = normalized.replace("__", "_")
    return normalized


def _read_group(path: str, group: str) -> list[EntryPoint]:
    """The entry points of section ``[group]`` of ``entry_points.txt`` at ``path`` (none
    when the file is missing or unreadable, as importlib.metadata has none then)."""
    try:
        with open(path, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    except (OSError, UnicodeDecodeError):  # not there, or an .egg-info file
        return []
    found, malformed = _parse_group(lines, group)
    if malformed:
        _warn_malformed(os.path.basename(os.path.dirname(path)), group, malformed)
    return found


def _parse_group(lines: list[str], group: str) -> tuple[list[EntryPoint], list[str]]:
    """The ``name = value`` lines of section ``[group]``, and those of its lines without
    ``=`` (skipped)."""
    found: list[EntryPoint] = []
    malformed: list[str] = []
    section = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")  # as importlib.metadata: "[ x ]" is not "x"
        elif section != group:
            continue
        elif "=" not in line:
            malformed.append(line)
        else:
            name, _, value = line.partition("=")
            found.append(EntryPoint(name.strip(), value.strip(), group))
    return found, malformed


def _warn_malformed(where: str, group: str, lines: list[str]) -> None:
    """Say that distribution ``where``'s ``lines`` of ``[group]`` were skipped."""
    from hamnhw.log import get_logger

    get_logger("hamnhw.entrypoints").warning(
        "%s: entry_points.txt [%s] line(s) %s not NAME = module:attr; skipped",
        where, group, ", ".join(map(repr, lines)))
