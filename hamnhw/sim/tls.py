"""A throw-away self-signed certificate for the simulator's optional HTTPS.

Made with the ``openssl`` command line tool in a private temporary directory, valid for
``127.0.0.1`` and ``localhost``. Clients verify it with ``cert_file`` as their CA bundle or
pin it by ``fingerprint`` (SHA-256 of the DER certificate, lower-case hex).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

from hamnhw.procenv import child_env


class TlsSetupError(RuntimeError):
    """The certificate could not be made (``openssl`` missing or failing)."""


class SelfSignedCert:
    """Certificate and key files in a temporary directory; :meth:`cleanup` removes them."""

    def __init__(self, common_name: str = "hamnhw-sim") -> None:
        openssl = shutil.which("openssl")
        if openssl is None:
            raise TlsSetupError("the openssl command is needed for the simulator's HTTPS")
        self._dir = Path(tempfile.mkdtemp(prefix="hamnhw-sim-tls-"))
        self.cert_file = str(self._dir / "cert.pem")
        self.key_file = str(self._dir / "key.pem")
        command = [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "7",
            "-subj", f"/CN={common_name}", "-keyout", self.key_file, "-out", self.cert_file,
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
        ]
        env = child_env()
        env.setdefault("PATH", "/usr/bin:/bin")
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
        if result.returncode != 0:
            self.cleanup()
            raise TlsSetupError(f"openssl failed: {result.stderr.strip()[-500:]}")
        os.chmod(self.key_file, 0o600)
        pem = Path(self.cert_file).read_text()
        self.fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context (TLS 1.2+) with this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def cleanup(self) -> None:
        """Remove the certificate directory."""
        shutil.rmtree(self._dir, ignore_errors=True)
