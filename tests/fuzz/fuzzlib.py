"""Fuzz targets shared by the hypothesis properties (``make test``) and the atheris fuzzer
(``make soak``): every parser of untrusted input must give a model or a typed
:class:`~hamnhw.errors.HamnhwError`, never another exception.

A target takes a :class:`Draw` (where its random choices come from: hypothesis' ``data``
object, or atheris' ``FuzzedDataProvider``) and calls the parsers with what it drew:

* Redfish documents: every document a simulated BMC serves (several service shapes), with a
  few values replaced by random JSON, keys dropped or added, then given to the parser of
  its kind (:data:`PARSERS`), and the whole mutated service to the generic driver's reads;
* the RAID health classifier, on parsed and on freely built volumes and drives;
* the config loader, on a mutated valid config (as a table and as TOML bytes);
* the IPMI reply translation: pyghmi reply dicts, exceptions and raw response bytes;
* the transport's body handling (JSON, HTML, gzip, error bodies) and event payloads.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import gzip
import json
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "drivers"))

from driver_fakes import FakeClient, make_driver  # noqa: E402
from hamnhw_drivers.generic import adapters, mappings, nics, raid_jobs, resets, storage  # noqa: E402
from hamnhw_drivers.generic.resource import Resource  # noqa: E402
from hamnhw_drivers.ipmi import codec, fru  # noqa: E402

from hamnhw import raid  # noqa: E402
from hamnhw.config import load_config, parse_config  # noqa: E402
from hamnhw.errors import HamnhwError  # noqa: E402
from hamnhw.models import Drive, Health, NicSource, Operation, RaidType, Volume  # noqa: E402
from hamnhw.monitor import eventrecords  # noqa: E402
from hamnhw.sim import ServerSpec  # noqa: E402
from hamnhw.sim.bays import DriveBays, VolumeSpec  # noqa: E402
from hamnhw.sim.resources import render  # noqa: E402
from hamnhw.sim.state import ServerState  # noqa: E402
from hamnhw.transport import decode, errormap, ipmi_device, ipmi_errors  # noqa: E402

T = TypeVar("T")
HOST = "bmc.fuzz:443"


class Draw(Protocol):
    """Where a target's random choices come from."""

    def integer(self, low: int, high: int) -> int: ...

    def text(self, max_size: int) -> str: ...

    def raw(self, max_size: int) -> bytes: ...


class UntypedError(AssertionError):
    """A parser raised something other than a HamnhwError."""


