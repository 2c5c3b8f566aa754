"""A store's update state (kg.state): kept while it is the state of the store's current version, made anew
from the store's extractions otherwise."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg.state
from kg.build import GRAPH_FILE, BuildOptions, build_store
from kg.builder import BUILD_CODE
from kg.extractions import EXTRACTIONS_FILE, extraction_text, load_extractions
from kg.fingerprint import module_closure
from kg.graph import build_graph
from kg.resolve import finish, tally
from kg.state import INDEXING, STATE_FILE, open_state, state_path
from kg.store import MANIFEST_FILE, current_version, new_version, writing

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
ALIASES = {"Medusa-1": "Medusa", "Vicuna-7B": "Vicuna"}
# A writer's update as the store makes it: the state updated by the papers of argv[2], then a version of the
# store with them, the state committed as it just before it becomes current; "kill" ends the process there.
UPDATE = """
import os, sys
from kg.build import GRAPH_FILE
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.state import open_state
from kg.store import new_version, writing

store, added = sys.argv[1], load_extractions(sys.argv[2])
with writing(store), open_state(store, {}, print) as state:
    state.graph.update(added, [])
    with new_version(store, [EXTRACTIONS_FILE, GRAPH_FILE]) as staged:
        (staged / EXTRACTIONS_FILE).write_text("".join(state.graph.extractions_jsonl()), encoding="utf-8")
        (staged / GRAPH_FILE).write_text("".join(state.graph.graph_json()), encoding="utf-8")
        state.commit(staged.name, None)  # a version without a manifest: no fingerprint
        if sys.argv[3] == "kill":
            os._exit(1)
"""


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """A store of the first six examples (one version), the same store with the others added (two versions),
    each with its update state, and the others' extractions in a file."""
    folder = tmp_path_factory.mktemp("state")
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text("".join(lines[:6]), encoding="utf-8")
    second.write_text("".join(lines[6:]), encoding="utf-8")
    options = BuildOptions(jobs=1, html=False, cache_dir=folder / "cache")
    one, both = folder / "one", folder / "both"
    build_store([str(first)], one, options)
    build_store([str(first)], both, options)
    build_store([str(second)], both, options)
    held = {x.paper.id for x in load_extractions(one / EXTRACTIONS_FILE)}
    added = folder / "added.jsonl"
    added.write_text("".join(extraction_text(x) + "\n" for x in load_extractions(both / EXTRACTIONS_FILE)
                             if x.paper.id not in held), encoding="utf-8")
    assert (current_version(one), current_version(both)) == ("v-0", "v-1")
    return one, both, added


@pytest.fixture
def store(stores, tmp_path):
    """A copy of the store of the first six examples, without its update state."""
    copy = tmp_path / "store"
    shutil.copytree(stores[0], copy, symlinks=True, ignore=shutil.ignore_patterns(f"{STATE_FILE}*"))
    return copy


def _graph_json(state) -> bytes:
    return "".join(state.graph.graph_json()).encode()


def _opened(store: Path, aliases: dict[str, str] | None = None) -> tuple[list[str], bytes]:
    """What opening the state of ``store`` reported, and the graph.json its rows make."""
    stages: list[str] = []
    with open_state(store, aliases or {}, stages.append) as state:
        return stages, _graph_json(state)


def _update(store: Path, added: Path, how: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", UPDATE, str(store), str(added), how], capture_output=True,
                          text=True)


def test_state_made_from_the_store_is_its_graph_and_kept(store):
    assert not state_path(store).exists()
    assert _opened(store) == ([INDEXING], (store / GRAPH_FILE).read_bytes())
    assert _opened(store) == ([], (store / GRAPH_FILE).read_bytes())  # committed as made, then kept


def test_state_of_a_new_store_is_empty(tmp_path):
    store = tmp_path / "new"
    build_graph([]).save(tmp_path / "empty.json")
    with writing(store):
        assert _opened(store) == ([], (tmp_path / "empty.json").read_bytes())


def test_state_of_another_version_is_made_anew(stores, tmp_path):
    one, both, _ = stores
    copy = tmp_path / "both"
    shutil.copytree(both, copy, symlinks=True)
    assert _opened(copy) == ([], (both / GRAPH_FILE).read_bytes())  # the state its last build left
    shutil.copy(state_path(one), state_path(copy))  # the state of the version before, "v-0"
    assert _opened(copy) == ([INDEXING], (both / GRAPH_FILE).read_bytes())


