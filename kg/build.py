"""The main job: inputs -> papers -> extractions -> graph, into a store folder.

A store folder holds ``extractions.jsonl`` (one extraction per paper) and
``graph.json`` (the graph built from all of them), written from the store's
update state (``kg.state``): building into an existing store adds the new papers
to that state, which updates the resolution and the graph by what they change,
and the files are written anew from it (a hand edit of them is not read while
the state is the current version's). The graph is always the one a build of the
whole set makes, so building A then B gives the same files as building A+B.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from kg.builder import builder_version
from kg.cache import CacheUnreadable, ExtractionCache
from kg.chunks import chunked
from kg.errors import InputError, StoreError
from kg.export.layout import Layout, layout_path
from kg.extractions import EXTRACTIONS_FILE
from kg.files import atomic_open
from kg.graph import KnowledgeGraph, build_graph
from kg.ingest import InputProblem, read_inputs, unique_papers
from kg.ingest.ids import arxiv_id
from kg.memory import collection_paused
from kg.records import Extraction, Paper
from kg.resolve import Resolution
from kg.row_files import extractions_layout, graph_layout, write_files
from kg.results.index import index_path
from kg.store import MANIFEST_FILE, current_folder, new_version, read_manifest, writing
from kg.terms import user_aliases

if TYPE_CHECKING:  # kg.state imports the update and the view: only a store's writers need them
    from kg.state import StoreState
    from kg.update import HeldPapers

GRAPH_FILE = "graph.json"
HTML_FILE = "graph.html"
LAYOUT_FILE = layout_path(GRAPH_FILE).name  # the view's positions, kept for the next version's view
STORE_FILES = (EXTRACTIONS_FILE, GRAPH_FILE, HTML_FILE, MANIFEST_FILE, index_path(GRAPH_FILE).name, LAYOUT_FILE)
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
    """Splits the input into papers the store holds (``held``, None for no store), papers extracted before
    (the cache, whose extractions go to ``found``) and papers to extract, and keeps new extractions in the
    cache while the cache can be read."""

    def __init__(self, held: HeldPapers | None, found: dict[str, Extraction], options: BuildOptions, version: str,
                 report: BuildReport, stack: contextlib.ExitStack):
        self.held, self.found, self.version, self.report = held, found, version, report
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
        for batch in chunked(self._papers(items), LOOKUP_BATCH):
            if self.held is not None:
                self.held.read(batch)
            fresh = [p for p in batch if not self._in_store(p)]
            hits = self._cached(fresh)
            for paper in fresh:
                if paper.id in hits:
                    self.found[paper.id] = hits[paper.id]
                    self.report.cache_hits += 1
                else:
                    yield paper

    def _papers(self, items: Iterable[Paper | InputProblem]) -> Iterator[Paper]:
        for item in items:
            if isinstance(item, InputProblem):
                self.report.problems.append(item)
            else:
                self.report.papers += 1
                yield item

    def _in_store(self, paper: Paper) -> bool:
        """Whether the store has this paper: under another id by its title, or as it is, extracted by this
        extractor. Where a record was read from is no part of it: a listing that names a paper again on a
        later day leaves the store's record (the first, as in one build of both days)."""
        if self.held is None:
            return False
        if self.held.titled(paper) not in (None, paper.id) or self.held.holds(paper, self.version):
            self.report.reused += 1
            return True
        return False


