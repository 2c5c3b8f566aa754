"""Resolution on real papers: the seeds, then the seeds plus 2,000 corpus papers."""
from pathlib import Path

import pytest
from shared_data import CORPUS, SEEDS, first_papers

from kg.build import GRAPH_FILE, BuildOptions, build_store
from kg.graph import KnowledgeGraph

pytestmark = [
    pytest.mark.seeds,
    pytest.mark.skipif(not (SEEDS.is_dir() and CORPUS.exists()), reason="../shared is absent"),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus-stores")
    sample = first_papers(CORPUS, 2000, work / "corpus-2000.jsonl.gz")
    options = BuildOptions(html=False, jobs=2)
    build_store([str(SEEDS)], work / "seeds", options)
    build_store([str(SEEDS)], work / "in-turn", options)
    build_store([str(sample)], work / "in-turn", options)
    build_store([str(SEEDS), str(sample)], work / "at-once", options)
    return work


def _keys(path: Path) -> tuple[set[str], set[str]]:
    graph = KnowledgeGraph.load(path)
    keys = {d["key"] for _, d in graph.entities()}
    earlier = {k for _, d in graph.entities() for k in d.get("alias_keys", ())}
    return keys, earlier


def test_resolve_corpus_keys_of_the_seeds_survive_more_papers(stores):
    seed_keys, _ = _keys(stores / "seeds" / GRAPH_FILE)
    more_keys, more_alias_keys = _keys(stores / "in-turn" / GRAPH_FILE)
    lost = seed_keys - more_keys - more_alias_keys
    assert not lost, sorted(lost)[:20]
    renamed = seed_keys - more_keys
    assert len(renamed) <= 0.01 * len(seed_keys), sorted(renamed)[:20]


def test_resolve_corpus_a_then_b_is_a_and_b(stores):
    assert (stores / "in-turn" / GRAPH_FILE).read_bytes() == (stores / "at-once" / GRAPH_FILE).read_bytes()