def typed(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``call(*args)``: its result, or None when it raised a HamnhwError; any other exception
    is :class:`UntypedError` naming the call and its input."""
    try:
        return call(*args, **kwargs)
    except HamnhwError:
        return None
    except Exception as exc:
        shown = repr((args, kwargs))[:1500]
        raise UntypedError(f"{getattr(call, '__qualname__', call)} raised "
                           f"{type(exc).__name__}: {exc} on {shown}") from exc


def pick(draw: Draw, options: Sequence[T]) -> T:
    return options[draw.integer(0, len(options) - 1)]


ODD_STRINGS = ("", " ", "null", "None", "To Be Filled By O.E.M.", "00:00:00:00:00:00",
               "ff:ff:ff:ff:ff:ff", "AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "0x1", "On", "Off",
               "OK", "Critical", "Warning", "RAID1", "Mirrored", "Absent", "Enabled",
               "/redfish/v1/", "/redfish/v1/Systems/1", "http://elsewhere.test/redfish/v1",
               "../../etc", "\u0000", "\ud7ff\u202e", "é" * 3, "9" * 40, "-1", "1e309",
               "SetupEntered", "OSRunning", "SystemHardwareInitializationComplete")


def json_value(draw: Draw, depth: int = 2) -> Any:
    """A random JSON value: odd scalars, Redfish-looking strings, small containers."""
    kind = draw.integer(0, 11 if depth > 0 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return draw.integer(0, 1) == 1
    if kind == 2:
        return draw.integer(-2**31, 2**31)
    if kind == 3:
        return pick(draw, (0, -1, 2**63, -(2**64), 10**30))
    if kind == 4:
        return pick(draw, (0.5, -0.0, 1e308, 5e-324, 99.99))  # NaN: refused by the transport
    if kind in (5, 6):
        return pick(draw, ODD_STRINGS)
    if kind in (7, 8):
        return draw.text(24)
    if kind in (9, 10):
        return [json_value(draw, depth - 1) for _ in range(draw.integer(0, 3))]
    return {pick(draw, ("@odata.id", "Id", "Name", "Members", "Status", "Oem", draw.text(8))):
            json_value(draw, depth - 1) for _ in range(draw.integer(0, 3))}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a JSON value (keys and list indexes), outermost first."""
    found: list[tuple[Any, ...]] = []
    items = (value.items() if isinstance(value, dict) else enumerate(value)
             if isinstance(value, list) else ())
    for key, inner in items:
        found.append((*prefix, key))
        found += _paths(inner, (*prefix, key))
    return found


def mutate(draw: Draw, doc: Mapping[str, Any], rounds: int = 3) -> dict[str, Any]:
    """A copy of ``doc`` with up to ``rounds`` random replacements, deletions or
    insertions (the top level stays an object, as the transport guarantees)."""
    result = copy.deepcopy(dict(doc))
    for _ in range(draw.integer(1, rounds)):
        places = _paths(result)
        if not places:
            result[draw.text(6)] = json_value(draw)
            continue
        place = pick(draw, places)
        parent: Any = result
        for key in place[:-1]:
            parent = parent[key]
        action = draw.integer(0, 5)
        if action == 0 and isinstance(parent, dict):
            del parent[place[-1]]
        elif action == 1 and isinstance(parent, dict):
            parent[pick(draw, ("Members", "Links", "Status", "Oem", draw.text(6)))] = (
                json_value(draw))
        else:
            parent[place[-1]] = json_value(draw)
    return result


# -- the simulated services --------------------------------------------------------------

SHAPES: tuple[dict[str, Any], ...] = (
    {"name": "plain", "power": "On"},
    {"name": "bare", "raid1": False},
    {"name": "adapters", "nic_view": "both", "card_nics": (), "network_interfaces": True,
     "empty_bays": True, "controllers": 2, "null_mac_nic": True},
    {"name": "simple", "storage_view": "simple_storage", "identify_style": "indicator_led"},
    {"name": "chassis", "storage_view": "chassis_drives", "card_style": "ports",
     "hca_ports": ()},
    {"name": "blade", "storage_view": "enclosure", "shared_enclosure": True,
     "nic_view": "network_adapters"},
)


@functools.cache
def services() -> tuple[dict[str, dict[str, Any]], ...]:
    """Every document of each :data:`SHAPES` service, by path (rendered without a server)."""
    return tuple(_service(ServerSpec(**shape)) for shape in SHAPES)


def _service(spec: ServerSpec) -> dict[str, dict[str, Any]]:
    bays = DriveBays()
    drives = spec.drives or ()
    bays.add_server(spec.name, spec.bay_names, drives)
    if spec.raid1 and len(drives) >= 2:
        bays.add_volume(VolumeSpec(bays.new_volume_id(), "RAID1", "RAID1",
                                   (drives[0].serial, drives[1].serial),
                                   drives[0].capacity_bytes))
    state = ServerState(spec, bays, lambda: 5000.0)
    volumes = "/redfish/v1/Systems/1/Storage/RAIDController1/Volumes"
    body = {"Links": {"Drives": [{"@odata.id": f"{volumes[:-8]}/Drives/Disk.0"}]}}
    state.create_task("pending create", lambda: False, payload={  # a create staged on a reset
        "HttpOperation": "POST", "TargetUri": volumes, "JsonBody": json.dumps(body)})
    docs: dict[str, dict[str, Any]] = {}
    todo = ["/redfish/v1/"]
    while todo:
        path = todo.pop()
        if path in docs or "EventService" in path or "SessionService/Sessions/" in path:
            continue
        doc = render(state, path)
        if not isinstance(doc, dict):
            continue
        docs[path] = doc
        todo += [uri for uri in _links(doc) if uri.startswith("/redfish/v1")]
    docs["/redfish/v1"] = docs["/redfish/v1/"]
    return docs


def _links(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "@odata.id" and isinstance(v, str)]
        return found + [u for v in value.values() for u in _links(v)]
    if isinstance(value, list):
        return [u for v in value for u in _links(v)]
    return []


def odata_kind(doc: Mapping[str, Any]) -> str:
    """``Drive`` of ``#Drive.v1_9_0.Drive``."""
    text = doc.get("@odata.type")
    return text.rsplit(".", 1)[-1] if isinstance(text, str) else ""


# -- targets -------------------------------------------------------------------------------

INFO = adapters.AdapterInfo("NIC.Slot.1", "Slot 1")


def _parse(kind: str, res: Resource, draw: Draw) -> None:
    if kind == "Drive":
        typed(storage.parse_drive, res, draw.text(4) or None)
        typed(storage.parse_empty_bay, res)
        typed(storage.drive_location, res)
    elif kind == "Volume":
        typed(storage.parse_volume, res, {"/redfish/v1/x": "x"})
        typed(storage.volume_operation, res)
    elif kind == "Storage":
        typed(storage.parse_controller, res, "Storage1", draw.integer(0, 3))
        typed(storage.embedded_controllers, res)
    elif kind == "SimpleStorage":
        devices = res.doc.get("Devices")
        if isinstance(devices, list) and devices:  # the walk passes the indexes it has
            typed(storage.parse_simple_device, res, draw.integer(0, len(devices) - 1))
        typed(storage.simple_storage_controller, res)
    elif kind == "EthernetInterface":
        typed(nics.parse_ethernet_interface, res)
    elif kind == "NetworkDeviceFunction":
        typed(adapters.function_nic, INFO, res, None)
        typed(adapters.function_port_uri, res)
    elif kind in ("Port", "NetworkPort"):
        source = NicSource.PORT if kind == "Port" else NicSource.NETWORK_PORT
        typed(adapters.port_nics, INFO, res, source, draw.integer(0, 1) == 1)
    elif kind == "NetworkAdapter":
        typed(adapters.adapter_location, res)
    elif kind == "ComputerSystem":
        typed(resets.state_of, res)
        typed(mappings.boot_stage, res.doc.get("BootProgress"))
    elif kind == "Task":
        typed(raid_jobs.task_status, res.doc)
    typed(res.members)
    typed(res.get, pick(draw, ("Status.Health", "Id", "Links.Drives", "Members")),
          pick(draw, (str, int, list, dict)))


def redfish_documents(draw: Draw) -> None:
    """One mutated document of a simulated service through the parser of its kind."""
    docs = pick(draw, services())
    path = pick(draw, sorted(docs))
    doc = mutate(draw, docs[path])
    res = typed(Resource, path, doc, HOST)
    if res is not None:
        _parse(odata_kind(docs[path]), res, draw)


DRIVER_READS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("power.state", lambda d: d.power.state()),
    ("power.get_restore_policy", lambda d: d.power.get_restore_policy()),
    ("management.get_boot_override", lambda d: d.management.get_boot_override()),
    ("management.boot_marks", lambda d: d.management.boot_marks()),
    ("nics.list", lambda d: d.nics.list()),
    ("inventory.inventory", lambda d: d.inventory.inventory()),
    ("raid.status", lambda d: d.raid.status()),
    ("raid.foreign", lambda d: d.raid.foreign()),
    ("raid.plan_create", lambda d: d.raid.plan_create(raid.CreateRequest(
        RaidType.RAID1, tuple(x.id for x in (d.raid.drives() or ())[:2])))),
    ("raid.plan_delete", lambda d: d.raid.plan_delete(
        next((v.id for v in d.raid.volumes() or ()), "1"))),
)


def driver_reads(draw: Draw) -> None:
    """A simulated service with a few documents mutated, read by the generic driver."""
    docs = dict(pick(draw, services()))
    paths = sorted(docs)
    tasks = [p for p in paths if odata_kind(docs[p]) == "Task"]
    for _ in range(draw.integer(1, 3)):
        path = pick(draw, tasks if tasks and draw.integer(0, 3) == 0 else paths)
        docs[path] = mutate(draw, docs[path])
    _, read = pick(draw, DRIVER_READS)
    driver = make_driver(FakeClient(docs))
    typed(read, driver)


OPERATIONS = (None, Operation("Rebuilding", 40), Operation("Initializing", None))


def _model_drive(draw: Draw, index: int) -> Drive | None:
    if draw.integer(0, 5) == 0:
        return None
    return Drive(f"d{index}", None, pick(draw, (None, "", f"S{index}")), None,
                 pick(draw, (None, 0, -1, 10**12)), None, None, pick(draw, tuple(Health)),
                 pick(draw, (None, "Enabled", "Absent", "Disabled", "UnavailableOffline",
                             draw.text(6))),
                 None, None, pick(draw, (None, "Fail", "Rebuild", "InAFailedArray", "OK")),
                 pick(draw, OPERATIONS))


def raid_health(draw: Draw) -> None:
    """The classifier on freely built volumes and members, and on parsed ones."""
    members = [_model_drive(draw, i) for i in range(draw.integer(0, 4))]
    volume = Volume("v1", None, None, pick(draw, tuple(RaidType)), None,
                    pick(draw, tuple(Health)),
                    pick(draw, (None, "Enabled", "Disabled", "UnavailableOffline", "")),
                    tuple(d.id for d in members if d) if draw.integer(0, 3) else None,
                    pick(draw, OPERATIONS))
    typed(raid.classify_volume, volume, pick(draw, (None, members, [])))
    docs = pick(draw, services())
    volumes = [p for p, d in docs.items() if odata_kind(d) == "Volume"]
    drives = [p for p, d in docs.items() if odata_kind(d) == "Drive"]
    if not volumes:
        return
    parsed = typed(storage.parse_volume, Resource(volumes[0], mutate(draw, docs[volumes[0]])),
                   None)
    found = [typed(storage.parse_drive, Resource(p, mutate(draw, docs[p]))) for p in drives]
    if isinstance(parsed, Volume):
        typed(raid.classify_volume, parsed, [d for d in found if d is None or
                                             isinstance(d, Drive)])


