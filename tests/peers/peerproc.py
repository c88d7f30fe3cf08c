"""Start, wait for and stop third-party peer processes on loopback.

Every peer is started here by a test fixture and stopped by the PID it got at start:
SIGTERM, a grace period, then SIGKILL.  Children never inherit ``HAMNHW_*`` variables.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"
READY_SECONDS = 60.0
STOP_GRACE_SECONDS = 5.0


class PeerStartError(RuntimeError):
    """A peer exited or never answered; the message carries the end of its log."""


@dataclasses.dataclass
class PeerProcess:
    """One running peer, known by its PID."""

    name: str
    executable: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        """PID written at start; the only handle used to stop it."""
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the peer's combined stdout/stderr."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM by PID, wait ``grace`` seconds, then SIGKILL; always reaps."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    """This process's environment without hamnhw's variables (they may hold secrets)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}


def start_peer(name: str, argv: list[str], log_dir: Path) -> PeerProcess:
    """Start ``argv`` detached from the terminal, output to ``<log_dir>/<name>.log``."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=child_env(), start_new_session=True, cwd=log_dir)
    (log_dir / f"{name}.pid").write_text(f"{process.pid}\n")
    return PeerProcess(name, Path(argv[0]), process, log_path)


def wait_http(peer: PeerProcess, url: str, cafile: Path | None = None,
              seconds: float = READY_SECONDS) -> None:
    """Wait until ``url`` answers with any HTTP status; raise with the log if it never does."""
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if peer.process.poll() is not None:
            raise PeerStartError(f"{peer.name} exited with {peer.process.returncode}:\n"
                                 f"{peer.log_tail()}")
        if _answers(url, context):
            return
        time.sleep(0.1)
    raise PeerStartError(f"{peer.name} did not answer {url} within {seconds:.0f} s:\n"
                         f"{peer.log_tail()}")


def _answers(url: str, context: ssl.SSLContext | None) -> bool:
    """True when ``url`` gives any HTTP answer (401 and friends included)."""
    try:
        urllib.request.urlopen(url, timeout=2, context=context).close()
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
    return True


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 made with the openssl binary: (cert, key)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={LOOPBACK}",
         "-addext", f"subjectAltName=IP:{LOOPBACK},DNS:localhost"],
        check=True, capture_output=True, stdin=subprocess.DEVNULL)
    return cert, key


def cert_sha256(cert: Path) -> str:
    """SHA-256 of the certificate's DER encoding, lower-case hex."""
    der = ssl.PEM_cert_to_DER_cert(cert.read_text())
    return hashlib.sha256(der).hexdigest()
