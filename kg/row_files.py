"""A version's big files, ``extractions.jsonl``, ``graph.json``, the results index, and the view's page and layout
(``kg.export.kept_view``), written from the update state's rows (``kg.keyed``) in the time of what an update changed.

Each file is its tables' row texts in key order, so the file is cut into blocks of consecutive rows, each
remembered by its first key and where its bytes lie (``saved[FILES]``, committed with the version). The next
version copies every block whose rows no update wrote since (``RowMap.written``) from the version before, in
the kernel (``os.copy_file_range``), and writes the others from the rows: on the corpus store, 100 papers added
change about 900 of 125,000 nodes, 1,600 of 354,000 relationships and 100 of 23,000 extractions. The file
before is trusted only while its size and modification time are those it was written with; anything else (a
state made anew, a file replaced by hand) writes every block from the rows. Either way the bytes are the
rows' own, as ``whole`` makes them.
"""
from __future__ import annotations

import bisect
import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from kg.files import atomic_open, compact_json, reported
from kg.graph import GRAPH_HEADER
from kg.keyed import EdgeRows, RowMap

EXTRACTIONS_TABLE = "extractions"  # each paper's extraction: its line of extractions.jsonl
NODES_TABLE = "nodes"  # each node's record of graph.json (the relationships: EdgeRows' own table)
FILES = "files"  # the state's entry: each file's blocks and the size and time it was written with
BLOCK_ROWS = 20  # rows a block starts with: small enough that a scattered change leaves most blocks whole
_WRITE_BYTES = 1 << 20
_NO_COPY = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)  # copy_file_range cannot: read and write


class Table(Protocol):
    """What a list of a file is made of: rows with ordered keys (``kg.keyed.RowMap``, ``kg.keyed.EdgeRows``, the
    view's places in ``kg.export.kept_view``), the keys written since it was opened (None: all), their texts."""
    written: set | None

    def between(self, low: Any, high: Any) -> list[tuple[Any, str]]: ...

    def batches(self) -> Iterator[list[str]]: ...


@dataclass(frozen=True)
class Listed:
    """A list of a file: the rows of ``table`` in key order (those whose text ``keep`` says, if given), each
    followed by ``end``, apart by ``separator``."""
    table: Table
    end: str
    separator: str
    keep: Callable[[str], bool] | None = None

    def piece(self, rows: list[str]) -> str:
        """The text of consecutive ``rows`` in the file (the ones kept), without a separator before them."""
        return self.separator.join(text + self.end for text in rows if self.keep is None or self.keep(text))


def graph_layout(nodes: RowMap, edges: EdgeRows) -> list[str | Listed]:
    """``graph.json`` (the bytes ``KnowledgeGraph.save`` writes): its texts and its two lists."""
    return ['{"directed":true,"edges":[', Listed(edges, "", ","),
            '],"graph":' + compact_json(GRAPH_HEADER) + ',"multigraph":true,"nodes":[', Listed(nodes, "", ","), "]}\n"]


def extractions_layout(extractions: RowMap) -> list[str | Listed]:
    """``extractions.jsonl``: a line per paper, in paper id order."""
    return [Listed(extractions, "\n", "")]


def whole(layout: list[str | Listed]) -> Iterator[str]:
    """A file of ``layout`` made whole from the rows, a piece at a time."""
    for part in layout:
        if isinstance(part, str):
            yield part
            continue
        started = False
        for piece in map(part.piece, part.table.batches()):
            if piece:
                yield part.separator + piece if started else piece
                started = True


def write_files(saved: RowMap, files: dict[str, list[str | Listed]], folder: Path, before: Path) -> None:
    """Writes each of ``files`` (name -> layout) into ``folder``, copying the blocks it can from the same name in
    ``before`` (the current version's folder); remembers the new blocks in ``saved`` (beside those of the files
    written before, by another call), and lets go of what the tables say was written."""
    kept = saved.get(FILES, {})
    made = dict(kept)
    for name, layout in files.items():
        lists = [part for part in layout if isinstance(part, Listed)]
        old = kept.get(name)
        trusted = old is not None and all(part.table.written is not None for part in lists)
        with atomic_open(folder / name, "wb") as f, \
                (trusted and _source(before / name, old)) or contextlib.nullcontext() as previous:
            out = _Out(f.fileno(), folder / name)
            blocks = iter(old["lists"]) if previous else iter(())
            made_lists = []
            for part in layout:
                if isinstance(part, str):
                    out.text(part)
                else:
                    found = next(blocks, None)
                    made_lists.append(_write_list(out, part, _blocks(found, part.table) if found else None,
                                                  previous.fileno() if previous else -1))
            out.flush()
        stat = (folder / name).stat()
        made[name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "lists": made_lists}
    for layout in files.values():
        for part in layout:
            if isinstance(part, Listed):
                part.table.written = set()
    saved[FILES] = made


