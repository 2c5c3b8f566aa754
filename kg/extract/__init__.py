"""Extraction: a paper's text through the spaCy pipeline into an Extraction record.

The components write their results on the Doc (``kg.extract.doc``); this module
turns a processed Doc into the paper's ``Extraction``.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

from spacy.tokens import Doc, Span as SpacySpan

from kg.extract.doc import ENTITY_SPANS, entity_types
from kg.extract.pipeline import load_pipeline
from kg.extractor import PipelineConfig, extractor_version
from kg.records import Entity, Extraction, Paper, Span


def group_entities(doc: Doc) -> tuple[Entity, ...]:
    """One Entity per distinct name, with its mentions, aliases and role."""
    mentions: dict[str, list[SpacySpan]] = defaultdict(list)
    for span in doc.spans.get(ENTITY_SPANS, []):
        mentions[span._.kg_name or span.text].append(span)
    roles = doc._.kg_roles or {}
    types = entity_types(doc.spans.get(ENTITY_SPANS, []))
    entities = []
    for name, spans in mentions.items():
        aliases = sorted({s.text for s in spans} - {name})
        entities.append(Entity(
            name=name,
            type=types[name],
            role=roles.get(name, "mentioned"),
            mentions=tuple(Span(s.start_char, s.end_char, s.text) for s in spans),
            aliases=tuple(aliases),
        ))
    return tuple(sorted(entities, key=lambda e: e.mentions[0].start))


def doc_to_extraction(doc: Doc, paper: Paper, version: str = "") -> Extraction:
    return Extraction(
        paper=paper,
        entities=group_entities(doc),
        claims=tuple(doc._.kg_claims or ()),
        relations=tuple(doc._.kg_relations or ()),
        extractor=version,
    )


def extract(papers: Iterable[Paper], config: PipelineConfig = PipelineConfig(),
            batch_size: int = 32) -> Iterator[Extraction]:
    """Extract every paper, streaming: one Extraction per Paper, in input order."""
    nlp = load_pipeline(config)
    version = extractor_version(config)
    pairs = ((paper.text, paper) for paper in papers)
    for doc, paper in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield doc_to_extraction(doc, paper, version)
