"""Evidence: every mention, claim and relation points at its exact span of the paper's text,
over the whole seeds corpus and the dev papers (skipped when ../shared is absent)."""
import json

import pytest
from shared_data import DEV, SEEDS

from kg.build import extract_papers, read_papers
from kg.numbers import as_value, parse_value
from kg.records import Paper

DEV_PAPERS = DEV / "papers.jsonl"

pytestmark = [pytest.mark.seeds, pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared is absent")]


@pytest.fixture(scope="module")
def extractions():
    papers = list(read_papers([str(SEEDS)]))
    if DEV_PAPERS.exists():
        papers += [Paper(id=r["id"], title=r["title"], abstract=r["abstract"])
                   for r in map(json.loads, DEV_PAPERS.read_text(encoding="utf-8").splitlines())]
    assert len(papers) >= 489
    return list(extract_papers(papers, jobs=2))


def test_evidence_mentions_are_exact_spans(extractions):
    for extraction in extractions:
        text = extraction.paper.text
        for entity in extraction.entities:
            assert any(c.isalpha() for c in entity.name), entity.name
            for mention in entity.mentions:
                assert text[mention.start:mention.end] == mention.text, (extraction.paper.id, mention)


def test_evidence_claims_are_exact_spans(extractions):
    total = 0
    for extraction in extractions:
        text = extraction.paper.text
        for claim in extraction.claims:
            assert as_value(text[claim.start:claim.end]) == claim.value, (extraction.paper.id, claim)
            assert text[claim.text_start:claim.text_end] == claim.text
            assert claim.text_start <= claim.start < claim.end <= claim.text_end
            assert parse_value(claim.value) == (claim.value_min, claim.value_max)
            total += 1
    assert total > 100


def test_evidence_relations_are_exact_sentences_between_named_entities(extractions):
    total = 0
    for extraction in extractions:
        text = extraction.paper.text
        names = {n for e in extraction.entities for n in (e.name, *e.aliases)}
        for relation in extraction.relations:
            assert text[relation.start:relation.end] == relation.evidence, (extraction.paper.id, relation)
            assert relation.head in names and relation.tail in names, (extraction.paper.id, relation)
            assert relation.head != relation.tail
            total += 1
    assert total > 100
