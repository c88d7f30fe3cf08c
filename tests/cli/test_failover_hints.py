"""The "to go on" hints name the pair commands with this invocation's ``--config``."""

from __future__ import annotations

import click

from hamnhw.cli.commands.failover.hints import again, needs_with_config
from hamnhw.cli.confighint import with_config


def _ctx(root: click.Context, path: str | None, params: dict[str, object]) -> click.Context:
    ctx = click.Context(click.Command("start"), parent=root, info_name="start")
    ctx.params = {"config_path": path, **params}
    return ctx


def test_every_pair_command_in_a_hint_gets_the_config() -> None:
    ctx = _ctx(click.Context(click.Group("hamnhw"), info_name="hamnhw"), "my pair.toml", {})
    text = ("move X from primary into standby, then `hamnhw failover resume --disks-moved`; "
            "or `hamnhw drill resume`, `hamnhw drill --yes`, `hamnhw pair setup-raid "
            "--resume`, `hamnhw failover abort`")
    assert with_config(ctx, text) == (
        "move X from primary into standby, then `hamnhw failover resume --config "
        "'my pair.toml' --disks-moved`; or `hamnhw drill resume --config 'my pair.toml'`, "
        "`hamnhw drill --config 'my pair.toml' --yes`, `hamnhw pair setup-raid --config "
        "'my pair.toml' --resume`, `hamnhw failover abort --config 'my pair.toml'`")
    assert with_config(ctx, "`hamnhw power off standby`, then `hamnhw --json pair check`") == (
        "`hamnhw power off --config 'my pair.toml' standby`, then `hamnhw --json pair check "
        "--config 'my pair.toml'`")
    assert with_config(ctx, "run `hamnhw lint-os --pair-report`") == (
        "run `hamnhw lint-os --pair-report`")  # takes no --config
    named = "hamnhw failover resume --config 'my pair.toml' --disks-moved"
    assert with_config(ctx, named) == named  # never twice
    ran = "primary powered on by `hamnhw power on primary --yes` at 10:30:07"
    assert with_config(ctx, ran) == ran  # what someone ran, as recorded


def test_without_a_config_option_nothing_is_added() -> None:
    ctx = _ctx(click.Context(click.Group("hamnhw"), info_name="hamnhw"), None, {})
    needs = {"kind": "disks_moved", "phrase": "", "resume": "hamnhw failover resume"}
    assert needs_with_config(ctx, needs) == needs
    assert needs_with_config(ctx, None) is None


def test_the_same_command_again_keeps_the_flags_that_matter() -> None:
    root = click.Context(click.Group("hamnhw"), info_name="hamnhw")
    failover = click.Context(click.Group("failover"), parent=root, info_name="failover")
    ctx = _ctx(failover, "pair.toml", {"yes": True, "dry_run": False,
                                       "accept_degraded": True,
                                       "acknowledgements": ("x",)})
    assert again(ctx, "--acknowledge", "primary is the active MN") == (
        "hamnhw failover start --yes --accept-degraded --config pair.toml --acknowledge "
        "'primary is the active MN'")
