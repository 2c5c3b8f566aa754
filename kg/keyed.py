"""A store's state as keyed rows: one SQLite database, read and written a key at a time.

An update of a big store must cost what it changes, so what it needs is kept where it can be read and
written by key: the tally of every paper's names (``kg.resolve.MentionTally``), the papers that find each
key by name alone, each paper's extraction, and the graph's nodes and relationships as the node-link
records ``graph.json`` is made of. ``RowMap`` is one such table seen as a mapping: values are read on first
use, changed in memory (in place too), written back into one transaction by ``Rows.write`` and committed by
``Rows.commit``.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kg.chunks import chunked
from kg.files import JSON_BATCH, compact_json

BATCH = 500  # keys per SELECT ... IN (...)
_ABSENT = object()


def select_in(db: sqlite3.Connection, query: str, values: Iterable[Any]) -> Iterator[tuple]:
    """The rows of ``query``, which ends in ``IN``, for each of ``values``: a batch of them bound at a time."""
    for batch in chunked(values, BATCH):
        yield from db.execute(f"{query} ({','.join('?' * len(batch))})", batch)


class Written:
    """The keys of a table's rows written since it was opened (``written``; None: all of them), so that a file made
    from its rows (``kg.row_files``) copies from the version before only the blocks of the others."""

    def __init__(self) -> None:
        self.written: set | None = set()

    def wrote(self, keys: Iterable[Any]) -> None:
        if self.written is not None:
            self.written.update(keys)


class RowMap(Written, MutableMapping):
    """Key -> value over a table of (key text, value as JSON text).

    ``default`` makes a missing key's value on first use, as a defaultdict does; a value that is empty when
    written back (an empty set or Counter) deletes its row, so a key is present only while it holds something.
    ``dumps`` makes a row's text of an encoded value (compact JSON unless a table's rows are texts of their own).
    """

    def __init__(self, db: sqlite3.Connection, table: str, encode: Callable[[Any], Any] = lambda v: v,
                 decode: Callable[[Any], Any] = lambda v: v, default: Callable[[], Any] | None = None,
                 key_text: Callable[[Any], str] = str, key_from: Callable[[str], Any] = str,
                 dumps: Callable[[Any], str] = compact_json):
        self._db, self._table, self._encode, self._decode, self._dumps = db, table, encode, decode, dumps
        self._default, self._key_text, self._key_from = default, key_text, key_from
        self._values: dict[Any, Any] = {}  # key -> value, or _ABSENT
        self._read: dict[Any, str | None] = {}  # key -> its row's text as read, None for no row
        super().__init__()  # written: the key texts
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")

    def read(self, keys: Iterable[Any]) -> None:
        """Reads the rows of ``keys`` not read yet, a batch at a time."""
        wanted = {self._key_text(key): key for key in keys if key not in self._values}
        for text, value in select_in(self._db, f"SELECT key, value FROM {self._table} WHERE key IN", list(wanted)):
            key = wanted.pop(text)
            self._read[key] = value
            self._values[key] = self._decode(json.loads(value))
        for key in wanted.values():
            self._read[key] = None
            self._values[key] = _ABSENT

    def __getitem__(self, key: Any) -> Any:
        self.read((key,))
        value = self._values[key]
        if value is _ABSENT:
            if self._default is None:
                raise KeyError(key)
            value = self._values[key] = self._default()
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        self.read((key,))
        value = self._values[key]
        return value if _holds(value) else default

    def __contains__(self, key: object) -> bool:
        self.read((key,))
        return _holds(self._values[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        self.read((key,))
        self._values[key] = value

    def __delitem__(self, key: Any) -> None:
        self.read((key,))
        if self._values[key] is _ABSENT:
            raise KeyError(key)
        self._values[key] = _ABSENT

    def __iter__(self) -> Iterator[Any]:
        """Every key: those written in the order of their texts, then the others (a whole table's scan: for
        exports and checks)."""
        for (text,) in self._db.execute(f"SELECT key FROM {self._table} ORDER BY key"):
            key = self._key_from(text)
            if key not in self._values or _holds(self._values[key]):
                yield key
        yield from sorted((key for key, value in self._values.items() if self._read.get(key) is None and _holds(value)),
                          key=self._key_text)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def batches(self) -> Iterator[list[str]]:
        """Every row's value as written, in key order, a batch at a time (what is in memory and not written yet
        is left out)."""
        return value_batches(self._db.execute(f"SELECT value FROM {self._table} ORDER BY key"))

    def between(self, low: str | None, high: str | None) -> list[tuple[str, str]]:
        """(key text, value as written) of the rows from key ``low`` up to ``high`` (excluded; None: no bound), in
        key order."""
        return list(between_rows(self._db, self._table, "key", low, high))

    def fill(self, items: Iterable[tuple[Any, Any]]) -> None:
        """Writes the rows of ``items`` (key, value) into the table, which holds none of their keys, in one
        statement (a state made whole rather than updated: no row is read first); what was read is forgotten."""
        self._values.clear()
        self._read.clear()
        self.written = None
        self._db.executemany(f"INSERT INTO {self._table} (key, value) VALUES (?, ?)",
                             ((self._key_text(key), self._dumps(self._encode(value)))
                              for key, value in items if _holds(value)))

    def write(self) -> None:
        """Writes back every value that differs from its row (in-place changes too)."""
        upserts, deletes = [], []
        for key, value in self._values.items():
            text = self._dumps(self._encode(value)) if _holds(value) else None
            if text != self._read[key]:
                (deletes.append((self._key_text(key),)) if text is None
                 else upserts.append((self._key_text(key), text)))
                self._read[key] = text
        self._db.executemany(f"INSERT OR REPLACE INTO {self._table} (key, value) VALUES (?, ?)", upserts)
        self._db.executemany(f"DELETE FROM {self._table} WHERE key = ?", deletes)
        self.wrote(key for key, _ in upserts)
        self.wrote(key for key, in deletes)

    def forget(self) -> None:
        """Writes back what changed, then lets go of every value read: the next use reads anew (a value held
        from before and changed after is not written)."""
        self.write()
        self._values.clear()
        self._read.clear()


def value_batches(cursor: sqlite3.Cursor) -> Iterator[list[str]]:
    """The first column of a query's rows, ``JSON_BATCH`` rows at a time."""
    return chunked((value for value, *_ in cursor), JSON_BATCH)


