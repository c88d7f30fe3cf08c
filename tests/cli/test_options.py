"""Target resolution: options over config over defaults; the TTY prompt."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from hamnhw.cli import resolve
from hamnhw.cli.options import TargetOptions
from hamnhw.cli.resolve import connect_arguments
from hamnhw.connection import Secret

CONFIG = """
[nodes.bmc1]
bmc = "redfish://10.0.0.5"
username = "cfg-user"
password_env = "BMC1_PW"
insecure = true
timeout = 60
driver = "dell"
"""


@pytest.fixture
def cfg(tmp_path: Path) -> str:
    path = tmp_path / "site.toml"
    path.write_text(CONFIG)
    return str(path)


def test_config_node_gives_url_credentials_tls_timeout_driver(cfg: str) -> None:
    kwargs = connect_arguments(TargetOptions("bmc1", config=cfg), environ={"BMC1_PW": "pw1"})
    assert kwargs == {"url": "redfish://10.0.0.5", "name": "bmc1", "username": "cfg-user",
                      "password": Secret("pw1"), "driver": "dell", "ca_file": None,
                      "pin_fingerprint": None, "insecure": True, "timeout": 60.0}


def test_options_override_config(cfg: str, tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("from-file")
    os.chmod(pw, 0o600)
    target = TargetOptions("bmc1", config=cfg, username="opt-user", password_file=str(pw),
                           ca_file="ca.pem", timeout=5.0)
    kwargs = connect_arguments(target, environ={"BMC1_PW": "pw1"})
    assert kwargs["username"] == "opt-user"
    assert kwargs["password"] == Secret("from-file")
    # a TLS choice on the command line replaces the config's as a whole
    assert (kwargs["ca_file"], kwargs["insecure"]) == ("ca.pem", False)
    assert kwargs["timeout"] == 5.0


def test_url_target_ignores_config_and_uses_env(cfg: str) -> None:
    kwargs = connect_arguments(TargetOptions("redfish+http://127.0.0.1:9"),
                               environ={"HAMNHW_CONFIG": cfg, "HAMNHW_USERNAME": "u",
                                        "HAMNHW_PASSWORD": "p"})
    assert kwargs["url"] == "redfish+http://127.0.0.1:9"
    assert (kwargs["username"], kwargs["password"]) == ("u", Secret("p"))
    assert "insecure" not in kwargs
    assert kwargs["driver"] is None


def test_config_found_through_hamnhw_config(cfg: str) -> None:
    kwargs = connect_arguments(TargetOptions("bmc1"),
                               environ={"HAMNHW_CONFIG": cfg, "BMC1_PW": "x"})
    assert kwargs["url"] == "redfish://10.0.0.5"


def test_config_found_in_cwd(tmp_path: Path) -> None:
    (tmp_path / "hamnhw.toml").write_text(CONFIG)
    kwargs = connect_arguments(TargetOptions("bmc1"), environ={"BMC1_PW": "x"},
                               cwd=str(tmp_path))
    assert kwargs["driver"] == "dell"


def test_tty_prompt_hides_input(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_prompt(text: str, **kwargs: Any) -> str:
        calls.append({"text": text, **kwargs})
        return "typed"

    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(resolve.sys, "stdin", tty)
    monkeypatch.setattr(resolve.click, "prompt", fake_prompt)
    prompt = resolve.tty_prompt()
    assert prompt is not None
    assert prompt("BMC password") == "typed"
    assert calls[0]["hide_input"] is True


def test_no_prompt_without_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolve.sys, "stdin", io.StringIO())
    assert resolve.tty_prompt() is None
