"""``events listen --exec``: the command's environment, on hand-made input (review 9-14
items 3 and 5): only documented variables, every config secret variable left out, BMC strings
cleaned, HAMNHW_JSON valid JSON however long the BMC's strings."""

from __future__ import annotations

import json

import pytest

from hamnhw.config import parse_config
from hamnhw.monitor.report import MAX_JSON, exec_environment
from hamnhw.procenv import config_secret_variables, plain_env

PAYLOAD = {"time": "t", "node": "primary", "event": "volume_changed", "subject": "V1",
           "name": "RAID1", "old": "optimal", "new": "degraded", "percent": None,
           "message_id": "StorageDevice.1.2.DriveFailure", "reason": None}


def test_config_secret_variables_name_every_password_and_kg_variable() -> None:
    config = parse_config({
        "defaults": {"username": "root", "password_env": "ALL_PW"},
        "primary": {"bmc": "redfish://10.0.0.5", "password_env": "PRI_PW",
                    "ipmi": {"url": "ipmi://10.0.0.5", "password_env": "PRI_IPMI_PW",
                             "kg_env": "PRI_KG"}},
        "nodes": {"old1": {"bmc": "ipmi://10.0.0.9", "ipmi": {"kg_env": "OLD_KG"}}}})
    assert sorted(config_secret_variables(config.nodes.values())) == [
        "ALL_PW", "OLD_KG", "PRI_IPMI_PW", "PRI_KG", "PRI_PW"]


def test_only_documented_variables_reach_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"PATH": "/usr/bin", "LC_ALL": "C", "HOME": "/root",
                        "HAMNHW_PASSWORD": "pw", "PRI_KG": "kg", "SOME_TOKEN": "t",
                        "HAMNHW_USERNAME": "root", "LD_PRELOAD": "/x.so"}.items():
        monkeypatch.setenv(name, value)
    env = exec_environment(PAYLOAD, ["PATH"])
    assert "PATH" not in env  # a variable a config names is dropped even if well known
    assert (env["LC_ALL"], env["HOME"]) == ("C", "/root")
    hamnhw_vars = {k for k in env if k.startswith("HAMNHW_")}
    assert hamnhw_vars == {"HAMNHW_NODE", "HAMNHW_EVENT", "HAMNHW_SUBJECT", "HAMNHW_NAME",
                           "HAMNHW_OLD", "HAMNHW_NEW", "HAMNHW_PERCENT", "HAMNHW_MESSAGE_ID",
                           "HAMNHW_REASON", "HAMNHW_SOURCE", "HAMNHW_JSON"}
    assert not {"PRI_KG", "SOME_TOKEN", "LD_PRELOAD"} & set(env)
    assert set(plain_env(["PATH"])) <= set(env)


def test_bmc_strings_are_cleaned_of_control_characters() -> None:
    env = exec_environment(dict(PAYLOAD, node="pri\x1b[31mmary", name="RA\nID1",
                                reason="gone\x00\x7fnow", subject="V\r1"))
    assert (env["HAMNHW_NODE"], env["HAMNHW_NAME"]) == ("pri [31mmary", "RA ID1")
    assert (env["HAMNHW_REASON"], env["HAMNHW_SUBJECT"]) == ("gone now", "V 1")
    assert all("\x1b" not in v and "\n" not in v for v in env.values())


def test_hamnhw_json_is_shortened_field_by_field_and_stays_json() -> None:
    trigger = {"message_id": "StorageDevice.1.2.DriveFailure", "message": "m" * 200,
               "source": "push (unauthenticated)"}
    payload = dict(PAYLOAD, reason="r" * 20000, trigger=trigger)
    env = exec_environment(payload)
    assert len(env["HAMNHW_JSON"]) <= MAX_JSON
    parsed = json.loads(env["HAMNHW_JSON"])
    assert (parsed["node"], parsed["event"], parsed["new"]) == ("primary", "volume_changed",
                                                                "degraded")
    assert parsed["reason"].startswith("rrr") and parsed["reason"].endswith("...")
    assert env["HAMNHW_SOURCE"] == "push (unauthenticated)"
    assert json.loads(exec_environment(PAYLOAD)["HAMNHW_JSON"]) == PAYLOAD  # short: as is
