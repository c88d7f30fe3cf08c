"""HTTPS with the generated self-signed certificate."""

from __future__ import annotations

import hashlib
import ssl

import pytest
import requests
from simclient import SYSTEM, Bmc

from hamnhw.sim import ServerSpec


@pytest.fixture
def tls_cluster(start_cluster):
    return start_cluster(ServerSpec(name="primary"), ServerSpec(name="standby"), tls=True)


def test_https_verified_with_the_generated_cert(tls_cluster):
    server = tls_cluster["primary"]
    assert server.url.startswith("redfish+https://127.0.0.1:")
    client = Bmc(server, verify=server.cert_file)
    assert client.get(SYSTEM).json()["Id"] == "1"
    localhost = requests.get(f"https://localhost:{server.port}/redfish/v1",
                             verify=server.cert_file, timeout=10)
    assert localhost.status_code == 200


def test_https_refused_without_the_cert(tls_cluster):
    client = Bmc(tls_cluster["primary"], verify=True)
    with pytest.raises(requests.exceptions.SSLError):
        client.get("/redfish/v1")


def test_fingerprint_is_sha256_of_the_served_der(tls_cluster):
    server = tls_cluster["standby"]
    pem = ssl.get_server_certificate(("127.0.0.1", server.port))
    assert hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest() == server.fingerprint
    assert tls_cluster.fingerprint == server.fingerprint
    assert len(server.fingerprint) == 64


def test_plain_http_on_the_tls_port_does_not_hang_the_server(tls_cluster):
    server = tls_cluster["primary"]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/redfish/v1", timeout=5)
    assert Bmc(server, verify=server.cert_file).get("/redfish/v1").status_code == 200


def test_cert_removed_on_stop(start_cluster):
    import os

    cluster = start_cluster(ServerSpec(name="x"), tls=True)
    path = cluster.cert_file
    assert os.path.exists(path)
    cluster.stop()
    assert not os.path.exists(path)
