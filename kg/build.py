"""The main job: inputs -> papers -> extractions -> graph, into a store folder.

A store folder holds ``extractions.jsonl`` (one extraction per paper, the
durable record) and ``graph.json`` (the graph built from all of them). Building
into an existing store adds the new papers; the graph is always rebuilt from
the whole set, so building A then B gives the same files as building A+B.

Papers whose text was extracted before by the same extractor come from the
store or from the shared extraction cache; the rest go to an engine (worker
processes here, or a Dask cluster). Each extracted chunk is cached at once, so
a build that is stopped and run again picks up where it was. The store's files
are written as a new version that replaces the old one whole (``kg.store``), so
a stop at any point leaves the store as it was or as it is after, and one
writer at a time holds the store's lock. A cache that SQLite cannot read only
makes the build slower: it goes on without it, and says so.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from kg.cache import CacheUnreadable, ExtractionCache
from kg.errors import InputError, StoreError
from kg.export.layout import Layout, layout_path
from kg.files import atomic_open
from kg.fingerprint import code_fingerprint
from kg.graph import KnowledgeGraph, build_graph
from kg.ingest import InputProblem, read_inputs, title_key, unique_papers
from kg.ingest.ids import arxiv_id
from kg.memory import collection_paused
from kg.records import Extraction, Paper
from kg.resolve import Resolution
from kg.results.index import build_index, index_path, save_index
from kg.store import current_folder, new_version, writing
from kg.tables import TABLES_DIR

GRAPH_FILE = "graph.json"
EXTRACTIONS_FILE = "extractions.jsonl"
HTML_FILE = "graph.html"
MANIFEST_FILE = "manifest.json"  # what the store's outputs were built from
LAYOUT_FILE = layout_path(GRAPH_FILE).name  # the view's positions, kept for the next version's view
STORE_FILES = (EXTRACTIONS_FILE, GRAPH_FILE, HTML_FILE, MANIFEST_FILE, index_path(GRAPH_FILE).name, LAYOUT_FILE)
BUILD_CODE = ("kg.build", "kg.export.html")  # where building starts; the fingerprint follows its imports
LOOKUP_BATCH = 512

log = logging.getLogger(__name__)


@dataclass
class BuildOptions:
    fmt: str | None = None
    model: str | None = None
    terms: str | None = None  # the user's --terms and --aliases files (kg.terms)
    aliases: str | None = None
    jobs: int = 1
    cache_dir: str | Path | None = None
    use_cache: bool = True
    engine: str = "local"  # or "dask"
    scheduler: str | None = None  # dask scheduler address; None: a local cluster of `jobs` workers
    html: bool = True
    relayout: bool = False  # lay the view out anew rather than keep the positions of the store's last view
    wait: float | None = None  # seconds to wait for another writer of the store; None: as long as it takes


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
    with open(path, encoding="utf-8") as f, collection_paused():
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                extractions.append(Extraction.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise StoreError(f"{path}:{number}: not an extraction record: {err}") from None
    return extractions


def write_extractions(path: str | Path, extractions: Iterable[Extraction]) -> None:
    with atomic_open(path) as f:
        for extraction in extractions:
            f.write(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")


def extract_papers(papers: Iterable[Paper], model: str | None = None, jobs: int = 1, *, terms: str | None = None,
                   aliases: str | None = None) -> Iterator[Extraction]:
    """Extract papers (in input order), on ``jobs`` processes, finding the user's ``terms`` and ``aliases``."""
    from kg.engine import extract_local
    from kg.extractor import PipelineConfig

    for chunk in extract_local(papers, PipelineConfig(model=model, terms=terms, aliases=aliases), jobs):
        yield from chunk


def _counted(items: Iterable[Paper | InputProblem], report: BuildReport) -> Iterator[Paper | InputProblem]:
    for item in items:
        if isinstance(item, Paper):
            report.entries_read += 1
        yield item


