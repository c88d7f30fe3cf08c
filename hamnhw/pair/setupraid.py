"""``hamnhw pair setup-raid``: the seed procedure's RAID1 setup, before any OS is installed.

0. Before anything is sent or journaled (again on a resume in step 1), the setup refuses,
   exit 2, when the standby is the active MN, when it is on and may run an OS (unless
   ``--yes``), or when its drives (or the volume it would take over) are the pair's recorded
   RAID1 and their serials were not typed (:mod:`hamnhw.pair.setupguard`).
1. ``setup_create``: the primary must be off; a RAID1 over the given drives is created on the
   **standby** (a volume already over exactly those drives is taken over, and reported as
   existing, never as created), checked optimal, its member serials and bays recorded; the
   standby is powered off (Off read twice).
2. ``setup_awaiting_disks``: the failover's operator step: a work order naming each drive by
   serial and bay, both BMC sessions logged out, the operator's word (a terminal, or exit 10
   and ``pair setup-raid --resume --disks-moved``); the standby must still read off.
3. ``setup_verify``: the primary boots once into its setup utility; once its controller lists
   every recorded serial, the volume over them must show (a foreign configuration is imported
   through the driver, never cleared, its job followed to its end, a staged one through a
   reset into setup: :mod:`hamnhw.failover.foreign`) and be optimal.

Every action is journaled in the pair's journal (kind ``setup-raid``, crash-safe like a
failover step: intent before, outcome after); ``failover start`` refuses while it is
unfinished.  It proves that both controllers take the same array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hamnhw.config import Config
from hamnhw.errors import HamnhwError, UnsupportedOperation
from hamnhw.failover import foreign
from hamnhw.failover.diskmove import order_json
from hamnhw.failover.engine import Options, RunContext, Stop
from hamnhw.failover.journal import Journal
from hamnhw.failover.operator import DriveMove, Operator, WorkOrder
from hamnhw.failover.report import RunReport, build_report
from hamnhw.models import BootSource, PowerState, RaidType
from hamnhw.pair import check_pair_config, connect_node, open_journal
from hamnhw.pair.setupguard import Consent, check_node, describe, judged, refuse_active
from hamnhw.pair.snapshot import PairSnapshot
from hamnhw.poll import PollPolicy, poll_until
from hamnhw.raid import CreateRequest, VolumeState
from hamnhw.raidreset import apply_at_reset

KIND = "setup-raid"
"""The journal's run kind."""
SOURCE, TARGET = "standby", "primary"
STEPS = ("setup_create", "setup_awaiting_disks", "setup_verify")
_NO_SNAPSHOT = PairSnapshot({}, 0.0)
"""The run context's snapshot: the setup comes before the first ``pair snapshot``."""


