"""The failover journal: one SQLite file per pair on the journal host.

Crash safety comes from the order of writes, as Ironic keeps ``driver_internal_info``:
every action's *intent* is committed before its request is sent, its *outcome* after;
a resumed coordinator finds intents without an outcome and re-reads the BMCs instead
of guessing.  SQLite runs with ``synchronous=FULL`` (a commit is on the disk before the
request goes out) and the file is created mode 0600 in a 0700 directory.

Tables: ``runs`` (one failover each), ``steps`` (intent and outcome of each action),
``events`` (acknowledgements with who and when, warnings, check output), ``snapshots``
(``hamnhw pair snapshot``), ``pair_state`` (the active node), ``sessions`` (BMC sessions
opened, to delete the ones a crash left).  Writers hold :class:`JournalLock`.  The
records read back (:class:`RunRecord`, :class:`StepRecord`...) are defined in
:mod:`hamnhw.failover.journal_records` and importable from here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hamnhw.errors import ConfigError, HamnhwError
from hamnhw.failover.journal_records import (
    FINISHED_STATES,
    SELECT_RUNS,
    SELECT_STEPS,
    ActiveNode,
    EventRecord,
    RunRecord,
    StepRecord,
    run_record,
    step_record,
)

__all__ = ["FINISHED_STATES", "SCHEMA_VERSION", "ActiveNode", "EventRecord", "Journal",
           "JournalError", "RunRecord", "StepRecord", "journal_path"]

SCHEMA_VERSION = 1
"""Bumped when the tables change."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, drill_id INTEGER, source TEXT NOT NULL,
    target TEXT NOT NULL, state TEXT NOT NULL, stop_reason TEXT, started_at REAL NOT NULL,
    updated_at REAL NOT NULL, finished_at REAL, options TEXT NOT NULL, facts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS steps(
    id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step TEXT NOT NULL,
    action TEXT NOT NULL, node TEXT, intent TEXT NOT NULL, intent_at REAL NOT NULL,
    outcome TEXT, outcome_at REAL, superseded INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY, run_id INTEGER, at REAL NOT NULL, kind TEXT NOT NULL,
    message TEXT NOT NULL, data TEXT);
