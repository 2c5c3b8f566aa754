"""The main job: inputs -> papers -> extractions -> graph, into a store folder.

A store folder holds ``extractions.jsonl`` (one extraction per paper, the
durable record) and ``graph.json`` (the graph built from all of them). Building
into an existing store adds the new papers; the graph is always rebuilt from
the whole set, so building A then B gives the same files as building A+B.

Papers whose text was extracted before by the same extractor come from the
store or from the shared extraction cache; the rest go to an engine (worker
processes here, or a Dask cluster). Each extracted chunk is cached at once, so
a build that is stopped and run again picks up where it was, and every output
file is replaced atomically, so a stop never leaves half a file. A cache that
SQLite cannot read only makes the build slower: it goes on without it, and says so.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.cache import CacheUnreadable, ExtractionCache
from kg.files import atomic_open
from kg.fingerprint import code_fingerprint
from kg.graph import KnowledgeGraph, build_graph
from kg.ingest import InputProblem, read_inputs, unique_papers
from kg.records import Extraction, Paper, normalise_title
from kg.tables import TABLES_DIR

GRAPH_FILE = "graph.json"
EXTRACTIONS_FILE = "extractions.jsonl"
HTML_FILE = "graph.html"
MANIFEST_FILE = "manifest.json"  # what the store's outputs were built from
BUILD_CODE = ("kg.build", "kg.export.html")  # where building starts; the fingerprint follows its imports
LOOKUP_BATCH = 512

log = logging.getLogger(__name__)


@dataclass
class BuildOptions:
    fmt: str | None = None
    model: str | None = None
    jobs: int = 1
    cache_dir: str | Path | None = None
    use_cache: bool = True
    engine: str = "local"  # or "dask"
    scheduler: str | None = None  # dask scheduler address; None: a local cluster of `jobs` workers
    html: bool = True


@dataclass
class BuildReport:
    entries_read: int = 0
    papers: int = 0  # distinct papers in this input
    extracted: int = 0
    reused: int = 0  # already in the store, same text and extractor
    cache_hits: int = 0
    problems: list[InputProblem] = field(default_factory=list)
    store_papers: int = 0
    up_to_date: bool = False  # the store's outputs already showed exactly these papers
    node_counts: dict[str, int] = field(default_factory=dict)
    relationship_counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def read_papers(inputs: Iterable[str], fmt: str | None = None,
                problems: list[InputProblem] | None = None) -> Iterator[Paper]:
    """Distinct papers from any mix of inputs; bad records go to ``problems``."""
    for item in unique_papers(read_inputs(inputs, fmt)):
        if isinstance(item, InputProblem):
            if problems is not None:
                problems.append(item)
        else:
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


def extract_papers(papers: Iterable[Paper], model: str | None = None, jobs: int = 1) -> Iterator[Extraction]:
    """Extract papers (in input order), on ``jobs`` processes."""
    from kg.engine import extract_local
    from kg.extract.pipeline import PipelineConfig

    for chunk in extract_local(papers, PipelineConfig(model=model), jobs):
        yield from chunk


def build(inputs: Iterable[str], *, fmt: str | None = None, model: str | None = None,
          jobs: int = 1) -> KnowledgeGraph:
    """The graph of some inputs, in memory (the notebook entry point)."""
    return build_graph(extract_papers(read_papers(inputs, fmt), model, jobs))


def _counted(items: Iterable[Paper | InputProblem], report: BuildReport) -> Iterator[Paper | InputProblem]:
    for item in items:
        if isinstance(item, Paper):
            report.entries_read += 1
        yield item


class _Planner:
    """Splits the input into papers already extracted (store, cache) and papers to extract,
    and keeps new extractions in the cache while the cache can be read."""

    def __init__(self, stored: dict[str, Extraction], options: BuildOptions, version: str, report: BuildReport):
        self.stored, self.version, self.report = stored, version, report
        self.stored_titles = {normalise_title(e.paper.title): pid for pid, e in stored.items()}
        self.cache = None
        if options.use_cache:
            try:
                self.cache = ExtractionCache(options.cache_dir)
            except CacheUnreadable as err:
                self._drop_cache(err)

    def keep(self, extractions: list[Extraction]) -> None:
        if self.cache is not None:
            try:
                self.cache.put_many(self.version, extractions)
            except CacheUnreadable as err:
                self._drop_cache(err)

    def _cached(self, papers: list[Paper]) -> dict[str, Extraction]:
        if self.cache is not None:
            try:
                return self.cache.get_many(self.version, papers)
            except CacheUnreadable as err:
                self._drop_cache(err)
        return {}

    def _drop_cache(self, err: CacheUnreadable) -> None:
        log.warning("building without the cache: %s", err)
        self.cache = None

    def misses(self, items: Iterable[Paper | InputProblem]) -> Iterator[Paper]:
        from kg.engine import chunked

        papers = self._papers(items)
        for batch in chunked(papers, LOOKUP_BATCH):
            fresh = [p for p in batch if not self._in_store(p)]
            hits = self._cached(fresh)
            for paper in fresh:
                if paper.id in hits:
                    self.stored[paper.id] = hits[paper.id]
                    self.report.cache_hits += 1
                else:
                    yield paper

    def _papers(self, items: Iterable[Paper | InputProblem]) -> Iterator[Paper]:
        for item in items:
            if isinstance(item, InputProblem):
                self.report.problems.append(item)
            else:
                self.report.papers += 1
                if self.stored_titles.get(normalise_title(item.title), item.id) != item.id:
                    self.report.reused += 1  # the same paper is in the store under another id
                else:
                    yield item

    def _in_store(self, paper: Paper) -> bool:
        old = self.stored.get(paper.id)
        if old is not None and old.extractor == self.version and old.paper == paper:
            self.report.reused += 1
            return True
        return False


def build_store(
    inputs: Iterable[str],
    out_dir: str | Path,
    options: BuildOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Read, extract and add the inputs to the store in ``out_dir``; write its graph (and view)."""
    from kg.extract.pipeline import PipelineConfig, extractor_version
    from kg.resolve import finish, tally

    options = options or BuildOptions()
    clock = time.perf_counter()
    out = Path(out_dir)
    report = BuildReport()
    store_path = out / EXTRACTIONS_FILE
    stored = {e.paper.id: e for e in load_extractions(store_path)} if store_path.exists() else {}
    if not stored and (out / GRAPH_FILE).exists():
        raise ValueError(f"{out / GRAPH_FILE} exists but {store_path} does not: not a kg store")

    config = PipelineConfig(model=options.model)
    version = extractor_version(config)
    planner = _Planner(stored, options, version, report)
    misses = planner.misses(unique_papers(_counted(read_inputs(inputs, options.fmt), report)))
    extracted_ids: set[str] = set()
    with contextlib.ExitStack() as stack:
        dask_run = None
        if options.engine == "dask":
            from kg.engine import DaskRun

            dask_run = DaskRun(stack.enter_context(_dask_client(options)), config)
            chunks = dask_run.extract(misses)
        else:
            from kg.engine import extract_local

            chunks = extract_local(misses, config, options.jobs)
        for chunk in chunks:
            for extraction in chunk:
                stored[extraction.paper.id] = extraction
                extracted_ids.add(extraction.paper.id)
            planner.keep(chunk)
            report.extracted += len(chunk)
            if progress:
                progress(report.extracted)
        report.seconds["read+extract"] = time.perf_counter() - clock

        ordered = [stored[pid] for pid in sorted(stored)]
        report.store_papers = len(ordered)
        if not ordered:
            return report
        fingerprint = _store_fingerprint(ordered)
        manifest = _current_manifest(out, fingerprint, options.html)
        if manifest is not None:
            report.up_to_date = True
            report.node_counts, report.relationship_counts = manifest["nodes"], manifest["relationships"]
            report.outputs = _outputs(out, options.html)
            return report
        clock = time.perf_counter()
        if dask_run is not None:  # the cluster tallied what it extracted
            mention_tally = tally(e for e in ordered if e.paper.id not in extracted_ids).merge(dask_run.tally())
        else:
            mention_tally = tally(ordered)
    resolution = finish(mention_tally)
    report.seconds["resolve"] = time.perf_counter() - clock
    clock = time.perf_counter()
    graph = build_graph(ordered, resolution)
    report.seconds["graph"] = time.perf_counter() - clock
    report.node_counts, report.relationship_counts = graph.node_counts(), graph.relationship_counts()
    clock = time.perf_counter()
    write_extractions(store_path, ordered)
    graph.save(out / GRAPH_FILE)
    report.seconds["write"] = time.perf_counter() - clock
    if options.html:
        from kg.export.html import write_html

        clock = time.perf_counter()
        write_html(graph, out / HTML_FILE)
        report.seconds["html"] = time.perf_counter() - clock
    manifest = {"fingerprint": fingerprint, "nodes": report.node_counts, "relationships": report.relationship_counts}
    with atomic_open(out / MANIFEST_FILE) as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    report.outputs = _outputs(out, options.html)
    return report


