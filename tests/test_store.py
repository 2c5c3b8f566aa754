"""kg.store: one writer of a store at a time, by a lock that names its holder; versions that replace each other
whole, so readers and killed writers never leave or see half a store.

Writers and readers here are real processes: the ``kg`` command, or a Python child holding the lock.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from shared_data import SEEDS

from kg.build import GRAPH_FILE, HTML_FILE, MANIFEST_FILE, BuildOptions, build_store
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.graph import KnowledgeGraph
from kg.results.index import index_path
from kg.state import STATE_FILE
from kg.store import CURRENT, LOCK_FILE, STORE_DIR, StoreBusy, current_folder, lock_path, writing

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "papers.jsonl"
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
def seed_cache(seed_extractions):
    """The seeds' extractions in the session's cache (``seed_extractions`` put them there), so the writers below
    only resolve and write."""


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
        folder = current_folder(store)  # one version's files, read together
        graph_papers = {d["id"] for _, d in KnowledgeGraph.load(folder / GRAPH_FILE).papers()}
        assert graph_papers == {e.paper.id for e in load_extractions(folder / EXTRACTIONS_FILE)}
        seen.append(len(graph_papers))
    assert writer.returncode == 0, writer.stderr.read()
    after = _store_ids(store)
    assert set(seen) <= {len(before), len(after)} and len(seen) >= 4


# --- versions: a writer killed at any point leaves the store as it was or as it is after ---

STATE_FILES = (EXTRACTIONS_FILE, GRAPH_FILE, HTML_FILE, MANIFEST_FILE)


def _state(store: Path) -> dict[str, bytes]:
    """The store's files, read from its current version, checked to be what its top-level names show;
    the results index by what it holds (its stamp is the graph file's time), checked to be the graph's."""
    folder = current_folder(store)
    files = {name: (folder / name).read_bytes() for name in STATE_FILES}
    assert {name: (store / name).read_bytes() for name in STATE_FILES} == files
    index = json.loads(index_path(folder / GRAPH_FILE).read_text(encoding="utf-8"))
    assert index.pop("stamp")["size"] == len(files[GRAPH_FILE])
    return {**files, "index": json.dumps(index, sort_keys=True).encode()}


def _differences(state: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    """Each file of ``state`` whose bytes are not ``expected``'s, with where they first differ: short enough to read
    in a failure, where comparing the states whole would have pytest diff megabytes."""
    out = []
    for name, data in state.items():
        want = expected[name]
        if data != want:
            at = next((i for i, (x, y) in enumerate(zip(data, want)) if x != y), min(len(data), len(want)))
            out.append(f"{name} at byte {at} of {len(data)} (expected {len(want)}): {data[max(0, at - 40):at + 80]!r} "
                       f"where expected {want[max(0, at - 40):at + 80]!r}")
    return out


def _versions(store: Path) -> list[str]:
    return sorted(p.name for p in (store / STORE_DIR).iterdir() if p.name not in (LOCK_FILE, STATE_FILE))


@needs_seeds
def test_store_a_build_killed_at_random_points_leaves_the_store_before_or_after(seed_cache, tmp_path):
    before_store, after_store = tmp_path / "before", tmp_path / "after"
    build_store([str(EXAMPLES)], before_store, BuildOptions(jobs=1))
    shutil.copytree(before_store, after_store, symlinks=True)
    started = time.monotonic()
    full = subprocess.run([str(KG), "build", str(SEEDS), "-o", str(after_store), "-j", "1"], capture_output=True,
                          text=True, env=ENV, timeout=600)
    seconds = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    before, after = _state(before_store), _state(after_store)
    assert all(before[name] != after[name] for name in before)
    rng = random.Random(19)
    outcomes = []
    for round_ in range(5):
        store = tmp_path / f"killed-{round_}"
        shutil.copytree(before_store, store, symlinks=True)
        writer = _kg("build", str(SEEDS), "-o", str(store), "-j", "1")
        delay = rng.uniform(0.2, 1.1) * seconds  # from reading the inputs to past the commit
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.communicate()
        state = _state(store)
        left = "after" if state == after else "before" if state == before else None
        killed = f"round {round_}, killed {delay:.2f} s into a build of {seconds:.2f} s"
        assert left, f"{killed}: the store is neither as before nor as after: {_differences(state, after)}"
        outcomes.append(left)
        if round_ % 2 == 0:  # the next build goes on from what the killed one left, and clears it away
            again = subprocess.run([str(KG), "build", str(SEEDS), "-o", str(store), "-j", "1"],
                                   capture_output=True, text=True, env=ENV, timeout=600)
            assert again.returncode == 0, again.stderr
            differences = _differences(_state(store), after)
            assert not differences, f"{killed}, the store {left}: the next build left {differences}"
            assert len(_versions(store)) <= 3 and CURRENT in _versions(store)  # the link, the version, the one before
    print("killed builds left the store:", outcomes)

    store = tmp_path / "killed-at-the-commit"
    shutil.copytree(before_store, store, symlinks=True)
    link = store / STORE_DIR / CURRENT
    committed = os.readlink(link)
    writer = _kg("build", str(SEEDS), "-o", str(store), "-j", "1")
    while writer.poll() is None and os.readlink(link) == committed:
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)  # as it links the new version's files and drops the old version
    writer.communicate()
    assert not _differences(_state(store), after)


def test_store_written_before_versions_is_adopted_and_added_to(tmp_path):
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:6]), encoding="utf-8")
    second.write_text("".join(lines[6:]), encoding="utf-8")
    versioned, old = tmp_path / "versioned", tmp_path / "old"
    build_store([str(first)], versioned, NO_HTML)
    old.mkdir()
    for name in (EXTRACTIONS_FILE, GRAPH_FILE, MANIFEST_FILE):  # as a store of kg before versions held them
        (old / name).write_bytes((versioned / name).read_bytes())
    for store in (versioned, old):
        build_store([str(second)], store, NO_HTML)
    assert all((old / name).is_symlink() for name in (EXTRACTIONS_FILE, GRAPH_FILE, MANIFEST_FILE))
    assert _versions(old) == [CURRENT, "v-0", "v-1"]
    for name in (EXTRACTIONS_FILE, GRAPH_FILE, MANIFEST_FILE):
        assert (old / name).read_bytes() == (versioned / name).read_bytes()
