"""Redfish semantics of the simulated server beyond GET: actions, PATCH, sessions, tasks.

Every function returns a :class:`Response`; the HTTP handler only serializes it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hamnhw.sim import resources
from hamnhw.sim.faults import FaultSet
from hamnhw.sim.legacy import INDICATOR_LED_VALUES
from hamnhw.sim.power import OFF, ON, RESET_TYPES, ResetConflict
from hamnhw.sim.resources import ROOT, system_path
from hamnhw.sim.state import BOOT_ENABLED, BOOT_TARGETS, RESTORE_POLICIES, ServerState

REGISTRY = "Base.1.16.0"
RETRY_AFTER_S = 1


@dataclasses.dataclass
class Response:
    """What the handler sends: a status, headers, and a JSON body (or none)."""

    status: int
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def error(status: int, message_id: str, message: str, **headers: str) -> Response:
    """A Redfish error body with one ``@Message.ExtendedInfo`` entry."""
    info = {"@odata.type": "#Message.v1_1_1.Message", "MessageId": f"{REGISTRY}.{message_id}",
            "Message": message, "Severity": "Warning" if status < 500 else "Critical",
            "Resolution": "See the simulator documentation."}
    body = {"error": {"code": f"{REGISTRY}.GeneralError", "message": message,
                      "@Message.ExtendedInfo": [info]}}
    return Response(status, body, dict(headers))


def not_found(path: str) -> Response:
    """404 for a path where nothing lives."""
    return error(404, "ResourceNotFound", f"The resource at {path} was not found.")


# -- sessions -----------------------------------------------------------------------------
def create_session(state: ServerState, body: Any) -> Response:
    """POST SessionService/Sessions: 201 + X-Auth-Token + Location, or 401."""
    spec = state.spec
    if not isinstance(body, dict) or not {"UserName", "Password"} <= set(body):
        return error(400, "ActionParameterMissing", "UserName and Password are required.")
    if body["UserName"] != spec.username or body["Password"] != spec.password:
        return error(401, "NoValidSession", "Invalid user name or password.")
    session_id, token = state.create_session()
    location = f"{ROOT}/SessionService/Sessions/{session_id}"
    headers = {"Location": location}
    if spec.session_returns_token:
        headers["X-Auth-Token"] = token
    return Response(201, resources.render(state, location), headers)


def delete_session(state: ServerState, session_id: str) -> Response:
    """DELETE a session (log out)."""
    with state.lock:
        if state.sessions.pop(session_id, None) is None:
            return not_found(f"{ROOT}/SessionService/Sessions/{session_id}")
    return Response(204)


# -- ComputerSystem.Reset -----------------------------------------------------------------
def reset(state: ServerState, faults: FaultSet, path: str, body: Any) -> Response:
    """ComputerSystem.Reset with validation, faults, 409 on a disallowed reset, optional task."""
    reset_type = body.get("ResetType") if isinstance(body, dict) else None
    if reset_type is None:
        return error(400, "ActionParameterMissing", "The action requires the parameter ResetType.")
    if reset_type not in RESET_TYPES:
        return error(400, "ActionParameterValueNotInList",
                     f"The value {reset_type} for the parameter ResetType is not in the list of "
                     f"acceptable values.")
    if faults.take("ignore_reset", path, "POST"):
        return Response(204)
    if faults.take("reset_conflict", path, "POST"):
        return error(409, "OperationNotAllowed", "The BMC is busy; try again later.")
    if reset_type in ("On", "ForceOn", "ForceRestart", "PowerCycle", "GracefulRestart") and (
            faults.take("ignore_boot_override", path, "POST")):
        state.ignore_override_next_boot = True
    flap = None
    if reset_type in ("ForceOff", "GracefulShutdown"):
        fault = faults.take("power_flap", path, "POST")
        flap = fault.params["after"] if fault else None
    try:
        state.reset(reset_type, flap_after=flap)
    except ResetConflict as exc:
        return error(409, "OperationNotAllowed", str(exc))
    if state.spec.reset_async:
        return _reset_task(state, reset_type)
    return Response(204)


def _reset_task(state: ServerState, reset_type: str) -> Response:
    target = OFF if reset_type in ("ForceOff", "GracefulShutdown") else ON

    def done() -> bool:
        return state.power_state == target and not state.power.busy

    task = state.create_task(f"Reset {reset_type}", done)
    return task_accepted(state, task.id)


def task_accepted(state: ServerState, task_id: str) -> Response:
    """202 + Location of the task monitor + Retry-After, with the Task as body."""
    monitor = f"{ROOT}/TaskService/TaskMonitors/{task_id}"
    body = resources.render(state, f"{ROOT}/TaskService/Tasks/{task_id}")
    return Response(202, body, {"Location": monitor, "Retry-After": str(RETRY_AFTER_S)})


def task_monitor(state: ServerState, task_id: str) -> Response:
    """GET on a task monitor: 202 while running, then the operation's result."""
    task = state.tasks.get(task_id)
    if task is None:
        return not_found(f"{ROOT}/TaskService/TaskMonitors/{task_id}")
    if not task.is_done():
        return task_accepted(state, task_id)
    if task.result is not None:
        return Response(*task.result())
    return Response(task.result_status, task.result_body)


