"""kg.store: one writer of a store at a time, by a lock that names its holder; readers never see half a store.

Writers and readers here are real processes: the ``kg`` command, or a Python child holding the lock.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import EXTRACTIONS_FILE, GRAPH_FILE, BuildOptions, build_store, load_extractions
from kg.graph import KnowledgeGraph
from kg.store import StoreBusy, lock_path, writing

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "papers.jsonl"
SEEDS = REPO.parent / "shared" / "seeds"
KG = Path(sys.executable).with_name("kg")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
NO_HTML = BuildOptions(html=False, jobs=1)

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} is absent")


def _kg(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([str(KG), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            **popen)


def _ids(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _store_ids(store: Path) -> set[str]:
    return {e.paper.id for e in load_extractions(store / EXTRACTIONS_FILE)}


def _holding(store: Path, seconds: float) -> subprocess.Popen:
    """A Python process that takes the store's lock, says so on stdout, and keeps it ``seconds``."""
    code = ("import sys, time\nfrom kg.store import writing\n"
            "with writing(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(float(sys.argv[2]))\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(store), str(seconds)], stdout=subprocess.PIPE,
                             text=True, env=ENV)
    assert child.stdout.readline() == "locked\n"
    return child


@pytest.fixture(scope="module")
def seed_cache(tmp_path_factory):
    """The seeds' extractions in the session's cache, so the writers below only resolve and write."""
    build_store([str(SEEDS)], tmp_path_factory.mktemp("warm"), BuildOptions(html=False, jobs=2))


@needs_seeds
def test_store_two_writers_started_together_both_keep_their_papers(seed_cache, tmp_path):
    store = tmp_path / "S"
    writers = [_kg("build", str(SEEDS), "-o", str(store), "--no-html"),
               _kg("build", str(EXAMPLES), "-o", str(store), "--no-html")]
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    stored = _store_ids(store)
    assert _ids(EXAMPLES) <= stored
    assert len(stored) > len(_ids(EXAMPLES)) + 400  # the seeds' papers too
    papers = {d["id"] for _, d in KnowledgeGraph.load(store / GRAPH_FILE).papers()}
    assert papers == stored


def test_store_a_second_writer_waits_says_for_whom_and_then_goes_on(tmp_path):
    store = tmp_path / "S"
    holder = _holding(store, 3)
    writer = _kg("build", str(EXAMPLES), "-o", str(store), "--no-html", "-j", "1")
    _, err = writer.communicate(timeout=600)
    holder.wait(10)
    assert writer.returncode == 0, err
    waited = [line for line in err.splitlines() if "waiting" in line]
    assert len(waited) == 1 and f"pid {holder.pid} on {socket.gethostname()}" in waited[0]
    assert _store_ids(store) == _ids(EXAMPLES)


@pytest.mark.parametrize("wait", ["0", "1.5"])
def test_store_a_writer_that_may_not_wait_fails_in_one_line_naming_the_holder(tmp_path, wait):
    store = tmp_path / "S"
    holder = _holding(store, 30)
    try:
        started = time.monotonic()
        writer = _kg("build", str(EXAMPLES), "-o", str(store), "--no-html", "--wait", wait)
        _, err = writer.communicate(timeout=120)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert writer.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"Error: {store} is being written by pid {holder.pid} on {socket.gethostname()} (")
    assert "-c " in last and " since " in last and f"gave up after {float(wait):g} s" in last
    assert waited >= float(wait)
    assert not (store / GRAPH_FILE).exists()


def test_store_remove_takes_the_lock_too(tmp_path):
    store = tmp_path / "S"
    build_store([str(EXAMPLES)], store, NO_HTML)
    holder = _holding(store, 30)
    try:
        remover = _kg("remove", "2106.09685", "--graph", str(store / GRAPH_FILE), "--wait", "0")
        _, err = remover.communicate(timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert remover.returncode == 1 and f"is being written by pid {holder.pid}" in err
    assert "2106.09685" in _store_ids(store)


def test_store_lock_of_a_killed_writer_is_taken_over(tmp_path, caplog):
    store = tmp_path / "S"
    holder = _holding(store, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert str(holder.pid) in lock_path(store).read_text()  # the file still names it
    with caplog.at_level("WARNING", logger="kg.store"), writing(store, wait=0) as me:
        assert json.loads(lock_path(store).read_text())["pid"] == me.pid == os.getpid()
    [message] = [r.getMessage() for r in caplog.records]
    assert message.startswith(f"{store}: taking over the lock left by pid {holder.pid} on {socket.gethostname()} (")
    assert message.endswith("which ended without releasing it")
    assert lock_path(store).read_text() == ""  # released cleanly: no holder named


def test_store_lock_in_one_process_excludes_another_in_the_same_process(tmp_path):
    with writing(tmp_path, wait=0):
        with pytest.raises(StoreBusy, match=f"pid {os.getpid()}"):
            with writing(tmp_path, wait=0):
                pass


@needs_seeds
def test_store_readers_during_a_write_see_the_store_before_or_after(seed_cache, tmp_path):
    store = tmp_path / "S"
    build_store([str(EXAMPLES)], store, NO_HTML)
    before = _store_ids(store)
    writer = _kg("build", str(SEEDS), "-o", str(store), "--no-html", "-j", "1")
    seen = []
    while writer.poll() is None:
        reader = subprocess.run([str(KG), "stats", "--graph", str(store / GRAPH_FILE), "--json"],
                                capture_output=True, text=True, env=ENV, timeout=120)
        assert reader.returncode == 0, reader.stderr
        seen.append(json.loads(reader.stdout)["nodes"]["Paper"])
    assert writer.returncode == 0, writer.stderr.read()
    after = _store_ids(store)
    assert set(seen) <= {len(before), len(after)} and len(seen) >= 2