CREATE TABLE IF NOT EXISTS snapshots(
    id INTEGER PRIMARY KEY, taken_at REAL NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pair_state(
    key TEXT PRIMARY KEY, value TEXT NOT NULL, set_at REAL NOT NULL, source TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions(
    id INTEGER PRIMARY KEY, run_id INTEGER, node TEXT NOT NULL, path TEXT NOT NULL,
    opened_at REAL NOT NULL, closed_at REAL);
"""


def damage_remedy(exc: BaseException) -> str:
    """What to do about a journal file SQLite finds damaged (``": ..."``), else ``""``."""
    text = str(exc).lower()
    if not isinstance(exc, sqlite3.DatabaseError) or not any(
            word in text for word in ("malformed", "not a database", "corrupt")):
        return ""
    return ("; the file is damaged: restore it from a backup of this host, or recover what "
            "SQLite can (`sqlite3 FILE .recover | sqlite3 NEW`, then put NEW in its place); "
            "do not delete or move it aside: it holds the run's state (whether the disks "
            "were said moved, the active MN), and without it the guards cannot tell")


class JournalError(HamnhwError):
    """The journal cannot be opened or is not one hamnhw wrote."""


def journal_path(journal_dir: str | os.PathLike[str], name: str) -> Path:
    """``<journal_dir>/<name>.journal.sqlite``."""
    return Path(journal_dir) / f"{name}.journal.sqlite"


class Journal:
    """An open journal.  Reading needs no lock; writers hold :meth:`lock`."""

    def __init__(self, path: Path, db: sqlite3.Connection, clock: Any = time.time) -> None:
        self.path = path
        """The SQLite file."""
        self._db = db
        self._clock = clock

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = True) -> Journal:
        """Open (and with ``create``, make) the journal at ``path``.

        :raises JournalError: it cannot be created or read, or another program's file.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise JournalError(f"no journal at {path} (nothing recorded yet)")
            _create_file(path)
        try:
            db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            db.executescript(_SCHEMA)
            _check_version(db, path)
        except sqlite3.Error as exc:
            raise JournalError(f"journal {path} unusable: {exc}{damage_remedy(exc)}") from exc
        return cls(path, db)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lock(self) -> Any:
        """The writers' lock of this journal (:class:`~hamnhw.failover.lock.JournalLock`)."""
        from hamnhw.failover.lock import JournalLock

        return JournalLock(self.path.with_name(self.path.name + ".lock"))

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a write SQLite refuses (disk full, read-only file) is a
        :class:`JournalError` and nothing of the transaction is kept."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (SQLITE_FULL): never mask the cause
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} cannot be written ({exc}): nothing of "
                               "this step was recorded; free space or make it writable, then "
                               "run the command again") from exc

    def now(self) -> float:
        """Wall-clock seconds, as every timestamp of the journal."""
        return float(self._clock())

    # -- runs --------------------------------------------------------------------------------

    def create_run(self, kind: str, source: str, target: str, options: Mapping[str, Any],
                   drill_id: int | None = None, state: str = "preflight") -> int:
        """Insert a run row and return its id."""
        now = self.now()
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO runs(kind, drill_id, source, target, state, started_at, updated_at,"
                " options, facts) VALUES (?,?,?,?,?,?,?,?,?)",
                (kind, drill_id, source, target, state, now, now, _dump(options), "{}"))
        return int(cursor.lastrowid or 0)

    def run(self, run_id: int) -> RunRecord:
        """The run with this id."""
        row = self._db.execute(SELECT_RUNS + " WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise JournalError(f"no run {run_id} in {self.path}")
        return run_record(row)

    def runs(self) -> list[RunRecord]:
        """Every run, oldest first."""
        return [run_record(r) for r in self._db.execute(SELECT_RUNS + " ORDER BY id")]

    def latest_run(self) -> RunRecord | None:
        """The newest run, or None."""
        row = self._db.execute(SELECT_RUNS + " ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else run_record(row)

    def unfinished_run(self) -> RunRecord | None:
        """The newest run that is neither done, aborted nor refused, or None."""
        run = self.latest_run()
        return run if run is not None and not run.finished else None

    def set_state(self, run_id: int, state: str, stop_reason: str | None = None) -> None:
        """Record the run's state (and stop reason, None clears it)."""
        now = self.now()
        finished = now if state in FINISHED_STATES else None
        with self._tx() as db:
            db.execute("UPDATE runs SET state=?, stop_reason=?, updated_at=?, finished_at=? "
                       "WHERE id=?", (state, stop_reason, now, finished, run_id))

    def set_stop_reason(self, run_id: int, stop_reason: str | None) -> None:
        """Record (or clear) why the run stopped, keeping its state."""
        with self._tx() as db:
            db.execute("UPDATE runs SET stop_reason=?, updated_at=? WHERE id=?",
                       (stop_reason, self.now(), run_id))

    def update_facts(self, run_id: int, facts: Mapping[str, Any]) -> None:
        """Merge ``facts`` into the run's remembered facts."""
        with self._tx() as db:
            self._merge_facts(db, run_id, facts)

    def _merge_facts(self, db: sqlite3.Connection, run_id: int, facts: Mapping[str, Any]) -> None:
        row = db.execute("SELECT facts FROM runs WHERE id=?", (run_id,)).fetchone()
        merged = {**json.loads(row[0]), **facts}
        db.execute("UPDATE runs SET facts=?, updated_at=? WHERE id=?",
                   (_dump(merged), self.now(), run_id))

    # -- steps -------------------------------------------------------------------------------

    def intent(self, run_id: int, step: str, action: str, node: str | None,
               intent: Mapping[str, Any]) -> int:
        """Commit what is about to be done, before the request; returns the step id."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO steps(run_id, step, action, node, intent, intent_at) "
                "VALUES (?,?,?,?,?,?)", (run_id, step, action, node, _dump(intent), self.now()))
        return int(cursor.lastrowid or 0)

    def outcome(self, step_id: int, outcome: Mapping[str, Any],
                facts: Mapping[str, Any] | None = None) -> None:
        """Commit what came of a step (and, in the same transaction, new run facts)."""
        with self._tx() as db:
            db.execute("UPDATE steps SET outcome=?, outcome_at=? WHERE id=?",
                       (_dump(outcome), self.now(), step_id))
            if facts:
                run_id = db.execute("SELECT run_id FROM steps WHERE id=?", (step_id,)).fetchone()
                self._merge_facts(db, int(run_id[0]), facts)

    def open_step(self, run_id: int, step: str, action: str) -> StepRecord | None:
        """The latest live (not superseded) record of ``step``/``action``, or None."""
        row = self._db.execute(
            SELECT_STEPS + " WHERE run_id=? AND step=? AND action=? "
            "AND superseded=0 ORDER BY id DESC LIMIT 1", (run_id, step, action)).fetchone()
        return None if row is None else step_record(row)

    def supersede(self, run_id: int, steps: tuple[str, ...]) -> None:
        """Mark the records of ``steps`` as superseded: the run goes through them again."""
        with self._tx() as db:
            db.executemany("UPDATE steps SET superseded=1 WHERE run_id=? AND step=?",
                           [(run_id, step) for step in steps])

    def steps(self, run_id: int) -> list[StepRecord]:
        """Every step record of a run, in order."""
        return [step_record(r) for r in self._db.execute(
            SELECT_STEPS + " WHERE run_id=? ORDER BY id", (run_id,))]

    # -- events ------------------------------------------------------------------------------

    def event(self, run_id: int | None, kind: str, message: str, data: Any = None) -> None:
        """Record an event (an acknowledgement, a warning, a check's output)."""
        with self._tx() as db:
            db.execute("INSERT INTO events(run_id, at, kind, message, data) VALUES (?,?,?,?,?)",
                       (run_id, self.now(), kind, message,
                        None if data is None else _dump(data)))

    def events(self, run_id: int | None = None) -> list[EventRecord]:
        """Events of a run (every event with None), oldest first."""
        query = "SELECT id, run_id, at, kind, message, data FROM events"
        rows = (self._db.execute(query + " ORDER BY id") if run_id is None else
                self._db.execute(query + " WHERE run_id=? ORDER BY id", (run_id,)))
        return [EventRecord(r[0], r[1], r[2], r[3], r[4], None if r[5] is None else
                            json.loads(r[5])) for r in rows]

    # -- snapshots and pair state ------------------------------------------------------------

    def save_snapshot(self, data: Mapping[str, Any]) -> int:
        """Store a pair snapshot; returns its id."""
        with self._tx() as db:
            cursor = db.execute("INSERT INTO snapshots(taken_at, data) VALUES (?,?)",
                                (self.now(), _dump(data)))
        return int(cursor.lastrowid or 0)

    def latest_snapshot(self) -> tuple[int, float, dict[str, Any]] | None:
        """``(id, taken_at, data)`` of the newest snapshot, or None."""
        row = self._db.execute(
            "SELECT id, taken_at, data FROM snapshots ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def set_active_node(self, name: str, source: str) -> None:
        """Record which node is the active MN and why it is believed."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO pair_state(key, value, set_at, source) "
                       "VALUES ('active_node', ?, ?, ?)", (name, self.now(), source))

    def forget_active_node(self) -> None:
        """The journal no longer knows which node is active (a run aborted after booting
        the target): the next ``start`` works it out from live state, confirmed by typing."""
        with self._tx() as db:
            db.execute("DELETE FROM pair_state WHERE key='active_node'")

    def active_node(self) -> ActiveNode | None:
        """The active node as recorded, or None when the journal does not know."""
        row = self._db.execute("SELECT value, set_at, source FROM pair_state "
                               "WHERE key='active_node'").fetchone()
        return None if row is None else ActiveNode(row[0], row[1], row[2])

    # -- BMC sessions ------------------------------------------------------------------------

    def session_opened(self, run_id: int | None, node: str, path: str) -> int:
        """Record a BMC session opened by the coordinator."""
        with self._tx() as db:
            cursor = db.execute("INSERT INTO sessions(run_id, node, path, opened_at) "
                                "VALUES (?,?,?,?)", (run_id, node, path, self.now()))
        return int(cursor.lastrowid or 0)

    def session_closed(self, session_id: int) -> None:
        """Record that a session was logged out (or found gone)."""
        with self._tx() as db:
            db.execute("UPDATE sessions SET closed_at=? WHERE id=?", (self.now(), session_id))

    def open_sessions(self, node: str) -> list[tuple[int, str]]:
        """``(id, path)`` of the sessions on ``node`` opened and never closed."""
        return [(r[0], r[1]) for r in self._db.execute(
            "SELECT id, path FROM sessions WHERE node=? AND closed_at IS NULL ORDER BY id",
            (node,))]


def _dump(value: Any) -> str:
    from hamnhw.models import to_jsonable

    return json.dumps(to_jsonable(value), sort_keys=True)


def _create_file(path: Path) -> None:
    """Make the directory (0700 when new) and an empty file mode 0600."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigError(f"cannot create the journal {path}: {exc.strerror} (set [pair] "
                          "journal_dir to a directory this user may write)") from exc
    os.close(fd)
    os.chmod(path, 0o600)


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is None:
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                   (str(SCHEMA_VERSION),))
    elif row[0] != str(SCHEMA_VERSION):
        raise JournalError(f"journal {path} has schema {row[0]}; this hamnhw reads "
                           f"{SCHEMA_VERSION}")