def decoded(batches: Iterable[list[str]]) -> Iterator[Any]:
    """The values of batches of JSON texts (rows' values), a batch decoded at once: one decoding gives equal keys
    one string, as ``json.loads`` of a whole document does (a row at a time, each record would hold copies of its
    keys)."""
    for batch in batches:
        yield from json.loads("[" + ",".join(batch) + "]")


def _holds(value: Any) -> bool:
    """Whether a value is there: not absent, nor an empty set, mapping or list."""
    return value is not _ABSENT and (bool(value) if isinstance(value, (set, dict, list)) else True)


def counter_map(db: sqlite3.Connection, table: str) -> RowMap:
    return RowMap(db, table, dict, Counter, Counter)


def set_map(db: sqlite3.Connection, table: str) -> RowMap:
    return RowMap(db, table, sorted, set, set)


def pair_key_map(db: sqlite3.Connection, table: str) -> RowMap:
    """(paper id, surface) -> key."""
    return RowMap(db, table, key_text=compact_json, key_from=lambda text: tuple(json.loads(text)))


class Rows:
    """The database of a store's rows; what ``map`` and ``edges`` give is written back by ``write`` (or
    ``commit``), read as written (``texts``) after it, and the database's once committed."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            self.db.close()
            raise
        self._maps: list[RowMap | EdgeRows] = []

    def map(self, table: str, make: Callable[[sqlite3.Connection, str], RowMap] = RowMap) -> RowMap:
        row_map = make(self.db, table)
        self._maps.append(row_map)
        return row_map

    def edges(self, table: str = "edges") -> EdgeRows:
        edges = EdgeRows(self.db, table)
        self._maps.append(edges)
        return edges

    def write(self) -> None:
        """Writes back what every map changed into the open transaction, which ``commit`` commits."""
        for row_map in self._maps:
            row_map.write()

    def forget(self) -> None:
        """Writes back what every map changed, then lets go of what they read: the memory an update used."""
        for row_map in self._maps:
            if isinstance(row_map, RowMap):
                row_map.forget()  # writes first
            else:
                row_map.write()

    def commit(self) -> None:
        self.write()
        self.db.execute("COMMIT")
        self.db.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        self.db.close()

    def __enter__(self) -> Rows:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EdgeRows(Written):
    """(source, target, type) -> a relationship's record, found by its ends too."""

    def __init__(self, db: sqlite3.Connection, table: str = "edges"):
        self._db, self._table = db, table
        self._pending: dict[tuple[str, str, str], str | None] = {}
        super().__init__()  # written: the (source, target, type) keys
        db.execute(f"CREATE TABLE IF NOT EXISTS {table} (source TEXT, target TEXT, key TEXT, value TEXT NOT NULL, "
                   f"PRIMARY KEY (source, target, key)) WITHOUT ROWID")
        self._index()

    def _index(self) -> None:
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._table}_by_target ON {self._table} (target, source, key)")

    def read(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], dict]:
        return {(source, target, key): json.loads(value)
                for source, target, key, value in self._by_keys(keys, "source, target, key, value")}

    def present(self, keys: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
        """Those of ``keys`` that have a row."""
        return set(self._by_keys(keys, "source, target, key"))

    def _by_keys(self, keys: Iterable[tuple[str, str, str]], columns: str) -> Iterator[tuple]:
        for batch in chunked(sorted(set(keys)), BATCH // 3):
            where = " OR ".join(["(source = ? AND target = ? AND key = ?)"] * len(batch))
            yield from self._db.execute(f"SELECT {columns} FROM {self._table} WHERE {where}",
                                        [part for edge in batch for part in edge])

    def touching(self, nodes: Iterable[str]) -> dict[tuple[str, str, str], dict]:
        """Every relationship from or to one of ``nodes``."""
        return {(source, target, key): json.loads(value)
                for source, target, key, value in self._at(nodes, "source, target, key, value")}

    def ends(self, nodes: Iterable[str]) -> set[tuple[str, str, str]]:
        """Every relationship from or to one of ``nodes``, as (source, target, type): its ends, not its record."""
        return set(self._at(nodes, "source, target, key"))

    def into(self, nodes: Iterable[str]) -> set[tuple[str, str, str]]:
        """Every relationship to one of ``nodes``, as (source, target, type)."""
        return set(self._at(nodes, "source, target, key", ("target",)))

    def out_of(self, nodes: Iterable[str]) -> set[tuple[str, str, str]]:
        """Every relationship from one of ``nodes``, as (source, target, type)."""
        return set(self._at(nodes, "source, target, key", ("source",)))

    def degree(self, node: str) -> int:
        """How many relationships ``node`` has, in and out (a loop twice): its degree in the graph."""
        return self._db.execute(f"SELECT (SELECT count(*) FROM {self._table} WHERE source = ?1) + "
                                f"(SELECT count(*) FROM {self._table} WHERE target = ?1)", (node,)).fetchone()[0]

    def neighbours(self, node: str) -> int:
        """How many nodes a relationship joins to ``node``."""
        return self._db.execute(f"SELECT count(*) FROM (SELECT target FROM {self._table} WHERE source = ?1 "
                                f"UNION SELECT source FROM {self._table} WHERE target = ?1)", (node,)).fetchone()[0]

    def _at(self, nodes: Iterable[str], columns: str, sides: tuple[str, ...] = ("source", "target")) -> Iterator[tuple]:
        """``columns`` of the relationships whose end ``sides`` is one of ``nodes``."""
        for batch in chunked(sorted(set(nodes)), BATCH // len(sides)):  # each bound once a side: SQLite binds 999
            marks = ",".join("?" * len(batch))
            yield from self._db.execute(" UNION ".join(f"SELECT {columns} FROM {self._table} WHERE {side} IN ({marks})"
                                                       for side in sides), batch * len(sides))

    def fill(self, records: Iterable[tuple[str, str, str, str]]) -> None:
        """Writes ``records`` (source, target, type, record text; in that order of their ends and type) into the
        table, which holds none of them, in one statement; the index by target is made after them, in one sort."""
        self.written = None
        self._db.execute(f"DROP INDEX IF EXISTS {self._table}_by_target")
        self._db.executemany(f"INSERT INTO {self._table} (source, target, key, value) VALUES (?, ?, ?, ?)", records)
        self._index()

    def put(self, records: dict[tuple[str, str, str], str | None]) -> None:
        """Each relationship's record text, or None to delete it, written by ``write``."""
        self._pending.update(records)

    def write(self) -> None:
        records, self._pending = self._pending, {}
        self._db.executemany(f"INSERT OR REPLACE INTO {self._table} (source, target, key, value) VALUES (?, ?, ?, ?)",
                             [(*edge, text) for edge, text in records.items() if text is not None])
        self._db.executemany(f"DELETE FROM {self._table} WHERE source = ? AND target = ? AND key = ?",
                             [edge for edge, text in records.items() if text is None])
        self.wrote(records)

    def batches(self) -> Iterator[list[str]]:
        """Every record's text, in (source, target, type) order (graph.json's), a batch at a time."""
        return value_batches(self._db.execute(f"SELECT value FROM {self._table} ORDER BY source, target, key"))

    def between(self, low: tuple[str, str, str] | None,
                high: tuple[str, str, str] | None) -> list[tuple[tuple[str, str, str], str]]:
        """((source, target, type), record text) of the relationships from ``low`` up to ``high`` (excluded; None:
        no bound), in that order."""
        return [((source, target, key), value) for source, target, key, value in
                between_rows(self._db, self._table, ("source", "target", "key"), low, high)]


def between_rows(db: sqlite3.Connection, table: str, key: str | tuple[str, ...], low: Any, high: Any,
                 columns: tuple[str, ...] = ("value",)) -> sqlite3.Cursor:
    """The rows of ``table`` (its ``key`` columns, then ``columns``) whose key is from ``low`` up to ``high``
    (excluded; None: no bound), in key order. A key of one column is named alone and its bounds are values; a key
    of several is a tuple of names and its bounds are tuples."""
    if isinstance(key, str):
        key, low, high = (key,), None if low is None else (low,), None if high is None else (high,)
    keys = ", ".join(key)
    bounds = [(f"({keys}) {op} ({', '.join('?' * len(key))})", values)
              for op, values in ((">=", low), ("<", high)) if values is not None]
    where = " WHERE " + " AND ".join(cond for cond, _ in bounds) if bounds else ""
    return db.execute(f"SELECT {keys}, {', '.join(columns)} FROM {table}{where} ORDER BY {keys}",
                      [part for _, values in bounds for part in values])