class _Planner:
    """Splits the input into papers already extracted (store, cache) and papers to extract,
    and keeps new extractions in the cache while the cache can be read."""

    def __init__(self, stored: dict[str, Extraction], options: BuildOptions, version: str, report: BuildReport,
                 stack: contextlib.ExitStack):
        self.stored, self.version, self.report = stored, version, report
        self.stored_titles = {key: pid for pid, e in stored.items() if (key := title_key(e.paper))}
        self.cache = None
        if options.use_cache:
            try:
                # Closed with ``stack``, not left to the collector: a connection is in a reference cycle, which
                # a command's process never collects (kg.memory.command_process); closing ends its log.
                self.cache = stack.enter_context(ExtractionCache(options.cache_dir))
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
                if self.stored_titles.get(title_key(item), item.id) != item.id:
                    self.report.reused += 1  # the same paper is in the store under another id
                else:
                    yield item

    def _in_store(self, paper: Paper) -> bool:
        """Whether the store has this paper as it is, extracted by this extractor. Where a record was read
        from is no part of it: a listing that names a paper again on a later day leaves the store's record
        (the first, as in one build of both days)."""
        old = self.stored.get(paper.id)
        if old is not None and old.extractor == self.version and old.paper == replace(paper, source=old.paper.source):
            self.report.reused += 1
            return True
        return False


class _ExtractionRun:
    """One build's extraction: the papers of the inputs that ``stored`` lacks, taken from the cache or
    extracted on the engine of ``options`` and added to ``stored``; then the resolution of the whole set.
    A Dask cluster is opened on ``stack``, so it lasts until the resolution is made."""

    def __init__(self, stored: dict[str, Extraction], options: BuildOptions, report: BuildReport,
                 stack: contextlib.ExitStack):
        from kg.extractor import PipelineConfig, extractor_version

        self.stored, self.options, self.report, self.stack = stored, options, report, stack
        self.config = PipelineConfig(model=options.model, terms=options.terms, aliases=options.aliases)
        self.planner = _Planner(stored, options, extractor_version(self.config), report, stack)
        self.dask_run = None
        self.extracted_ids: set[str] = set()
        self.user_aliases: dict[str, str] = {}  # the user's aliases the resolution used

    def run(self, inputs: Iterable[str], progress: Callable[[int], None] | None = None) -> list[Extraction]:
        """Every extraction, stored and new, ordered by paper id."""
        clock = time.perf_counter()
        misses = self.planner.misses(unique_papers(_counted(read_inputs(inputs, self.options.fmt), self.report)))
        if self.options.engine == "dask":
            from kg.engine import DaskRun

            self.dask_run = DaskRun(self.stack.enter_context(_dask_client(self.options)), self.config)
            chunks = self.dask_run.extract(misses)
        else:
            from kg.engine import extract_local

            chunks = extract_local(misses, self.config, self.options.jobs)
        for chunk in chunks:
            for extraction in chunk:
                self.stored[extraction.paper.id] = extraction
                self.extracted_ids.add(extraction.paper.id)
            self.planner.keep(chunk)
            self.report.extracted += len(chunk)
            if progress:
                progress(self.report.extracted)
        self.report.seconds["read+extract"] = time.perf_counter() - clock
        ordered = [self.stored[pid] for pid in sorted(self.stored)]
        self.report.store_papers = len(ordered)
        return ordered

    def resolve(self, ordered: list[Extraction]) -> Resolution:
        """The resolution of ``ordered``; a cluster tallied what it extracted."""
        from kg.resolve import finish, tally
        from kg.terms import user_aliases

        clock = time.perf_counter()
        if self.dask_run is not None:
            mention_tally = tally(e for e in ordered if e.paper.id not in self.extracted_ids).merge(self.dask_run.tally())
        else:
            mention_tally = tally(ordered)
        self.user_aliases = user_aliases(self.options.terms, self.options.aliases)
        resolution = finish(mention_tally, self.user_aliases)
        self.report.seconds["resolve"] = time.perf_counter() - clock
        return resolution


def _graph(ordered: list[Extraction], resolution: Resolution, report: BuildReport) -> KnowledgeGraph:
    clock = time.perf_counter()
    graph = build_graph(ordered, resolution)
    report.seconds["graph"] = time.perf_counter() - clock
    report.node_counts, report.relationship_counts = graph.node_counts(), graph.relationship_counts()
    return graph


