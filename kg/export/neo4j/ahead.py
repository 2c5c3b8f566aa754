"""Items of a generator made ahead, in a forked process, while the caller works on the ones before.

A Bolt load is a ping-pong between one client thread and the server, so one
of the machine's cores sits idle while the client waits; making the
statements there instead of between round trips takes their cost out of the
load. A thread would not do: it holds the interpreter lock while the sender's
answer waits for it.

The child gets the caller's memory by ``fork`` (nothing is pickled on the way
in), pickles what it makes in chunks and hands them to a sender thread, so it
runs ahead of the reader by as much as it likes; the pipe is widened so that
a chunk rarely waits for the reader. An exception in the child is raised in
the reader; a reader that stops early ends the child.

Examples
--------
>>> if can_fork():
...     with made_ahead(lambda: (n * n for n in range(5)), chunk=2) as squares:
...         print(list(squares))
... else:
...     print([0, 1, 4, 9, 16])
[0, 1, 4, 9, 16]
"""
from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import sys
import threading
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Callable, Iterable, Iterator, TypeVar

from kg.errors import AheadError

T = TypeVar("T")

PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged pipe
_SENDER_SWITCH_SECONDS = 0.0002  # the child's sender waits at most this long for the lock once the pipe has room


def can_fork() -> bool:
    """Whether this platform forks children (Linux; macOS and Windows start them another way)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def forks_safely() -> bool:
    """Whether this process can fork without a second thought: it can, and no other thread is running (the
    child would inherit the locks such a thread holds, held for good)."""
    return can_fork() and threading.active_count() == 1


@contextmanager
def made_ahead(make: Callable[[], Iterable[T]], *, chunk: int = 16) -> Iterator[Iterator[T]]:
    """A context giving the items of ``make()``, in order, made by a forked child ``chunk`` at a time.

    The child starts at once, so the caller can do other work before reading.
    Items must pickle. What ``make()`` raises is raised by the reading, after
    the items before it. Leaving the context stops the child.
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    _widen(writer)
    child = context.Process(target=_make_and_send, args=(make, reader, writer, chunk), name="kg-ahead",
                            daemon=True)
    child.start()
    writer.close()  # the child holds the only writer: its end is the end of the reader's input
    try:
        yield _read(reader, child)
    finally:
        reader.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _read(reader: Connection, child: BaseProcess) -> Iterator:
    while True:
        try:
            kind, payload = pickle.loads(reader.recv_bytes())
        except EOFError:
            child.join()
            raise AheadError(f"the process making ahead ended early (exit status {child.exitcode})") from None
        if kind == "items":
            yield from payload
        elif kind == "error":
            raise payload
        else:
            return


def _widen(connection: Connection) -> None:
    import fcntl  # POSIX only, as is fork

    try:
        fcntl.fcntl(connection.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:  # a lower ceiling (/proc/sys/fs/pipe-max-size): the default pipe still works
        pass


def _make_and_send(make: Callable[[], Iterable[T]], reader: Connection, writer: Connection, chunk: int) -> None:
    """In the child: pickle ``make()``'s items in chunks and queue them for the sender thread, until done or
    until the reader has gone (closed early, or its process killed)."""
    reader.close()  # the copy fork gave us: open, it would keep the pipe open after the reader has gone
    gc.disable()  # what it makes is freed by reference counting; a collection would walk the parent's heap
    sys.setswitchinterval(_SENDER_SWITCH_SECONDS)
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    reader_gone = threading.Event()
    sender = threading.Thread(target=_send, args=(outbox, writer, reader_gone), daemon=True)
    sender.start()
    items: list[T] = []
    try:
        for item in make():
            items.append(item)
            if len(items) == chunk:
                if reader_gone.is_set():
                    return
                outbox.put(pickle.dumps(("items", items), pickle.HIGHEST_PROTOCOL))
                items = []
        outbox.put(pickle.dumps(("items", items), pickle.HIGHEST_PROTOCOL))
        outbox.put(pickle.dumps(("end", None)))
    except BaseException as err:  # noqa: BLE001 - sent to the reader, which raises it after the items before
        with suppress(Exception):  # the items may be what failed to pickle
            outbox.put(pickle.dumps(("items", items), pickle.HIGHEST_PROTOCOL))
        outbox.put(_pickled_error(err))
    finally:
        outbox.put(None)
        sender.join()
        writer.close()


def _pickled_error(err: BaseException) -> bytes:
    try:
        return pickle.dumps(("error", err))
    except Exception:  # noqa: BLE001 - an exception that does not pickle is sent as its text
        return pickle.dumps(("error", AheadError(f"{type(err).__name__}: {err}")))


def _send(outbox: queue.SimpleQueue, writer: Connection, reader_gone: threading.Event) -> None:
    while (data := outbox.get()) is not None:
        try:
            writer.send_bytes(data)
        except OSError:  # the reader has gone
            reader_gone.set()
            return


__all__ = ["can_fork", "forks_safely", "made_ahead"]