VALID_CONFIG = b"""
[defaults]
username = "admin"
timeout = 30
[pair]
name = "mn"
journal_dir = "/var/lib/hamnhw"
[primary]
bmc = "redfish://10.0.0.5"
password_file = "/etc/hamnhw/pw"
pin_fingerprint = "aa"
[standby]
bmc = "idrac-redfish://bmc-b.example:8443"
ca_file = "ca.pem"
[standby.ipmi]
url = "ipmi://10.0.0.6"
[nodes.n1]
bmc = "ipmi://10.0.0.7:623"
[groups]
rack = ["n1"]
[failover]
graceful_timeout = 300
mn_addresses = ["10.0.0.10:22"]
verify_commands = [["ssh", "mn", "true"]]
[network.nics.mgmt]
primary = "NIC1"
"""


def config(draw: Draw) -> None:
    """The config loader on a mutated valid config: as a table, and as file bytes."""
    table = tomllib.loads(VALID_CONFIG.decode())
    typed(parse_config, mutate(draw, table, rounds=4), source="fuzz.toml")
    text = bytearray(VALID_CONFIG)
    for _ in range(draw.integer(1, 4)):
        at = draw.integer(0, len(text))
        text[at:at + draw.integer(0, 8)] = draw.raw(8)
    path = Path(_scratch()) / "fuzz.toml"
    path.write_bytes(bytes(text))
    typed(load_config, path)


@functools.cache
def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="hamnhw-fuzz-")


class _PyghmiLike(Exception):
    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.ipmicode = code


IPMI_TEXTS = ("", "Unauthorized name", "Incorrect password provided", "timeout",
              "Session no longer connected", "Insufficient resources", "node busy",
              "Insufficient privilege level", "BMC did not respond", "unpack requires a buffer")


def ipmi_replies(draw: Draw) -> None:
    """Reply dicts, exceptions and raw answers as pyghmi hands them over."""
    reply = pick(draw, ({"code": json_value(draw, 0), "error": json_value(draw, 0)},
                        {"error": draw.text(12)}, {}, json_value(draw), None))
    typed(ipmi_errors.reply_error, reply, "get power", HOST)
    text = pick(draw, IPMI_TEXTS) + draw.text(8)
    exc = pick(draw, (_PyghmiLike(text, draw.integer(0, 255)), OSError(text), KeyError(text),
                      ValueError(text), Exception(), RuntimeError(None)))
    typed(ipmi_errors.login_error, exc, HOST, 623)
    typed(ipmi_errors.command_error, exc, "set power", HOST)
    data = draw.raw(24)
    typed(ipmi_device.parse_device_id, data, HOST)
    typed(codec.parse_chassis_status, data, HOST)
    typed(codec.parse_boot_flags, data, HOST)
    typed(codec.decode_lan_parameter, pick(draw, ("ip", "netmask", "gateway", "mac",
                                                  "ip_source", "vlan")), data, HOST)
    typed(codec.is_lan_channel, data)
    fields = {pick(draw, ("Board Extra", "Product Extra", "MAC Address", draw.text(6))):
              json_value(draw) for _ in range(draw.integer(0, 3))}
    records = fru.FruRecords((("Board", fields), ("Product", fields)),
                             pick(draw, (None, draw.text(6))))
    typed(fru.host_macs, records)
    typed(fru.first_field, fields, "Board Serial", "Serial Number")


