"""Which nodes a command names: ``NODE...`` arguments, ``--nodes-file`` and config groups.

Each argument is one of (xCAT noderange style, comma-separated lists allowed)::

    redfish://10.0.0.5            a BMC URL (contains "://")
    primary                       a config node name
    rack1                         a config group ([groups] table)
    node[001-200]                 a range: node001 ... node200, zero padding kept
    node[1-4,7]  node01-node20    a list inside brackets; xCAT's dash form

A range expands against the config's node names: every name it makes must be a node of
the config (a typo never turns into 200 "unknown node" errors, it is refused up front).
``--nodes-file F`` lists one BMC URL or node name per line (``#`` comments, blank lines
ignored).  Duplicates keep their first place.

A command given exactly one NODE that is a plain name or URL (no range, group, list or
file) is a *single-node* command and prints as it always did; anything else is a
fan-out (:mod:`hamnhw.cli.fleet`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hamnhw.address import CREDENTIALS_IN_URL, has_userinfo
from hamnhw.errors import ConfigError

if TYPE_CHECKING:
    from hamnhw.config import Config

MAX_NODES = 100_000
"""A range larger than this is refused (a typo like ``n[1-99999999]``)."""

_BRACKETS = re.compile(r"^(?P<prefix>[^\[\]]*)\[(?P<body>[^\[\]]+)\](?P<suffix>[^\[\]]*)$")
_DASHED = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z_.-]*?)(?P<low>\d+)-(?P=prefix)(?P<high>\d+)$")
_SPAN = re.compile(r"^(?P<low>\d+)(?:-(?P<high>\d+))?$")


@dataclasses.dataclass(frozen=True)
class Selection:
    """The nodes a command was given, in order, without duplicates."""

    nodes: tuple[str, ...]
    """Node names and BMC URLs."""
    single: bool
    """Exactly one plain NODE: print as a single-node command."""


def is_url(text: str) -> bool:
    """True for a BMC URL rather than a node or group name."""
    return "://" in text


def select(arguments: Sequence[str], nodes_file: str | None,
           config: Callable[[], Config | None]) -> Selection:
    """The nodes of ``NODE...`` and ``--nodes-file``.

    :param config: loads the config (called only when a name needs it); None: no config.
    :raises ConfigError: nothing selected, an unknown group or range member, a range too
        large, an unreadable nodes file.
    """
    names: list[str] = []
    plain = len(arguments) == 1 and nodes_file is None
    loaded: list[Config | None] = []

    def get_config() -> Config | None:
        if not loaded:
            loaded.append(config())
        return loaded[0]

    for argument in arguments:
        for element in _split(argument):
            expanded = _expand(element, get_config)
            plain = plain and expanded == [element] and element == argument
            names += expanded
    if nodes_file is not None:
        names += read_nodes_file(nodes_file)
    unique = tuple(dict.fromkeys(names))
    if not unique:
        raise ConfigError("no node given: name NODEs, a range, a group or --nodes-file")
    return Selection(unique, plain)


def read_nodes_file(path: str) -> list[str]:
    """The BMC URLs and node names of a nodes file, one a line.

    :raises ConfigError: the file cannot be read, or a line carries credentials (a
        ``user[:password]@`` part: refused naming the line's number, never its text).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the nodes file: {exc}", path=path) from exc
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip() if not is_url(line) else line.strip()
        if has_userinfo(entry):
            raise ConfigError(f"line {number}: {CREDENTIALS_IN_URL}", path=path)
        if entry:
            found.append(entry)
    return found


def _split(argument: str) -> list[str]:
    """Top-level comma-separated elements (commas inside brackets stay)."""
    if is_url(argument):
        return [argument]
    parts, depth, current = [], 0, ""
    for char in argument:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _expand(element: str, config: Callable[[], Config | None]) -> list[str]:
    if is_url(element):
        return [element]
    loaded = config()
    known: Mapping[str, object] = loaded.nodes if loaded is not None else {}
    groups: Mapping[str, tuple[str, ...]] = loaded.groups if loaded is not None else {}
    if element in known:
        return [element]
    if element in groups:
        return list(groups[element])
    made = _range(element)
    if made is None:
        return [element]
    missing = [name for name in made if name not in known]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                          if len(missing) > 5 else "")
        raise ConfigError(f"the range {element!r} names nodes the config does not have: "
                          f"{shown}", path=getattr(loaded, "path", None))
    return made


def _range(element: str) -> list[str] | None:
    """The names of a range element, or None when it is no range."""
    match = _BRACKETS.match(element)
    if match:
        names = []
        for span in match["body"].split(","):
            names += [f"{match['prefix']}{number}{match['suffix']}" for number in _span(span,
                                                                                        element)]
        return names
    match = _DASHED.match(element)
    if match:
        return [f"{match['prefix']}{n}" for n in _span(f"{match['low']}-{match['high']}",
                                                        element)]
    if "[" in element or "]" in element:
        raise ConfigError(f"{element!r} is not a node range like node[001-200]")
    return None


def _span(span: str, element: str) -> list[str]:
    match = _SPAN.match(span.strip())
    if not match:
        raise ConfigError(f"{element!r}: {span!r} is not a number or a range like 001-200")
    low_text, high_text = match["low"], match["high"] or match["low"]
    low, high = int(low_text), int(high_text)
    if high < low or high - low >= MAX_NODES:
        raise ConfigError(f"{element!r}: the range {span!r} is empty or larger than "
                          f"{MAX_NODES} nodes")
    width = len(low_text) if low_text.startswith("0") else 0
    return [str(number).zfill(width) for number in range(low, high + 1)]