class RaidSetup:
    """The RAID1 setup of the configured pair.

    :param operator: who moves the disks (:mod:`hamnhw.failover.operator`).
    :param consent: what the operator typed for the protections
        (:mod:`hamnhw.pair.setupguard`); none by default.
    """

    def __init__(self, config: Config, operator: Operator, *, poll: PollPolicy | None = None,
                 prompt: Callable[[str], str] | None = None,
                 consent: Consent | None = None) -> None:
        check_pair_config(config)
        self.config, self.operator, self.prompt = config, operator, prompt
        self.consent = consent or Consent()
        self.poll = poll or PollPolicy(interval=config.failover.poll_interval,
                                       timeout=config.failover.post_timeout)

    def start(self, drive_ids: Sequence[str], name: str | None = None) -> RunReport:
        """Create the RAID1 on the standby and go on as far as the operator step allows.

        :raises OperationFailed: the journal holds an unfinished run.
        :raises ConfigError: a protection refuses (nothing sent, no run journaled).
        """
        from hamnhw.failover.coordinator import RunUnfinished

        with open_journal(self.config) as journal, journal.lock():
            unfinished = journal.unfinished_run()
            if unfinished is not None:
                raise RunUnfinished(f"{unfinished.kind} run {unfinished.id} is unfinished "
                                    f"({unfinished.state}): resume or abort it first")
            found = self._check(journal, CreateRequest(RaidType.RAID1, tuple(drive_ids), name))
            run_id = journal.create_run(KIND, SOURCE, TARGET,
                                        {"drives": list(drive_ids), "name": name},
                                        state=STEPS[0])
            self._record(journal, run_id, found)
            return self._drive(self._context(journal, run_id, Options()))

    def resume(self, *, disks_moved: bool = False) -> RunReport:
        """Go on with the unfinished setup where it stopped (before the standby is powered
        off, after the protections' checks again).

        :raises ConfigError: a protection refuses (nothing sent).
        """
        with open_journal(self.config) as journal, journal.lock():
            run = self._unfinished(journal, "resume")
            if run.state == STEPS[0]:
                options = run.options
                self._record(journal, run.id, self._check(journal, CreateRequest(
                    RaidType.RAID1, tuple(options["drives"]), options.get("name"))))
            journal.event(run.id, "resume", f"resumed by {self.operator.identity()}")
            return self._drive(self._context(journal, run.id, Options(disks_moved=disks_moved)))

    def abort(self) -> RunReport:
        """Give the unfinished setup up (nothing is sent: the disks stay where they are)."""
        with open_journal(self.config) as journal, journal.lock():
            run = self._unfinished(journal, "abort")
            journal.set_state(run.id, "aborted", "aborted by the operator")
            journal.event(run.id, "state", f"{run.state} -> aborted")
            return build_report(journal, journal.run(run.id), "aborted")

    def _check(self, journal: Journal, request: CreateRequest) -> dict[str, Any]:
        """The protections' checks (:mod:`hamnhw.pair.setupguard`), reads only."""
        refuse_active(self.config, journal, SOURCE)
        with connect_node(self.config, SOURCE, poll=self.poll, prompt=self.prompt) as node:
            return check_node(node, SOURCE, request, self.consent,
                              PairSnapshot.from_journal(journal))

    def _record(self, journal: Journal, run_id: int, found: dict[str, Any]) -> None:
        """The checks' findings into the run (``preflight`` fact, a step event); a typed
        consent as an acknowledgement, with who gave it."""
        journal.update_facts(run_id, {"preflight": found})
        journal.event(run_id, "step", describe(found), found)
        if found["typed"]:
            journal.event(run_id, "ack", f"{' and '.join(found['typed'])} given by "
                                         f"{self.operator.identity()}", found)

    @staticmethod
    def _unfinished(journal: Journal, verb: str) -> Any:
        """The unfinished setup run to ``verb`` (resume, abort).

        :raises NothingToResume: the journal holds no unfinished run.
        :raises RunUnfinished: its unfinished run is a failover or a drill leg.
        """
        from hamnhw.failover.coordinator import NothingToResume, RunUnfinished
        from hamnhw.pair.runguard import describe, how_to_go_on

        run = journal.unfinished_run()
        if run is None:
            raise NothingToResume(f"no unfinished RAID1 setup run in the journal: nothing to "
                                  f"{verb}; start one with `hamnhw pair setup-raid --drives "
                                  "ID,ID`")
        if run.kind != KIND:
            raise RunUnfinished(f"the journal's unfinished run is {describe(run)}, not a "
                                f"RAID1 setup: {how_to_go_on(run)}")
        return run

    def _context(self, journal: Journal, run_id: int, options: Options) -> RunContext:
        return RunContext(self.config, journal, journal.run(run_id), self.operator, options,
                          _NO_SNAPSHOT, self.poll, self.prompt)

    def _drive(self, ctx: RunContext) -> RunReport:
        handlers = dict(zip(STEPS, (_create, _await_disks, _verify), strict=True))
        try:
            while ctx.run.state in handlers:
                handlers[ctx.run.state](ctx)
            return build_report(ctx.journal, ctx.run, "done")
        except Stop as stop:
            return _stopped(ctx, stop.reason, "waiting" if stop.waiting else "stopped")
        except HamnhwError as exc:
            return _stopped(ctx, f"{type(exc).__name__}: {exc}", "stopped", exc)
        finally:
            ctx.logout()


def _stopped(ctx: RunContext, reason: str, outcome: str,
             error: BaseException | None = None) -> RunReport:
    needs = ({"kind": "disks_moved", "phrase": "",
              "resume": "hamnhw pair setup-raid --resume --disks-moved"}
             if outcome == "waiting" else None)
    ctx.journal.set_stop_reason(ctx.run.id, reason)
    ctx.journal.event(ctx.run.id, "stop", reason, needs)
    ctx.refresh()
    return build_report(ctx.journal, ctx.run, outcome, stop_reason=reason, needs=needs,
                        error=error)


def _next(ctx: RunContext, state: str) -> None:
    ctx.journal.set_state(ctx.run.id, state)
    ctx.event("state", f"{ctx.run.state} -> {state}")
    ctx.refresh()


def _request(ctx: RunContext) -> CreateRequest:
    options = ctx.run.options
    return CreateRequest(RaidType.RAID1, tuple(options["drives"]), options.get("name"))


# -- 1. create on the standby ---------------------------------------------------------------