def _outputs(out: Path, html: bool) -> dict[str, Path]:
    outputs = {"graph": out / GRAPH_FILE, "extractions": out / EXTRACTIONS_FILE}
    if html:
        outputs["html"] = out / HTML_FILE
    return outputs


def _store_fingerprint(ordered: list[Extraction]) -> str:
    """A hash of what the outputs are a function of: the papers, how each was
    extracted, and the code that resolves and builds the graph."""
    digest = hashlib.sha1(_builder_version().encode())
    for extraction in ordered:
        digest.update(json.dumps(extraction.paper.to_dict(), sort_keys=True).encode())
        digest.update(extraction.extractor.encode())
    return digest.hexdigest()


def _builder_version() -> str:
    """kg's version and a fingerprint of the code and data that turn extractions into the outputs."""
    import kg
    from kg.export.html import VIZ_DIR
    from kg.schema import SCHEMA_DIR

    return kg.__version__ + code_fingerprint(BUILD_CODE, (TABLES_DIR, SCHEMA_DIR, VIZ_DIR))


def _current_manifest(out: Path, fingerprint: str, html: bool) -> dict | None:
    """The store's manifest if its outputs were built from exactly this and are all there."""
    try:
        manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    needed = [out / GRAPH_FILE, out / EXTRACTIONS_FILE] + ([out / HTML_FILE] if html else [])
    if manifest.get("fingerprint") != fingerprint or not all(p.exists() for p in needed):
        return None
    return manifest


@contextlib.contextmanager
def _dask_client(options: BuildOptions):
    from dask.distributed import Client, LocalCluster

    if options.scheduler:
        with Client(options.scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=options.jobs, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client
