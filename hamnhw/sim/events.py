"""The simulated BMC's EventService: push subscriptions (EventDestination) and an SSE stream.

Redfish shapes (DMTF ``EventService`` v1.10, ``EventDestination`` v1.13, ``Event`` v1.7)::

    GET    /redfish/v1/EventService                    ServerSentEventUri (unless spec.event_sse
                                                        is False), Subscriptions link
    GET    /redfish/v1/EventService/Subscriptions       push and SSE destinations
    POST   /redfish/v1/EventService/Subscriptions       {"Destination", "Context"?, "Protocol"?,
                                                        "EventTypes"?, "RegistryPrefixes"?, ...}
    GET    /redfish/v1/EventService/Subscriptions/<id>  one EventDestination
    DELETE /redfish/v1/EventService/Subscriptions/<id>
    GET    /redfish/v1/EventService/SSE                 text/event-stream: ``id: N`` and
                                                        ``data: <Event JSON>`` per event,
                                                        ``: keep-alive`` comments in between

Events are POSTed to push destinations by one delivery thread per server, a few attempts each
(as BMCs retry), without verifying the destination's certificate: like most BMCs, which check
it only when a subscription asks for it.  ``HttpHeaders`` given at subscription are sent with
every delivery and never shown on a GET (the schema says they read back as an empty array).

The hook the simulator's RAID model (and tests) call when storage changes::

    server.events.storage("drive_failed", origin=drive_uri, location="Bay 1")
    server.events.storage("volume_degraded", origin=volume_uri, volume="RAID1 primary")
    server.events.storage("rebuild_finished", origin=volume_uri, volume="RAID1 primary")

:meth:`EventService.reset` is a BMC reset: SSE streams end, sessions are gone and, unless the
spec keeps them (``event_subscriptions_persist``), so are the subscriptions.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import queue
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from hamnhw.sim import resources
from hamnhw.sim.actions import Response, error, not_found
from hamnhw.sim.documents import ROOT, Json, collection, link, resource

if TYPE_CHECKING:
    from hamnhw.sim.server import SimServer

SERVICE = f"{ROOT}/EventService"
SUBSCRIPTIONS = f"{SERVICE}/Subscriptions"
SSE_PATH = f"{SERVICE}/SSE"
REGISTRY = "StorageDevice.1.2"
KEEPALIVE_S = 2.0
DELIVERY_ATTEMPTS = 3
DELIVERY_INTERVAL_S = 0.5
DELIVERY_TIMEOUT_S = 5.0
MAX_CONTEXT = 256

#: kind -> (MessageId in the DMTF StorageDevice registry, Severity, Message template).
STORAGE_EVENTS: dict[str, tuple[str, str, str]] = {
    "drive_failed": ("DriveFailure", "Critical",
                     "A failure condition for the drive located in '{location}' was detected."),
    "drive_removed": ("DriveRemoved", "Critical",
                      "The drive located in '{location}' was removed."),
    "drive_inserted": ("DriveInserted", "OK", "The drive located in '{location}' was inserted."),
    "drive_ok": ("DriveOK", "OK",
                 "The health of the drive located in '{location}' has changed to OK."),
    "volume_degraded": ("VolumeDegraded", "Warning",
                        "The volume '{volume}' attached to the storage controller located in "
                        "'{controller}' is degraded."),
    "volume_failed": ("VolumeFailure", "Critical",
                      "The volume '{volume}' attached to the storage controller located in "
                      "'{controller}' has failed."),
    "rebuild_finished": ("VolumeOK", "OK",
                         "The health of volume '{volume}' that is attached to the storage "
                         "controller located in '{controller}' has changed to OK."),
}
_ARGS = {"location": ("location",), "volume": ("volume", "controller")}


@dataclasses.dataclass
class Subscription:
    """One EventDestination (``protocol`` Redfish push, or an open SSE stream)."""

    id: str
    destination: str | None
    context: str | None
    kind: str = "RedfishEvent"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    registry_prefixes: tuple[str, ...] = ()
    stream: queue.Queue[Json | None] | None = None

    def wants(self, message_id: str) -> bool:
        """True when the registry filter (if any) lets ``message_id`` through."""
        return not self.registry_prefixes or any(
            message_id.startswith(f"{prefix}.") for prefix in self.registry_prefixes)

    def document(self) -> Json:
        """The EventDestination resource."""
        return resource(
            f"{SUBSCRIPTIONS}/{self.id}", "#EventDestination.v1_13_0.EventDestination",
            Name="Event subscription", Destination=self.destination or "",
            Context=self.context, Protocol="Redfish", SubscriptionType=self.kind,
            EventFormatType="Event", HttpHeaders=[],
            RegistryPrefixes=list(self.registry_prefixes), Status={"State": "Enabled"})


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One push attempt: where, the event id, and the HTTP status (None: no answer)."""

    destination: str
    event_id: str
    status: int | None


