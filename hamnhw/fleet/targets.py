"""Which nodes a command names: ``NODE...`` arguments, ``--nodes-file`` and config groups.

Each argument is one of (xCAT noderange style, comma-separated lists allowed)::

    redfish://10.0.0.5            a BMC URL (contains "://")
    primary                       a config node name
    rack1                         a config group ([groups] table)
    node[001-200]                 a range: node001 ... node200, zero padding kept
    node[1-4,7]  node01-node20    a list inside brackets; xCAT's dash form

``--nodes-file F`` lists more, one a line, each line in any of these forms (a name, a
range, a list, a group, a URL); a ``#`` at the start of a line or after whitespace starts a
comment, blank lines are ignored.  A ``#`` anywhere else is refused by its line number: a
BMC URL has no fragment, and a comment written without the space would be read as part
of the name.  Duplicates keep their first place.

Every name is resolved before anything is sent, as xCAT resolves a whole noderange: one
that is no node of the config (a plain name, a group that is no group, a range member, a
nodes-file line) refuses the command (:class:`~hamnhw.errors.ConfigError`, exit 2), naming
every unknown name with its close matches (:mod:`hamnhw.nodenames`).  BMC URLs are no
names: they pass as they are.

A command given exactly one NODE that is a plain name or URL (no range, group, list or
file) is a *single-node* command and prints as it always did (an unknown name is that
node's error); anything else is a fan-out (:mod:`hamnhw.cli.fleet`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hamnhw.address import CREDENTIALS_IN_URL, has_userinfo
from hamnhw.configpath import LOOKED_AT
from hamnhw.errors import ConfigError
from hamnhw.nodenames import known_names, suggestion

if TYPE_CHECKING:
    from hamnhw.config import Config

MAX_NODES = 100_000
"""A range larger than this is refused (a typo like ``n[1-99999999]``)."""
NAMED = 10
"""An error names at most this many unknown names (and counts the others)."""

_BRACKETS = re.compile(r"^(?P<prefix>[^\[\]]*)\[(?P<body>[^\[\]]+)\](?P<suffix>[^\[\]]*)$")
_DASHED = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z_.-]*?)(?P<low>\d+)-(?P=prefix)(?P<high>\d+)$")
_SPAN = re.compile(r"^(?P<low>\d+)(?:-(?P<high>\d+))?$")
_COMMENT = re.compile(r"(?:^|\s)#")


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
    """The nodes of ``NODE...`` and ``--nodes-file``, every name checked against the config
    (a single plain NODE excepted: see the module docstring).

    :param config: loads the config (called only when a name needs it); None: no config.
    :raises ConfigError: nothing selected, a name that is no node or group of the config
        (all of them named), a range too large, an unreadable nodes file.
    """
    names: list[str] = []
    plain = len(arguments) == 1 and nodes_file is None
    loaded: list[Config | None] = []
    ranges: dict[str, list[str]] = {}

    def get_config() -> Config | None:
        if not loaded:
            loaded.append(config())
        return loaded[0]

    lines = read_nodes_file(nodes_file) if nodes_file is not None else []
    for argument in [*arguments, *lines]:
        for element in _split(argument):
            expanded = _expand(element, get_config)
            if expanded != [element]:
                ranges[element] = expanded
            plain = plain and expanded == [element] and element == argument
            names += expanded
    unique = tuple(dict.fromkeys(names))
    if not unique:
        raise ConfigError("no node given: name NODEs, a range, a group or --nodes-file")
    if not plain:
        _check_known(unique, ranges, get_config)
    return Selection(unique, plain)


def read_nodes_file(path: str) -> list[str]:
    """The entries of a nodes file, one a line, comments and blank lines left out (an entry
    is any ``NODE`` form: :func:`select` expands it).

    :raises ConfigError: the file cannot be read, a line carries credentials (a
        ``user[:password]@`` part, also after a URL's `` #``: a password may hold it;
        refused naming the line's number, never its text), or a ``#`` that starts no
        comment.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the nodes file: {exc}", path=path) from exc
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.split(line, 1)[0].strip()
        if has_userinfo(entry) or (is_url(entry) and has_userinfo(line)):
            raise ConfigError(f"line {number}: {CREDENTIALS_IN_URL}", path=path)
        if "#" in entry:
            raise ConfigError(f"line {number}: a '#' starts a comment only at the start of a "
                              "line or after whitespace (a BMC URL has no fragment)", path=path)
        if entry:
            found.append(entry)
    return found


def _check_known(names: Sequence[str], ranges: Mapping[str, list[str]],
                 config: Callable[[], Config | None]) -> None:
    """Refuse the selection when a name in it is no node of the config.

    :param ranges: the names each range or group element made (a range's members missing
        from the config are told with their range).
    """
    if all(is_url(name) for name in names):
        return
    loaded = config()
    nodes: Collection[str] = loaded.nodes if loaded is not None else ()
    unknown = [name for name in names if not is_url(name) and name not in nodes]
    if not unknown:
        return
    if loaded is None:
        shown = ", ".join(repr(name) for name in unknown[:NAMED]) + _more(unknown)
        verb = "is not a BMC URL" if len(unknown) == 1 else "are not BMC URLs"
        raise ConfigError(f"{shown} {verb} (like redfish://host) and no config file was found "
                          f"({LOOKED_AT}): nothing was sent")
    raise ConfigError(_unknown_message(unknown, ranges, loaded), path=loaded.path)


def _unknown_message(unknown: list[str], ranges: Mapping[str, list[str]],
                     config: Config) -> str:
    missing = set(unknown)
    parts = []
    for element, made in ranges.items():
        members = [name for name in made if name in missing]
        if members:
            missing.difference_update(members)
            parts.append(f"the range {element!r} names nodes the config does not have: "
                         f"{', '.join(members[:5])}{_more(members, 5)}")
    plain = [name for name in unknown if name in missing]
    candidates = [*config.nodes, *config.groups]
    named = [f"{name!r}" + (f" ({hint.rstrip()})" if (hint := suggestion(name, candidates))
                            else "") for name in plain[:NAMED]]
    if len(plain) == 1:
        parts.insert(0, f"no node or group named {named[0]}")
    elif plain:
        parts.insert(0, f"{len(plain):,} names are no node or group of the config: "
                        f"{', '.join(named)}{_more(plain)}")
    known = known_names(config.nodes, "nodes", config.groups, "groups")
    return f"{'; '.join(parts)}; {known}; nothing was sent"


def _more(names: Sequence[str], shown: int = NAMED) -> str:
    return f" and {len(names) - shown:,} more" if len(names) > shown else ""


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
    """The names of one element: itself (a URL, a node, an unknown name: checked later),
    a group's members, a range's names."""
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
    return [element] if made is None else made


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
