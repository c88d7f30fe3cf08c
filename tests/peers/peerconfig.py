"""sushy-emulator configurations shared by the peer fixtures and tests/replay/regenerate.py.

Each writer prepares a fresh work dir (state dir, config, certificate, htpasswd) and returns
what a caller needs to start the emulator on 127.0.0.1 and reach it.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

from peerdata import (
    FAKE_DRIVES,
    FAKE_SYSTEMS,
    LIBVIRT_TEST_DOMAIN_UUID,
    LIBVIRT_TEST_POOL,
    PASSWORD,
    STORAGE_CONTROLLER,
    USERNAME,
)
from peerproc import LOOPBACK, free_port, make_self_signed_cert


@dataclasses.dataclass(frozen=True)
class SushyConfig:
    """A written sushy-emulator configuration."""

    config: Path
    """The ``--config`` file."""
    port: int
    """The loopback port it listens on."""
    cert: Path | None = None
    """Its self-signed certificate (HTTPS), or None for plain HTTP."""


def write_sushy_config(path: Path, settings: dict[str, object]) -> Path:
    """A sushy-emulator config file: one ``SUSHY_EMULATOR_<KEY> = <repr>`` per line."""
    lines = [f"SUSHY_EMULATOR_{key} = {value!r}" for key, value in settings.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def bcrypt_htpasswd(python: Path, path: Path) -> Path:
    """htpasswd line for the test account; bcrypt rounds=4 (sushy checks it on every request)."""
    code = ("import bcrypt, sys; pw = sys.stdin.read().encode(); "
            "print(sys.argv[1] + ':' + bcrypt.hashpw(pw, bcrypt.gensalt(rounds=4)).decode())")
    line = subprocess.run([str(python), "-c", code, USERNAME], input=PASSWORD, text=True,
                          check=True, capture_output=True).stdout
    path.write_text(line)
    path.chmod(0o600)
    return path


def sushy_fake_config(workdir: Path, emulator: Path) -> SushyConfig:
    """The fake driver over HTTPS with basic auth: node-a (Off, two NICs, Storage/Drives)
    and node-b (On).

    :raises OSError, subprocess.CalledProcessError: the certificate could not be made.
    """
    (workdir / "state").mkdir(parents=True)
    cert, key = make_self_signed_cert(workdir)
    port = free_port()
    node_a = FAKE_SYSTEMS["node-a"]["uuid"]
    config = write_sushy_config(workdir / "emulator.conf", {
        "LISTEN_IP": LOOPBACK, "LISTEN_PORT": port, "FAKE_DRIVER": True,
        "STATE_DIR": str(workdir / "state"),
        "AUTH_FILE": str(bcrypt_htpasswd(emulator.with_name("python"), workdir / "htpasswd")),
        "SSL_CERT": str(cert), "SSL_KEY": str(key),
        "FAKE_SYSTEMS": [{"name": name, "external_notifier": False, **spec}
                         for name, spec in FAKE_SYSTEMS.items()],
        "STORAGE": {node_a: [STORAGE_CONTROLLER]},
        "DRIVES": {(node_a, "1"): FAKE_DRIVES},
    })
    return SushyConfig(config, port, cert)


def sushy_libvirt_config(workdir: Path) -> SushyConfig:
    """libvirt's in-process ``test:///default`` driver over plain HTTP, no auth; its domain
    has a Storage with two drives and an empty Volumes collection whose volumes the emulator
    backs in the test driver's ``default-pool``."""
    (workdir / "state").mkdir(parents=True)
    port = free_port()
    storage_key = (LIBVIRT_TEST_DOMAIN_UUID, STORAGE_CONTROLLER["Id"])
    config = write_sushy_config(workdir / "emulator.conf", {
        "LISTEN_IP": LOOPBACK, "LISTEN_PORT": port, "LIBVIRT_URI": "test:///default",
        "STATE_DIR": str(workdir / "state"), "STORAGE_POOL": LIBVIRT_TEST_POOL,
        "STORAGE": {LIBVIRT_TEST_DOMAIN_UUID: [STORAGE_CONTROLLER]},
        "DRIVES": {storage_key: FAKE_DRIVES}, "VOLUMES": {storage_key: []},
    })
    return SushyConfig(config, port)
