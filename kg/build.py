"""The main job: inputs -> papers -> extractions -> graph, into a store folder.

A store folder holds ``extractions.jsonl`` (one extraction per paper, the
durable record) and ``graph.json`` (the graph built from all of them). Building
into an existing store adds the new papers; the graph is always rebuilt from
the whole set, so building A then B gives the same files as building A+B.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.files import atomic_open
from kg.graph import KnowledgeGraph, build_graph
from kg.ingest import InputProblem, read_inputs, unique_papers
from kg.records import Extraction, Paper

GRAPH_FILE = "graph.json"
EXTRACTIONS_FILE = "extractions.jsonl"
HTML_FILE = "graph.html"


@dataclass
class BuildReport:
    entries_read: int = 0
    papers: int = 0  # distinct papers in this input
    extracted: int = 0
    reused: int = 0  # already in the store, with the same text and extractor
    problems: list[InputProblem] = field(default_factory=list)
    store_papers: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def read_papers(inputs: Iterable[str], fmt: str | None = None,
                problems: list[InputProblem] | None = None) -> Iterator[Paper]:
    """Distinct papers from any mix of inputs; bad records go to ``problems``."""
    for item in unique_papers(read_inputs(inputs, fmt)):
        if isinstance(item, InputProblem):
            if problems is not None:
                problems.append(item)
        else:
            yield item


def _counted(items: Iterable[Paper | InputProblem], report: BuildReport) -> Iterator[Paper | InputProblem]:
    for item in items:
        if isinstance(item, Paper):
            report.entries_read += 1
        yield item


def load_extractions(path: str | Path) -> list[Extraction]:
    """The extractions of a store (or of `kg extract` output); a bad line names file and line."""
    extractions = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                extractions.append(Extraction.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: not an extraction record: {err}") from None
    return extractions


def write_extractions(path: str | Path, extractions: Iterable[Extraction]) -> None:
    with atomic_open(path) as f:
        for extraction in extractions:
            f.write(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")


def extract_papers(papers: Iterable[Paper], model: str | None = None) -> Iterator[Extraction]:
    """Extract each paper with the (cached) spaCy pipeline."""
    from kg.extract import extract
    from kg.extract.pipeline import PipelineConfig, load_pipeline

    return extract(papers, load_pipeline(PipelineConfig(model=model)))


def build(inputs: Iterable[str], *, fmt: str | None = None, model: str | None = None) -> KnowledgeGraph:
    """The graph of some inputs, in memory (the notebook entry point)."""
    return build_graph(extract_papers(read_papers(inputs, fmt), model))


def build_store(
    inputs: Iterable[str],
    out_dir: str | Path,
    *,
    fmt: str | None = None,
    model: str | None = None,
    html: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Read, extract and add the inputs to the store in ``out_dir``; write its graph (and view)."""
    from kg.extract.pipeline import PipelineConfig, extractor_version, load_pipeline

    started = time.perf_counter()
    out = Path(out_dir)
    report = BuildReport()
    store_path = out / EXTRACTIONS_FILE
    stored = {e.paper.id: e for e in load_extractions(store_path)} if store_path.exists() else {}
    if not stored and (out / GRAPH_FILE).exists():
        raise ValueError(f"{out / GRAPH_FILE} exists but {store_path} does not: not a kg store")

    version = extractor_version(load_pipeline(PipelineConfig(model=model)))
    to_extract: list[Paper] = []
    for item in unique_papers(_counted(read_inputs(inputs, fmt), report)):
        if isinstance(item, InputProblem):
            report.problems.append(item)
            continue
        report.papers += 1
        old = stored.get(item.id)
        if old is not None and old.extractor == version and old.paper.text == item.text:
            report.reused += 1
        else:
            to_extract.append(item)

    for extraction in extract_papers(to_extract, model):
        stored[extraction.paper.id] = extraction
        report.extracted += 1
        if progress:
            progress(report.extracted, len(to_extract))

    ordered = [stored[pid] for pid in sorted(stored)]
    report.store_papers = len(ordered)
    if not ordered:
        report.seconds = time.perf_counter() - started
        return report
    write_extractions(store_path, ordered)
    graph = build_graph(ordered)
    graph.save(out / GRAPH_FILE)
    report.outputs = {"graph": out / GRAPH_FILE, "extractions": store_path}
    if html:
        from kg.export.html import write_html

        write_html(graph, out / HTML_FILE)
        report.outputs["html"] = out / HTML_FILE
    report.seconds = time.perf_counter() - started
    return report
