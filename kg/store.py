"""A store folder: one writer at a time, by a lock that names its holder, and versions that
replace each other whole.

Layout::

    S/graph.json -> .kg/current/graph.json    (extractions.jsonl, graph.html, manifest.json,
                                               graph.results.json alike: what users open)
    S/.kg/current -> v-8                      the commit point
    S/.kg/v-8/                                one whole version of the store's files
    S/.kg/v-7/                                the one before, for readers that began before the commit
    S/.kg/lock                                the writers' lock, naming its holder
    S/.kg/state.sqlite                        the update state, of the current version (kg.state)

**Versions.** A writer writes every file of the next version in a folder of its own, then makes
it current by replacing the one ``current`` link (a rename, which the kernel does whole), so a
writer killed at any point leaves the store as it was or as it should be after, never in
between. A file opened through ``S/graph.json`` is one version's; a reader that reads several
files takes them from ``current_folder(S)``. The version before stays until the next writer
starts, so a reader that resolved the link just before a commit still finds its files. A store written
before versions (plain files in ``S``) becomes version 0 by hard links when it is next written.

**The lock.** Every command that writes a store (``kg build``, ``kg remove``) holds the lock of
``S/.kg/lock`` from before it reads the store until its new version is current, so two writers
never build on the same old store and lose each other's papers. A second writer waits for the
first (saying whom it waits for) or, given a ``wait`` that runs out, fails in one line naming
the holder: its pid, host, command and since when. The lock is the kernel's (``flock``) on that
file, whose text only names the holder. The kernel drops it when the holder's process ends,
however it ends (``kill -9`` included), so a lock is never stale: a file still naming a holder
that is gone is taken over by the next writer, which says so. kg's worker processes are
spawned, not forked, so none of them inherits the lock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shlex
import shutil
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import StoreBusy
from kg.files import reported

STORE_DIR = ".kg"  # the store's own files, beside the ones users read
LOCK_FILE = "lock"
CURRENT = "current"  # the link to the current version's folder
MANIFEST_FILE = "manifest.json"  # what a version's outputs were built from
VERSION_PREFIX = "v-"
_VERSION = re.compile(re.escape(VERSION_PREFIX) + r"(\d+)\Z")
POLL_SECONDS = 0.1
NAMING_SECONDS = 1.0  # how long a holder may take to write its name after taking the lock
COMMAND_CHARS = 200

log = logging.getLogger(__name__)


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


def current_folder(store: str | os.PathLike) -> Path:
    """The folder of the store's current version (the store itself for one written before versions);
    read every file of one consistent store from there."""
    link = Path(store) / STORE_DIR / CURRENT
    return link.resolve() if link.is_symlink() else Path(store)


def _number(name: str) -> int | None:
    match = _VERSION.match(name)
    return int(match.group(1)) if match else None


def read_manifest(folder: Path) -> dict:
    """The manifest of the version in ``folder`` (what its outputs were built from); empty when there is none
    or it cannot be read."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def current_version(store: str | os.PathLike) -> str | None:
    """The name of the store's current version folder (``v-8``); None for a store with no version yet
    (new, or written before versions)."""
    try:
        return os.readlink(Path(store) / STORE_DIR / CURRENT)
    except OSError:
        return None


def _current_number(store: Path) -> int | None:
    version = current_version(store)
    return None if version is None else _number(version)


@contextlib.contextmanager
def new_version(store: str | os.PathLike, names: Iterable[str]) -> Iterator[Path]:
    """A folder to write the store's next version in; when the block ends without an error, its
    files become the store's, all at once, each linked from ``store`` by its name. The caller
    holds the store's lock (``writing``). ``names`` are the files a store has; those of a store
    written before versions are taken into version 0 first.
    """
    store = Path(store)
    internal = store / STORE_DIR
    with reported(internal):
        _adopt(store, list(names))
        current = _current_number(store)
        _drop_versions(internal, keep={current})  # what killed writers left, and the version before
        folder = internal / f"{VERSION_PREFIX}{0 if current is None else current + 1}"
        folder.mkdir()
    try:
        yield folder
        with reported(folder):
            _fsync(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with reported(internal):
        _commit(store, folder.name)
        _drop_versions(internal, keep={current, _number(folder.name)})


def _adopt(store: Path, names: list[str]) -> None:
    """Make a store's plain files (written before versions) its version 0, by hard links: every name
    shows the same bytes at every moment, so an interrupted adoption is finished by the next one."""
    internal = store / STORE_DIR
    if (internal / CURRENT).is_symlink():
        _link_names(store, internal / CURRENT)  # finish an interrupted commit's links
        return
    plain = [name for name in names if (store / name).is_file() and not (store / name).is_symlink()]
    if not plain:
        return
    folder = internal / f"{VERSION_PREFIX}0"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name in plain:
        try:
            os.link(store / name, folder / name)
        except OSError:  # a file system without hard links
            shutil.copy2(store / name, folder / name)
    _fsync(folder)
    _commit(store, folder.name)


def _commit(store: Path, version: str) -> None:
    internal = store / STORE_DIR
    staged = internal / f"{CURRENT}.{os.getpid()}"
    staged.unlink(missing_ok=True)
    os.symlink(version, staged)
    os.replace(staged, internal / CURRENT)  # the commit: readers see the new version from here on
    _fsync(internal)
    _link_names(store, internal / version)


def _link_names(store: Path, folder: Path) -> None:
    """``store/<name>`` linked to the current version's file of that name for every file it has;
    links to files the current version lacks removed."""
    present = {p.name for p in folder.iterdir() if p.is_file()}
    for name in present:
        target = f"{STORE_DIR}/{CURRENT}/{name}"
        path = store / name
        if path.is_symlink() and os.readlink(path) == target:
            continue
        staged = store / STORE_DIR / f"{name}.{os.getpid()}.link"
        staged.unlink(missing_ok=True)
        os.symlink(target, staged)
        os.replace(staged, path)
    prefix = f"{STORE_DIR}/{CURRENT}/"
    for path in store.iterdir():
        if path.is_symlink() and os.readlink(path).startswith(prefix) and path.name not in present:
            path.unlink()


def _drop_versions(internal: Path, keep: set[int | None]) -> None:
    """Remove the versions not in ``keep``, and links a killed writer staged."""
    for path in internal.iterdir():
        number = _number(path.name)
        if number is not None and number not in keep:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_symlink() and path.name != CURRENT:
            path.unlink()


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