# -- PATCH ComputerSystem ------------------------------------------------------------------
#: identify style -> the property carrying the LED (the other one is unknown to that BMC).
_IDENTIFY_PROPERTIES = {"location_indicator": "LocationIndicatorActive",
                        "indicator_led": "IndicatorLED"}
_READ_ONLY = {"Id", "Name", "PowerState", "BootProgress", "Manufacturer", "Model",
              "SerialNumber", "UUID", "Status", "BiosVersion", "Actions", "Links"}


def _check_value(name: str, value: Any, allowed: tuple[Any, ...]) -> Response | None:
    if any(type(value) is type(option) and value == option for option in allowed):
        return None
    return error(400, "PropertyValueNotInList",
                 f"The value {value!r} for the property {name} is not in the list of "
                 f"acceptable values.")


def _validate_patch(body: dict[str, Any], identify: str) -> tuple[dict[str, Any], Response | None]:
    checks: dict[str, Any] = {}
    for name, value in body.items():
        if name in _READ_ONLY:
            return {}, error(400, "PropertyNotWritable", f"The property {name} is read only.")
        if name in _IDENTIFY_PROPERTIES.values() and name != identify:
            return {}, error(400, "PropertyUnknown", f"The property {name} is unknown.")
        if name == "PowerRestorePolicy":
            checks[name] = _check_value(name, value, RESTORE_POLICIES)
        elif name == "IndicatorLED":
            checks[name] = _check_value(name, value, INDICATOR_LED_VALUES)
        elif name == "LocationIndicatorActive":
            checks[name] = _check_value(name, value, (True, False))
        elif name == "Boot" and isinstance(value, dict):
            for key, sub in value.items():
                allowed = {"BootSourceOverrideTarget": BOOT_TARGETS,
                           "BootSourceOverrideEnabled": BOOT_ENABLED,
                           "BootSourceOverrideMode": ("UEFI", "Legacy")}.get(key)
                if allowed is None:
                    return {}, error(400, "PropertyUnknown", f"The property Boot/{key} is unknown.")
                checks[f"Boot/{key}"] = _check_value(f"Boot/{key}", sub, allowed)
        else:
            return {}, error(400, "PropertyUnknown", f"The property {name} is not writable here.")
    failure = next((resp for resp in checks.values() if resp is not None), None)
    return body, failure


def patch_system(state: ServerState, body: Any, faults: FaultSet | None = None) -> Response:
    """PATCH PowerRestorePolicy, Boot and the identify LED (LocationIndicatorActive, or
    IndicatorLED per the spec's ``identify_style``); 400 on bad input.

    Faults: ``refuse_restore_policy`` answers a PowerRestorePolicy change with an error,
    ``ignore_restore_policy`` answers 200 and keeps the old value."""
    if not isinstance(body, dict) or not body:
        return error(400, "MalformedJSON", "The request body must be a non-empty JSON object.")
    accepted, failure = _validate_patch(body, _IDENTIFY_PROPERTIES[state.spec.identify_style])
    if failure is not None:
        return failure
    path = system_path(state)
    if "PowerRestorePolicy" in accepted and faults is not None:
        refused = faults.take("refuse_restore_policy", path, "PATCH")
        if refused:
            return error(int(refused.params["status"]), "PropertyNotWritable",
                         "The property PowerRestorePolicy cannot be changed now.")
        if faults.take("ignore_restore_policy", path, "PATCH"):
            accepted = {k: v for k, v in accepted.items() if k != "PowerRestorePolicy"}
    with state.lock:
        if "PowerRestorePolicy" in accepted:
            state.restore_policy = accepted["PowerRestorePolicy"]
        if "LocationIndicatorActive" in accepted:
            state.led = accepted["LocationIndicatorActive"]
        if "IndicatorLED" in accepted:
            state.led = accepted["IndicatorLED"] != "Off"
        boot = accepted.get("Boot", {})
        state.boot_target = boot.get("BootSourceOverrideTarget", state.boot_target)
        state.boot_enabled = boot.get("BootSourceOverrideEnabled", state.boot_enabled)
    return Response(200, resources.render(state, system_path(state)))
