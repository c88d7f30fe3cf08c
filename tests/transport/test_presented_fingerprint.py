"""The certificate a BMC presents, read without verifying it (for the TLS hint); in a
thread and as a cooperative task (its waits the hub's)."""

from __future__ import annotations

import socket

import pytest

from hamnhw.sim import ServerSpec, SimCluster
from hamnhw.transport.tlschoice import presented_fingerprint

pytestmark = [pytest.mark.e2e, pytest.mark.both_io]


def test_fingerprint_of_a_self_signed_bmc() -> None:
    with SimCluster([ServerSpec(name="bmc")], tls=True) as cluster:
        port = int(cluster["bmc"].url.rsplit(":", 1)[1])
        assert presented_fingerprint("127.0.0.1", port, 5.0) == cluster.fingerprint
        assert cluster["bmc"].requests == [], "a handshake only: no HTTP request"


def test_no_fingerprint_from_a_closed_port_or_plain_http() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        assert presented_fingerprint("127.0.0.1", sock.getsockname()[1], 2.0) is None
    with SimCluster([ServerSpec(name="bmc")], tls=False) as cluster:
        port = int(cluster["bmc"].url.rsplit(":", 1)[1])
        assert presented_fingerprint("127.0.0.1", port, 2.0) is None
