"""The fingerprint hint after a TLS verification failure, in a fan-out: reading the
certificate the BMC presents (a second handshake, up to 5 s) must not hold the other
nodes, which, in cooperative tasks (:mod:`hamnhw.coop`), share one thread.

Through the ``hamnhw`` command (a subprocess, as an operator runs it) over two BMCs: ``a``
presents a certificate the command does not trust; ``b``, a simulated BMC, holds its
System's answer until ``a``'s hint handshake has come, and ``a`` completes that handshake
only once ``b`` has logged out.  Side by side, both end and ``a``'s error carries the
fingerprint to pin; had the hint's handshake held the thread ``b`` runs on, it would have
timed out without a fingerprint."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.sim.tls import SelfSignedCert

GUARD_S = 30.0
"""A failure guard on each wait below: what is waited for comes at once once it works."""
HAMNHW = str(Path(sys.executable).with_name("hamnhw"))


class UntrustedBmc:
    """Presents a self-signed certificate: the first handshake at once (refused by the
    client), every later one (the hint's) only once ``release`` is set."""

    def __init__(self, cert: SelfSignedCert) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert.cert_file, cert.key_file)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.hint_came = threading.Event()
        self.release = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        first = True
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not first:
                self.hint_came.set()
                self.release.wait(GUARD_S)
            first = False
            conn.settimeout(GUARD_S)
            try:
                self.context.wrap_socket(conn, server_side=True).close()
            except OSError:  # the client refused the certificate, or gave up
                conn.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def untrusted() -> Iterator[UntrustedBmc]:
    cert = SelfSignedCert("untrusted-bmc")
    bmc = UntrustedBmc(cert)
    try:
        yield bmc
    finally:
        bmc.release.set()
        bmc.close()


@pytest.mark.parametrize("io", ["cooperative", "threads"])
def test_the_hint_handshake_does_not_hold_the_other_nodes(untrusted: UntrustedBmc,
                                                          io: str) -> None:
    def after_the_hint(_seconds: float) -> None:  # b's latency: until a's hint came
        untrusted.hint_came.wait(GUARD_S)

    with SimCluster([ServerSpec(name="b")], tls=True, sleep=after_the_hint) as sims:
        b = sims["b"]
        b_url = b.url
        b.inject("latency", path="/redfish/v1/Systems/1", method="get", count=1)

        def release_after_b_logged_out() -> None:
            for _ in range(int(GUARD_S * 100)):
                if any(r.method == "DELETE" for r in b.requests):
                    break
                threading.Event().wait(0.01)
            untrusted.release.set()

        threading.Thread(target=release_after_b_logged_out, daemon=True).start()
        environ = {k: v for k, v in os.environ.items() if not k.startswith("HAMNHW_")}
        environ.update(HAMNHW_PASSWORD=b.password, HAMNHW_USERNAME=b.username,
                       HAMNHW_FANOUT_IO=io)
        assert sims.cert is not None
        done = subprocess.run(
            [HAMNHW, "--json", "power", "status", f"redfish://127.0.0.1:{untrusted.port}",
             b_url, "--ca-file", sims.cert.cert_file, "--timeout", "60"],
            capture_output=True, text=True, env=environ, timeout=120, check=False,
            stdin=subprocess.DEVNULL)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_node = {line["node"]: line for line in lines if "node" in line}
    assert by_node[b_url].get("power_state") == "off", done.stdout + done.stderr
    error = by_node[f"redfish://127.0.0.1:{untrusted.port}"]["error"]
    assert "--pin-fingerprint" in error["message"], error