def test_state_of_other_aliases_is_made_anew(store):
    _opened(store)
    extractions = load_extractions(store / EXTRACTIONS_FILE)
    build_graph(extractions, finish(tally(extractions), ALIASES)).save(store / "aliased.json")
    assert (store / "aliased.json").read_bytes() != (store / GRAPH_FILE).read_bytes()
    assert _opened(store, ALIASES) == ([INDEXING], (store / "aliased.json").read_bytes())
    assert _opened(store, ALIASES)[0] == []


def test_state_of_another_builder_is_made_anew(store, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(kg.state, "builder_version", lambda: "0.0.0-another")
        assert _opened(store)[0] == [INDEXING]
        assert _opened(store)[0] == []
    assert _opened(store) == ([INDEXING], (store / GRAPH_FILE).read_bytes())


def test_state_builder_covers_the_resolution_and_the_graph():
    kg_dir = Path(kg.state.__file__).parent
    assert {kg_dir / name for name in ("update.py", "keyed.py", "resolve.py", "graph.py")} <= set(
        module_closure(BUILD_CODE))


def test_state_committed_as_the_version_made_current_is_kept(stores, store):
    _, both, added = stores
    _opened(store)
    update = _update(store, added, "commit")
    assert update.returncode == 0, update.stderr
    assert update.stdout == ""  # the state of v-0, kept in another process
    assert current_version(store) == "v-1"
    for name in (GRAPH_FILE, EXTRACTIONS_FILE):  # written from the rows
        assert (store / name).read_bytes() == (both / name).read_bytes(), name
    assert _opened(store) == ([], (both / GRAPH_FILE).read_bytes())


def test_state_committed_as_a_version_that_never_became_current_is_made_anew(stores, store):
    _, _, added = stores
    _opened(store)
    update = _update(store, added, "kill")
    assert update.returncode == 1, update.stderr
    assert current_version(store) == "v-0"
    assert _opened(store) == ([INDEXING], (store / GRAPH_FILE).read_bytes())


@pytest.mark.parametrize("garbage", [b"not a database\n" * 300, b"SQLite format 3\x00" + bytes(range(256)) * 8])
def test_state_sqlite_cannot_read_is_made_anew(store, garbage):
    state_path(store).write_bytes(garbage)
    assert _opened(store) == ([INDEXING], (store / GRAPH_FILE).read_bytes())
    assert _opened(store)[0] == []


def test_state_of_a_version_whose_number_a_writer_keeping_no_state_took_is_made_anew(stores, store):
    """A writer killed after committing the state as v-1 leaves that number free; a writer that keeps no state (an
    older kg) then writes its own v-1, of other papers: the stamp's fingerprint tells the two apart."""
    _, _, added = stores
    _opened(store)
    assert _update(store, added, "kill").returncode == 1
    lines = (store / EXTRACTIONS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    with writing(store), new_version(store, [EXTRACTIONS_FILE, MANIFEST_FILE]) as staged:
        (staged / EXTRACTIONS_FILE).write_text("".join(lines[1:]), encoding="utf-8")
        (staged / MANIFEST_FILE).write_text('{"fingerprint": "an older kg\'s"}', encoding="utf-8")
    assert current_version(store) == "v-1"
    expected = build_graph(load_extractions(store / EXTRACTIONS_FILE))
    stages, graph_json = _opened(store)
    assert stages == [INDEXING]
    assert json.loads(graph_json) == json.loads(json.dumps(expected.to_data()))


def test_state_made_from_extractions_holding_a_paper_twice_holds_it_once(store):
    lines = (store / EXTRACTIONS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (store / EXTRACTIONS_FILE).unlink()  # a link to the version's file: written anew, not through it
    (store / EXTRACTIONS_FILE).write_text("".join(lines + lines[:1]), encoding="utf-8")
    with open_state(store, {}, lambda _: None) as state:
        assert state.graph.held.count == len(lines)


def test_state_sqlite_fails_on_is_one_line_naming_it(store, tmp_path):
    """A full disk (here a cap on the size of the files the process writes) while the state is written: the
    command fails in one line naming the state's file, which the next build makes anew."""
    run = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
           "resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000)); from kg.cli import main; "
           "sys.argv = ['kg', 'build', sys.argv[1], '-o', sys.argv[2], '--no-html', '--no-cache', '-j', '1']; main()")
    out = tmp_path / "new"
    done = subprocess.run([sys.executable, "-c", run, str(EXAMPLES), str(out)], capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and f"{state_path(out)}: " in done.stderr, done.stderr
    assert "can be deleted" in done.stderr
