"""Two network namespaces joined by a veth pair, a DHCP server in one and busybox udhcpc in
the other: nothing touches the host's own interfaces, and every address lives only inside
these namespaces.  Everything started here is stopped by PID.

Where the kernel refuses namespaces (no CAP_SYS_ADMIN), :func:`require_netns` fails the test
with the reason, or skips it when ``HAMNHW_SKIP_NETNS=1``.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from checkers import program

SERVER_IP = "10.213.0.1"
POOL = ("10.213.0.100", "10.213.0.150")
SKIP_ENV = "HAMNHW_SKIP_NETNS"
_LEASE = re.compile(r"lease of (\d+\.\d+\.\d+\.\d+) obtained")


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def require_netns(reason_prefix: str = "network namespaces refused") -> None:
    """Fail (or skip with HAMNHW_SKIP_NETNS=1) when namespaces cannot be made here."""
    probe = f"hamnhw-probe-{os.getpid()}"
    done = _ip("netns", "add", probe)
    if done.returncode == 0:
        _ip("netns", "del", probe)
        return
    reason = f"{reason_prefix}: `ip netns add` said: {done.stderr.strip() or done.returncode}"
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{reason} ({SKIP_ENV}=1)")
    pytest.fail(f"{reason}; these tests need CAP_SYS_ADMIN (run as root), or set "
                f"{SKIP_ENV}=1 to skip them")


def remove_stale_namespaces() -> None:
    """Delete ``hamnhw-srv-<pid>``/``hamnhw-cli-<pid>`` namespaces left by a test run that no
    longer exists (killed before its teardown); a live run's namespaces are left alone."""
    listed = _ip("netns", "list").stdout
    for name in re.findall(r"^(hamnhw-(?:srv|cli)-(\d+))\b", listed, flags=re.M):
        if not Path(f"/proc/{name[1]}").exists():
            _ip("netns", "del", name[0])


@dataclasses.dataclass
class VethPair:
    """Server namespace (``server_if`` with :data:`SERVER_IP`/24) and client namespace."""

    server_ns: str
    client_ns: str
    server_if: str = "hnsrv0"
    client_if: str = "hncli0"

    def create(self) -> None:
        """Make both namespaces and the veth between them; undo on failure."""
        steps = [
            ("netns", "add", self.server_ns), ("netns", "add", self.client_ns),
            ("link", "add", self.server_if, "netns", self.server_ns, "type", "veth", "peer",
             "name", self.client_if, "netns", self.client_ns),
            ("-n", self.server_ns, "addr", "add", f"{SERVER_IP}/24", "dev", self.server_if),
            ("-n", self.server_ns, "link", "set", "lo", "up"),
            ("-n", self.server_ns, "link", "set", self.server_if, "up"),
            ("-n", self.client_ns, "link", "set", self.client_if, "up"),
        ]
        for step in steps:
            done = _ip(*step)
            if done.returncode != 0:
                self.delete()
                raise RuntimeError(f"ip {' '.join(step)}: {done.stderr.strip()}")

    def delete(self) -> None:
        """Delete both namespaces (the veth goes with them)."""
        for ns in (self.server_ns, self.client_ns):
            _ip("netns", "del", ns)

    def ask(self, mac: str, client_id: str | None = "mac", timeout: float = 30) -> str | None:
        """Run udhcpc from the client namespace with ``mac``; the address leased, or None.

        :param client_id: ``"mac"`` for udhcpc's default (``01:<MAC>``), None to send none
            (``-C``), else a colon-hex client id to send as option 61.
        """
        down = _ip("-n", self.client_ns, "link", "set", self.client_if, "down")
        setmac = _ip("-n", self.client_ns, "link", "set", self.client_if, "address", mac)
        up = _ip("-n", self.client_ns, "link", "set", self.client_if, "up")
        for step in (down, setmac, up):
            assert step.returncode == 0, step.stderr
        argv = ["ip", "netns", "exec", self.client_ns, program("busybox", "busybox"), "udhcpc",
                "-i", self.client_if, "-f", "-q", "-n", "-t", "6", "-T", "1", "-A", "1",
                "-s", "/bin/true"]
        if client_id is None:
            argv.append("-C")
        elif client_id != "mac":
            argv += ["-x", "0x3d:" + client_id.replace(":", "")]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        found = _LEASE.search(done.stdout + done.stderr)
        return found.group(1) if found else None


@dataclasses.dataclass
class Server:
    """A DHCP server process inside the server namespace, known by its PID."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL after 5 s; always reaped."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        """What the server printed."""
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies, so that a killed test
    run leaves no DHCP server behind (the flag survives exec)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start_server(name: str, namespace: str, argv: list[str], workdir: Path,
                 ready: Path | None = None, env: dict[str, str] | None = None) -> Server:
    """Start ``argv`` in ``namespace``; wait until ``ready`` exists (or 1 s)."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["ip", "netns", "exec", namespace, *argv],
                                   stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                                   preexec_fn=_die_with_parent)
    server = Server(name, process, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited {process.returncode}:\n{server.log_text()}")
        if ready is None or ready.exists():
            time.sleep(0.5)
            return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} not ready within 20 s:\n{server.log_text()}")
