"""A wheelhouse with every package ``ansible-test sanity --venv`` installs, so that it can
run offline with pip pointed at nothing else.

ansible-test installs, into virtual environments it makes itself:

* its controller environment (``--venv``): ``requirements/ansible.txt`` under
  ``requirements/constraints.txt`` (``collect_general_install`` in its
  ``_internal/python_requirements.py``; sanity adds no ``sanity.txt``);
* one environment per sanity test with requirements: the pinned
  ``requirements/sanity.<test>.txt`` (``collect_sanity_install``, no constraints), the
  import test also ``sanity.import.plugin.txt``;
* pip itself, bootstrapped by a get-pip script (the tests place a stand-in for it) and
  uninstalled again from the sanity environments: not a wheelhouse matter.

:func:`fill` downloads those files' packages with the pip of this venv from the package
index this machine's pip is configured with (outside any network namespace), as wheels
only, so that installing them needs no build backend from an index.  :func:`point_pip_at`
writes a ``pip.conf`` under a HOME that makes pip use the wheelhouse and no index:
ansible-test passes HOME to pip but not ``PIP_*`` variables.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import subprocess
import sys
from pathlib import Path

_STAMP = ".complete"


@dataclasses.dataclass(frozen=True)
class RequirementFile:
    """A requirements file ansible-test installs, with the constraints it applies to it."""

    path: Path
    constraints: Path | None = None

    def pip_args(self) -> list[str]:
        args = ["-r", str(self.path)]
        return [*args, "-c", str(self.constraints)] if self.constraints else args


def requirement_files() -> list[RequirementFile]:
    """Every requirements file ``ansible-test sanity --venv`` may install."""
    import ansible_test

    data = Path(ansible_test.__file__).parent / "_data" / "requirements"
    controller = RequirementFile(data / "ansible.txt", data / "constraints.txt")
    return [controller, *(RequirementFile(p) for p in sorted(data.glob("sanity.*.txt")))]


def _fingerprint(files: list[RequirementFile]) -> str:
    digest = hashlib.sha256()
    for item in files:
        for path in (item.path, item.constraints):
            if path:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_UNREACHABLE = ("Failed to establish a new connection", "Could not fetch URL",
                "Max retries exceeded")


@dataclasses.dataclass(frozen=True)
class Unfetched:
    """What pip could not download for a requirements file, and whether it could not reach
    the index at all (then the other files are not tried)."""

    what: str
    unreachable: bool


def _download(item: RequirementFile, wheelhouse: Path) -> Unfetched | None:
    """Download ``item``'s packages into ``wheelhouse``; None, or what pip could not fetch."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
         "--only-binary", ":all:", "--dest", str(wheelhouse), *item.pip_args()],
        capture_output=True, text=True, timeout=600, check=False)
    if result.returncode == 0:
        return None
    output = result.stdout + result.stderr
    named = re.findall(r"No matching distribution found for (\S+)", output)
    reason = ", ".join(named) if named else (output.strip().splitlines() or ["pip failed"])[-1]
    return Unfetched(f"{item.path.name}: {reason}", any(s in output for s in _UNREACHABLE))


def fill(wheelhouse: Path) -> list[str]:
    """Download every package ansible-test installs into ``wheelhouse`` (skipped when a
    previous run completed it for the same requirements files); what could not be
    fetched (``"<requirements file>: <why>"``), empty when all was."""
    files = requirement_files()
    stamp = wheelhouse / _STAMP
    fingerprint = _fingerprint(files)
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return []
    wheelhouse.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    for number, item in enumerate(files):
        failure = _download(item, wheelhouse)
        if failure:
            missing.append(failure.what)
        if failure and failure.unreachable:
            missing += [f"{rest.path.name}: not tried, the index is unreachable"
                        for rest in files[number + 1:]]
            break
    if not missing:
        stamp.write_text(fingerprint)
    return missing


def point_pip_at(wheelhouse: Path, home: Path) -> Path:
    """The user ``pip.conf`` under ``home``: no index, packages from ``wheelhouse`` only."""
    conf = home / ".config" / "pip" / "pip.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[global]\nno-index = true\nfind-links = {wheelhouse}\n")
    return conf