class _ExtractionRun:
    """One build's extraction: the papers of the inputs that the store (``held``, None for none) lacks, taken
    from the cache or extracted on the engine of ``options``; then, for a build in memory, their resolution.
    A Dask cluster is opened on ``stack``, so it lasts until the resolution is made."""

    def __init__(self, held: HeldPapers | None, options: BuildOptions, report: BuildReport,
                 stack: contextlib.ExitStack):
        from kg.extractor import PipelineConfig, extractor_version

        self.options, self.report, self.stack = options, report, stack
        self.found: dict[str, Extraction] = {}
        self.config = PipelineConfig(model=options.model, terms=options.terms, aliases=options.aliases)
        self.planner = _Planner(held, self.found, options, extractor_version(self.config), report, stack)
        self.dask_run = None
        self.extracted_ids: set[str] = set()

    def run(self, inputs: Iterable[str], progress: Callable[[int], None] | None = None) -> list[Extraction]:
        """The extractions of the papers the store lacks (every paper, for no store), ordered by paper id."""
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
                self.found[extraction.paper.id] = extraction
                self.extracted_ids.add(extraction.paper.id)
            self.planner.keep(chunk)
            self.report.extracted += len(chunk)
            if progress:
                progress(self.report.extracted)
        self.report.seconds["read+extract"] = time.perf_counter() - clock
        return [self.found[pid] for pid in sorted(self.found)]

    def resolve(self, ordered: list[Extraction]) -> Resolution:
        """The resolution of ``ordered``; a cluster tallied what it extracted."""
        from kg.resolve import finish, tally

        clock = time.perf_counter()
        if self.dask_run is not None:
            mention_tally = tally(e for e in ordered if e.paper.id not in self.extracted_ids).merge(self.dask_run.tally())
        else:
            mention_tally = tally(ordered)
        resolution = finish(mention_tally, user_aliases(self.options.terms, self.options.aliases))
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
        run = _ExtractionRun(None, options, report, stack)
        ordered = run.run(inputs, progress)
        report.store_papers = len(ordered)
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
    from kg.state import open_state

    report = BuildReport()
    folder = current_folder(out)
    aliases = user_aliases(options.terms, options.aliases)
    if (folder / GRAPH_FILE).exists() and not (folder / EXTRACTIONS_FILE).exists():
        raise StoreError(f"{out / GRAPH_FILE} exists but {out / EXTRACTIONS_FILE} does not: not a kg store")
    with open_state(out, aliases, stage) as state:
        held = state.graph.held
        with contextlib.ExitStack() as stack:
            added = _ExtractionRun(held, options, report, stack).run(inputs, progress)
        replaced = [x.paper.id for x in added if x.paper.id in held]  # another text or extractor: added anew
        report.store_papers = held.count + len(added) - len(replaced)
        if not report.store_papers:
            return report
        with collection_paused():
            if added:
                stage(f"adding {len(added)} papers")
                clock = time.perf_counter()
                state.graph.update(added, replaced)
                report.seconds["update"] = time.perf_counter() - clock
            del added  # the state holds them
            fingerprint = _store_fingerprint(held)
            manifest = _current_manifest(out, folder, fingerprint, options.html)
            if manifest is None or (options.html and options.relayout):
                manifest, seconds = _write_store(out, state, fingerprint, options.html, options.relayout, aliases,
                                                 stage)
                report.seconds.update(seconds)
            else:
                report.up_to_date = True
    report.node_counts, report.relationship_counts = manifest["nodes"], manifest["relationships"]
    report.outputs = _outputs(out, options.html)
    return report


