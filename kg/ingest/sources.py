"""Where inputs come from: files, directories and glob patterns, read as lines of text."""
from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from glob import glob
from typing import BinaryIO

from kg.ingest.problems import InputProblem

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192
# What reading a damaged file raises: a gzip stream cut short raises EOFError.
READ_ERRORS = (OSError, EOFError, zlib.error)


def read_error_reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def directory_files(directory: str) -> Iterator[str]:
    """Every file under ``directory``, sorted, skipping hidden files and directories."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        yield from (os.path.join(root, name) for name in sorted(files) if not name.startswith("."))


def is_url(name: str) -> bool:
    return "://" in name and not os.path.exists(name)


def expand_url(name: str) -> Iterator[str | InputProblem]:
    """The files an fsspec URL names (s3://, gs://, memory://, ...): itself, a folder's, a glob's."""
    try:
        import fsspec
    except ImportError:
        yield InputProblem(name, None, "reading URLs needs fsspec: pip install fsspec (and s3fs, gcsfs, ...)")
        return
    try:
        fs, path = fsspec.core.url_to_fs(name)
        if any(char in path for char in "*?["):
            found = sorted(fs.glob(path))
        elif fs.isdir(path):
            found = sorted(p for p in fs.find(path) if not os.path.basename(p).startswith("."))
        else:
            found = [path] if fs.exists(path) else []
    except (ImportError, ValueError, OSError) as error:
        yield InputProblem(name, None, f"cannot read: {read_error_reason(error)}")
        return
    if not found:
        yield InputProblem(name, None, "no such file or directory")
    yield from (fs.unstrip_protocol(p) for p in found)


def open_input(path: str) -> BinaryIO:
    """A local path or an fsspec URL, opened for reading bytes."""
    if is_url(path):
        import fsspec

        return fsspec.open(path, "rb").open()
    return open(path, "rb")


def expand_input(name: str) -> Iterator[str | InputProblem]:
    """The files an input names: itself, a directory's files, or a glob pattern's matches."""
    if is_url(name):
        yield from expand_url(name)
    elif os.path.isdir(name):
        yield from directory_files(name)
    elif os.path.exists(name):
        yield name
    elif any(char in name for char in "*?["):
        matches = sorted(glob(name, recursive=True))
        if not matches:
            yield InputProblem(name, None, "no files match this pattern")
        for match in matches:
            yield from expand_input(match)
    else:
        yield InputProblem(name, None, "no such file or directory")


def open_binary(raw: BinaryIO) -> BinaryIO:
    """``raw`` made peekable, and decompressed when it holds gzip data (whatever its name)."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(len(GZIP_MAGIC)).startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=buffered)
    return buffered


def is_binary(stream: BinaryIO) -> bool:
    """Whether the stream's first bytes hold a NUL, which text never does."""
    return b"\0" in stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]


class DecodedLines:
    """The text lines of a binary stream, decoded as UTF-8 (a leading BOM dropped).

    A line that is not UTF-8 is read as cp1252, the usual other encoding of
    exported text; that, and a stream that breaks off, are noted in
    ``problems`` once the lines have been read.
    """

    def __init__(self, path: str, binary: BinaryIO) -> None:
        self.path = path
        self.binary = binary
        self.problems: list[InputProblem] = []

    def __iter__(self) -> Iterator[str]:
        not_utf8: list[int] = []  # line numbers
        number = 0
        try:
            for number, data in enumerate(self.binary, start=1):
                try:
                    yield data.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    not_utf8.append(number)
                    yield data.decode("cp1252", errors="replace")
        except READ_ERRORS as error:
            reason = read_error_reason(error)
            self.problems.append(InputProblem(self.path, number + 1, f"file breaks off: {reason}"))
        if not_utf8:
            more = len(not_utf8) - 1
            message = "not UTF-8, read as cp1252" + (f" (and {more} later lines)" if more else "")
            self.problems.append(InputProblem(self.path, not_utf8[0], message))