def bodies(draw: Draw) -> None:
    """What a BMC answers, as bytes: JSON, HTML, gzip, truncated, error documents."""
    body = pick(draw, (json.dumps(json_value(draw, 3)).encode(), draw.raw(64),
                       b"<!DOCTYPE html><html>" + draw.raw(16),
                       gzip.compress(draw.raw(64)), gzip.compress(b"{" * 64)[:20],
                       b'{"CapacityBytes": NaN, "x": Infinity}',
                       b"[" * draw.integer(1, 200_000) + b"]",
                       json.dumps({"error": json_value(draw)}).encode()))
    content_type = pick(draw, ("application/json", "text/html", "", draw.text(12)))
    typed(errormap.parse_json, body, content_type, host=HOST, path="/redfish/v1/x")
    typed(errormap.redfish_message, body)
    typed(errormap.http_error, draw.integer(100, 599), body, host=HOST, method="GET",
          path="/redfish/v1/x")
    headers = {"Content-Encoding": pick(draw, ("gzip", "deflate", "br", "", draw.text(6)))}
    try:
        decode.decoded(body, headers, 4096)
    except (decode.BodyTooLarge, decode.UnsupportedEncoding):
        pass  # the transport's own signals, turned into MalformedResponse by its caller
    except HamnhwError:
        pass
    except Exception as exc:
        raise UntypedError(f"decode.decoded raised {type(exc).__name__}: {exc} on "
                           f"{body[:80]!r} {headers}") from exc
    typed(raid_jobs.retry_after, {"Retry-After": draw.text(10)})


def events(draw: Draw) -> None:
    """Event payloads pushed by a BMC: a list of records, or ValueError (documented:
    the listener answers 400) for a payload that is no Event object."""
    payload = pick(draw, ({"Events": [mutate(draw, {"MessageId": "Base.1.0.X",
                                                    "Message": "m", "Severity": "OK",
                                                    "OriginOfCondition": {"@odata.id": "/x"}})
                                      for _ in range(draw.integer(0, 2))],
                           "Context": json_value(draw, 0)},
                          json_value(draw, 3), draw.raw(40), draw.text(40)))
    try:
        _, records = eventrecords.parse_event(payload)
    except ValueError:
        return
    except Exception as exc:
        raise UntypedError(f"parse_event raised {type(exc).__name__}: {exc} on "
                           f"{repr(payload)[:300]}") from exc
    for record in records:
        typed(eventrecords.is_storage_event, record, ("Oem.",))


TARGETS: dict[str, Callable[[Draw], None]] = {
    "redfish_documents": redfish_documents,
    "driver_reads": driver_reads,
    "raid_health": raid_health,
    "config": config,
    "ipmi_replies": ipmi_replies,
    "bodies": bodies,
    "events": events,
}
"""Every fuzz target, by name (``tests/fuzz/atheris_fuzz.py --target NAME``)."""


@dataclasses.dataclass
class ByteDraw:
    """A :class:`Draw` over atheris' ``FuzzedDataProvider``."""

    fdp: Any

    def integer(self, low: int, high: int) -> int:
        return int(self.fdp.ConsumeIntInRange(low, high))

    def text(self, max_size: int) -> str:
        return str(self.fdp.ConsumeUnicodeNoSurrogates(self.fdp.ConsumeIntInRange(0, max_size)))

    def raw(self, max_size: int) -> bytes:
        return bytes(self.fdp.ConsumeBytes(self.fdp.ConsumeIntInRange(0, max_size)))
