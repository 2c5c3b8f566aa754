"""A store folder's writers: one at a time, by a lock that names its holder.

Every command that writes a store (``kg build``, ``kg remove``) holds the lock of
``<store>/.kg/lock`` from before it reads the store until its files are replaced,
so two writers never build on the same old store and lose each other's papers.
A second writer waits for the first (saying whom it waits for) or, given a
``wait`` that runs out, fails in one line naming the holder: its pid, host,
command and since when.

The lock is the kernel's (``flock``) on that file, whose text only names the
holder. The kernel drops it when the holder's process ends, however it ends
(``kill -9`` included), so a lock is never stale: a file still naming a holder
that is gone is taken over by the next writer, which says so. kg's worker
processes are spawned, not forked, so none of them inherits the lock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shlex
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from kg.files import reported

STORE_DIR = ".kg"  # the store's own files, beside the ones users read
LOCK_FILE = "lock"
POLL_SECONDS = 0.1
NAMING_SECONDS = 1.0  # how long a holder may take to write its name after taking the lock
COMMAND_CHARS = 200

log = logging.getLogger(__name__)


class StoreBusy(RuntimeError):
    """Another process writes the store, and the time given to wait for it ran out."""


@dataclass(frozen=True)
class Holder:
    """Who holds a store's lock, as its lock file says."""

    pid: int
    host: str
    command: str
    since: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}) since {self.since}"

    @classmethod
    def me(cls) -> Holder:
        command = shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
        if len(command) > COMMAND_CHARS:
            command = command[:COMMAND_CHARS - 1] + "…"
        return cls(os.getpid(), socket.gethostname(), command, dt.datetime.now().isoformat(sep=" ", timespec="seconds"))

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        try:
            return cls(**json.loads(text))
        except (ValueError, TypeError):
            return None  # empty (released, or not yet written) or not ours


def lock_path(store: str | os.PathLike) -> Path:
    return Path(store) / STORE_DIR / LOCK_FILE


def _read_holder(fd: int) -> Holder | None:
    return Holder.parse(os.pread(fd, 4096, 0).decode("utf-8", "replace"))


@contextlib.contextmanager
def writing(store: str | os.PathLike, wait: float | None = None) -> Iterator[Holder]:
    """Hold the lock of ``store`` (made if need be) for the block; yields this process as its holder.

    While another process holds it, wait: at most ``wait`` seconds (0: not at all) or, with
    None, as long as that takes. Raises StoreBusy naming the holder when the time runs out.
    """
    import fcntl  # POSIX only

    path = lock_path(store)
    with reported(path, path.parent):
        path.parent.mkdir(parents=True, exist_ok=True)
    with reported(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, Path(store), wait)
        left = _read_holder(fd)
        if left is not None:
            log.warning("%s: taking over the lock left by %s, which ended without releasing it", store, left)
        me = Holder.me()
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)  # released cleanly: the next writer finds no holder named
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, store: Path, wait: float | None) -> None:
    import fcntl

    started = time.monotonic()
    deadline = None if wait is None else started + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _read_holder(fd)
        if holder is None and time.monotonic() < started + NAMING_SECONDS:
            time.sleep(POLL_SECONDS)  # the holder has just taken the lock and not yet written its name
            continue
        holder = holder or "another process"
        if deadline is not None and time.monotonic() >= deadline:
            raise StoreBusy(f"{store} is being written by {holder}; gave up after {wait:g} s "
                            "(--wait SECONDS to wait longer)")
        if not told:
            limit = "" if deadline is None else f" (at most {wait:g} s)"
            log.warning("waiting%s for %s to finish writing %s", limit, holder, store)
            told = True
        time.sleep(POLL_SECONDS)
