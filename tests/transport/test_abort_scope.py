"""An AbortScope (one fan-out's requests) ends its own requests, those of scopes made
within it and those sent after it was aborted; never another scope's or an unscoped one."""

from __future__ import annotations

import threading

from hamnhw.transport import watchdog


def _armed(scope: watchdog.AbortScope | None, *, spared: float | None = None) -> watchdog.Watchdog:
    if scope is None:
        dog = watchdog.Watchdog()
    elif spared is None:
        with watchdog.in_scope(scope):
            dog = watchdog.Watchdog()
    else:
        with watchdog.in_scope(scope), watchdog.spared_from_abort(spared):
            dog = watchdog.Watchdog()
    dog.arm(3600.0)
    return dog


def test_abort_ends_its_own_and_nested_requests_only() -> None:
    mine, other = watchdog.AbortScope(), watchdog.AbortScope()
    nested = watchdog.AbortScope(parent=mine)
    own, inner, theirs, unscoped = _armed(mine), _armed(nested), _armed(other), _armed(None)
    spared = _armed(mine, spared=3000.0)
    try:
        assert mine.abort() == 2
        assert own.fired and inner.fired
        assert not theirs.fired and not unscoped.fired and not spared.fired
        assert nested.aborted and not other.aborted
    finally:
        for dog in (theirs, unscoped, spared):
            dog.disarm()


def test_a_request_sent_after_the_abort_ends_at_once() -> None:
    scope = watchdog.AbortScope()
    scope.abort()
    dog = _armed(scope)
    done = threading.Event()
    for _ in range(1000):  # the watchdog thread fires it; armed for an hour
        if dog.fired:
            break
        done.wait(0.01)
    assert dog.fired


def test_in_scope_is_undone_on_leaving() -> None:
    scope = watchdog.AbortScope()
    with watchdog.in_scope(scope):
        assert watchdog.current_scope() is scope
        assert watchdog.Watchdog().scope is scope
    assert watchdog.current_scope() is None