def _create(ctx: RunContext) -> None:
    if ctx.node(TARGET).power.state() is not PowerState.OFF:
        raise Stop(f"{TARGET} is not off: the RAID1 is built before any OS is installed and "
                   f"its disks go into {TARGET}; power it off first")
    standby, request = ctx.node(SOURCE), _request(ctx)
    timeout = ctx.settings.power_off_timeout

    def create() -> dict[str, Any]:
        outcome = standby.raid.create(request)
        if outcome.pending:
            outcome = apply_at_reset(standby, request, outcome, timeout=timeout, policy=ctx.poll)
        return {"volume": outcome.volume.id if outcome.volume else None,
                "changed": outcome.changed}

    made = ctx.act("setup_create", "create_raid1", SOURCE, {"drives": list(request.drive_ids)},
                   create, recover=lambda _i: _existing(ctx, request))
    status = standby.raid.status()
    volume = next((v for v in status.volumes or () if v.id == made.get("volume")), None)
    health = status.health.get(volume.id) if volume else None
    if volume is None or health is None or health.state is not VolumeState.OPTIMAL:
        raise Stop(f"the RAID1 on {SOURCE} is not optimal ({health or 'not listed'})")
    _report_volume(ctx, volume, made.get("changed"))
    drives = {d.id: d for d in status.drives or ()}
    members = [drives[i] for i in volume.drive_ids or () if i in drives]
    ctx.remember(mn_drives=[{"serial": d.serial, "bay": d.location} for d in members],
                 standby_volume=volume.id)
    ctx.act("setup_create", "power_off_standby", SOURCE, {},
            lambda: {"power": standby.power.off(timeout=timeout).power_state.value},
            recover=lambda _i: _off(standby))
    _next(ctx, STEPS[1])


def _report_volume(ctx: RunContext, volume: Any, changed: bool | None) -> None:
    """The check that says what the create did: ``created``, or ``already on`` for a volume
    this run did not create (``changed`` False, or None: found after an interrupted create);
    a volume other than the one the protections' checks judged stops the run (a resume
    checks it again)."""
    over = f"{volume.id} over {', '.join(volume.drive_ids or ())}"
    if changed is True:
        ctx.check("setup: RAID1 created on the standby", True, over)
        return
    checked = ctx.facts.get("preflight") or {}
    seen = checked.get("existing_volume")
    if seen not in (None, volume.id):
        raise Stop(f"{SOURCE} shows {over}, not {seen} that the checks before the create "
                   "judged; check it, then `hamnhw pair setup-raid --resume` (checked again)")
    how = ("found after an interrupted create (made by it, or existing before this run)"
           if changed is None else "it existed before this run" if seen else
           "made by a create this run did not send (one the BMC ran or held for its next "
           "reset)")
    drives = ", ".join(checked.get("drive_ids") or ())
    ctx.check("setup: RAID1 already on the standby", True,
              f"{over}: {how}, over exactly the requested drives ({drives}); taken over, not "
              f"created ({judged(checked)})")


def _existing(ctx: RunContext, request: CreateRequest) -> dict[str, Any] | None:
    volume_id = ctx.node(SOURCE).raid.plan_create(request).volume_id
    return None if volume_id is None else {"volume": volume_id, "changed": None}


def _off(node: Any) -> dict[str, Any] | None:
    return {"power": "off"} if node.power.state() is PowerState.OFF else None


# -- 2. the operator moves the disks ---------------------------------------------------------

def _await_disks(ctx: RunContext) -> None:
    drives = ctx.facts.get("mn_drives") or []
    if "work_order" not in ctx.facts:
        order = WorkOrder(ctx.run.id, SOURCE, TARGET, _serial(ctx, SOURCE), _serial(ctx, TARGET),
                          tuple(DriveMove(d["serial"], d.get("bay")) for d in drives),
                          _bays_taken(ctx), resume="hamnhw pair setup-raid --resume")
        ctx.remember(work_order=order_json(order))
    order = _order(ctx.facts["work_order"])
    ctx.logout()
    if not (ctx.options.disks_moved or ctx.operator.move_disks(order)):
        raise Stop(f"waiting for the RAID1 disks to be moved from {SOURCE} into {TARGET}; then "
                   "run `hamnhw pair setup-raid --resume --disks-moved`", waiting=True)
    if ctx.node(SOURCE).power.state() is not PowerState.OFF:
        raise Stop(f"{SOURCE} is not off any more: check it, then resume")
    ctx.event("step", f"disks moved from {SOURCE} into {TARGET}, said "
                      f"{ctx.operator.identity()}")
    _next(ctx, STEPS[2])


