"""Writing output files atomically: a reader sees the old file or the new one, never half."""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


class OutputError(OSError):
    """An output that cannot be written; the message names it and gives the system's reason."""


@contextlib.contextmanager
def _reported(target: Path, folder: Path | None = None) -> Iterator[None]:
    """The system's errors in writing ``target`` (or making its ``folder``) as one OutputError."""
    try:
        yield
    except OSError as err:
        # mkdir reports a regular file where the folder should be as "File exists"; that file is what is wrong.
        reason = os.strerror(errno.ENOTDIR) if isinstance(err, FileExistsError) else err.strerror or str(err)
        raise OutputError(f"cannot write {target}: " + (f"{folder}: " if folder else "") + reason) from None


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    Raises OutputError (an OSError) when the file cannot be written; errors of
    the caller's own code inside the block pass through as they are.
    """
    target = Path(path)
    with _reported(target, target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
    with _reported(target):
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as f:
            yield f
            with _reported(target):
                f.flush()
                os.fsync(f.fileno())
        with _reported(target):
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
