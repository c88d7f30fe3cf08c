"""A small reader of systemd unit-style files (``.network``, ``.link``, ``.netdev``).

configparser cannot read them: a section may repeat (``[Address]`` twice), and so may a key
(``DNS=`` on several lines).  Every assignment is kept, in order, with its line number.
"""

from __future__ import annotations

import dataclasses
import re

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
_ASSIGNMENT = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*)$")


@dataclasses.dataclass(frozen=True)
class Assignment:
    """One ``Key=Value`` line."""

    section: str
    key: str
    value: str
    line: int
    """1-based line where the assignment starts."""


def parse_unit(text: str) -> list[Assignment]:
    """All assignments of a unit file; comments (``#``, ``;``) and blank lines skipped,
    backslash continuations joined."""
    found: list[Assignment] = []
    section = ""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        start = index
        line = lines[index].strip()
        while line.endswith("\\") and index + 1 < len(lines):
            index += 1
            line = line[:-1].rstrip() + " " + lines[index].strip()
        index += 1
        if not line or line[0] in "#;":
            continue
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            found.append(Assignment(section, assignment.group(1), assignment.group(2).strip(),
                                    start + 1))
    return found
