"""A store's update state: the rows of ``kg.update.StoredGraph`` kept in ``S/.kg/state.sqlite``, beside the
store's versions (``kg.store``), as the state of its current version.

The rows carry a stamp: the version they are the state of (its folder and its manifest's fingerprint of the papers
it holds), the code and data that made them (``kg.builder.builder_version``) and the user's aliases they were
resolved with. ``open_state`` uses them when their stamp is the store's current version's, this kg's and these
aliases'; otherwise (no file, one SQLite cannot read, another kg's or other aliases', a version that never became
current, or a version of that number written since by a kg that keeps no state) it deletes the file and makes the
state anew from the current version's extractions: correct, only slower. A state SQLite fails on later (a damaged
page, a full disk) is a ``StoreError`` naming the file, which can be deleted: the next writer makes it anew.

``StoreState.commit`` stamps the rows as the version being written and commits them, inside
``kg.store.new_version``'s block once every file of the version is written: a writer killed between that commit
and the version's leaves a stamp naming a version that never became current, which the next opening finds.
A writer that dies before its version is current leaves that version's number free for the next one, so every
writer of a version commits the state as it, or deletes the file.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterator

from kg.builder import builder_version
from kg.errors import StoreError
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.keyed import RowMap, Rows
from kg.memory import collection_paused
from kg.store import STORE_DIR, current_folder, current_version, read_manifest
from kg.update import StoredGraph

STATE_FILE = "state.sqlite"
INDEXING = "indexing the store for updates"  # the stage of a state made anew
STAMP_TABLE = "stamp"
STAMP_KEY = "stamp"


def state_path(store: str | os.PathLike) -> Path:
    return Path(store) / STORE_DIR / STATE_FILE


class StoreState:
    """A store's update state, open for the store's writer: ``graph`` is updated by the papers added and removed,
    then ``commit`` makes the rows the state of the version written."""

    def __init__(self, rows: Rows, stamp: dict[str, Any]):
        self.rows = rows
        self.graph = StoredGraph(rows, stamp["aliases"])
        self._stamp = stamp
        self._stamps = rows.map(STAMP_TABLE)

    def commit(self, version: str | None, fingerprint: str | None) -> None:
        """Stamps the rows as the state of ``version`` (its folder's name, ``staged.name`` in
        ``kg.store.new_version``'s block, once every file of it is written), whose manifest holds
        ``fingerprint``, and commits them."""
        self._stamp = {**self._stamp, "version": version, "fingerprint": fingerprint}
        self._stamps[STAMP_KEY] = self._stamp
        self.rows.commit()

    def close(self) -> None:
        """Closes the rows; what was not committed is dropped."""
        self.rows.close()

    def __enter__(self) -> StoreState:
        return self

    def __exit__(self, kind, err, traceback) -> None:
        """Closes the state; SQLite's failures in the block or on closing end as ``sqlite_errors`` says."""
        with sqlite_errors(self.rows.path):
            self.close()
            if isinstance(err, sqlite3.DatabaseError):
                raise err


def open_state(store: str | os.PathLike, user_aliases: dict[str, str], stage: Callable[[str], None]) -> StoreState:
    """The update state of ``store`` as of its current version, the papers resolved with ``user_aliases``. A state
    made anew is committed at once, and ``stage`` is told (``INDEXING``). The caller holds the
    store's lock (``kg.store.writing``)."""
    path = state_path(store)
    folder = current_folder(store)
    stamp = {"version": current_version(store), "fingerprint": read_manifest(folder).get("fingerprint"),
             "builder": builder_version(), "aliases": user_aliases}
    kept = _stamped_state(path, stamp)
    if kept is not None:
        return kept
    _delete(path)
    with sqlite_errors(path):
        rows = Rows(path)
        try:
            state = StoreState(rows, stamp)
            extractions = folder / EXTRACTIONS_FILE
            if extractions.exists():
                stage(INDEXING)
                with collection_paused():  # a line given twice is one paper, its last line's, as a build reads it
                    state.graph.update(list({x.paper.id: x for x in load_extractions(extractions)}.values()), [])
            state.commit(stamp["version"], stamp["fingerprint"])
        except BaseException:
            rows.close()
            raise
    return state


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """SQLite's failures on the state (a damaged page, a full disk) as a ``StoreError`` naming the file."""
    try:
        yield
    except sqlite3.DatabaseError as err:
        raise StoreError(f"{path}: {err}: the store's update state cannot be used; it can be deleted, and the "
                         f"next kg build or kg remove makes it anew") from None


def _stamped_state(path: Path, stamp: dict[str, Any]) -> StoreState | None:
    """The state in ``path`` if its rows carry ``stamp`` and can be opened; None (and nothing left open)
    otherwise."""
    if not path.exists():
        return None
    try:
        rows = Rows(path)
    except sqlite3.DatabaseError as err:
        _unless_busy(path, err)
        return None  # not a database: made anew
    try:
        if RowMap(rows.db, STAMP_TABLE).get(STAMP_KEY) == stamp:  # read only: the state's own map writes it
            return StoreState(rows, stamp)
    except sqlite3.DatabaseError as err:
        rows.close()
        _unless_busy(path, err)
        return None  # damaged: made anew
    except (ValueError, KeyError, TypeError):
        pass  # not rows of ours: made anew
    rows.close()
    return None


def _unless_busy(path: Path, err: sqlite3.DatabaseError) -> None:
    """Raises when another process holds the database (its writers hold the store's lock: not a kg process)."""
    if getattr(err, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        raise StoreError(f"{path}: another process holds the store's update state open") from None


def _delete(path: Path) -> None:
    """The database, then its log: a log left without its database is not read (SQLite starts the new one
    empty), while a database left without its log would lack what the log held."""
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)
