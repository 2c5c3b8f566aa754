"""kg.ingest on the real inputs in ../shared: the Daily Papers seeds and the arXiv corpus."""
from __future__ import annotations

import pytest
from shared_data import CORPUS, SEEDS

from kg.ingest import InputProblem, read_inputs, unique_papers
from kg.ingest.daily_papers import CHROME
from kg.records import Paper

pytestmark = [
    pytest.mark.seeds,
    pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here"),
]


@pytest.fixture(scope="module")
def seed_items() -> list[Paper | InputProblem]:
    return list(read_inputs([str(SEEDS)]))


@pytest.fixture(scope="module")
def seed_papers(seed_items) -> list[Paper]:
    return [item for item in seed_items if isinstance(item, Paper)]


def test_seeds_every_entry_read(seed_items, seed_papers):
    assert [item for item in seed_items if isinstance(item, InputProblem)] == []
    assert len(seed_papers) == 596


def test_seeds_distinct_papers(seed_papers):
    assert len(list(unique_papers(seed_papers))) == 489


@pytest.mark.parametrize("chrome", CHROME)
def test_seeds_no_title_starts_with_chrome(seed_papers, chrome):
    assert [p.title for p in seed_papers if p.title.startswith(chrome)] == []


@pytest.mark.parametrize("chrome", ["Subscribe", "trending papers", "byAK", "Daily Papers"])
def test_seeds_no_chrome_inside_titles(seed_papers, chrome):
    assert [p.title for p in seed_papers if chrome in p.title] == []


def test_seeds_glued_chrome_split_from_dolma_title(seed_papers):
    (dolma,) = [p for p in seed_papers if p.source.endswith("004_e9843efceff5d726.txt:3")]
    assert dolma.title == (
        "Dolma: an Open Corpus of Three Trillion Tokens for Language Model Pretraining Research"
    )


def test_seeds_abstracts_long_titles_short(seed_papers):
    assert min(len(p.abstract) for p in seed_papers) > 200
    assert max(len(p.title) for p in seed_papers) < 200
    assert all(len(p.title.split()) <= 30 and p.title == p.title.strip() for p in seed_papers)


@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpora is not here")
def test_seeds_corpus_streams_every_record():
    items = read_inputs([str(CORPUS)])
    first = next(items)
    assert isinstance(first, Paper) and first.source == f"{CORPUS}:1"
    rest = list(items)
    assert all(isinstance(item, Paper) for item in rest)
    assert len(rest) + 1 == 23458
