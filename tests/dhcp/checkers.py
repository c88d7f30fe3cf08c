"""The DHCP servers' own configuration checkers (Debian packages from
tests/peers/install_dhcp_peers.sh, installed with `make test`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHECKERS = {
    "isc": ("dhcpd", "isc-dhcp-server"),
    "kea": ("kea-dhcp4", "kea-dhcp4-server"),
    "dnsmasq": ("dnsmasq", "dnsmasq"),
}
_COMPLAINT = re.compile(r"\b(ERROR|WARN|FATAL|error|warning|bad option|duplicate)\b")


def program(name: str, package: str) -> str:
    """Full path of a checker, or fail the test naming the package to install."""
    for directory in ("/usr/sbin", "/usr/bin", "/sbin"):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not installed (Debian {package}): run `make peers-install` as "
                    "root (tests/peers/install_dhcp_peers.sh)")
    return found


def check_file(fmt: str, path: Path) -> str:
    """Run the server's checker on ``path``; fail on a non-zero exit or any complaint."""
    name, package = CHECKERS[fmt]
    exe = program(name, package)
    argv = {"isc": [exe, "-t", "-cf", str(path)],
            "kea": [exe, "-t", str(path)],
            "dnsmasq": [exe, "--test", "-C", str(path)]}[fmt]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}:\n{output}"
    complaints = [line for line in output.splitlines() if _COMPLAINT.search(line)]
    assert not complaints, f"{' '.join(argv)} complained:\n" + "\n".join(complaints)
    return output
