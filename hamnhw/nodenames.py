"""Telling an unknown node or group name: the close matches and what the config knows, in a
line whatever the config's size.

A config of at most :data:`LISTED` names lists them all, in natural order (``node2``
before ``node10``); a larger one gives their count.  Close matches (at most
:data:`SUGGESTED`, the best first) come from :mod:`difflib`, a name that differs from the
one typed only by a look-alike character (``l`` for ``1``, ``O`` for ``0``) first of all::

    no node named 'node2l' (did you mean node21? 2,000 nodes known)
    no node named 'nodeX' (did you mean node1, node2 or node3? known: node1 ... node10)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

LISTED = 10
"""A config with at most this many names lists them; a larger one counts them."""
SUGGESTED = 3
"""At most this many close matches per name."""
_CUTOFF = 0.6
"""difflib's default: below this a name is not close."""
_TIE = 0.05
"""Matches this much less close than the closest are not offered (a typo in ``node3``
should not offer every ``nodeN``)."""
_LOOKALIKE = str.maketrans("lI|Oo", "11100")


def natural_key(name: str) -> tuple[tuple[int | str, ...], str]:
    """Sort key: the digits of a name compared as numbers (``node2`` before ``node10``)."""
    parts = re.split(r"(\d+)", name)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), name


def natural_sorted(names: Collection[str]) -> list[str]:
    """``names`` in natural order."""
    return sorted(names, key=natural_key)


def close_matches(name: str, known: Collection[str]) -> list[str]:
    """The known names ``name`` may have been meant as, the closest first (at most
    :data:`SUGGESTED`; none when nothing is close)."""
    from difflib import SequenceMatcher

    alike = name.casefold().translate(_LOOKALIKE)
    scored: list[tuple[float, tuple[tuple[int | str, ...], str]]] = []
    matcher = SequenceMatcher()
    matcher.set_seq2(name)
    for candidate in known:
        if candidate.casefold().translate(_LOOKALIKE) == alike:
            scored.append((2.0, natural_key(candidate)))  # a look-alike: before any ratio
            continue
        matcher.set_seq1(candidate)
        if (matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF
                and (ratio := matcher.ratio()) >= _CUTOFF):
            scored.append((ratio, natural_key(candidate)))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    kept = sorted((-score, key) for score, key in scored if score >= best - _TIE)
    return [key[1] for _, key in kept[:SUGGESTED]]


def either(names: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def suggestion(name: str, known: Collection[str]) -> str:
    """``did you mean X? `` (with its trailing space), or nothing."""
    close = close_matches(name, known)
    return f"did you mean {either(close)}? " if close else ""


def known_names(known: Collection[str], noun: str = "nodes",
                more: Collection[str] = (), more_noun: str = "groups") -> str:
    """``known: a, b, c`` (natural order) for a small config, else ``2,000 nodes known``
    (``and 3 groups`` when ``more`` are known too)."""
    if len(known) + len(more) <= LISTED:
        return f"known: {', '.join(natural_sorted([*known, *more])) or 'none'}"
    counted = _count(known, noun) + (f" and {_count(more, more_noun)}" if more else "")
    return f"{counted} known"


def _count(names: Collection[str], noun: str) -> str:
    return f"{len(names):,} {noun.removesuffix('s') if len(names) == 1 else noun}"


def no_such(kind: str, name: str, known: Collection[str], noun: str) -> str:
    """``no node named 'x' (did you mean y? known: ...)``."""
    return f"no {kind} named {name!r} ({suggestion(name, known)}{known_names(known, noun)})"
