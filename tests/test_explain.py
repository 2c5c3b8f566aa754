"""One paper explained (kg/export/explain.py, `kg explain`): the page as text, then in headless Chromium."""
from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export.explain import find_extraction, render_explanation, write_explanation
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.records import Entity, Span
from samples import medusa_extraction

pytest_plugins = ("conftest_browser",)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
MEDUSA_ID = "2401.10774"
HOSTILE_TITLE = "<script>alert(1)</script> & Friends"
MARK = re.compile(r"<mark[^>]*>\s*(.*?)\s*<span[^>]*>([^<]*)</span>\s*</mark>", re.DOTALL)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The store of examples/papers.jsonl, built by the CLI."""
    folder = tmp_path_factory.mktemp("explain") / "store"
    shutil.copy(EXAMPLES, folder.parent / EXAMPLES.name)
    done = CliRunner().invoke(main, ["build", str(folder.parent / EXAMPLES.name), "-o", str(folder), "--no-html"])
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture(scope="module")
def medusa(store):
    [extraction] = [e for e in load_extractions(store / EXTRACTIONS_FILE) if e.paper.id == MEDUSA_ID]
    return extraction


def _hostile():
    extraction = medusa_extraction()
    paper = replace(extraction.paper, title=HOSTILE_TITLE)
    start = paper.text.index("Friends")
    return replace(extraction, paper=paper,
                   entities=(Entity("Friends", "Method", "proposed", (Span(start, start + 7, "Friends"),)),))


def _covered(start: int, end: int, marks: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in marks)


# ---- the page as text -------------------------------------------------------------------------

def test_explain_marks_each_mention_with_its_type(medusa):
    page = render_explanation(medusa)
    marked = MARK.findall(page)
    text = medusa.paper.text
    # each mark's text is a mention of an entity of that type, and the marks do not overlap
    mentions = {(m.start, m.end): (m.text, e.type) for e in medusa.entities for m in e.mentions}
    spans, cursor = [], 0
    for mark_text, label in marked:
        start = text.index(html.unescape(mark_text), cursor)
        assert mentions[(start, start + len(html.unescape(mark_text)))][1] == label
        spans.append((start, start + len(html.unescape(mark_text))))
        cursor = spans[-1][1]
    # every mention is marked, or overlaps a mention marked in its place (displaCy draws no nesting)
    assert spans and all((s, e) in spans or _covered(s, e, spans) for s, e in mentions)


def test_explain_overlapping_mentions_are_marked_once():
    extraction = medusa_extraction()
    text = extraction.paper.text
    start = text.index("decoding heads")
    inner = Entity("heads", "Model", "used", (Span(start + 9, start + 14, "heads"),))
    page = render_explanation(replace(extraction, entities=(*extraction.entities, inner)))
    assert [t for t, _ in MARK.findall(page)].count("decoding heads") == 1
    assert ("heads", "Model") not in MARK.findall(page)


def test_explain_lists_entities_claims_and_relations_with_their_sentences(medusa):
    page = render_explanation(medusa)
    assert medusa.claims and medusa.relations
    for entity in medusa.entities:
        assert f"<td>{html.escape(entity.name)}</td><td>{entity.type}</td><td>{entity.role}</td>" in page
    for claim in medusa.claims:
        assert (f"<td>{html.escape(claim.value)}</td><td>{html.escape(claim.unit or '')}</td>"
                f"<td>{html.escape(claim.metric or '')}</td>") in page
        assert f'<td>{claim.qualifier or ""}</td><td class="sentence">{html.escape(claim.text)}</td></tr>' in page
    for relation in medusa.relations:
        assert (f"<td>{html.escape(relation.head)}</td><td>{relation.type}</td><td>{html.escape(relation.tail)}</td>"
                f'<td class="sentence">{html.escape(relation.evidence)}</td>') in page


def test_explain_escapes_the_paper_text():
    page = render_explanation(_hostile())
    assert "<script" not in page
    assert "alert(1)</script>" not in page and " & " not in page
    escaped = html.escape(HOSTILE_TITLE)
    assert f"<title>{escaped}</title>" in page and f"<h1>{escaped}</h1>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page.split('class="entities"')[1]


def test_explain_page_loads_nothing_from_outside(medusa):
    page = render_explanation(medusa)
    assert not re.search(r"https?:|//[\w.-]+/|@import|<script|<link|<img|<iframe", page, re.IGNORECASE)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert html.unescape(csp).startswith("default-src 'none';")


# ---- the command --------------------------------------------------------------------------------

def test_explain_cli_writes_the_page(store, medusa, tmp_path):
    output = tmp_path / "medusa.html"
    done = CliRunner().invoke(main, ["explain", f"arXiv:{MEDUSA_ID}v2", "--graph", str(store / "graph.json"),
                                     "-o", str(output), "--no-open"])
    assert done.exit_code == 0, done.output
    assert output.read_text(encoding="utf-8") == render_explanation(medusa)
    assert [p.name for p in tmp_path.iterdir()] == ["medusa.html"]  # no temporary file left beside it


def test_explain_unknown_id_names_the_nearest(store, tmp_path):
    done = CliRunner().invoke(main, ["explain", MEDUSA_ID[:-1], "--graph", str(store / "graph.json"),
                                     "-o", str(tmp_path / "x.html"), "--no-open"])
    assert done.exit_code == 1
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: no paper '{MEDUSA_ID[:-1]}' in ")
    assert f"did you mean {MEDUSA_ID}" in lines[0]
    assert not (tmp_path / "x.html").exists()
    with pytest.raises(ValueError, match="not a kg store"):
        find_extraction(tmp_path, MEDUSA_ID)


# ---- in the browser -----------------------------------------------------------------------------

@pytest.mark.browser
def test_explain_page_in_chromium_shows_the_marked_entities(browser, medusa, tmp_path):
    url = write_explanation(medusa, tmp_path / "medusa.html").resolve().as_uri()
    requests, errors = [], []
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url == url
               else (requests.append(route.request.url), route.abort()))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(url)
        marks = page.locator("mark.entity")
        shown = {(marks.nth(i).evaluate("m => m.firstChild.textContent.trim()"),
                  marks.nth(i).locator("span").inner_text()) for i in range(marks.count())}
        assert page.locator("h1").inner_text() == medusa.paper.title
        assert page.locator("table").count() == 3
    finally:
        page.close()
    assert requests == [] and errors == []
    mentions = {(m.text, e.type) for e in medusa.entities for m in e.mentions}
    assert shown and shown <= mentions
    assert shown == {(html.unescape(t), label) for t, label in MARK.findall(render_explanation(medusa))}