def _source(path: Path, old: dict[str, Any]) -> BinaryIO | None:
    """``path`` open, if it is the file its blocks ``old`` were written into (same size and time)."""
    try:
        f = open(path, "rb")
    except OSError:
        return None
    stat = os.fstat(f.fileno())
    if (stat.st_size, stat.st_mtime_ns) != (old["size"], old["mtime_ns"]):
        f.close()
        return None
    return f


@dataclass
class _Block:
    first: Any  # the key its rows start from (None: the table's first); they end where the next block's start
    offset: int
    length: int


def _blocks(found: list[list[Any]], table: Table) -> list[_Block]:
    tuples = isinstance(table, EdgeRows)
    return [_Block(tuple(first) if tuples and first is not None else first, offset, length)
            for first, offset, length in found]


def _write_list(out: _Out, part: Listed, blocks: list[_Block] | None, previous: int) -> list[list[Any]]:
    """Writes a list of the file, the blocks no row of which was written copied from ``previous`` (none: every
    block from the rows); returns its blocks as they are in the new file."""
    writer = _ListWriter(out, part)
    if blocks is None:
        writer.rows(part.table.between(None, None), None)
    else:
        firsts = [block.first for block in blocks[1:]]
        dirty = {bisect.bisect_right(firsts, key) for key in part.table.written}
        index = 0
        while index < len(blocks):
            if index in dirty:
                high = blocks[index + 1].first if index + 1 < len(blocks) else None
                writer.rows(part.table.between(blocks[index].first, high), blocks[index].first)
                index += 1
            else:
                run = next((i for i in range(index, len(blocks)) if i in dirty), len(blocks))
                writer.copy(blocks[index:run], previous)
                index = run
    return [[block.first, block.offset, block.length] for block in writer.blocks]


class _ListWriter:
    """A list of a file as it is written: its blocks so far, and whether a record is written (the next one
    follows a separator)."""

    def __init__(self, out: _Out, part: Listed):
        self._out, self._part = out, part
        self.blocks: list[_Block] = []
        self._started = False

    def _separate(self, writing: bool) -> int:
        """Writes the separator before a piece that holds records (``writing``); where the piece starts."""
        if writing and self._started:
            self._out.text(self._part.separator)
        self._started = self._started or writing
        return self._out.at

    def rows(self, rows: list[tuple[Any, str]], first: Any) -> None:
        """The blocks of ``rows`` (key, text), ``BLOCK_ROWS`` a block, the first from key ``first``."""
        for start in range(0, max(len(rows), 1), BLOCK_ROWS):
            chunk = rows[start:start + BLOCK_ROWS]
            piece = self._part.piece([text for _, text in chunk])
            offset = self._separate(bool(piece))
            self._out.text(piece)
            self.blocks.append(_Block(first if start == 0 else chunk[0][0], offset, self._out.at - offset))

    def copy(self, blocks: list[_Block], previous: int) -> None:
        """``blocks``, consecutive in the file before (``previous``), copied from it whole."""
        filled = [block for block in blocks if block.length]
        shift = 0
        if filled:
            start, end = filled[0].offset, filled[-1].offset + filled[-1].length
            shift = self._separate(True) - start
            self._out.copy(previous, start, end - start)
        self.blocks += [_Block(block.first, block.offset + shift if block.length else self._out.at, block.length)
                        for block in blocks]


class _Out:
    """A file written at its descriptor, a megabyte at a time, and by copies of another file's bytes."""

    def __init__(self, fd: int, target: Path):
        self._fd, self._target = fd, target
        self._pending: list[bytes] = []
        self._size = 0
        self.at = 0  # the bytes written so far

    def text(self, text: str) -> None:
        data = text.encode("utf-8")
        self._pending.append(data)
        self._size += len(data)
        self.at += len(data)
        if self._size >= _WRITE_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            data, self._pending, self._size = b"".join(self._pending), [], 0
            with reported(self._target):
                _write_all(self._fd, data)

    def copy(self, source: int, offset: int, length: int) -> None:
        self.flush()
        with reported(self._target):
            _copy(source, self._fd, offset, length)
        self.at += length


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _copy(source: int, target: int, offset: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``offset`` appended to ``target``: in the kernel where it can."""
    while length:
        try:
            done = os.copy_file_range(source, target, length, offset)
        except (AttributeError, OSError) as err:  # not Linux, or not between these two files
            if isinstance(err, OSError) and err.errno not in _NO_COPY:
                raise
            done = 0
        if not done:  # copy_file_range gave up: read and write
            data = os.pread(source, min(length, _WRITE_BYTES), offset)
            if not data:
                raise OSError(errno.EIO, "the version before is shorter than its blocks say")
            _write_all(target, data)
            done = len(data)
        offset += done
        length -= done
