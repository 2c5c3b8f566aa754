"""kg from Python: ``kg.build``, ``kg.load`` and ``kg.extract``, and the ``kg.Graph`` they give.

The functions are the ones the ``kg`` command calls: ``kg.build`` reads, extracts (with the
extraction cache, on every core) and resolves exactly as ``kg build`` does, and a ``Graph``
answers Cypher on the embedded engine of ``kg query``, lists entities as ``kg entities`` and
describes one as ``kg show``. In Jupyter a graph displays itself as the ``kg view`` page.

Examples
--------
>>> import kg
>>> result = kg.build(["examples/papers.jsonl"], out="out/examples")
>>> result.problems
()
>>> graph = kg.load("out/examples")
>>> graph.query("MATCH (p:Paper {id: $id}) RETURN p.title AS title", id="2106.09685")
[{'title': 'LoRA: Adapting Large Models with Low-Rank Updates'}]
>>> [paper["id"] for paper in graph.show("LoRA")["papers"]["PROPOSES"]]
['2106.09685']
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from kg.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

    from kg.build import BuildReport
    from kg.graph import KnowledgeGraph
    from kg.ingest import InputProblem
    from kg.records import Extraction, Paper

NO_PAPERS = "no usable paper was read from the inputs"
PROBLEMS_NAMED = 3  # in the message of a build that read nothing


class Description(dict):
    """What ``kg show`` knows about an entity: a dict (as ``kg show --json`` prints it) that prints as
    ``kg show`` does."""

    def __str__(self) -> str:
        from kg.lookup import format_entity

        return format_entity(self)


class Graph:
    """A knowledge graph built or loaded by kg (the store's networkx ``MultiDiGraph`` inside).

    ``path`` is the ``graph.json`` it was read from, or None for a graph built in memory.
    """

    def __init__(self, knowledge_graph: KnowledgeGraph, path: str | os.PathLike | None = None):
        self._kg = knowledge_graph
        self.path = Path(path) if path is not None else None
        self._read_as = _file_state(self.path) if self.path is not None else None
        self._saved: Path | None = None

    def __repr__(self) -> str:
        from kg.schema import load_schema

        counts = self._kg.node_counts()
        entities = sum(counts.get(label, 0) for label in load_schema().entity_labels)
        where = f", path={str(self.path)!r}" if self.path else ""
        return (f"kg.Graph(papers={counts.get('Paper', 0)}, entities={entities}, claims={counts.get('Claim', 0)}, "
                f"relationships={self._kg.graph.number_of_edges()}{where})")

    def _repr_html_(self) -> str:
        """The interactive view, for Jupyter: the ``kg view`` page in a sandboxed iframe.

        >>> kg.load("out/examples")._repr_html_()[:42]
        '<div><iframe srcdoc="&lt;!DOCTYPE html&gt;'
        """
        from kg.export.html import notebook_frame

        return notebook_frame(self._kg)

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, /, *, uri: str | None = None,
              user: str | None = None, password: str | None = None, database: str | None = None,
              **named: Any) -> list[dict[str, Any]]:
        """Rows of a read-only Cypher query, as dicts keyed by column.

        Values go in as parameters (``$name`` in the query), given by keyword or, for names
        that are keywords here, in ``params``. The query runs on the embedded FalkorDB of
        ``kg query`` (its loaded graph is cached beside the store), or with ``uri`` on that
        Neo4j (one loaded by ``kg export neo4j``; ``user``, ``password`` and ``database``
        default to ``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).

        Raises ``kg.query.QueryError`` with the server's message on bad Cypher.

        >>> graph = kg.load("out/examples")
        >>> graph.query("MATCH (p:Paper) WHERE p.id STARTS WITH $prefix RETURN p.id AS id ORDER BY id",
        ...             prefix="23")
        [{'id': '2305.14314'}, {'id': '2305.18290'}, {'id': '2308.04079'}, {'id': '2309.06180'}, {'id': '2310.06825'}]
        """
        from kg.query import EmbeddedGraph, run_query

        values = {**(params or {}), **named}
        if uri:
            result = run_query(cypher, params=values, uri=uri, user=user, password=password, database=database)
        else:
            with EmbeddedGraph(self._graph_file()) as engine:
                result = engine.query(cypher, values)
        return result.records()

    def _graph_file(self) -> Path:
        """The graph.json that holds this graph: the one it was read from while unchanged, else a private copy."""
        if self.path is not None and _file_state(self.path) == self._read_as:
            return self.path
        if self._saved is None:
            from kg.build import GRAPH_FILE

            folder = tempfile.mkdtemp(prefix="kg-graph-")
            weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            self._saved = Path(folder) / GRAPH_FILE
            self._kg.save(self._saved)
        return self._saved

    def to_networkx(self) -> nx.MultiDiGraph:
        """A copy of the graph as a networkx ``MultiDiGraph``: nodes ``paper:<id>``, ``entity:<key>`` and
        ``claim:<id>`` with a ``label`` and the schema's properties; edges keyed by relationship type.

        >>> g = kg.load("out/examples").to_networkx()
        >>> g.nodes["paper:2106.09685"]["title"]
        'LoRA: Adapting Large Models with Low-Rank Updates'
        """
        return self._kg.graph.copy()

    def entities(self, type: str | None = None, min_papers: int = 1) -> list[dict[str, Any]]:
        """Entities as ``kg entities --json`` lists them (key, name, type, aliases, paper_count),
        most papers first; ``type`` is one of Method, Model, Dataset, Task, Metric.

        >>> rows = kg.load("out/examples").entities(type="Method")
        >>> sorted(rows[0])
        ['aliases', 'key', 'name', 'paper_count', 'type']
        """
        from kg.lookup import list_entities

        return list_entities(self._kg, type, min_papers)

    def show(self, name: str) -> Description:
        """The entity called ``name`` (any alias) as ``kg show`` gives it: type, aliases, family and
        variants, the papers by role and the claims with their sentences. Raises LookupError when no
        entity goes by that name, with the nearest names.

        >>> lora = kg.load("out/examples").show("Low-Rank Adaptation")
        >>> "LoRA" in lora["aliases"], [paper["id"] for paper in lora["papers"]["PROPOSES"]]
        (True, ['2106.09685'])
        >>> print(lora)
        LoRA  [...]  key=...  papers=...
        ...
        proposes by:
          2106.09685  LoRA: Adapting Large Models with Low-Rank Updates  (2021-06-17)
        ...
        """
        from kg.lookup import describe_entity, find_entity, nearest_names

        node = find_entity(self._kg, name)
        if node is None:
            nearest = ", ".join(f'"{n}"' for n in nearest_names(self._kg, name))
            raise LookupError(f"no entity called {name!r}" + (f"; did you mean {nearest}?" if nearest else ""))
        return Description(describe_entity(self._kg, node))


@dataclass(frozen=True)
class BuildResult:
    """What ``kg.build`` gives: the graph, the input records it skipped (each an
    ``InputProblem``: ``path``, ``line``, ``message``), and the build's counts."""

    graph: Graph
    problems: tuple[InputProblem, ...]
    report: BuildReport


def build(inputs: str | os.PathLike | Iterable[str | os.PathLike], out: str | os.PathLike | None = None,
          jobs: int | None = None, cache: bool = True, *, fmt: str | None = None, model: str | None = None,
          engine: str = "local", scheduler: str | None = None, terms: str | os.PathLike | None = None,
          aliases: str | os.PathLike | None = None, wait: float | None = None, relayout: bool = False) -> BuildResult:
    """Read, extract and resolve ``inputs`` as ``kg build`` does, into a graph.

    Parameters
    ----------
    inputs : files, folders, globs (or one of them), in any format ``kg build`` reads.
    out : a store folder to build into (added to when it exists; graph.json, extractions.jsonl,
        graph.html), or None for a graph in memory only.
    jobs : worker processes for extraction (default: every core).
    cache : reuse the extractions of unchanged texts from the shared cache (``$KG_CACHE_DIR``).
    fmt, model, engine, scheduler, terms, aliases, wait, relayout : as ``kg build --format --model --engine
        --scheduler --terms --aliases --wait --relayout``.

    Raises
    ------
    kg.errors.InputError : no usable paper was read (the message names the first problems).
    kg.errors.StoreError : ``out`` is not a store.
    kg.errors.TermsError : a line of ``terms`` or ``aliases`` cannot be read.
    kg.errors.StoreBusy : another process wrote ``out`` for longer than ``wait`` seconds.
    The first three are ValueErrors.

    Examples
    --------
    >>> result = kg.build("examples/papers.jsonl", jobs=1)
    >>> result.graph
    kg.Graph(papers=14, ...)
    >>> result.report.cache_hits  # the texts were extracted before, by the build into out/examples
    14
    >>> kg.build(["examples"], fmt="csv")
    Traceback (most recent call last):
    kg.errors.InputError: no usable paper was read from the inputs; skipped: examples/papers.jsonl:1: ...
    """
    from kg.build import GRAPH_FILE, BuildOptions, build_in_memory, build_store
    from kg.engine import default_jobs
    from kg.graph import KnowledgeGraph
    from kg.terms import checked_aliases, checked_terms

    names = [os.fspath(inputs)] if isinstance(inputs, (str, os.PathLike)) else [os.fspath(i) for i in inputs]
    options = BuildOptions(fmt=fmt, model=model, jobs=jobs or default_jobs(), use_cache=cache, engine=engine,
                           scheduler=scheduler, terms=checked_terms(terms), aliases=checked_aliases(aliases),
                           wait=wait, relayout=relayout)
    if out is None:
        knowledge_graph, report = build_in_memory(names, options)
        graph = Graph(knowledge_graph) if knowledge_graph is not None else None
    else:
        report = build_store(names, out, options)
        path = Path(out) / GRAPH_FILE
        graph = Graph(KnowledgeGraph.load(path), path) if report.store_papers else None
    if graph is None:
        raise InputError(_nothing_read(report.problems))
    return BuildResult(graph, tuple(report.problems), report)


def _nothing_read(problems: list[InputProblem]) -> str:
    if not problems:
        return NO_PAPERS
    named = "; ".join(map(str, problems[:PROBLEMS_NAMED]))
    more = len(problems) - PROBLEMS_NAMED
    return f"{NO_PAPERS}; skipped: {named}" + (f" (and {more} more)" if more > 0 else "")


def load(path: str | os.PathLike) -> Graph:
    """The graph of a store folder, or of a ``graph.json``.

    Raises FileNotFoundError when there is none, :class:`kg.errors.StoreError` when the file is not a kg graph.

    >>> kg.load("out/examples/graph.json").path.name
    'graph.json'
    """
    from kg.build import GRAPH_FILE
    from kg.graph import KnowledgeGraph

    file = Path(path)
    if file.is_dir():
        file = file / GRAPH_FILE
    return Graph(KnowledgeGraph.load(file), file)


def extract(papers_or_texts: Iterable[Paper | str], *, model: str | None = None, jobs: int = 1,
            terms: str | os.PathLike | None = None, aliases: str | os.PathLike | None = None) -> list[Extraction]:
    """What each paper says, as ``kg extract`` gives it: its entities, claims and relations.

    Each item is a ``kg.records.Paper`` or a string, read as an untitled abstract whose id is a
    hash of its text (as for an input record without title or id). ``jobs=1`` extracts in this
    process, which keeps the loaded pipeline for the next call. ``terms``, ``aliases``: as
    ``kg extract --terms --aliases``.

    >>> [extraction] = kg.extract(["We present Medusa, which reaches a 2.2x speedup on Vicuna-7B."])
    >>> extraction.paper.id
    'a-...'
    >>> [(claim.value, claim.unit) for claim in extraction.claims]
    [('2.2', 'x')]
    """
    from kg.build import extract_papers
    from kg.terms import checked_aliases, checked_terms

    return list(extract_papers([_paper(item) for item in papers_or_texts], model, jobs, terms=checked_terms(terms),
                             aliases=checked_aliases(aliases)))


def _paper(item: Paper | str) -> Paper:
    from kg.ingest.fields import collapse
    from kg.ingest.ids import text_id
    from kg.records import Paper

    if isinstance(item, Paper):
        return item
    if not isinstance(item, str):
        raise TypeError(f"kg.extract takes Paper records and strings, not {type(item).__name__}")
    abstract = collapse(item)
    if not abstract:
        raise ValueError("kg.extract was given an empty text")
    return Paper(id=text_id(abstract), title="", abstract=abstract)


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns
