"""Transport throughput: sequential GETs/s of a small resource with session auth,
and what the redacting logger costs at INFO vs DEBUG.

The transport logs one DEBUG line per request (through the redacting filter);
at INFO that line is dropped before it is formatted.  A handler writing to
``os.devnull`` is attached so the DEBUG cost is the real one (format, redact,
write).  INFO and DEBUG blocks alternate so that machine noise hits both.

Run: ``.venv/bin/python benchmarks/bench_transport.py [--quick] [--json] [--no-targets]``
"""

from __future__ import annotations

import logging
import os
import secrets
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import benchlib
from benchlib import COUNT, Report

from hamnhw.address import parse_bmc_url
from hamnhw.connection import Credentials, Secret, Timeouts, TlsOptions
from hamnhw.log import redact, register_secret
from hamnhw.sim import ServerSpec, SimServer
from hamnhw.transport.redfish import RedfishTransport

RESOURCE = "/redfish/v1/Systems/1/EthernetInterfaces/NIC1"
"""A small resource (a few hundred bytes of JSON)."""
MIN_GETS_PER_S = 250.0
"""Target: sequential GETs per second at INFO."""
MAX_DEBUG_FACTOR = 1.5
"""Target: time per GET at DEBUG / at INFO."""
EXTRA_SECRETS = 1000
"""Secrets registered for the redaction micro-measurement (informational)."""


class CountingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Formats and writes every record to ``os.devnull``, and counts them."""

    def __init__(self) -> None:
        super().__init__(open(os.devnull, "w"))  # noqa: SIM115 - closed in close()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        super().emit(record)

    def close(self) -> None:
        self.stream.close()
        super().close()


@contextmanager
def hamnhw_logging(level: int, handler: CountingHandler) -> Iterator[None]:
    """Set the ``hamnhw`` logger to ``level`` with ``handler`` attached."""
    logger = logging.getLogger("hamnhw")
    old_level = logger.level
    logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def open_transport(server: SimServer) -> RedfishTransport:
    """The transport alone (no driver), logged in with a session."""
    credentials = Credentials(server.username, Secret(server.password))
    return RedfishTransport(parse_bmc_url(server.url), credentials, TlsOptions(),
                            Timeouts()).open()


def get_block(client: RedfishTransport, count: int) -> float:
    """Seconds for ``count`` sequential GETs of :data:`RESOURCE`."""
    start = time.perf_counter()
    for _ in range(count):
        client.get(RESOURCE)
    return time.perf_counter() - start


def redact_us(text: str, calls: int = 2000) -> float:
    """Microseconds per :func:`hamnhw.log.redact` call on ``text``."""
    start = time.perf_counter()
    for _ in range(calls):
        redact(text)
    return (time.perf_counter() - start) / calls * 1e6


def measure_levels(server: SimServer, block: int, blocks: int,
                   ) -> tuple[dict[str, list[float]], dict[str, int], list, str]:
    """Alternate INFO and DEBUG blocks of GETs over one session.

    :returns: seconds per GET per block and level, log records per level, the
        requests the server received, and the client's host (for a log line).
    """
    per_get: dict[str, list[float]] = {"info": [], "debug": []}
    handlers = {"info": CountingHandler(), "debug": CountingHandler()}
    levels = {"info": logging.INFO, "debug": logging.DEBUG}
    client = open_transport(server)
    try:
        get_block(client, 10)  # warm up the connection
        mark = len(server.requests)
        for _ in range(blocks):
            for name in ("info", "debug"):
                with hamnhw_logging(levels[name], handlers[name]):
                    per_get[name].append(get_block(client, block) / block)
        records = benchlib.requests_since(server, mark)
    finally:
        client.close()
        for handler in handlers.values():
            handler.close()
    return per_get, {k: h.records for k, h in handlers.items()}, records, client.host


def redaction_cost(host: str) -> dict[str, float]:
    """Microseconds to redact one DEBUG line, now and with many more registered secrets."""
    line = f"{host} GET {RESOURCE} -> HTTP 200"
    before = redact_us(line)
    for _ in range(EXTRA_SECRETS):
        register_secret(secrets.token_hex(16))
    return {"now": round(before, 2), f"plus_{EXTRA_SECRETS}_secrets": round(redact_us(line), 2)}


def run(argv: Sequence[str] | None = None) -> int:
    args = benchlib.parse_args(__doc__.splitlines()[0], argv)
    block = 50 if args.quick else 200
    blocks = benchlib.iterations(args, full=5, quick=1)
    report = Report("transport", args)
    report.params.update(resource=RESOURCE, gets_per_block=block, blocks_per_level=blocks)
    with benchlib.simulated([ServerSpec(name="bench", power="On")]) as cluster:
        per_get, log_records, records, host = measure_levels(cluster["bench"], block, blocks)
    sent = 2 * block * blocks
    session = sum(r.auth == "session" for r in records)
    info_s, debug_s = statistics.median(per_get["info"]), statistics.median(per_get["debug"])
    report.metric("gets_per_s", {"info": round(1 / info_s), "debug": round(1 / debug_s)})
    report.metric("ms_per_get", {"info": round(info_s * 1000, 3),
                                 "debug": round(debug_s * 1000, 3)})
    report.metric("debug_factor", round(debug_s / info_s, 3))
    report.metric("log_records", log_records)
    report.metric("requests", {"sent": sent, "received": len(records), "session_auth": session})
    report.metric("redact_us_per_line", redaction_cost(host))
    report.target("sequential GETs/s at INFO", round(1 / info_s), MIN_GETS_PER_S, "GET/s",
                  op=">=")
    report.target("DEBUG / INFO time per GET", round(debug_s / info_s, 3), MAX_DEBUG_FACTOR,
                  "x")
    report.target("requests received / sent (no retries)", len(records), sent, "requests",
                  kind=COUNT, op="==")
    report.target("GETs with session auth", session, sent, "requests", kind=COUNT, op="==")
    report.target("DEBUG records (one per GET)", log_records["debug"], block * blocks,
                  "records", kind=COUNT, op=">=")
    return report.finish()


if __name__ == "__main__":
    sys.exit(run())