def _write_store(out: Path, state: StoreState, fingerprint: str, html: bool, relayout: bool, aliases: dict[str, str],
                 stage: Callable[[str], None]) -> tuple[dict, dict[str, float]]:
    """Write a store's next version (``kg.store.new_version``) from its update ``state`` as updated: every
    file, then the state committed as that version, then all of them made current at once, so a failure or a
    kill at any point leaves the store as it was or as it should be after (a state committed as a version
    that never became current is made anew by the next writer). The manifest keeps the user's aliases the
    graph was resolved with (``aliases``), so ``remove_papers`` resolves the rest the same way.

    ``graph.json`` and ``extractions.jsonl`` are written from the state's rows, the parts no update changed
    copied from the current version (``kg.row_files``); the view too (``kg.export.kept_view``), its positions
    beside it for the next version. Rows that hold no view (a new store, or a state made anew) are made from
    the whole graph, keeping the positions of the current version's view; ``relayout`` lays it out anew.
    Returns the manifest and the seconds each step took."""
    seconds = {}
    view = state.graph.view
    graph = None
    if html and (relayout or not view.filled):
        clock = time.perf_counter()
        stage("reading the graph")
        graph = state.graph.graph()  # a view laid out from the whole graph
        seconds["graph"] = time.perf_counter() - clock
    clock = time.perf_counter()
    results = None
    if html:
        stage("indexing the results")
        results = state.graph.results.index()  # the claim rows and timelines, for the view
    indexing = time.perf_counter() - clock
    with new_version(out, STORE_FILES) as staged:
        clock = time.perf_counter()
        stage("writing the graph")
        stored = state.graph
        write_files(stored.saved, {EXTRACTIONS_FILE: extractions_layout(stored.extractions),
                                   GRAPH_FILE: graph_layout(stored.nodes, stored.edges)}, staged, current_folder(out))
        seconds["write"] = time.perf_counter() - clock
        if html:
            clock = time.perf_counter()
            stage("writing the view")
            if graph is not None:
                from kg.export.html import make_view

                kept = None if relayout else Layout.load(current_folder(out) / LAYOUT_FILE)
                view.fill(make_view(graph, results=results, kept=kept))
                del graph
            view.write(staged / HTML_FILE, staged / LAYOUT_FILE, results, current_folder(out))
            seconds["html"] = time.perf_counter() - clock
        nodes, relationships = state.graph.counts()
        manifest = {"fingerprint": fingerprint, "nodes": nodes, "relationships": relationships}
        if aliases:
            manifest["user_aliases"] = aliases
        with atomic_open(staged / MANIFEST_FILE) as f:
            json.dump(manifest, f, indent=1, sort_keys=True)
        clock = time.perf_counter()
        write_files(stored.saved, {index_path(GRAPH_FILE).name: stored.results.file_layout(staged / GRAPH_FILE)},
                    staged, current_folder(out))  # what kg results and kg trends read, stamped with graph.json
        seconds["index"] = indexing + time.perf_counter() - clock
        state.commit(staged.name, fingerprint)
    return manifest, seconds


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

    The papers leave the store's update state (``kg.state``), which updates the resolution and the
    graph (and the view, if the store has one) by what they change: an entity, claim or relationship
    stays only where another paper supports it, and the store is the one a build of the other papers
    alone makes. Nothing is extracted, and
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
    from kg.state import open_state

    folder = current_folder(out)
    aliases = read_manifest(folder).get("user_aliases", {})
    wanted = list(dict.fromkeys(arxiv_id(given) or given for given in paper_ids))
    with open_state(out, aliases, stage) as state:
        held = state.graph.held
        report = RemoveReport(removed=[p for p in wanted if p in held], missing=[p for p in wanted if p not in held])
        if not report.removed:
            return report
        report.store_papers = held.count - len(report.removed)
        if not report.store_papers:
            raise InputError(f"that would remove every paper of {out}: delete the folder instead")
        html = (out / HTML_FILE).exists()
        with collection_paused():
            stage(f"removing {len(report.removed)} papers")
            state.graph.update([], report.removed)
            manifest, _ = _write_store(out, state, _store_fingerprint(held), html, relayout, aliases, stage)
    report.node_counts, report.relationship_counts = manifest["nodes"], manifest["relationships"]
    report.outputs = _outputs(out, html)
    return report


def _outputs(out: Path, html: bool) -> dict[str, Path]:
    outputs = {"graph": out / GRAPH_FILE, "extractions": out / EXTRACTIONS_FILE}
    if html:
        outputs["html"] = out / HTML_FILE
    return outputs


def _store_fingerprint(held: HeldPapers) -> str:
    """A hash of what the outputs are a function of: the papers held and how each was extracted (their number
    and the sum of their terms, ``kg.update.paper_term``, kept as papers come and go), and the code that
    resolves and builds the graph."""
    return hashlib.sha1(f"{builder_version()}\0{held.count}\0{held.total}".encode()).hexdigest()


def _current_manifest(out: Path, folder: Path, fingerprint: str, html: bool) -> dict | None:
    """The manifest of the store's current version (in ``folder``) if its outputs were built from
    exactly this and are all there."""
    manifest = read_manifest(folder)
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
