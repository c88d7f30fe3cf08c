"""The exporter spares a BMC account's lockout counter (review 7, item 5): credentials a BMC
refused are not sent to it again on the next reads (each would be one more failed login
towards an iDRAC/iLO/XCC lockout), the node stays down with ``hamnhw_bmc_auth_failed 1``,
and a fixed password file is tried at the next read, without a restart."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from monitor_helpers import PASSWORD, assert_no_secret, free_port, promtool
from test_exporter import _logins, _try_scrape, scrape, start_exporter, value, wait_for

from hamnhw.connection import Secret
from hamnhw.errors import AuthenticationError, SessionExpired
from hamnhw.ipmi_fallback import IpmiSettings
from hamnhw.monitor.lockout import CredentialGate, refused_login
from hamnhw.sim import SimCluster

WRONG = "not-the-pw-4Kd"


def _password_file(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def _config(tmp_path: Path, cluster: SimCluster) -> tuple[Path, Path]:
    """``[primary]`` with the right password; node ``n5``: the standby's BMC with a wrong one."""
    good = _password_file(tmp_path / "good.pw", PASSWORD)
    bad = _password_file(tmp_path / "n5.pw", WRONG)
    config = tmp_path / "hamnhw.toml"
    config.write_text(
        f'[primary]\nbmc = "{cluster["primary"].url}"\nusername = "admin"\n'
        f'password_file = "{good}"\n\n'
        f'[nodes.n5]\nbmc = "{cluster["standby"].url}"\nusername = "admin"\n'
        f'password_file = "{bad}"\n')
    return config, bad


@pytest.mark.e2e
def test_refused_credentials_are_not_retried_until_the_password_file_changes(
        tmp_path: Path, cluster: SimCluster) -> None:
    config, bad = _config(tmp_path, cluster)
    port = free_port()
    process = start_exporter(config, port, "--cache-seconds", "0", "primary", "n5")
    standby = cluster["standby"]
    try:
        # every node read again each second in the background (--cache-seconds 0: at least
        # 1 s apart): five reads of n5, one refused login
        first = wait_for(lambda: _try_scrape(port), lambda t: t is not None and (value(
            t, "hamnhw_bmc_reads_total", node="n5") or 0) >= 5, seconds=60)
        assert first is not None
        scrapes = [first, *(scrape(port) for _ in range(4))]
        assert (value(first, "hamnhw_bmc_reads_total", node="n5") or 0) >= 5
        assert _logins(standby) == 1
        tried = [r for r in standby.requests if r.method != "GET" or r.auth]
        assert [r.status for r in tried] == [401], tried  # no basic auth tried either
        for text in scrapes:
            assert value(text, "hamnhw_bmc_up", node="n5") == 0.0
            assert value(text, "hamnhw_bmc_auth_failed", node="n5") == 1.0
            assert value(text, "hamnhw_bmc_down_reason", node="n5", reason="auth") == 1.0
            assert value(text, "hamnhw_bmc_up", node="primary") == 1.0
            assert value(text, "hamnhw_bmc_auth_failed", node="primary") == 0.0
        primary_reads = value(scrapes[-1], "hamnhw_bmc_reads_total", node="primary")
        assert primary_reads is not None and _logins(cluster["primary"]) >= primary_reads >= 1
        checked = subprocess.run([promtool(), "check", "metrics"], input=scrapes[-1],
                                 text=True, capture_output=True, timeout=60, check=False)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        _password_file(bad, PASSWORD)  # the admin fixes the password file: no restart
        fixed = wait_for(lambda: scrape(port),
                         lambda t: value(t, "hamnhw_bmc_up", node="n5") == 1.0)
        assert value(fixed, "hamnhw_bmc_up", node="n5") == 1.0
        assert value(fixed, "hamnhw_bmc_auth_failed", node="n5") == 0.0
        assert _logins(standby) >= 2
        assert [r.status for r in standby.requests if r.method == "POST"][:2] == [401, 201]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert err.count("not logging in again until the credentials change") == 1, err
    assert_no_secret(out, err, *scrapes, fixed)
    assert WRONG not in out + err + "".join(scrapes)


def test_gate_holds_the_same_credentials_and_frees_changed_ones() -> None:
    gate = CredentialGate()
    wrong = {"url": "redfish://h", "username": "admin", "password": Secret(WRONG)}
    held = gate.fingerprint(wrong)
    assert not gate.blocked("n5", held)
    gate.refuse("n5", held)
    assert gate.blocked("n5", gate.fingerprint(dict(wrong)))
    assert not gate.blocked("n6", held)  # per node
    for changed in ({**wrong, "password": Secret(PASSWORD)}, {**wrong, "username": "root"},
                    {**wrong, "ipmi": IpmiSettings(kg=Secret("k"))}):
        assert not gate.blocked("n5", gate.fingerprint(changed))
    gate.accept("n5")
    assert not gate.blocked("n5", held)
    assert WRONG.encode() not in held and len(held) == 32


def test_refused_login_is_the_rule_events_listen_ends_on() -> None:
    from hamnhw.monitor.events import retry_cannot_fix

    refused = AuthenticationError("credentials rejected (HTTP 401)", host="h")
    assert refused_login(refused) and retry_cannot_fix(refused)
    expired = SessionExpired("session expired", host="h")  # its login was accepted
    assert not refused_login(expired) and not retry_cannot_fix(expired)
