"""The root tree ``lint-os`` reads, with paths resolved as a chroot at it would resolve them.

Under ``--root DIR`` an OS path (``/etc/fstab``) names ``DIR/etc/fstab``, and so does every
symlink on the way: an absolute target is taken from ``DIR`` again, ``..`` never climbs above
``DIR``.  The walk goes one component at a time through directory descriptors
(``openat`` with ``O_NOFOLLOW``), so a symlink swapped in between two steps is refused rather
than followed, and nothing outside ``DIR`` is read.  A link that resolves to nothing inside
the tree (dangling there, a loop) or a file that cannot be read becomes a note naming it
(:attr:`Root.notes`), never a silent skip.  A link to ``/dev/null`` is a masked file (systemd,
udev), skipped silently.  Over ``/`` (the running host) this is the kernel's own resolution.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from pathlib import Path

MAX_LINKS = 40
"""Symlinks followed in one lookup before it is called a loop (Linux's ELOOP limit)."""
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MASKED = "/dev/null"


class _Broken(Exception):
    """An OS path that could not be resolved or read: the note's reason."""


def _parts(path: str) -> list[str]:
    """Components still to walk, last first (a stack)."""
    return [p for p in reversed(path.split("/")) if p not in ("", ".")]


class _Walk:
    """One lookup: the directories walked so far (descriptors and names), the components
    still to walk, and the symlinks being expanded (to tell a dangling link from a file that
    is simply absent)."""

    def __init__(self, root: Path, root_fd: int, name: str) -> None:
        self.root = root
        self.fds = [root_fd]
        self.names: list[str] = []
        self.pending = _parts(name)
        self.links: list[tuple[str, str, int]] = []
        """(link, target, components left after it) of each link still being expanded."""
        self.followed = 0
        self.masked = False
        """A symlink to ``/dev/null`` was met: the file is masked."""

    def here(self, part: str) -> str:
        return "/" + "/".join([*self.names, part])

    def step_up(self) -> None:
        if len(self.fds) > 1:
            os.close(self.fds.pop())
            self.names.pop()

    def follow(self, part: str, target: str) -> None:
        self.followed += 1
        if self.followed > MAX_LINKS:
            raise _Broken(f"a symlink loop at {self.here(part)} (more than {MAX_LINKS} links)")
        self.links.append((self.here(part), target, len(self.pending)))
        if target.startswith("/"):
            while len(self.fds) > 1:
                self.step_up()
        self.pending += _parts(target)

    def absent(self) -> None:
        """A component is missing: the file is absent, unless a link points there."""
        if self.links:
            link, target, _ = self.links[0]
            raise _Broken(f"the symlink {link} -> {target} points to nothing inside "
                          f"{self.root}")

    def close(self) -> None:
        for fd in self.fds[1:]:
            os.close(fd)

    def run(self, directory: bool) -> int | None:
        """A descriptor of the regular file (or directory) reached; None when there is
        none."""
        while self.pending:
            part = self.pending.pop()
            while self.links and self.links[-1][2] > len(self.pending):
                self.links.pop()
            if part == "..":
                self.step_up()
                continue
            try:
                info = os.stat(part, dir_fd=self.fds[-1], follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                    raise
                self.absent()
                return None
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(part, dir_fd=self.fds[-1])
                if target == _MASKED:
                    self.masked = True
                    return None
                self.follow(part, target)
                continue
            last = not self.pending
            if not stat.S_ISDIR(info.st_mode):
                if last and not directory and stat.S_ISREG(info.st_mode):
                    return os.open(part, _FILE_FLAGS, dir_fd=self.fds[-1])
                if not last:
                    self.absent()
                return None
            if last and not directory:
                return None
            self.fds.append(os.open(part, _DIR_FLAGS, dir_fd=self.fds[-1]))
            self.names.append(part)
        # every component walked: the directory reached (a last "..", or "/" itself)
        return os.dup(self.fds[-1]) if directory else None


class Root:
    """A root tree: files are named as the OS sees them (``/etc/fstab``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._notes: dict[str, None] = {}

    @property
    def notes(self) -> list[str]:
        """What could not be read, once each: ``<OS path> not checked: <why>``."""
        return list(self._notes)

    def _open(self, name: str, directory: bool) -> tuple[int, bool] | None:
        """A descriptor of the regular file (or directory) ``name`` resolves to, and whether
        a symlink was followed; None when there is none (absent, another kind, masked).

        :raises _Broken: a link resolves to nothing inside the root, a loop, an I/O error.
        """
        found, walk = self._walk(name, directory)
        return None if found is None else (found, walk.followed > 0)

    def _walk(self, name: str, directory: bool) -> tuple[int | None, _Walk]:
        """:meth:`_open`'s lookup, with the walk that made it (masked or not)."""
        root_fd = os.open(self.path, _DIR_FLAGS & ~os.O_NOFOLLOW)
        walk = _Walk(self.path, root_fd, name)
        try:
            return walk.run(directory), walk
        except OSError as exc:
            raise _Broken(exc.strerror or str(exc)) from exc
        finally:
            walk.close()
            os.close(root_fd)

    def masked(self, name: str) -> bool:
        """True when the OS path ``name`` resolves through a symlink to ``/dev/null``: a
        masked file (systemd, udev, dracut).  A link that resolves to nothing is no mask (it
        is a note when the file is read)."""
        try:
            found, walk = self._walk(name, directory=False)
        except _Broken:
            return False
        if found is not None:
            os.close(found)
        return walk.masked

    def entries(self, pattern: str) -> list[str]:
        """OS paths a glob pattern names as they are listed (masked files and links that
        resolve to nothing included), sorted; see :meth:`glob` for the files to read."""
        return self._expand(pattern)

    def _checked(self, name: str, directory: bool = False) -> tuple[int, bool] | None:
        """:meth:`_open`, a failure kept as a note."""
        try:
            return self._open(name, directory)
        except _Broken as exc:
            self._notes[f"{name} not checked: {exc}"] = None
            return None

    def is_dir(self, name: str) -> bool:
        """True when the OS path is a directory inside the root."""
        found = self._checked(name, directory=True)
        if found:
            os.close(found[0])
        return found is not None

    def _list(self, name: str) -> list[str]:
        found = self._checked(name, directory=True)
        if found is None:
            return []
        try:
            return os.listdir(found[0])
        except OSError as exc:
            self._notes[f"{name} not checked: {exc.strerror}"] = None
            return []
        finally:
            os.close(found[0])

    def _expand(self, pattern: str) -> list[str]:
        """OS paths a glob pattern names (``*``, ``?``, ``[...]`` in any component; names
        starting with ``.`` only for a pattern that does), existing or not."""
        names = [""]
        for part in pattern.strip("/").split("/"):
            if not any(c in part for c in "*?["):
                names = [f"{base}/{part}" for base in names]
                continue
            names = [f"{base}/{entry}" for base in names for entry in sorted(self._list(base))
                     if fnmatch.fnmatchcase(entry, part)
                     and (part.startswith(".") or not entry.startswith("."))]
        return names

    def glob(self, *patterns: str) -> list[str]:
        """OS paths matching the patterns (regular files only), sorted; a file reached under
        several names (``/lib`` linked to ``/usr/lib``, a link to a file also matched) once,
        under a name without symlinks where there is one."""
        by_file: dict[tuple[int, int], tuple[bool, str]] = {}
        for pattern in patterns:
            for name in self._expand(pattern):
                found = self._checked(name)
                if found is None:
                    continue
                fd, linked = found
                info = os.fstat(fd)
                os.close(fd)
                key = (info.st_dev, info.st_ino)
                by_file[key] = min(by_file.get(key, (linked, name)), (linked, name))
        return sorted(name for _, name in by_file.values())

    def read(self, name: str) -> str | None:
        """The text of an OS file, or None when absent (a note says when it is there but
        could not be read)."""
        found = self._checked(name)
        if found is None:
            return None
        try:
            with os.fdopen(found[0], "rb") as file:
                return file.read().decode(errors="replace")
        except OSError as exc:
            self._notes[f"{name} not checked: {exc.strerror}"] = None
            return None

    def lines(self, name: str) -> list[tuple[int, str]]:
        """``(line number, line)`` of an OS file; empty when absent."""
        text = self.read(name)
        return list(enumerate(text.splitlines(), 1)) if text is not None else []
