"""A pyghmi ``Bmc`` on 127.0.0.1 for the IPMI rows of the fault matrix (a child process,
stopped by its PID): ``ipmi_peer.py MODE PORT LOG``.

* ``busy``: Get Chassis Status answers "node busy" (completion code 0xC0) twice, then the
  power state (off);
* ``sha1``: pyghmi's own server as it ships: it answers the client's SHA-256 proposal
  (cipher suite 17) with SHA-1 data, the cipher-suite mismatch a real BMC can show.

Every Get Chassis Status is appended to LOG (one line each); ``READY`` is printed once
listening.  The account is ``admin``/``password`` (a test peer's, never a real one).
"""

from __future__ import annotations

import sys
import threading

from pyghmi.ipmi.bmc import Bmc


class Peer(Bmc):  # type: ignore[misc]
    def __init__(self, port: int, log: str, busy: int) -> None:
        super().__init__({"admin": "password"}, port=port, address="127.0.0.1")
        self.log, self.busy, self.lock = log, busy, threading.Lock()

    def get_power_state(self) -> str:
        return "off"

    def get_chassis_status(self, session):  # type: ignore[no-untyped-def]
        with self.lock:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write("chassis status\n")
            if self.busy > 0:
                self.busy -= 1
                return session.send_ipmi_response(code=0xC0)
        return super().get_chassis_status(session)


def main() -> None:
    mode, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "busy":  # the simulator's handshake fix: SHA-256 refused, SHA-1 agreed
        import hamnhw.sim.ipmi_bmc  # noqa: F401
    peer = Peer(port, log, busy=2 if mode == "busy" else 0)
    print("READY", flush=True)
    peer.listen(30)


if __name__ == "__main__":
    main()
