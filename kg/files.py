"""Writing output files atomically: a reader sees the old file or the new one, never half."""
from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from kg.errors import OutputError


def error_reason(err: OSError) -> str:
    """The system's reason for ``err``, in words."""
    # mkdir reports a regular file where the folder should be as "File exists"; that file is what is wrong.
    return os.strerror(errno.ENOTDIR) if isinstance(err, FileExistsError) else err.strerror or str(err)


@contextlib.contextmanager
def reported(target: Path, folder: Path | None = None) -> Iterator[None]:
    """The system's errors in writing ``target`` (or making its ``folder``) as one OutputError."""
    try:
        yield
    except OSError as err:
        raise OutputError(f"cannot write {target}: " + (f"{folder}: " if folder else "") + error_reason(err)) from None


class _ReportedWrites:
    """A file whose failed writes (a full disk) raise OutputErrors naming ``target``."""

    def __init__(self, file: IO, target: Path):
        self._file, self._target = file, target

    def write(self, data):
        with reported(self._target):
            return self._file.write(data)

    def writelines(self, lines) -> None:
        with reported(self._target):
            self._file.writelines(lines)

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def _device_or_pipe(target: Path) -> bool:
    """Whether ``target`` is a device or a pipe (/dev/stdout, /dev/null, a FIFO), which can be written but never replaced."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


@contextlib.contextmanager
def _written_in_place(target: Path, mode: str, encoding: str | None) -> Iterator[IO]:
    binary = "b" in mode
    with reported(target):
        f = open(target, mode, encoding=None if binary else encoding, newline=None if binary else "")
    try:
        yield _ReportedWrites(f, target)
        with reported(target):
            f.flush()
    finally:
        with contextlib.suppress(OSError):  # a failed flush is reported above, and close would retry it
            f.close()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``.
    A device or a pipe (``/dev/stdout``) is written in place instead.

    Raises OutputError (an OSError) when the file cannot be written; errors of
    the caller's own code inside the block pass through as they are.
    """
    target = Path(path)
    if _device_or_pipe(target):
        with _written_in_place(target, mode, encoding) as f:
            yield f
        return
    with reported(target, target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    with reported(target):
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as f:
            yield _ReportedWrites(f, target)
            with reported(target):
                f.flush()
                os.fsync(f.fileno())
        with reported(target):
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path) as f:
        f.write(text)


JSON_BATCH = 1_000  # list items encoded at once: the C encoder's speed, a few hundred kB at a time


_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # json.dumps with options
# makes an encoder a call: a row of a store's state is one call


def compact_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same value, the same text."""
    return _COMPACT.encode(value)


@dataclass(frozen=True)
class JsonTexts:
    """A list for ``json_pieces`` whose items are JSON texts already, in batches (a store's rows, say)."""

    batches: Iterable[list[str]]


def joined(batches: Iterable[list[str]]) -> Iterator[str]:
    """Batches of JSON texts as the items of one list, a batch a piece (a piece a text would cost more in the
    calls than in the bytes)."""
    first = True
    for batch in batches:
        if batch:
            yield ("" if first else ",") + ",".join(batch)
            first = False


def json_pieces(data: dict[str, Any], encode: Callable[[Any], str]) -> Iterator[str]:
    """``encode(data)`` in pieces, in ``data``'s key order, each long list a batch of items at a time and a
    ``JsonTexts`` list a batch of its texts at a time: a big document written without its whole text ever held,
    each piece encoded by the C encoder (``json.dump`` encodes in Python, a few bytes a write). ``encode`` is a
    compact ``json.dumps`` (separators "," and ":"), which the texts of a ``JsonTexts`` are too."""
    for i, (key, value) in enumerate(data.items()):
        yield ("{" if i == 0 else ",") + encode(key) + ":"
        if isinstance(value, list) and len(value) > JSON_BATCH:
            value = JsonTexts(_encoded_batches(value, encode))
        if isinstance(value, JsonTexts):
            yield "["
            yield from joined(value.batches)
            yield "]"
        else:
            yield encode(value)
    yield "}" if data else "{}"


def _encoded_batches(items: list, encode: Callable[[Any], str]) -> Iterator[list[str]]:
    """``items`` encoded ``JSON_BATCH`` at a time, each batch one text: the items of a list without its brackets."""
    for start in range(0, len(items), JSON_BATCH):
        yield [encode(items[start:start + JSON_BATCH])[1:-1]]
