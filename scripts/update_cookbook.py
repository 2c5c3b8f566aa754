"""Regenerate the answer blocks of docs/cypher.md from a graph, so the cookbook never goes stale.

    python scripts/update_cookbook.py --graph out/seeds/graph.json     # rewrite the answers in place
    python scripts/update_cookbook.py --seeds                          # build ../shared/seeds first
    python scripts/update_cookbook.py --graph ... --check              # exit 1 if the doc is out of date

Each recipe in the doc is a ```cypher block, optionally followed by a line
``Parameters: `name=value` `name=value` `` (values typed as ``kg query
--param`` types them), then a ```text block holding the answer as
:func:`kg.query.format_table` prints it. Only those text blocks are
rewritten; everything else in the doc is left as written. The queries run on
the embedded engine (:class:`kg.query.EmbeddedGraph`); tests/test_cookbook.py
runs them on a Bolt server too and compares both with the doc.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from shared_data import ROOT, SEEDS

DOC = ROOT / "docs" / "cypher.md"
CELL_WIDTH = 40  # answer cells in the doc are cut here, so tables stay readable on a page

_FENCE = re.compile(r"^```(\w*)\s*$")
_PARAMETERS = re.compile(r"^Parameters:\s*(.*)$")
_PARAM_ITEM = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Recipe:
    """One query of the doc: its title, Cypher, parameters, and the answer the doc shows."""

    title: str
    cypher: str
    params: dict[str, Any]
    answer: str | None
    answer_lines: tuple[int, int]  # [start, end) of the answer's lines in its fence; else where a block would go


def parse_cookbook(text: str) -> list[Recipe]:
    """The recipes of the doc, in order."""
    from kg.query import parse_params

    lines = text.split("\n")
    recipes: list[Recipe] = []
    title, i = "", 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            title = line[3:].strip()
        fence = _FENCE.match(line)
        if not fence or fence.group(1) != "cypher":
            i += 1
            continue
        end = _closing_fence(lines, i)
        cypher = "\n".join(lines[i + 1:end]).strip()
        params: dict[str, Any] = {}
        j = insert_at = end + 1
        while j < len(lines) and not lines[j].startswith("## ") and not _FENCE.match(lines[j]):
            match = _PARAMETERS.match(lines[j])
            if match:
                params, insert_at = parse_params(_PARAM_ITEM.findall(match.group(1))), j + 1
            j += 1
        next_fence = _FENCE.match(lines[j]) if j < len(lines) else None
        if next_fence and next_fence.group(1) == "text":
            close = _closing_fence(lines, j)
            answer, answer_lines = "\n".join(lines[j + 1:close]), (j + 1, close)
        else:
            answer, answer_lines = None, (insert_at, insert_at)
        recipes.append(Recipe(title, cypher, params, answer, answer_lines))
        i = end + 1
    return recipes


def _closing_fence(lines: list[str], start: int) -> int:
    for k in range(start + 1, len(lines)):
        if lines[k].strip() == "```":
            return k
    raise ValueError(f"the code block opened on line {start + 1} is never closed")


def render_answer(result) -> str:
    """An answer as the doc shows it."""
    from kg.query import format_table

    return format_table(result, max_width=CELL_WIDTH)


def update_cookbook(text: str, run: Callable[[str, dict], Any]) -> str:
    """``text`` with every recipe's answer block replaced by ``run(cypher, params)`` rendered.

    A recipe without an answer block gets one after its Cypher (and parameters).
    """
    lines = text.split("\n")
    edits: list[tuple[int, int, list[str]]] = []
    for recipe in parse_cookbook(text):
        try:
            answer = render_answer(run(recipe.cypher, recipe.params)).split("\n")
        except Exception as err:
            raise type(err)(f"{recipe.title}: {err}") from None
        if recipe.answer is not None:
            edits.append((*recipe.answer_lines, answer))
        else:
            at = recipe.answer_lines[0]
            edits.append((at, at, ["", "```text", *answer, "```"]))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = new
    return "\n".join(lines)


def build_seeds(out: Path) -> Path:
    """Build ../shared/seeds into ``out``; the graph's path."""
    from kg.build import BuildOptions, GRAPH_FILE, build_store

    build_store([str(SEEDS)], out, BuildOptions(html=False, jobs=2))
    return out / GRAPH_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--graph", type=Path, help="the graph.json to answer from")
    source.add_argument("--seeds", action="store_true", help=f"build {SEEDS} in a temporary store first")
    parser.add_argument("--doc", type=Path, default=DOC, help=f"the cookbook (default {DOC.relative_to(ROOT)})")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if an answer is out of date")
    args = parser.parse_args(argv)

    from kg.query import EmbeddedGraph, QueryError

    work = Path(tempfile.mkdtemp(prefix="kg-cookbook-")) if args.seeds else None
    try:
        graph = build_seeds(work / "seeds") if work else args.graph
        text = args.doc.read_text(encoding="utf-8")
        with EmbeddedGraph(graph) as engine:
            try:
                updated = update_cookbook(text, engine.query)
            except QueryError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
    count = len(parse_cookbook(updated))
    if updated == text:
        print(f"{args.doc}: {count} answers up to date")
        return 0
    if args.check:
        print(f"{args.doc}: answers are out of date; run {Path(__file__).name} without --check", file=sys.stderr)
        return 1
    args.doc.write_text(updated, encoding="utf-8")
    print(f"{args.doc}: {count} answers rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
