"""The extraction cache: what a paper's text gave under one extractor version.

Entries are keyed by (extractor version, hash of the paper's text), so the same
abstract is never parsed twice by the same extractor, whatever store or output
folder it is built into, and a change to the model, code or pattern tables
(a new version) re-extracts everything by itself. One SQLite file, shared by
concurrent kg processes (WAL); only the process that reads the inputs writes.

A file SQLite cannot read (not a database, or damaged) raises CacheUnreadable,
which names it; kg never deletes it unasked (``kg cache clear`` does).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterable, Iterator, Sequence

from kg.errors import CacheUnreadable
from kg.records import Claim, Entity, Extraction, Paper, Relation

CACHE_FILE = "extractions-v1.sqlite"


def default_cache_dir() -> Path:
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kg"


def text_hash(paper: Paper) -> str:
    return hashlib.sha1(paper.text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """SQLite's word that ``path`` is not a sound database, as a CacheUnreadable that names it and the way out."""
    try:
        yield
    except sqlite3.OperationalError:
        raise  # busy, locked, read-only, I/O: the file itself may be sound
    except sqlite3.DatabaseError as err:  # SQLITE_NOTADB, SQLITE_CORRUPT
        raise CacheUnreadable(f"{path}: unreadable extraction cache ({err}); "
                              "kg cache clear --yes starts a new one") from None


def delete_cache_file(directory: str | Path | None = None) -> Path:
    """Delete the cache's SQLite file and its journal files whole: the way out of an unreadable one."""
    path = (Path(directory) if directory else default_cache_dir()) / CACHE_FILE
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()
    return path


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    versions: int
    bytes: int


class ExtractionCache:
    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory) if directory else default_cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / CACHE_FILE
        self._db = sqlite3.connect(self.path, timeout=60)
        try:
            with _reading(self.path):
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS extraction ("
                    " version TEXT NOT NULL, text_sha TEXT NOT NULL, body TEXT NOT NULL,"
                    " PRIMARY KEY (version, text_sha))"
                )
        except CacheUnreadable:
            self._db.close()  # the caller may delete the file (kg cache clear): nothing of ours holds it open
            raise

    def get_many(self, version: str, papers: Sequence[Paper]) -> dict[str, Extraction]:
        """The cached extractions of ``papers``, by paper id (misses are absent)."""
        by_hash: dict[str, list[Paper]] = {}
        for paper in papers:
            by_hash.setdefault(text_hash(paper), []).append(paper)
        found: dict[str, Extraction] = {}
        hashes = list(by_hash)
        with _reading(self.path):
            for i in range(0, len(hashes), 500):
                chunk = hashes[i:i + 500]
                rows = self._db.execute(
                    f"SELECT text_sha, body FROM extraction WHERE version = ? AND text_sha IN ({','.join('?' * len(chunk))})",
                    [version, *chunk],
                )
                for sha, body in rows:
                    for paper in by_hash[sha]:
                        found[paper.id] = _from_body(paper, json.loads(body), version)
        return found

    def put_many(self, version: str, extractions: Iterable[Extraction]) -> None:
        rows = [(version, text_hash(e.paper), json.dumps(_body(e), ensure_ascii=False)) for e in extractions]
        with _reading(self.path), self._db:
            self._db.executemany("INSERT OR REPLACE INTO extraction VALUES (?, ?, ?)", rows)

    def info(self) -> CacheInfo:
        with _reading(self.path):
            entries, versions = self._db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT version) FROM extraction").fetchone()
        size = sum(p.stat().st_size for p in self.directory.glob(CACHE_FILE + "*"))
        return CacheInfo(self.path, entries, versions, size)

    def clear(self) -> int:
        """Remove every extraction; the number removed."""
        return self._delete("", [])

    def prune(self, keep: Collection[str]) -> int:
        """Remove the extractions of every extractor version but those in ``keep``; the number removed."""
        if not keep:
            raise ValueError("prune needs at least one extractor version to keep")
        return self._delete(f" WHERE version NOT IN ({','.join('?' * len(keep))})", list(keep))

    def _delete(self, where: str, params: list[str]) -> int:
        with _reading(self.path):
            with self._db:
                removed = self._db.execute("DELETE FROM extraction" + where, params).rowcount
            self._db.execute("VACUUM")  # give the space back: to the file, then from its write-ahead log
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _body(extraction: Extraction) -> dict:
    data = extraction.to_dict()
    return {k: data[k] for k in ("entities", "claims", "relations")}


def _from_body(paper: Paper, body: dict, version: str) -> Extraction:
    """Offsets in the body are into the text, which is the same: only the paper is new."""
    return Extraction(
        paper=paper,
        entities=tuple(Entity.from_dict(e) for e in body["entities"]),
        claims=tuple(Claim.from_dict(c) for c in body["claims"]),
        relations=tuple(Relation.from_dict(r) for r in body["relations"]),
        extractor=version,
    )