def build_in_memory(inputs: Iterable[str], options: BuildOptions | None = None,
                    progress: Callable[[int], None] | None = None) -> tuple[KnowledgeGraph | None, BuildReport]:
    """The graph of the inputs (None when no paper was read) and the report, with the cache and engine
    of ``build_store`` but no store folder."""
    options = options or BuildOptions()
    report = BuildReport()
    with contextlib.ExitStack() as stack:
        run = _ExtractionRun({}, options, report, stack)
        ordered = run.run(inputs, progress)
        if not ordered:
            return None, report
        resolution = run.resolve(ordered)
    return _graph(ordered, resolution, report), report


def build_store(
    inputs: Iterable[str],
    out_dir: str | Path,
    options: BuildOptions | None = None,
    progress: Callable[[int], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> BuildReport:
    """Read, extract and add the inputs to the store in ``out_dir``; write its graph (and view).
    ``progress`` is told how many papers were extracted so far, ``stage`` what the build does next
    ("resolving 23454 papers", "writing the view"): after extraction, a big store's update is minutes
    of them.

    The store is locked from before it is read until it is written (``kg.store.writing``): another
    writer of it waits, at most ``options.wait`` seconds (None: as long as it takes), else StoreBusy."""
    options = options or BuildOptions()
    with writing(out_dir, options.wait):
        return _build_store(inputs, Path(out_dir), options, progress, stage or _quiet)


def _quiet(_: str) -> None:
    pass


def _build_store(inputs: Iterable[str], out: Path, options: BuildOptions,
                 progress: Callable[[int], None] | None, stage: Callable[[str], None]) -> BuildReport:
    report = BuildReport()
    folder = current_folder(out)
    store_path = folder / EXTRACTIONS_FILE
    if store_path.exists():
        stage("reading the store")
    stored = {e.paper.id: e for e in load_extractions(store_path)} if store_path.exists() else {}
    if not stored and (folder / GRAPH_FILE).exists():
        raise StoreError(f"{out / GRAPH_FILE} exists but {out / EXTRACTIONS_FILE} does not: not a kg store")

    with contextlib.ExitStack() as stack:
        run = _ExtractionRun(stored, options, report, stack)
        ordered = run.run(inputs, progress)
        if not ordered:
            return report
        fingerprint = _store_fingerprint(ordered)
        manifest = _current_manifest(out, folder, fingerprint, options.html)
        if manifest is not None and not (options.html and options.relayout):
            report.up_to_date = True
            report.node_counts, report.relationship_counts = manifest["nodes"], manifest["relationships"]
            report.outputs = _outputs(out, options.html)
            return report
        stage(f"resolving {len(ordered)} papers")
        with collection_paused():
            resolution = run.resolve(ordered)
    stored.clear()  # ``ordered`` holds every extraction, until _write_store has written them
    with collection_paused():
        stage("building the graph")
        graph = _graph(ordered, resolution, report)
        del resolution  # the graph holds what the files need
        kept = _kept_layout(folder, options.html and not options.relayout)
        report.seconds.update(_write_store(out, ordered, graph, fingerprint, options.html, run.user_aliases, kept,
                                           stage))
    report.outputs = _outputs(out, options.html)
    return report


def _kept_layout(folder: Path, keep: bool) -> Layout | None:
    """The positions of the current version's view (in ``folder``), when they are to be kept."""
    return Layout.load(folder / LAYOUT_FILE) if keep else None


def _write_store(out: Path, ordered: list[Extraction], graph: KnowledgeGraph, fingerprint: str,
                 html: bool, user_aliases: dict[str, str], kept: Layout | None,
                 stage: Callable[[str], None]) -> dict[str, float]:
    """Write a store's next version (``kg.store.new_version``): every file, then all of them made
    current at once, so a failure or a kill at any point leaves the store as it was or as it
    should be after. The manifest keeps the user's aliases the graph was resolved with, so
    ``remove_papers`` resolves the rest the same way. The view keeps the positions of ``kept``
    (``kg.export.layout``) and its own are written beside it for the next version.
    ``ordered`` is emptied once written: the other files need only the graph, and without the
    extractions the view's payload fits where they were (an update's peak memory is the view's).
    Returns the seconds each step took."""
    seconds = {}
    clock = time.perf_counter()
    stage("indexing the results")
    results = build_index(graph, min_papers=1)  # the claim rows and timelines, for the view and the index alike
    indexing = time.perf_counter() - clock
    with new_version(out, STORE_FILES) as staged:
        clock = time.perf_counter()
        stage("writing the graph")
        write_extractions(staged / EXTRACTIONS_FILE, ordered)
        ordered.clear()
        graph.save(staged / GRAPH_FILE)
        seconds["write"] = time.perf_counter() - clock
        if html:
            from kg.export.html import write_html

            clock = time.perf_counter()
            stage("writing the view")
            summary = write_html(graph, staged / HTML_FILE, results=results, kept=kept)
            summary.layout.save(staged / LAYOUT_FILE)
            seconds["html"] = time.perf_counter() - clock
        manifest = {"fingerprint": fingerprint, "nodes": graph.node_counts(), "relationships": graph.relationship_counts()}
        if user_aliases:
            manifest["user_aliases"] = user_aliases
        with atomic_open(staged / MANIFEST_FILE) as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
        clock = time.perf_counter()
        save_index(results, staged / GRAPH_FILE)  # what kg results and kg trends read
        seconds["index"] = indexing + time.perf_counter() - clock
    return seconds


@dataclass
class RemoveReport:
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # asked for, but not in the store
    store_papers: int = 0
    node_counts: dict[str, int] = field(default_factory=dict)
    relationship_counts: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)


def remove_papers(out_dir: str | Path, paper_ids: Iterable[str], wait: float | None = None,
                  relayout: bool = False, stage: Callable[[str], None] | None = None) -> RemoveReport:
    """Remove papers from the store in ``out_dir``; ids as the store has them, or arXiv ids in any form.

    The graph (and the view, if the store has one) is built again from the other papers'
    extractions, so an entity, claim or relationship stays only where another paper supports it,
    and the store is the one a build of the other papers alone makes. Nothing is extracted, and
    nothing is written when no id is in the store. The store is locked as ``build_store`` locks it.
    The view keeps the positions of the nodes that stay, unless ``relayout``. ``stage`` is told what
    it does next, as ``build_store``'s.
    """
    out = Path(out_dir)
    if not (out / EXTRACTIONS_FILE).exists():
        raise StoreError(f"{out / EXTRACTIONS_FILE} does not exist: {out} is not a kg store")
    with writing(out, wait):
        return _remove_papers(out, paper_ids, relayout, stage or _quiet)


def _remove_papers(out: Path, paper_ids: Iterable[str], relayout: bool, stage: Callable[[str], None]) -> RemoveReport:
    folder = current_folder(out)
    stage("reading the store")
    stored = {e.paper.id: e for e in load_extractions(folder / EXTRACTIONS_FILE)}
    wanted = list(dict.fromkeys(arxiv_id(given) or given for given in paper_ids))
    report = RemoveReport(removed=[p for p in wanted if p in stored], missing=[p for p in wanted if p not in stored])
    if not report.removed:
        return report
    gone = set(report.removed)
    kept = [stored[pid] for pid in sorted(stored) if pid not in gone]
    if not kept:
        raise InputError(f"that would remove every paper of {out}: delete the folder instead")
    from kg.resolve import finish, tally

    try:
        aliases = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8")).get("user_aliases", {})
    except (OSError, ValueError):
        aliases = {}
    html = (out / HTML_FILE).exists()
    report.store_papers = len(kept)
    stored.clear()
    with collection_paused():
        stage(f"resolving {len(kept)} papers")
        resolution = finish(tally(kept), aliases)
        stage("building the graph")
        graph = build_graph(kept, resolution)
        del resolution
        positions = _kept_layout(folder, html and not relayout)
        _write_store(out, kept, graph, _store_fingerprint(kept), html, aliases, positions, stage)
    report.node_counts, report.relationship_counts = graph.node_counts(), graph.relationship_counts()
    report.outputs = _outputs(out, html)
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

    return kg.__version__ + code_fingerprint(BUILD_CODE, builder_data())


def builder_data() -> tuple[Path, ...]:
    """The folders that turning extractions into the outputs reads besides its code."""
    from kg.export.html import VIZ_DIR
    from kg.schema import SCHEMA_DIR

    return TABLES_DIR, SCHEMA_DIR, VIZ_DIR


def _current_manifest(out: Path, folder: Path, fingerprint: str, html: bool) -> dict | None:
    """The manifest of the store's current version (in ``folder``) if its outputs were built from
    exactly this and are all there."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
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