def _serial(ctx: RunContext, name: str) -> str | None:
    try:
        return ctx.node(name).inventory.system().serial
    except HamnhwError:
        return None


def _bays_taken(ctx: RunContext) -> tuple[str, ...] | None:
    from hamnhw.failover.hostview import bays_taken

    try:
        return bays_taken(ctx.node(TARGET))
    except HamnhwError:
        return None


def _order(data: dict[str, Any]) -> WorkOrder:
    from hamnhw.failover.diskmove import order_from_json

    return order_from_json(data)


# -- 3. the primary takes the array ------------------------------------------------------------

def _verify(ctx: RunContext) -> None:
    primary = ctx.node(TARGET)
    serials = [d["serial"] for d in ctx.facts.get("mn_drives") or []]
    primary.management.set_boot_override(BootSource.BIOS_SETUP)
    ctx.act("setup_verify", "power_on_primary", TARGET, {"boot": "BiosSetup"},
            lambda: {"power": primary.power.on(timeout=ctx.settings.power_off_timeout)
                     .power_state.value},
            recover=lambda _i: ({"power": "on"} if primary.power.state() is PowerState.ON
                                else None), resend="confirm")
    poll_until(lambda: primary.raid.status(), lambda s: _lists(s, serials),
               ctx.poll.deadline(ctx.settings.post_timeout), ctx.poll,
               what=f"{TARGET}: controller lists the moved disks",
               describe=lambda s: f"{len(_present(s, serials))} of {len(serials)} disks")
    volume = _volume_over(primary.raid.status(), serials)
    if volume is None:
        _import(ctx, primary, serials)
        volume = _volume_over(primary.raid.status(), serials)
    if volume is None:
        raise Stop(f"{TARGET} lists the disks but no RAID1 over them")
    health = primary.raid.status().health.get(volume.id)
    passed = health is not None and health.state is VolumeState.OPTIMAL
    ctx.check("setup: the primary takes the array", passed,
              f"{volume.id} over {', '.join(serials)} ({health.state.value if health else '?'})")
    if not passed:
        raise Stop(f"the RAID1 on {TARGET} is not optimal: {health}")
    ctx.remember(primary_volume=volume.id)
    _next(ctx, "done")


def _present(status: Any, serials: Sequence[str]) -> list[str]:
    seen = {d.serial for d in status.drives or ()}
    return [s for s in serials if s in seen]


def _lists(status: Any, serials: Sequence[str]) -> bool:
    return len(_present(status, serials)) == len(serials)


def _volume_over(status: Any, serials: Sequence[str]) -> Any:
    serial_of = {d.id: d.serial for d in status.drives or ()}
    return next((v for v in status.volumes or () if v.raid_type is RaidType.RAID1 and
                 {serial_of.get(i) for i in v.drive_ids or ()} == set(serials)), None)


def _import(ctx: RunContext, primary: Any, serials: Sequence[str]) -> None:
    """A foreign configuration is imported through the driver (never cleared) and followed
    to its end (:mod:`hamnhw.failover.foreign`): a staged job through a reset of the
    primary into its setup again, a failed one stopping the setup with its reason."""
    try:
        volume = foreign.import_mn_volume(ctx, "setup_verify", TARGET, serials, serials,
                                           lambda: _reset_into_setup(ctx, primary))
    except UnsupportedOperation as exc:
        raise Stop(f"{TARGET} lists the disks but no volume over them, and the driver cannot "
                   f"import a foreign configuration ({exc.message}): import it in the "
                   "controller's setup utility (never clear it), then `hamnhw pair setup-raid "
                   "--resume`") from exc
    except HamnhwError as exc:
        raise Stop(f"{TARGET} lists the disks but no volume over them, and the foreign "
                   f"import did not give one: {exc}; fix it in the controller's setup "
                   "utility (never clear it), then `hamnhw pair setup-raid --resume`") from exc
    ctx.event("step", f"foreign configuration imported on {TARGET}: {foreign.describe(volume)}")


def _reset_into_setup(ctx: RunContext, primary: Any) -> None:
    """A staged import runs at the next POST: the primary (no OS yet) is power-cycled into
    its setup utility again (re-sent after a crash: harmless before any OS is installed)."""
    primary.management.set_boot_override(BootSource.BIOS_SETUP)
    ctx.act("setup_verify", "reset_for_import", TARGET, {"boot": "BiosSetup"},
            lambda: {"power": primary.power.cycle(timeout=ctx.settings.power_off_timeout)
                     .power_state.value})
