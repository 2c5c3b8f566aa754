"""Ingest: every input reader, each yielding ``Paper`` records or ``InputProblem``s.

Bad input never raises and never stops the other records: each problem is
yielded where it is found, naming the file and line.

Formats (``FORMATS``, for ``--format``), detected from the file name, else
from the first non-blank line:

- ``daily``: Daily Papers listings (``.txt``, ``.md``; anything unrecognised);
- ``jsonl``: JSON Lines (``.jsonl``, ``.ndjson``; a first line ``{...}``);
- ``json``: a JSON array or pretty-printed records (``.json``; ``[`` or ``{`` alone);
- ``atom``: arXiv API Atom XML (``.xml``, ``.atom``; ``<``);
- ``csv``: CSV with an abstract (or summary, or text) column and, often, a title column
  (``.csv``; such a header, of two columns or more).

A record's title is optional: without one, its abstract (or text) alone is the paper.

JSON content overrides a JSON extension's choice between lines and document.
Any file may be gzip-compressed.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import BinaryIO, TextIO

from kg.ingest.atom import read_atom
from kg.ingest.csv_reader import read_csv
from kg.ingest.daily_papers import read_daily_papers
from kg.ingest.detect import detect_format
from kg.ingest.jsonl import read_json_document, read_json_lines
from kg.ingest.problems import InputProblem
from kg.ingest.sources import (
    READ_ERRORS,
    DecodedLines,
    expand_input,
    is_binary,
    open_binary,
    open_input,
    read_error_reason,
)
from kg.records import Paper, normalise_title

__all__ = ["FORMATS", "InputProblem", "read_inputs", "title_key", "unique_papers"]

Item = Paper | InputProblem
Reader = Callable[[str, Iterable[str]], Iterator[Item]]

READERS: dict[str, Reader] = {
    "daily": read_daily_papers,
    "jsonl": read_json_lines,
    "json": read_json_document,
    "atom": read_atom,
    "csv": read_csv,
}
FORMATS = tuple(READERS)
STDIN = "-"
STDIN_LABEL = "<stdin>"


def read_lines(label: str, lines: Iterable[str], fmt: str | None) -> Iterator[Item]:
    """The records of one input's text, in ``fmt`` or the format it is detected as."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    else:
        yield InputProblem(label, None, "empty file")
        return
    reader = READERS[fmt or detect_format(label, head[-1])]
    yield from reader(label, chain(head, lines))


def read_binary(label: str, raw: BinaryIO, fmt: str | None) -> Iterator[Item]:
    """The records of one input's bytes (gzip or not)."""
    binary = open_binary(raw)
    if is_binary(binary):
        yield InputProblem(label, None, "binary file (it holds NUL bytes), not read")
        return
    lines = DecodedLines(label, binary)
    yield from read_lines(label, lines, fmt)
    yield from lines.problems


def read_file(path: str, fmt: str | None) -> Iterator[Item]:
    """The records of one file; a file that cannot be opened is one problem."""
    try:
        with open_input(path) as raw:
            yield from read_binary(path, raw, fmt)
    except READ_ERRORS as error:
        yield InputProblem(path, None, f"cannot read: {read_error_reason(error)}")


def read_stdin(stdin: TextIO, fmt: str | None) -> Iterator[Item]:
    """Standard input, as bytes when it has them (so gzip and bad encodings are handled)."""
    raw = getattr(stdin, "buffer", None)
    if raw is None:
        yield from read_lines(STDIN_LABEL, stdin, fmt)
        return
    try:
        yield from read_binary(STDIN_LABEL, raw, fmt)
    except READ_ERRORS as error:
        yield InputProblem(STDIN_LABEL, None, f"cannot read: {read_error_reason(error)}")


def read_inputs(
    inputs: Iterable[str], fmt: str | None = None, stdin: TextIO | None = None
) -> Iterator[Item]:
    """Papers from every input, read lazily, with a problem for each bad file or record.

    ``inputs`` mixes files, directories (recursed, sorted, hidden files skipped),
    glob patterns and ``"-"`` for ``stdin`` (default ``sys.stdin``); ``fmt``, one of
    ``FORMATS``, skips detection.

    >>> import io
    >>> [p.title for p in read_inputs(["-"], stdin=io.StringIO('{"title": "T", "abstract": "A"}'))]
    ['T']
    """
    if fmt is not None and fmt not in READERS:
        raise ValueError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS)}")
    for name in inputs:
        if name == STDIN:
            yield from read_stdin(sys.stdin if stdin is None else stdin, fmt)
            continue
        for path in expand_input(name):
            if isinstance(path, InputProblem):
                yield path
            else:
                yield from read_file(path, fmt)


def unique_papers(items: Iterable[Item]) -> Iterator[Item]:
    """``items`` without a paper seen before (the first one wins); problems pass.

    A paper is the same when its id is, or its normalised title is: a listing
    that knows no arXiv id and the arXiv record of the same paper are one paper.
    """
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    for item in items:
        if isinstance(item, Paper):
            title = title_key(item)
            if item.id in seen_ids or title in seen_titles:
                continue
            seen_ids.add(item.id)
            if title is not None:
                seen_titles.add(title)
        yield item


def title_key(paper: Paper) -> str | None:
    """What makes two records with different ids the same paper: the normalised title.
    None for an untitled paper, which only its id (a hash of its text, if none was given) identifies."""
    return normalise_title(paper.title) or None
