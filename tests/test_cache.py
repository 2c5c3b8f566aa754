import json
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kg.build import GRAPH_FILE, BuildOptions, build_store
from kg.cache import CACHE_FILE, ExtractionCache
from kg.errors import CacheUnreadable
from kg.records import Paper
from kg.state import STATE_FILE
from kg.store import STORE_DIR
from samples import medusa_extraction

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"


def test_cache_round_trip_keeps_offsets_and_takes_the_new_paper(tmp_path):
    cache = ExtractionCache(tmp_path)
    extraction = medusa_extraction()
    cache.put_many("v1", [extraction])
    renamed = Paper(**{**extraction.paper.__dict__, "id": "other-id", "source": "elsewhere:3"})
    hits = cache.get_many("v1", [renamed])
    assert hits["other-id"].entities == extraction.entities
    assert hits["other-id"].claims == extraction.claims
    assert hits["other-id"].paper == renamed
    assert cache.get_many("v2", [renamed]) == {}
    assert cache.info().entries == 1
    assert cache.clear() == 1 and cache.info().entries == 0


def test_cache_a_build_closes_its_cache_whose_log_is_then_checkpointed_away(tmp_path):
    # A build's connection is in a reference cycle: only closing it, not the collector, ends its log in a
    # process that ends without a last collection (kg.memory.command_process).
    report = build_store([str(EXAMPLES)], tmp_path / "out", BuildOptions(cache_dir=tmp_path / "cache", html=False))
    assert not (tmp_path / "cache" / f"{CACHE_FILE}-wal").exists()
    assert report.extracted > 0 and _cached_entries(tmp_path / "cache") == report.extracted


def _open_files() -> set[str]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_cache_an_unreadable_file_is_not_held_open(tmp_path):
    (tmp_path / CACHE_FILE).write_bytes(b"not a database at all " * 200)
    with pytest.raises(CacheUnreadable):
        ExtractionCache(tmp_path)
    assert str(tmp_path / CACHE_FILE) not in _open_files()  # kg cache clear deletes it next


def _many_papers(path: Path, copies: int) -> None:
    base = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as f:
        for i in range(copies):
            for record in base:
                f.write(json.dumps({"id": f"{record['id']}-{i}", "title": f"{record['title']} (part {i})",
                                    "abstract": f"{record['abstract']} Variant {i}."}) + "\n")


def _cached_entries(cache_dir: Path) -> int:
    try:
        with sqlite3.connect(cache_dir / CACHE_FILE, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM extraction").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


# ``kg build`` that, once its first chunk is in the cache, says so and waits there to be killed.
_BUILD_STOPPING_AFTER_A_CHUNK = """
import threading
from kg.cache import ExtractionCache
from kg.cli import main

put_many = ExtractionCache.put_many

def put_many_then_stop(self, version, extractions):
    put_many(self, version, extractions)
    print("cached", flush=True)
    threading.Event().wait()

ExtractionCache.put_many = put_many_then_stop
main()
"""


def test_cache_killed_build_resumes_to_the_same_result(tmp_path):
    papers = tmp_path / "papers.jsonl"
    _many_papers(papers, copies=16)  # 224 papers, several chunks
    reference = tmp_path / "reference"
    build_store([str(papers)], reference, BuildOptions(html=False, use_cache=False))

    cache_dir = tmp_path / "cache"
    out = tmp_path / "out"
    env = {**os.environ, "KG_CACHE_DIR": str(cache_dir)}
    arguments = ["build", str(papers), "-o", str(out), "--no-html", "-j", "1"]
    process = subprocess.Popen([sys.executable, "-c", _BUILD_STOPPING_AFTER_A_CHUNK, *arguments], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stopped = next((line for line in process.stdout if line == "cached\n"), None)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert stopped, "the build ended before it cached a chunk"
    done_before = _cached_entries(cache_dir)
    assert 0 < done_before < 224
    assert not (out / GRAPH_FILE).exists()

    result = subprocess.run([sys.executable, "-m", "kg.cli", *arguments], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{done_before} from the cache" in result.stdout
    assert (out / GRAPH_FILE).read_bytes() == (reference / GRAPH_FILE).read_bytes()
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != STORE_DIR]
    assert sorted(p.name for p in (out / STORE_DIR).iterdir()) == ["current", "lock", STATE_FILE, "v-0"]


def _papers(n: int) -> list[Paper]:
    base = medusa_extraction().paper
    return [Paper(**{**base.__dict__, "id": f"p{i}", "abstract": f"{base.abstract} {i}"}) for i in range(n)]


def _filled(folder: Path, versions: dict[str, int]) -> ExtractionCache:
    """A cache holding the extractions of ``n`` distinct texts under each version."""
    cache = ExtractionCache(folder)
    for version, n in versions.items():
        cache.put_many(version, [replace(medusa_extraction(), paper=paper) for paper in _papers(n)])
    return cache


def test_cache_prune_keeps_only_the_versions_it_is_given(tmp_path):
    cache = _filled(tmp_path, {"old-1": 3, "old-2": 2, "current": 4, "other-model": 1})
    assert cache.prune(["current", "other-model"]) == 5
    info = cache.info()
    assert (info.entries, info.versions) == (5, 2)
    assert len(cache.get_many("current", _papers(4))) == 4 and len(cache.get_many("other-model", _papers(4))) == 1
    assert cache.get_many("old-1", _papers(4)) == {} and cache.get_many("old-2", _papers(4)) == {}
    assert cache.prune(["current", "other-model"]) == 0


def test_cache_prune_gives_the_space_back(tmp_path):
    cache = _filled(tmp_path, {"old": 300, "current": 1})
    before = cache.info().bytes
    cache.prune(["current"])
    assert cache.info().bytes < before / 4


def test_cache_prune_without_a_version_to_keep_is_refused(tmp_path):
    cache = _filled(tmp_path, {"old": 2})
    with pytest.raises(ValueError):
        cache.prune([])
    assert cache.info().entries == 2
