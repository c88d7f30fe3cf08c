"""A power change that waited and still ends unconfirmed is exit 1, not 0 (review 7, item 7):
only ``--no-wait`` returns an unconfirmed result with exit 0, as README's exit-code table and
the Redfish driver (``StateUnconfirmed``) have it, whatever the driver returned."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hamnhw.cli.budget import CommandBudget
from hamnhw.cli.commands.power import change_power
from hamnhw.cli.exit_codes import ExitCode, exit_code_for
from hamnhw.errors import StateUnconfirmed
from hamnhw.models import PowerResult, PowerState


def _node(result: PowerResult) -> Any:
    def cycle(**_: Any) -> PowerResult:
        return result

    return SimpleNamespace(name="n1", power=SimpleNamespace(cycle=cycle))


UNSEEN = PowerResult(PowerState.ON, True, 52.3, confirmed=False,
                     unconfirmed_reason="reset-unseen", protocol="ipmi")


def test_waited_and_unconfirmed_is_state_unconfirmed_exit_1() -> None:
    with pytest.raises(StateUnconfirmed) as caught:
        change_power(_node(UNSEEN), "cycle", CommandBudget(60))
    assert "could not be confirmed (reset-unseen; last read: on)" in str(caught.value)
    assert caught.value.request_sent and caught.value.last_state == "on"
    assert exit_code_for(caught.value) == ExitCode.FAILED == 1


def test_no_wait_stays_an_unconfirmed_result() -> None:
    no_wait = PowerResult(PowerState.ON, True, 0.4, confirmed=False, unconfirmed_reason="no-wait")
    payload = change_power(_node(no_wait), "cycle", CommandBudget(60), wait=False)
    assert (payload["confirmed"], payload["unconfirmed_reason"]) == (False, "no-wait")
