"""Re-record the fixtures the replay tests use.

    .venv/bin/python tests/replay/regenerate.py                # simulator recordings
    .venv/bin/python tests/replay/regenerate.py --sushy        # also the sushy-emulator peers
    .venv/bin/python tests/replay/regenerate.py --sushy-only   # only the sushy-emulator peers

The simulator is started here on loopback and stopped at the end.  With
``--sushy`` the sushy-emulator peers installed by ``make peers-install`` (fake
driver over HTTPS with basic auth and its own CA; libvirt ``test:///default``
over HTTP) are started on 127.0.0.1 with the helpers of ``tests/peers`` and
stopped by their PID; nothing is installed here.

Re-recording changes ``recorded_at`` and, for power sessions, possibly the
number of polls; the replay tests assert values that do not depend on them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import sys
import tempfile
import types
from collections.abc import Iterator
from typing import Any

from hamnhw.fixturetools.sessions import record_session, record_walk
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "redfish"
SIM_SPEC = ServerSpec(name="primary", power="On", power_delay=0.5)
SIM_CREDENTIALS = {"username": "admin", "password": "password"}  # simulator-only values

def record_simulator(out: pathlib.Path) -> list[pathlib.Path]:
    """A full walk and a power-cycle session of one simulated server."""
    written = []
    identity = {"vendor": "hamnhw-sim", "source": "hamnhw-sim"}
    with SimCluster([SIM_SPEC]) as cluster:
        url = cluster["primary"].url
        written.append(record_walk(url, out, **identity, **SIM_CREDENTIALS))
        written.append(record_session(url, out, "power-cycle", **identity, **SIM_CREDENTIALS,
                                      poll=PollPolicy(interval=0.2, timeout=30)))
    return written


# -- sushy-emulator peers ------------------------------------------------------------------
PEERS_TESTS = ROOT / "tests" / "peers"
SUSHY_IDENTITY: dict[str, Any] = {"source": "sushy-tools", "vendor": "sushy-tools",
                                  "firmware": "2.2.0"}
SUSHY_POLL = PollPolicy(interval=1.0, timeout=60.0)  # the fake driver lands in 1-11 s


def _peer_helpers() -> types.SimpleNamespace:
    """What ``tests/peers`` uses to start the sushy-emulator peers (its data, config writers
    and process helpers), so that recordings see the very peers the peer tests see."""
    sys.path.insert(0, str(PEERS_TESTS))
    import peerconfig
    import peerdata
    import peerproc

    return types.SimpleNamespace(
        PEERS_DIR=pathlib.Path(os.environ.get("HAMNHW_PEERS_DIR", ROOT / ".peers")),
        FAKE_SYSTEMS=peerdata.FAKE_SYSTEMS, USERNAME=peerdata.USERNAME,
        PASSWORD=peerdata.PASSWORD, LOOPBACK=peerproc.LOOPBACK,
        start_peer=peerproc.start_peer, wait_http=peerproc.wait_http,
        sushy_fake_config=peerconfig.sushy_fake_config,
        sushy_libvirt_config=peerconfig.sushy_libvirt_config)


def _emulator(helpers: types.SimpleNamespace, venv: str) -> pathlib.Path:
    path = pathlib.Path(helpers.PEERS_DIR) / venv / "bin" / "sushy-emulator"
    if not path.exists():
        raise SystemExit(f"{path} missing: run `make peers-install` first")
    return path


@contextlib.contextmanager
def _running_peer(helpers: types.SimpleNamespace, name: str, argv: list[str],
                  workdir: pathlib.Path, url: str,
                  cafile: pathlib.Path | None = None) -> Iterator[None]:
    """Start a peer on loopback, wait until it answers, stop it by PID at the end."""
    process = helpers.start_peer(name, argv, workdir)
    try:
        helpers.wait_http(process, url, cafile)
        yield
    finally:
        process.stop()


def record_sushy_fake(helpers: types.SimpleNamespace, out: pathlib.Path,
                      workdir: pathlib.Path) -> list[pathlib.Path]:
    """The fake driver's walk (from node-a) and node-b's power-cycle (it starts On)."""
    emulator = _emulator(helpers, "v-sushy")
    written = helpers.sushy_fake_config(workdir, emulator)
    cert, port, config = written.cert, written.port, written.config
    systems, node_a = helpers.FAKE_SYSTEMS, helpers.FAKE_SYSTEMS["node-a"]["uuid"]
    base = f"{helpers.LOOPBACK}:{port}"
    login: dict[str, Any] = {"username": helpers.USERNAME, "password": helpers.PASSWORD,
                             "ca_file": str(cert)}
    identity: dict[str, Any] = {**SUSHY_IDENTITY, "model": "fake"}
    with _running_peer(helpers, "sushy-fake", [str(emulator), "--config", str(config)],
                       workdir, f"https://{base}/redfish/v1/", cert):
        system = f"redfish://{base}/redfish/v1/Systems/"
        return [record_walk(system + node_a, out, **identity, **login),
                record_session(system + systems["node-b"]["uuid"], out, "power-cycle",
                               **identity, **login, poll=SUSHY_POLL)]


def record_sushy_libvirt(helpers: types.SimpleNamespace, out: pathlib.Path,
                         workdir: pathlib.Path) -> list[pathlib.Path]:
    """A walk of sushy-emulator on libvirt's ``test:///default`` driver (plain HTTP)."""
    emulator = _emulator(helpers, "v-sushy-lv")
    written = helpers.sushy_libvirt_config(workdir)
    port, config = written.port, written.config
    base = f"{helpers.LOOPBACK}:{port}"
    with _running_peer(helpers, "sushy-libvirt", [str(emulator), "--config", str(config)],
                       workdir, f"http://{base}/redfish/v1/"):
        return [record_walk(f"redfish+http://{base}", out, **SUSHY_IDENTITY, model="libvirt",
                            username=helpers.USERNAME, password=helpers.PASSWORD)]


def record_sushy_peers(out: pathlib.Path) -> list[pathlib.Path]:
    """Start each sushy-emulator peer in a temporary directory, record it, stop it."""
    helpers = _peer_helpers()
    with tempfile.TemporaryDirectory(prefix="hamnhw-regenerate-") as tmp:
        work = pathlib.Path(tmp)
        return (record_sushy_fake(helpers, out, work / "sushy-fake")
                + record_sushy_libvirt(helpers, out, work / "sushy-libvirt"))



def main(argv: list[str] | None = None) -> int:
    """Record; print each directory written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=FIXTURES)
    parser.add_argument("--sushy", action="store_true",
                        help="also start and record the sushy-emulator peers")
    parser.add_argument("--sushy-only", action="store_true",
                        help="record only the sushy-emulator peers")
    args = parser.parse_args(argv)
    written = [] if args.sushy_only else record_simulator(args.out)
    if args.sushy or args.sushy_only:
        written += record_sushy_peers(args.out)
    for directory in written:
        print(directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
