"""One paper, explained: its entity mentions marked in its text by displaCy, then its entities
with their roles, its claims and its relations, each with the sentence it came from.

The page is self-contained and offline: no script at all, a Content-Security-Policy that admits
only its own inline styles, and every piece of the paper's text escaped.
"""
from __future__ import annotations

import difflib
import html
import os
from pathlib import Path

from spacy import displacy

from kg.errors import InputError, StoreError
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.files import write_text_atomic
from kg.graph import paper_label
from kg.ingest.ids import arxiv_id
from kg.lookup import SIMILARITY_CUTOFF, SUGGESTIONS
from kg.records import Extraction

# The graph view's colours (viz/view.js), so a type looks the same on both pages.
TYPE_COLOURS = {"Method": "#4e79a7", "Model": "#f28e2b", "Dataset": "#59a14f", "Task": "#b07aa1",
                "Metric": "#17a2a2"}
CLAIM_COLUMNS = ("subject", "value", "unit", "metric", "via", "baseline", "dataset", "qualifier")
CSP = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1f2933; }
.meta { color: #6b7480; }
.entities mark { color: #fff; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border-bottom: 1px solid #d7dbe0; padding: .35em .5em; text-align: left; vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #6b7480; }
td.sentence { color: #52606d; font-style: italic; }
"""


def find_extraction(store_dir: str | Path, paper_id: str) -> Extraction:
    """The extraction of ``paper_id`` (as the store has it, or an arXiv id in any form) in the store
    in ``store_dir``; an InputError naming the nearest ids when it has no such paper."""
    store_path = Path(store_dir) / EXTRACTIONS_FILE
    if not store_path.exists():
        raise StoreError(f"{store_path} does not exist: {store_dir} is not a kg store")
    stored = {e.paper.id: e for e in load_extractions(store_path)}
    wanted = arxiv_id(paper_id) or paper_id
    if wanted in stored:
        return stored[wanted]
    nearest = ", ".join(difflib.get_close_matches(wanted, stored, SUGGESTIONS, SIMILARITY_CUTOFF))
    raise InputError(f"no paper {paper_id!r} in {store_path}" + (f"; did you mean {nearest}?" if nearest else "")
                     + " (its ids: kg query \"MATCH (p:Paper) RETURN p.id\")")


def marked_mentions(extraction: Extraction) -> list[dict]:
    """The entity mentions as displaCy's spans, in text order; a mention inside or across an
    earlier one is left out, since displaCy's entity style cannot draw overlapping spans."""
    mentions = sorted((m.start, -m.end, e.type) for e in extraction.entities for m in e.mentions)
    spans, reached = [], 0
    for start, negative_end, entity_type in mentions:
        if start >= reached:
            spans.append({"start": start, "end": -negative_end, "label": html.escape(entity_type)})  # displaCy does not escape labels
            reached = -negative_end
    return spans


def _cell(value, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{html.escape('' if value is None else str(value))}</td>"


def _table(headers: tuple[str, ...], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="meta">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_explanation(extraction: Extraction) -> str:
    """The page explaining one paper's extraction, as a string."""
    paper = extraction.paper
    marked = displacy.render({"text": paper.text, "ents": marked_mentions(extraction)}, style="ent", manual=True,
                             options={"colors": TYPE_COLOURS})
    entities = [
        "<tr>" + _cell(e.name) + _cell(e.type) + _cell(e.role) + _cell(", ".join(e.aliases))
        + _cell(len(e.mentions)) + "</tr>"
        for e in sorted(extraction.entities, key=lambda e: (e.type, e.name))
    ]
    claims = ["<tr>" + "".join(_cell(getattr(c, k)) for k in CLAIM_COLUMNS) + _cell(c.text, "sentence") + "</tr>"
              for c in extraction.claims]
    relations = ["<tr>" + _cell(r.head) + _cell(r.type) + _cell(r.tail) + _cell(r.evidence, "sentence") + "</tr>"
                 for r in extraction.relations]
    meta = " · ".join(x for x in (paper.id, paper.date, ", ".join(paper.authors)) if x)
    title = html.escape(paper_label(paper.to_dict()))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p class="meta">{html.escape(meta)}</p>
<h2>Text</h2>
{marked}
<h2>Entities</h2>
{_table(("name", "type", "role", "aliases", "mentions"), entities, "No entities.")}
<h2>Claims</h2>
{_table((*CLAIM_COLUMNS, "sentence"), claims, "No claims.")}
<h2>Relations</h2>
{_table(("head", "relation", "tail", "sentence"), relations, "No relations.")}
</body>
</html>
"""


def write_explanation(extraction: Extraction, path: str | os.PathLike) -> Path:
    """Write the page of ``extraction`` to ``path`` atomically; return the path."""
    write_text_atomic(path, render_explanation(extraction))
    return Path(path)
