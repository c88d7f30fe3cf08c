"""Which of same-named configuration files in several directories is in force, by the rule
of the program that reads them, as lint-os must judge only what that program uses.

systemd (``systemd.network(5)``, ``systemd.link(5)``, ``systemd.netdev(5)``; the rule of
``systemd.unit(5)`` for units under ``/etc/systemd/system`` and ``/usr/lib/systemd/system``
too): the files of all the directories are read in the lexical order of their names, but a
name is taken from the first directory that has it, in the order ``/etc``, ``/run``,
``/usr/local/lib``, ``/usr/lib``, ``/lib``; when that file is a symlink to ``/dev/null`` or
empty, the name is masked: none of its files is read.  An entry there that resolves to
nothing (a dangling link) still takes the name (systemd fails to read it; lint-os notes it).

netplan (``netplan-generate(8)``, "handling multiple files"): the files of
``/lib/netplan``, ``/etc/netplan`` and ``/run/netplan`` are read in the lexical order of
their names, a name taken from ``/run`` first, then ``/etc``, then ``/lib`` (``/usr/lib`` on
a merged-/usr image); a symlink to ``/dev/null`` or an empty file there holds no network
definition, so it hides the name's files below.

udev (``udev(7)``): the rules files of ``/etc/udev/rules.d``, ``/run/udev/rules.d``,
``/usr/local/lib/udev/rules.d`` and ``/usr/lib/udev/rules.d`` (``/lib``) are read in the
lexical order of their names, same-named files replacing each other in that order of
directories; a symlink to ``/dev/null`` (or an empty file: no rules) in ``/etc`` disables a
name.

dracut (``dracut.conf(5)``): a ``/etc/dracut.conf.d`` file replaces the same name in
``/usr/lib/dracut/dracut.conf.d``, a symlink to ``/dev/null`` replacing it with nothing;
an entry that does not exist for dracut (a dangling link: its ``[[ -e ]]``) is skipped.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Sequence

from hamnhw.oslint.rootfs import Root


@dataclasses.dataclass(frozen=True)
class Rule:
    """How one program resolves same-named files."""

    dirs: tuple[str, ...]
    """The directories, the one whose file wins a name first."""
    empty_masks: bool
    """An empty file masks the name (systemd), not only a symlink to ``/dev/null``."""
    broken_takes_name: bool
    """An entry that resolves to nothing still takes the name (systemd) or is skipped."""


SYSTEMD_NETWORK = Rule(("/etc/systemd/network", "/run/systemd/network",
                        "/usr/local/lib/systemd/network", "/usr/lib/systemd/network",
                        "/lib/systemd/network"), empty_masks=True, broken_takes_name=True)
NETPLAN = Rule(("/run/netplan", "/etc/netplan", "/lib/netplan", "/usr/lib/netplan"),
               empty_masks=True, broken_takes_name=True)
UDEV_RULES = Rule(("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
                   "/usr/lib/udev/rules.d", "/lib/udev/rules.d"),
                  empty_masks=True, broken_takes_name=True)
DRACUT_CONF_D = Rule(("/etc/dracut.conf.d", "/usr/lib/dracut/dracut.conf.d"),
                     empty_masks=False, broken_takes_name=False)


def in_force(root: Root, rule: Rule, patterns: Sequence[str]) -> list[str]:
    """The files the program reads, in its order (by file name): per name matching one of
    ``patterns`` (``*.network``), the entry of the first of ``rule.dirs`` that has it, unless
    that one masks the name."""
    chosen: dict[str, str] = {}
    for directory in rule.dirs:
        for entry in root.entries(f"{directory}/*"):
            name = entry.rsplit("/", 1)[1]
            if name in chosen or not any(fnmatch.fnmatchcase(name, p) for p in patterns) \
                    or root.is_dir(entry):
                continue
            if rule.broken_takes_name or root.masked(entry) or root.glob(entry):
                chosen[name] = entry
    return [chosen[name] for name in sorted(chosen) if not _masks(root, rule, chosen[name])]


def _masks(root: Root, rule: Rule, entry: str) -> bool:
    """``entry`` masks its name: a symlink to ``/dev/null``, or (``rule.empty_masks``) a
    file without a byte."""
    return root.masked(entry) or (rule.empty_masks and root.read(entry) == "")
