"""Every command the failover output suggests carries the ``--config`` it was given
(outside review: only ``needs`` and the "to go on" line did; stop reasons, warnings and the
work order named bare commands, which run against another config when pasted).

Through the real ``hamnhw`` command, with the config at a path no default would find (a
space in it, so quoted), as text and as JSON: every ``hamnhw <command>`` in the output of
``start`` (the work order), ``resume`` (a stop naming ``hamnhw power off standby`` and
``hamnhw failover resume``) and ``status`` names it.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from clirun import hamnhw
from pairsim import PairSim, ready

pytestmark = pytest.mark.e2e

SUGGESTED = re.compile(r"hamnhw (?:--json )?(?:failover|drill|pair|power|raid) [a-z-]+[^`\n;]*")
"""A command in the output: ``hamnhw`` and a command word (not prose: "hamnhw powered it
on"), up to the end of its backticks, its line or a ``;``."""


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def suggested(texts: Iterator[str] | list[str]) -> list[str]:
    return [found for text in texts for found in SUGGESTED.findall(text)]


def test_every_suggested_command_names_the_config_given(sim_pair: PairSim) -> None:
    ready(sim_pair)
    other = sim_pair.config_path.parent / "site configs" / "mn pair.toml"
    other.parent.mkdir()
    shutil.copy(sim_pair.config_path, other)
    config = str(other)
    option = f"--config {shlex.quote(config)}"
    seen: list[str] = []

    code, out = hamnhw("failover", "start", "--yes", "--config", config, json_output=False)
    assert code == 10, out
    seen += suggested([out["_stdout"], out["_stderr"]])
    assert any("WORK ORDER" in text or "work order" in text.lower()
               for text in (out["_stdout"], out["_stderr"])), out
    sim_pair.move_mn_drives("primary", "standby")
    sim_pair["standby"].set_power("On")
    code, out = hamnhw("failover", "resume", "--disks-moved", "--config", config)
    assert code == 1 and "standby reads on before hamnhw powered it on" in out["stop_reason"]
    seen += suggested(strings(out))
    code, status = hamnhw("failover", "status", "--config", config)
    assert code == 0 and status["stop_reason"] == out["stop_reason"], status
    seen += suggested(strings(status))
    code, text = hamnhw("failover", "status", "--config", config, json_output=False)
    assert code == 0 and "stop reason: " in text["_stdout"], text
    seen += suggested([text["_stdout"], text["_stderr"]])

    names = {" ".join(command.split()[:3]) for command in seen}
    assert {"hamnhw failover resume", "hamnhw power off"} <= names, seen
    bare = [command for command in seen if option not in command]
    assert bare == [], bare
