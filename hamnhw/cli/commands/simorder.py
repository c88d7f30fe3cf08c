"""The pair's pending WORK ORDER, read from its journal: what ``hamnhw sim move --all-mn``
moves (the drives a failover, a drill's leg or ``pair setup-raid`` waits for)."""

from __future__ import annotations

import dataclasses

from hamnhw.config import Config
from hamnhw.errors import ConfigError
from hamnhw.failover.journal import JournalError, journal_path


@dataclasses.dataclass(frozen=True)
class PendingOrder:
    """The drives to move and where, and the command that goes on once they are moved."""

    source: str
    target: str
    serials: tuple[str, ...]
    next_command: str


def pending_order(config: Config, source: str | None, target: str | None,
                  config_path: str | None) -> PendingOrder:
    """The unfinished run's work order.

    :param source: ``--from`` when given: must be the order's old node.
    :param target: ``--to`` when given: must be the order's target.
    :raises ConfigError: no journal, no unfinished run, or a run without a work order
        (yet), or ``--from``/``--to`` other than the order's.
    """
    from hamnhw.failover.diskmove import order_from_json
    from hamnhw.pair import open_journal

    where = journal_path(config.pair.journal_dir, config.pair.journal_name)
    try:
        with open_journal(config, create=False) as journal:
            run = journal.unfinished_run()
    except JournalError as exc:
        raise ConfigError(f"--all-mn: no work order to follow: {exc.message}",
                          path=config.path) from None
    if run is None or "work_order" not in run.facts:
        what = ("no unfinished run" if run is None else
                f"run {run.id} ({run.state}) has no work order yet")
        raise ConfigError(f"--all-mn: no work order to follow in {where}: {what} (start one: "
                          "`hamnhw drill`, `hamnhw failover start`; or name the SERIALS)",
                          path=config.path)
    order = order_from_json(run.facts["work_order"])
    for option, given, wanted in (("--from", source, order.source),
                                  ("--to", target, order.target)):
        if given is not None and given != wanted:
            raise ConfigError(f"--all-mn: the work order of run {run.id} moves the drives "
                              f"from {order.source} into {order.target}, not {option} {given}")
    from hamnhw.cli.confighint import config_option

    return PendingOrder(order.source, order.target, tuple(d.serial for d in order.drives),
                        f"{order.resume} --disks-moved{config_option(config_path)}")
