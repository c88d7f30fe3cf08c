"""Redaction reaches every hamnhw logger (drivers and registry too), tokens are
forgotten at logout, and the CLI's handlers redact whatever logger writes."""

import logging

from hamnhw.cli import main as cli_main
from hamnhw.log import RedactingFilter, forget_secret, redact, register_secret


def test_driver_and_registry_loggers_redact(caplog):
    from hamnhw_drivers.generic import power

    from hamnhw import registry

    register_secret("tok-registered-1234")
    with caplog.at_level(logging.DEBUG):
        power.LOG.warning("token %s", "tok-registered-1234")
        registry.LOG.warning("token tok-registered-1234")
    assert "tok-registered-1234" not in caplog.text
    assert caplog.text.count("***") == 2


def test_forget_secret_stops_tracking():
    register_secret("short-lived-token-xyz")
    assert redact("a short-lived-token-xyz b") == "a *** b"
    forget_secret("short-lived-token-xyz")
    assert redact("a short-lived-token-xyz b") == "a short-lived-token-xyz b"
    forget_secret(None)  # harmless


def test_cli_logging_redacts_on_handlers(monkeypatch):
    root = logging.getLogger()
    handler = logging.StreamHandler()
    monkeypatch.setattr(root, "handlers", [handler])
    cli_main._configure_logging("debug")
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    assert logging.getLogger("redfish").level == logging.WARNING
    record = logging.LogRecord("thirdparty", logging.INFO, __file__, 1,
                               "X-Auth-Token: abcdef0123456789", None, None)
    handler.filter(record)
    assert "abcdef0123456789" not in record.getMessage()


def test_registered_secret_masked_only_as_a_whole_token():
    register_secret("pons7")
    text = "response pons7 xpons7 pons7x :pons7: (pons7)"
    assert redact(text) == "response *** xpons7 pons7x :***: (***)"
    forget_secret("pons7")


def test_secret_with_punctuation_at_its_ends_is_masked_next_to_letters():
    register_secret("!bang-pw!")
    assert redact("a!bang-pw!b") == "a***b"
    forget_secret("!bang-pw!")


def test_short_secret_is_not_registered_for_free_text():
    for short in ("p", "pw", "abc"):
        register_secret(short)
        assert redact(f"response {short} happens") == f"response {short} happens"
        assert "***" in redact(f'{{"Password": "{short}"}}'), "the JSON mask still applies"
        assert "***" in redact(f"X-Auth-Token: {short}"), "the header mask still applies"
    register_secret("abcd")
    assert redact("x abcd y") == "x *** y"
    forget_secret("abcd")


def test_long_secret_masked_inside_longer_text():
    register_secret("hunter22")
    try:
        assert redact("body pw%3Dhunter22&x=1") == "body pw%3D***&x=1"
        assert redact("line1\\nhunter22 end") == "line1\\n*** end"
        assert redact("xhunter22y") == "x***y"
    finally:
        forget_secret("hunter22")


def test_short_secret_masked_at_boundaries_only():
    register_secret("hunt7")
    try:
        assert redact("a hunt7 b") == "a *** b"
        assert redact("pw%3Dhunt7x") == "pw%3Dhunt7x", "inside a word: left readable"
    finally:
        forget_secret("hunt7")


def test_registrations_are_counted():
    register_secret("shared-pw-123")
    register_secret("shared-pw-123")
    forget_secret("shared-pw-123")
    assert redact("x shared-pw-123") == "x ***", "one holder left: still masked"
    forget_secret("shared-pw-123")
    assert redact("x shared-pw-123") == "x shared-pw-123"
    forget_secret("shared-pw-123")  # more forgets than registrations: harmless
    register_secret("shared-pw-123")
    assert redact("x shared-pw-123") == "x ***"
    forget_secret("shared-pw-123")
