"""hamnhw.interrupts with real signals, in a child process (a handler that failed to
install would otherwise stop the test run itself)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, os, signal, threading
    from hamnhw import interrupts
    from hamnhw.errors import Interrupted

    def kill(sig=signal.SIGTERM):
        os.kill(os.getpid(), sig)

    seen = {}
    with interrupts.interruptible():
        try:
            kill()
            seen["after_kill"] = True          # never runs: raised at once
        except Interrupted as exc:
            seen["at_once"] = exc.signum
        kill(signal.SIGINT)                    # a second signal: clean-up goes on
        seen["second_ignored"] = interrupts.received()

    with interrupts.interruptible():
        steps = []
        try:
            with interrupts.deferred():
                kill(signal.SIGINT)
                steps.append("rest of the block")
            steps.append("after the block")
        except Interrupted as exc:
            steps.append(f"raised {exc.signal_name}")
        seen["deferred"] = steps
        try:
            interrupts.check()
        except Interrupted:
            seen["check_raises_again"] = True
        result = []
        worker = threading.Thread(target=lambda: result.append(_check()))
        def _check():
            try:
                interrupts.check()
            except Interrupted as exc:
                return exc.signum
        worker.start(); worker.join()
        seen["worker"] = result

    with interrupts.interruptible():
        hurried = []
        try:
            with interrupts.deferred(on_signal=lambda: hurried.append("hurry")):
                with interrupts.deferred():    # nested: the outer block's hook still runs
                    kill()
                    hurried.append("held")
                kill(signal.SIGINT)            # a second signal held: told again
        except Interrupted as exc:
            hurried.append(f"raised {exc.signal_name}")
        seen["on_signal"] = hurried

    with interrupts.interruptible():
        with interrupts.deferred(on_signal=lambda: seen.setdefault("hook_left", True)):
            pass
        try:
            kill()                             # outside the block: its hook is gone
        except Interrupted:
            seen["raised_after_hook_left"] = True

    with interrupts.interruptible():
        with interrupts.stopping() as stop:
            kill()
            interrupts.wait_until(stop)
            seen["stopped"] = stop.is_set()
        interrupts.check()                     # consumed by stopping(): no raise
        seen["after_stopping"] = interrupts.received()

    interrupts.check()                         # nothing installed, nothing received
    print(json.dumps(seen))
""")


def test_interrupts_with_real_signals() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen == {
        "at_once": 15,
        "second_ignored": 15,
        "deferred": ["rest of the block", "raised SIGINT"],
        "check_raises_again": True,
        "worker": [2],
        "on_signal": ["hurry", "held", "hurry", "raised SIGTERM"],
        "raised_after_hook_left": True,
        "stopped": True,
        "after_stopping": None,
    }
