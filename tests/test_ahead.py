"""kg.export.neo4j.ahead: a generator's items made in a forked child, read in order by the parent."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import process_gone

from kg.errors import AheadError
from kg.export.neo4j.ahead import can_fork, forks_safely, made_ahead

pytestmark = pytest.mark.skipif(not can_fork(), reason="made_ahead needs fork() (Linux)")


def test_ahead_forking_is_not_safe_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert can_fork() and not forks_safely()
    finally:
        stop.set()
        other.join()


def _wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.mark.parametrize(("count", "chunk"), [(0, 4), (1, 4), (4, 4), (37, 4), (1000, 16)])
def test_ahead_gives_every_item_in_order(count, chunk):
    with made_ahead(lambda: ({"n": n, "text": "x" * (n % 7)} for n in range(count)), chunk=chunk) as items:
        assert list(items) == [{"n": n, "text": "x" * (n % 7)} for n in range(count)]


def test_ahead_raises_what_the_child_raised_after_the_items_before_it():
    def make():
        yield from range(5)
        raise ValueError("node 'entity:x' (Model) has no 'key'")

    seen = []
    with made_ahead(make, chunk=2) as items, pytest.raises(ValueError, match="has no 'key'"):
        for item in items:
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_ahead_an_error_that_does_not_pickle_arrives_as_its_text():
    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("no")

    def make():
        yield 1
        raise Unpicklable("the reason")

    with made_ahead(make) as items, pytest.raises(AheadError, match="Unpicklable: the reason"):
        list(items)


def test_ahead_an_item_that_does_not_pickle_is_an_error():
    with made_ahead(lambda: iter([1, 2, lambda: 3, 4]), chunk=2) as items, pytest.raises(Exception, match="pickle"):
        list(items)


def test_ahead_a_child_that_dies_is_an_error_not_a_short_list():
    def make():
        yield 1
        os._exit(3)

    with made_ahead(make, chunk=1) as items, pytest.raises(AheadError, match="exit status 3"):
        list(items)


def test_ahead_the_child_starts_at_once_and_stops_when_the_reader_leaves(tmp_path: Path):
    started, pid_file = tmp_path / "started", tmp_path / "pid"

    def make():
        pid_file.write_text(str(os.getpid()))
        started.touch()
        n = 0
        while True:  # endless: only the reader leaving ends it
            yield n
            n += 1

    with made_ahead(make) as items:
        assert _wait_for(started.exists), "the child did not start before the first read"
        assert [next(items) for _ in range(50)] == list(range(50))
    assert process_gone(int(pid_file.read_text()))


_KILLED_READER = """
import os, signal, sys, pathlib
from kg.export.neo4j.ahead import made_ahead

def endless():
    pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))
    n = 0
    while True:
        yield "x" * 1000
        n += 1

with made_ahead(endless) as items:
    next(items)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_ahead_the_child_of_a_killed_reader_stops(tmp_path: Path):
    pid_file = tmp_path / "pid"
    reader = subprocess.run([sys.executable, "-c", _KILLED_READER, str(pid_file)], timeout=60)
    assert reader.returncode == -9
    assert process_gone(int(pid_file.read_text()), timeout=10), \
        "the child went on making items for a reader that is gone"
