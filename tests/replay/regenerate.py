"""Re-record the fixtures the replay tests use.

    .venv/bin/python tests/replay/regenerate.py            # simulator recordings
    .venv/bin/python tests/replay/regenerate.py --sushy    # also sushy-emulator, if running

The simulator is started here on loopback and stopped at the end.  The
sushy-emulator peer (https://127.0.0.1:8443, admin/password, CA at
/tmp/hamnhw-peers/cfg/cert.pem) is only recorded when it is already running
(see ../shared/peers/ci-peers.sh); this script never installs or starts it.

Re-recording changes ``recorded_at`` and, for power sessions, possibly the
number of polls; the replay tests assert values that do not depend on them.
"""

from __future__ import annotations

import argparse
import pathlib
import socket
import sys

from hamnhw.fixturetools.sessions import record_session, record_walk
from hamnhw.interfaces import PollPolicy
from hamnhw.sim import ServerSpec, SimCluster

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "redfish"
SIM_SPEC = ServerSpec(name="primary", power="On", power_delay=0.5)
SIM_CREDENTIALS = {"username": "admin", "password": "password"}  # simulator-only values
SUSHY_URL = "redfish://127.0.0.1:8443"
SUSHY_CA = pathlib.Path("/tmp/hamnhw-peers/cfg/cert.pem")  # the peers' fixed path


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


def sushy_running() -> bool:
    """True when something listens on the sushy-emulator port and its CA exists."""
    if not SUSHY_CA.exists():
        return False
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 8443)) == 0


def record_sushy(out: pathlib.Path) -> list[pathlib.Path]:
    """A walk and a power-cycle session of the sushy-emulator fake driver."""
    common = {"source": "sushy-tools", "vendor": "sushy-tools", "model": "fake",
              "firmware": "2.2.0", "ca_file": str(SUSHY_CA), **SIM_CREDENTIALS}
    return [record_walk(SUSHY_URL, out, **common),
            record_session(SUSHY_URL, out, "power-cycle", **common,
                           poll=PollPolicy(interval=1.0, timeout=60))]


def main(argv: list[str] | None = None) -> int:
    """Record; print each directory written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=FIXTURES)
    parser.add_argument("--sushy", action="store_true", help="also record sushy-emulator")
    args = parser.parse_args(argv)
    written = record_simulator(args.out)
    if args.sushy:
        if sushy_running():
            written += record_sushy(args.out)
        else:
            print("sushy-emulator is not running on 127.0.0.1:8443; skipped", file=sys.stderr)
    for directory in written:
        print(directory.relative_to(ROOT) if directory.is_relative_to(ROOT) else directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