class EventService:
    """Subscriptions, SSE streams and deliveries of one simulated BMC."""

    def __init__(self, sim: SimServer) -> None:
        self.sim = sim
        self.keepalive_s = KEEPALIVE_S
        self._lock = threading.Lock()
        self._subscriptions: dict[str, Subscription] = {}
        self._ids = itertools.count(1)
        self._event_ids = itertools.count(1)
        self._deliveries: list[Delivery] = []
        self._outbox: queue.Queue[tuple[Subscription, Json] | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- Python API ------------------------------------------------------------------------
    @property
    def subscriptions(self) -> list[Subscription]:
        """Current destinations, push and SSE."""
        with self._lock:
            return list(self._subscriptions.values())

    @property
    def deliveries(self) -> list[Delivery]:
        """Push attempts so far, oldest first."""
        with self._lock:
            return list(self._deliveries)

    def storage(self, kind: str, *, origin: str, location: str | None = None,
                volume: str | None = None, controller: str = "RAIDController1") -> Json:
        """Emit a DMTF StorageDevice event (see :data:`STORAGE_EVENTS`); return the record.

        :param origin: ``OriginOfCondition`` (the drive's or volume's URI).
        :param location: the drive's bay, for drive events.
        :param volume: the volume's name, for volume events.
        """
        if kind not in STORAGE_EVENTS:
            raise ValueError(f"unknown storage event {kind!r} (known: "
                             f"{', '.join(sorted(STORAGE_EVENTS))})")
        message_id, severity, template = STORAGE_EVENTS[kind]
        values = {"location": location or "", "volume": volume or "", "controller": controller}
        names = _ARGS["volume" if kind.startswith(("volume", "rebuild")) else "location"]
        return self.emit(f"{REGISTRY}.{message_id}", template.format(**values), severity,
                         origin=origin, args=[values[name] for name in names])

    def storage_about(self, kind: str, *, serial: str | None = None,
                      volume_id: str | None = None) -> Json:
        """:meth:`storage` for a drive (by serial) or a volume (by id) of this server, its
        origin and location or name found in the live model."""
        state = self.sim.state
        if serial is not None:
            drive = next((d for d in self.sim.drives if d.serial == serial), None)
            if drive is None:
                raise ValueError(f"no drive {serial!r} in {self.sim.name!r}")
            return self.storage(kind, origin=resources.drive_path(state, drive),
                                location=drive.bay)
        volume = next((v for v in state.bays.volumes if v.id == volume_id), None)
        if volume is None:
            raise ValueError(f"no volume {volume_id!r}")
        return self.storage(kind, origin=f"{resources.storage_path(state)}/Volumes/{volume.id}",
                            volume=volume.name)

    def emit(self, message_id: str, message: str, severity: str = "OK", *,
             origin: str | None = None, args: list[str] | None = None) -> Json:
        """Send one event record to every destination whose filter lets it through."""
        event_id = str(next(self._event_ids))
        record: Json = {
            "EventType": "Alert", "EventId": event_id, "EventTimestamp": _now(),
            "Severity": severity, "MessageSeverity": severity, "Message": message,
            "MessageId": message_id, "MessageArgs": list(args or []),
        }
        if origin is not None:
            record["OriginOfCondition"] = link(origin)
        for subscription in self.subscriptions:
            if subscription.wants(message_id):
                self._send(subscription, _event(event_id, record, subscription.context))
        return record

    def reset(self, keep_subscriptions: bool | None = None, reuse_ids: bool = False) -> None:
        """A BMC reset: SSE streams end, sessions expire, subscriptions are dropped unless
        kept (default: the spec's ``event_subscriptions_persist``).

        :param reuse_ids: number new subscriptions from 1 again, as BMCs that keep no
            counter across a reset do (a dropped subscription's id then goes to whoever
            subscribes next).
        """
        keep = (self.sim.spec.event_subscriptions_persist if keep_subscriptions is None
                else keep_subscriptions)
        with self._lock:
            if reuse_ids:
                self._ids = itertools.count(1)
            for sub_id, subscription in list(self._subscriptions.items()):
                if subscription.stream is not None:
                    subscription.stream.put(None)
                    del self._subscriptions[sub_id]
                elif not keep:
                    del self._subscriptions[sub_id]
        self.sim.state.expire_sessions()

    def stop(self) -> None:
        """End SSE streams and the delivery thread (the server is stopping)."""
        with self._lock:
            for subscription in self._subscriptions.values():
                if subscription.stream is not None:
                    subscription.stream.put(None)
        if self._worker is not None:
            self._outbox.put(None)
            self._worker.join(timeout=5)
            self._worker = None

    # -- Redfish resources -----------------------------------------------------------------
    def service_document(self) -> Json:
        """The EventService resource."""
        spec = self.sim.spec
        extra: Json = {"ServerSentEventUri": SSE_PATH} if spec.event_sse else {}
        return resource(
            SERVICE, "#EventService.v1_10_0.EventService", Name="Event Service",
            ServiceEnabled=True, DeliveryRetryAttempts=DELIVERY_ATTEMPTS,
            DeliveryRetryIntervalSeconds=1, EventFormatTypes=["Event"],
            RegistryPrefixes=["StorageDevice", "Base"], Status={"State": "Enabled"},
            Subscriptions=link(SUBSCRIPTIONS), **extra)

    def render(self, path: str) -> Json | None:
        """GET under ``/redfish/v1/EventService`` (None when nothing lives there)."""
        if path == SERVICE:
            return self.service_document()
        if path == SUBSCRIPTIONS:
            return collection(SUBSCRIPTIONS, "#EventDestinationCollection."
                              "EventDestinationCollection", "Event Subscriptions",
                              [f"{SUBSCRIPTIONS}/{s.id}" for s in self.subscriptions])
        if path.startswith(f"{SUBSCRIPTIONS}/"):
            with self._lock:
                found = self._subscriptions.get(path.rsplit("/", 1)[-1])
            return found.document() if found else None
        return None

    def write(self, method: str, path: str, body: Any) -> Response | None:
        """POST a subscription or DELETE one; None when the path is not the EventService's."""
        if method == "POST" and path == SUBSCRIPTIONS:
            return self._subscribe(body)
        if method == "DELETE" and path.startswith(f"{SUBSCRIPTIONS}/"):
            with self._lock:
                found = self._subscriptions.pop(path.rsplit("/", 1)[-1], None)
            if found is None:
                return not_found(path)
            if found.stream is not None:
                found.stream.put(None)
            return Response(204)
        return None

    def _subscribe(self, body: Any) -> Response:
        if not isinstance(body, dict):
            return error(400, "MalformedJSON", "The request body must be a JSON object.")
        destination, context = body.get("Destination"), body.get("Context")
        problem = self._refusal(destination, context, body)
        if problem is not None:
            return error(400, *problem)
        headers = body.get("HttpHeaders") or []
        if not isinstance(headers, list) or not all(isinstance(h, dict) for h in headers):
            return error(400, "PropertyValueTypeError", "HttpHeaders must be an array of objects.")
        prefixes = body.get("RegistryPrefixes") or []
        subscription = Subscription(
            self._free_id(), destination, context,
            headers={str(k): str(v) for h in headers for k, v in h.items()},
            registry_prefixes=tuple(str(p) for p in prefixes))
        with self._lock:
            self._subscriptions[subscription.id] = subscription
        location = f"{SUBSCRIPTIONS}/{subscription.id}"
        return Response(201, subscription.document(), {"Location": location})

    def _free_id(self) -> str:
        with self._lock:
            while (candidate := str(next(self._ids))) in self._subscriptions:
                pass
            return candidate

    def _refusal(self, destination: Any, context: Any, body: dict[str, Any]
                 ) -> tuple[str, str] | None:
        """``(MessageId, message)`` of a 400, or None when the subscription is acceptable."""
        schemes = ("https://",) if self.sim.spec.event_https_only else ("https://", "http://")
        if not isinstance(destination, str) or not destination.startswith(schemes):
            return ("PropertyValueFormatError", f"Destination must be a URI starting with "
                    f"{' or '.join(schemes)}.")
        if context is not None and (not isinstance(context, str) or len(context) > MAX_CONTEXT):
            return ("PropertyValueFormatError", f"Context must be a string of at most "
                    f"{MAX_CONTEXT} characters.")
        if body.get("Protocol", "Redfish") != "Redfish":
            return ("PropertyValueNotInList", "Protocol must be Redfish.")
        return None

    # -- SSE -------------------------------------------------------------------------------
    def open_stream(self) -> Subscription | None:
        """Register an SSE client; None when the spec offers no SSE."""
        if not self.sim.spec.event_sse:
            return None
        subscription = Subscription(str(next(self._ids)), None, None, kind="SSE",
                                    stream=queue.Queue())
        with self._lock:
            self._subscriptions[subscription.id] = subscription
        return subscription

    def stream_lines(self, subscription: Subscription) -> Iterator[bytes]:
        """The SSE byte chunks for one client until it is closed, reset or the server stops."""
        assert subscription.stream is not None
        try:
            yield b": hamnhw-sim event stream\n\n"
            while not self.sim.stop_event.is_set():
                try:
                    event = subscription.stream.get(timeout=self.keepalive_s)
                except queue.Empty:
                    yield b": keep-alive\n\n"
                    continue
                if event is None:
                    return
                yield (f"id: {event['Id']}\ndata: {json.dumps(event)}\n\n").encode()
        finally:
            with self._lock:
                self._subscriptions.pop(subscription.id, None)

    # -- delivery --------------------------------------------------------------------------
    def _send(self, subscription: Subscription, event: Json) -> None:
        if subscription.stream is not None:
            subscription.stream.put(event)
            return
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._deliver_loop, daemon=True,
                                                name=f"hamnhw-sim-events-{self.sim.name}")
                self._worker.start()
        self._outbox.put((subscription, event))

    def _deliver_loop(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None or self.sim.stop_event.is_set():
                return
            subscription, event = item
            for attempt in range(DELIVERY_ATTEMPTS):
                status = _post(subscription, event)
                with self._lock:
                    self._deliveries.append(Delivery(subscription.destination or "",
                                                     event["Id"], status))
                if status is not None and status < 300:
                    break
                if attempt + 1 < DELIVERY_ATTEMPTS and self.sim.stop_event.wait(
                        DELIVERY_INTERVAL_S):
                    return


def _post(subscription: Subscription, event: Json) -> int | None:
    """POST one event; the HTTP status, or None when the destination did not answer."""
    assert subscription.destination is not None
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked at subscription
        subscription.destination, data=json.dumps(event).encode(), method="POST",
        headers={"Content-Type": "application/json", **subscription.headers})
    context = ssl.create_default_context()
    # Like most BMCs: the destination's certificate is not verified unless asked for.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_S,  # noqa: S310
                                    context=context) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def _event(event_id: str, record: Json, context: str | None) -> Json:
    return {"@odata.type": "#Event.v1_7_0.Event", "Id": event_id, "Name": "Event Array",
            "Context": context, "Events": [record]}


def _now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
