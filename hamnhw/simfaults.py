"""The fault kinds the simulator can inject, with their parameters and what each does.

Kept apart from :mod:`hamnhw.sim` (which serves them: :mod:`hamnhw.sim.faults`, the HTTP
handler) so that ``hamnhw sim fault`` lists and validates them without importing the
simulator.  Every parameter is a number >= 0; a fault without ``--count`` applies to every
matching request until cleared.
"""

from __future__ import annotations

from typing import Any

#: kind -> {parameter: default}
FAULT_KINDS: dict[str, dict[str, Any]] = {
    "latency": {"seconds": 1.0},
    "gather": {"peers": 2, "seconds": 5.0},
    "error_5xx": {"status": 503},
    "expire_session": {},
    "hang": {},
    "byte_drip": {"interval": 0.1},
    "html_error": {"status": 500},
    "malformed_json": {},
    "ignore_reset": {},
    "power_flap": {"after": 1.0},
    "reset_conflict": {},
    "ignore_boot_override": {},
    "refuse_restore_policy": {"status": 400},
    "ignore_restore_policy": {},
    "spurious_off": {"every": 2},
    "no_members": {},
    "paged_members": {"page": 2, "loop": 0, "fail": 0, "status": 503, "repeat": 0},
    "rotate_password": {},
    "refuse_password": {},
    "pull_cords": {"answered": 0},
}

#: kind -> what a matching request meets (parameters in capitals)
FAULT_DESCRIPTIONS: dict[str, str] = {
    "hang": "takes the request and never answers (the client times out; a request taken "
            "stays unanswered after --clear)",
    "latency": "answers after SECONDS",
    "byte_drip": "sends the answer one byte every INTERVAL seconds",
    "error_5xx": "answers HTTP STATUS with Retry-After: 1",
    "html_error": "answers an HTML error page with HTTP STATUS",
    "malformed_json": "answers 200 with its JSON cut in half",
    "expire_session": "a request on a session: every session expires, it answers 401",
    "refuse_password": "refuses the account's password (a wrong password, as the BMC sees "
                       "it): a login or basic-auth request answers 401; sessions opened "
                       "before stay valid; --clear ends it",
    "rotate_password": "another administrator changes the password at this request: the "
                       "configured one is refused from then on until the simulator restarts "
                       "(--clear does not change it back)",
    "pull_cords": "after ANSWERED answered requests its power cords are pulled (BMC silent, "
                  "host off; `hamnhw sim cords plug NODE` ends it)",
    "ignore_reset": "a power action (Reset) is accepted and does nothing",
    "reset_conflict": "a power action answers 409 (the BMC is busy)",
    "power_flap": "a power-off comes back On AFTER seconds later",
    "spurious_off": "every EVERY-th read showing PowerState shows Off",
    "ignore_boot_override": "a power-on ignores the one-time boot override",
    "refuse_restore_policy": "a restore-policy change answers HTTP STATUS",
    "ignore_restore_policy": "a restore-policy change is accepted and not applied",
    "no_members": "a collection shows no Members (the BMC does not say what it holds)",
    "paged_members": "a collection is paged PAGE members at a time (LOOP 1: the last page "
                     "links to the first; page FAIL answers STATUS; each page repeats the "
                     "last REPEAT members of the one before)",
    "gather": "held until PEERS requests are held at once, or SECONDS pass (parallel "
              "clients)",
}


def parameters_text(kind: str) -> str:
    """``seconds=1.0`` (the kind's parameters with their defaults), or ``-``."""
    return " ".join(f"{name}={value}" for name, value in FAULT_KINDS[kind].items()) or "-"
