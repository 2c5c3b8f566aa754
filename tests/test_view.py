"""The HTML view (kg/export/html.py + viz/): the page on its own, then driven in headless Chromium.

Browser tests open the written file with every other request blocked and fail on
any attempted request, console error or page error.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kg.files as kg_files
from kg.export.html import (ALL_NODES_MAX, BY_PAPERS, DEFAULT_TOP, HEADLINES_MAX, UNFOLDED_MAX, render_html, view_data,
                            write_html)
from kg.graph import build_graph
from kg.records import Claim, Entity, Extraction, Paper, Relation, Span
from samples import DATA_BLOCK, HOSTILE_STRINGS, sample_graph
from shared_data import SEEDS
from synthetic import zipf_extractions

pytest_plugins = ("conftest_browser",)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-output"


@pytest.fixture(scope="module")
def synthetic():
    return build_graph(zipf_extractions(150))


# Two fields that no paper shares: each paper names its field's two leaders and three of its other
# entities, and reports a claim about its leader.
FIELDS = {
    "proteins": [("AlphaFold", "Model"), ("protein structure prediction", "Task"), ("Rosetta", "Method"),
                 ("PDB", "Dataset"), ("GDT score", "Metric"), ("CASP14", "Dataset"), ("ESMFold", "Model")],
    "speech": [("Whisper", "Model"), ("speech recognition", "Task"), ("Conformer", "Method"),
               ("LibriSpeech", "Dataset"), ("WER", "Metric"), ("CommonVoice", "Dataset"), ("wav2vec 2.0", "Model")],
}
PAPERS_PER_FIELD = 10


def two_field_extractions() -> list[Extraction]:
    extractions = []
    for field, pool in FIELDS.items():
        for j in range(PAPERS_PER_FIELD):
            named = pool[:2] + [pool[2 + (j + k) % (len(pool) - 2)] for k in range(3)]
            leader, metric = named[0][0], next((n for n, t in named if t == "Metric"), None)
            dataset = next(n for n, t in named if t == "Dataset")
            sentences = [f"We study {name}." for name, _ in named]
            claim = f"{leader} reaches {40 + j}.5 on {dataset}."
            paper = Paper(id=f"{field}-{j:02d}", title=f"A {field} study, number {j}",
                          abstract=" ".join(sentences + [claim]), date=f"2024-01-{j + 1:02d}")
            text = paper.text
            entities = []
            for name, entity_type in named:
                start = text.index(f"We study {name}.") + len("We study ")
                entities.append(Entity(name, entity_type, "proposed" if name == leader else "used",
                                       (Span(start, start + len(name), name),)))
            c_start = text.index(claim)
            v_start = text.index(f"{40 + j}.5", c_start)
            value = f"{40 + j}.5"
            extractions.append(Extraction(
                paper=paper, entities=tuple(entities),
                claims=(Claim(value=value, start=v_start, end=v_start + len(value), text=claim,
                              text_start=c_start, text_end=c_start + len(claim), value_min=float(value),
                              value_max=float(value), metric=metric, subject=leader, dataset=dataset),),
                relations=(Relation(leader, "EVALUATED_ON", dataset, claim, c_start, c_start + len(claim)),),
            ))
    return extractions


@pytest.fixture(scope="module")
def two_fields():
    kg = build_graph(two_field_extractions())
    assert kg.graph.number_of_nodes() > UNFOLDED_MAX  # so its papers and claims start folded
    return kg


# Results: accuracy on GSM8K in five dated papers (four in %, one a bare number), and one gain in points.
HOSTILE_SUBJECT = "<img src=x onerror=alert(1)>"
RESULTS = [  # paper id, date, subject, its type, value, unit
    ("res-1", "2024-01-15", "Orca-Math", "Model", "86.8", "%"),
    ("res-2", "2024-03-10", "StepSolver", "Method", "91.2", "%"),
    ("res-3", "2024-06-02", "Llama-Math", "Model", "74.5", "%"),
    ("res-4", "2024-06-20", HOSTILE_SUBJECT, "Method", "80.1", "%"),
    ("res-5", "2024-09-05", "TinySolver", "Model", "0.62", None),
]
BEST_FIRST = ["StepSolver", "Orca-Math", HOSTILE_SUBJECT, "Llama-Math"]
GAIN = "StepSolver improves accuracy by 4.2 points over Orca-Math."


def _claim(text: str, sentence: str, number: str, **fields) -> Claim:
    start = text.index(sentence)
    at = text.index(number, start)
    return Claim(value=number, start=at, end=at + len(number), text=sentence, text_start=start,
                 text_end=start + len(sentence), value_min=float(number), value_max=float(number), **fields)


def results_extractions() -> list[Extraction]:
    extractions = []
    for pid, date, subject, subject_type, value, unit in RESULTS:
        sentence = f"{subject} reaches {value}{unit or ''} accuracy on GSM8K."
        paper = Paper(id=pid, title=f"Solving grade-school maths, part {pid[-1]}", date=date,
                      abstract=sentence + (" " + GAIN if pid == "res-2" else ""))
        text = paper.text
        entities = [Entity(subject, subject_type, "proposed", (_span_of(text, subject),)),
                    Entity("GSM8K", "Dataset", "used", (_span_of(text, "GSM8K"),)),
                    Entity("accuracy", "Metric", "used", (_span_of(text, "accuracy"),))]
        claims = [_claim(text, sentence, value, unit=unit, metric="accuracy", subject=subject, dataset="GSM8K")]
        if pid == "res-2":
            entities.append(Entity("Orca-Math", "Model", "compared", (_span_of(text, "Orca-Math"),)))
            claims.append(_claim(text, GAIN, "4.2", unit="points", metric="accuracy", subject="StepSolver",
                                 baseline="Orca-Math"))
        extractions.append(Extraction(paper=paper, entities=tuple(entities), claims=tuple(claims)))
    return extractions


def _span_of(text: str, name: str) -> Span:
    start = text.index(name, text.index("\n"))
    return Span(start, start + len(name), name)


@pytest.fixture(scope="module")
def results_graph():
    return build_graph(results_extractions())


def _field_of(name: str) -> str:
    return next(field for field, pool in FIELDS.items() if name in {n for n, _ in pool})


# ---- the page as text -------------------------------------------------------------------------

def test_view_same_graph_same_bytes():
    assert render_html(sample_graph()) == render_html(sample_graph())


RENDER = "import sys, hashlib; from kg.graph import KnowledgeGraph; from kg.export.html import render_html; " \
    "print(hashlib.sha256(render_html(KnowledgeGraph.load(sys.argv[1])).encode()).hexdigest())"


def test_view_same_bytes_whatever_the_input_order_or_hash_seed(tmp_path, two_fields):
    """Topics, layout and labels depend on the graph alone: not on the order papers came in, nor on
    Python's string hashing (a new process each time), which Louvain's sets of nodes would follow."""
    page = render_html(two_fields)
    assert render_html(build_graph(list(reversed(two_field_extractions())))) == page
    two_fields.save(tmp_path / "graph.json")
    digests = set()
    for seed in ("0", "1", "2"):
        done = subprocess.run([sys.executable, "-c", RENDER, str(tmp_path / "graph.json")], check=False,
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert digests == {hashlib.sha256(page.encode()).hexdigest()}


def test_view_data_names_one_topic_per_field(two_fields):
    data = view_data(two_fields)
    entities = [r[4] for r in data["n"][:len(data["c"])]]
    assert len(data["C"]) == 2
    for name, members in data["C"]:
        fields = {_field_of(entities[i]) for i in members}
        assert len(fields) == 1 and len(members) == len(FIELDS[fields.pop()])
        leaders = name.split(" \u00b7 ")
        assert len(leaders) == 3 and {_field_of(n) for n in leaders} == {_field_of(entities[members[0]])}
        assert leaders[0] == entities[members[0]]
    # the two entities every paper of a field names lead its topic
    assert {frozenset(name.split(" \u00b7 ")[:2]) for name, _ in data["C"]} == {
        frozenset({"AlphaFold", "protein structure prediction"}), frozenset({"Whisper", "speech recognition"})}
    assert all(data["c"][i] == k for k, (_, members) in enumerate(data["C"]) for i in members)


def test_view_data_leaves_the_topics_beyond_the_top_to_the_page(two_fields):
    data = view_data(two_fields, top=6)  # topics of the six drawn first
    assert [len(members) for _, members in data["C"]] == [3, 3]
    assert sorted(data["c"][:6]) == [0, 0, 0, 1, 1, 1]
    assert data["c"][6:] == [BY_PAPERS] * 8 and data["o"] == list(range(14))


def test_view_data_places_each_topic_together(two_fields):
    data = view_data(two_fields)
    points = {k: [tuple(data["n"][i][1:3]) for i in members] for k, (_, members) in enumerate(data["C"])}
    centres = {k: (sum(x for x, _ in p) / len(p), sum(y for _, y in p) / len(p)) for k, p in points.items()}
    for k, members in points.items():
        for x, y in members:
            own = math.dist((x, y), centres[k])
            assert all(own < math.dist((x, y), centre) for j, centre in centres.items() if j != k)


def test_view_data_heads_the_first_screen_with_each_topics_leaders(two_fields):
    data = view_data(two_fields)
    assert data["L"][:2] == [members[0] for _, members in data["C"]]
    assert len(data["L"]) <= HEADLINES_MAX and len(set(data["L"])) == len(data["L"])


def test_view_headlines_depend_on_the_positions_alone():
    """The labels a fresh layout heads the screen with are those its positions give when kept (not movable),
    as a store keeps them after papers are removed: moving leaders apart changes the zoom, not the choice."""
    import numpy as np

    from kg.export.html import _headlines

    rng = np.random.default_rng(3)
    n = 60
    positions = rng.normal(scale=200.0, size=(n, 2))
    positions[:12] = rng.normal(scale=15.0, size=(12, 2))  # a crowded core, so that leaders must move
    sizes = [float(s) for s in rng.uniform(6, 30, n)]
    names = [f"Entity number {i}" for i in range(n)]
    fresh = positions.copy()
    labelled = _headlines(list(range(n)), list(range(n)), fresh, sizes, names, np.ones(n, bool))
    assert not np.array_equal(fresh, positions), "no label had to move: the test proves nothing"
    kept = fresh.copy()
    assert _headlines(list(range(n)), list(range(n)), kept, sizes, names, np.zeros(n, bool)) == labelled
    assert np.array_equal(kept, fresh)


def test_view_page_loads_nothing_from_outside():
    page = render_html(sample_graph())
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src &#x27;none&#x27;" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1]


def test_view_data_block_cannot_break_out():
    page = render_html(sample_graph())
    block = DATA_BLOCK.search(page).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert page.count("\n<script") == 3  # data, vis-network, view
    for hostile in HOSTILE_STRINGS:
        assert hostile not in page
    titles = {r[4] for r in json.loads(block)["n"]}
    assert all(f"{hostile}: a title {i}" in titles for i, hostile in enumerate(HOSTILE_STRINGS))


def test_view_data_block_written_a_batch_at_a_time_is_the_whole_payload(monkeypatch):
    """The page is written in pieces, each long list a batch of records at a time: batched down to two records,
    the data block is the same text, holds the same payload and still cannot break out."""
    kg = sample_graph()
    whole = DATA_BLOCK.search(render_html(kg)).group(1)
    monkeypatch.setattr(kg_files, "JSON_BATCH", 2)
    batched = DATA_BLOCK.search(render_html(kg)).group(1)
    assert batched == whole
    assert json.loads(batched) == json.loads(json.dumps(view_data(kg)))
    assert "<" not in batched and ">" not in batched and "&" not in batched


def test_view_data_stores_each_sentence_once():
    data = view_data(sample_graph())
    assert len(data["s"]) == len(set(data["s"]))
    assert "Medusa-1 achieves over 2.2x speedup over speculative decoding on Vicuna-7B" in data["s"]


def test_view_summary_matches_file(tmp_path):
    kg = sample_graph()
    path = tmp_path / "view.html"
    summary = write_html(kg, path)
    assert summary.bytes == path.stat().st_size
    assert (summary.nodes, summary.edges) == (kg.graph.number_of_nodes(), kg.graph.number_of_edges())
    assert (summary.nodes_drawn, summary.edges_drawn, summary.top) == (summary.nodes, summary.edges, None)


def test_view_summary_counts_the_entities_drawn_first(tmp_path, two_fields):
    summary = write_html(two_fields, tmp_path / "view.html")
    g = two_fields.graph
    entities = {n for n, _ in two_fields.entities()}
    assert summary.nodes_drawn == len(entities)
    assert summary.edges_drawn == sum(1 for u, v in g.edges() if u in entities and v in entities) > 0


def test_view_big_graph_starts_with_top_entities():
    kg = build_graph(zipf_extractions(1500))
    assert kg.graph.number_of_nodes() > ALL_NODES_MAX
    data = view_data(kg)
    assert data["top"] == DEFAULT_TOP and data["physics"] is False
    assert view_data(kg, top=0)["top"] == 0


def test_view_results_data_holds_each_board_best_first_and_counts_other_units(results_graph):
    data = view_data(results_graph)
    names = {i: r[4] for i, r in enumerate(data["n"][:len(data["c"])])}
    assert [b[:5] for b in data["B"]] == [["accuracy", "GSM8K", "score", "%", "higher"],
                                          ["accuracy", None, "gain", "points", "higher"]]
    score, gain = data["B"]
    assert score[5] == [["", 1]]  # TinySolver's bare 0.62: left out, counted
    rows = [data["b"][r] for r in score[6]]
    assert [names[r[1]] for r in rows] == BEST_FIRST  # subjects as their entity nodes
    assert [r[4] for r in rows] == [91.2, 86.8, 80.1, 74.5] and all(len(r) == 5 for r in rows)
    assert {names[r[2]] for r in rows} == {"GSM8K"} and {r[3] for r in rows} == {None}
    for r in rows:  # each row names its claim node, which holds the value as written and the sentence
        claim = data["n"][r[0]]
        assert claim[0] == data["T"].index("Claim") and float(claim[4]) == r[4]
        assert data["s"][claim[12]].startswith(names[r[1]] + " reaches ")
    [gain_row] = [data["b"][r] for r in gain[6]]
    assert (names[gain_row[1]], names[gain_row[3]], gain_row[4]) == ("StepSolver", "Orca-Math", 4.2)
    assert len(data["b"]) == 5  # every row stored once


def test_view_timelines_give_each_entity_its_papers_per_month(results_graph):
    data = view_data(results_graph)
    assert data["M"] == ["2024-01", "2024-03", "2024-06", "2024-09"]
    by_name = {r[4]: data["m"][i] for i, r in enumerate(data["n"][:len(data["c"])])}
    assert by_name["GSM8K"] == [0, 1, 1, 1, 2, 2, 3, 1]
    assert by_name["Orca-Math"] == [0, 1, 1, 1]
    assert by_name["Llama-Math"] == 2  # one dated paper: its month alone
    paper = Paper(id="undated", title="Undated", abstract="We use BERT.")
    undated = build_graph([Extraction(paper=paper, entities=(Entity("BERT", "Model", "used",
                                                                    (_span_of(paper.text, "BERT"),)),))])
    assert view_data(undated)["m"] == [] and view_data(undated)["B"] == []


def test_view_rejects_negative_top():
    with pytest.raises(ValueError, match="top"):
        view_data(sample_graph(), top=-1)


# ---- in the browser ---------------------------------------------------------------------------

class View:
    """One page of the view, opened offline, with what it tried to fetch and what it logged."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1440, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(self.url)
        self.page.wait_for_function("() => window.kgView && window.kgView.stabilizedAt !== null")

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def counts(self) -> tuple[int, int]:
        return tuple(self.js("() => [kgView.nodes.length, kgView.edges.length]"))

    def panel(self) -> str:
        return self.page.locator("#panel").inner_text()

    def settle(self):
        self.js("() => kgView.network.setOptions({physics: {enabled: false}})")
        self.page.wait_for_timeout(450)  # focus / fit animations
        self.page.wait_for_function("() => !kgView.labelsPending()")

    def drawn_types(self) -> set[str]:
        return set(self.js("() => kgView.nodes.getIds().map(i => kgView.data.nodes[i].type)"))

    def labels(self) -> dict[str, list[float]]:
        """The labels drawn, by name: their boxes [left, top, right, bottom] in canvas pixels."""
        return self.js("""() => Object.fromEntries(kgView.labelled().map(i => {
            const s = kgView.network.body.nodes[i].labelModule.size;
            return [kgView.data.nodes[i].name, [s.left, s.top, s.left + s.width, s.top + s.height]];
        }))""")

    def topics(self) -> list[str]:
        return self.page.locator("#topics button[data-topic] .name").all_inner_texts()


@pytest.fixture
def open_view(browser, tmp_path):
    views = []

    def open_(kg, **options) -> View:
        path = tmp_path / f"view-{len(views)}.html"
        write_html(kg, path, **options)
        views.append(View(browser, path))
        return views[-1]

    yield open_
    for view in views:
        view.page.close()
    assert [v.blocked for v in views if v.blocked] == [], "the page tried to reach the network"
    assert [v.errors for v in views if v.errors] == [], "the page logged errors"


def _overlapping(boxes: dict[str, list[float]]) -> list[tuple[str, str]]:
    items = sorted(boxes.items())
    return [(a, b) for i, (a, p) in enumerate(items) for b, q in items[i + 1:]
            if p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]]


@pytest.mark.browser
def test_view_legend_names_a_topic_per_field_and_focuses_it(open_view, two_fields):
    view = open_view(two_fields)
    topics = view.topics()
    assert len(topics) == 2 and "Smaller groups" not in topics
    for name in topics:
        leaders = name.split(" \u00b7 ")
        assert len(leaders) == 3 and len({_field_of(n) for n in leaders}) == 1
    assert {_field_of(name.split(" \u00b7 ")[0]) for name in topics} == set(FIELDS)
    colours = view.js("() => ['entity:alphafold', 'entity:whisper'].map(id => kgView.nodes.get(kgView.indexOf(id))"
                      ".color.background)")
    assert colours[0] != colours[1]

    proteins = next(k for k, name in enumerate(topics) if _field_of(name.split(" \u00b7 ")[0]) == "proteins")
    view.page.locator(f"#topics button[data-topic='{proteins}']").click()
    assert view.page.locator("#panel h2").inner_text() == topics[proteins]
    assert "AlphaFold" in view.page.locator("#panel .chips").inner_text()
    assert "A proteins study" in view.panel() and "A speech study" not in view.panel()
    dimmed = view.js("() => ['entity:alphafold', 'entity:whisper'].map(id => kgView.nodes.get(kgView.indexOf(id))"
                     ".color.background)")
    assert dimmed[0] == colours[0] and dimmed[1] != colours[1]
    view.settle()
    assert set(view.labels()) <= {n for n, _ in FIELDS["proteins"]}
    view.page.locator(f"#topics button[data-topic='{proteins}']").click()
    assert view.js("() => kgView.state.topic") is None
    assert view.page.locator("#panel h2").inner_text() == "This graph"


@pytest.mark.browser
def test_view_gives_entities_beyond_the_top_their_papers_topic(open_view, two_fields):
    view = open_view(two_fields, top=6)  # topics of the six drawn first; the page gives the other eight theirs
    entities = view.js("() => kgView.data.nodes.filter(n => n.key !== undefined).map(n => [n.name, n.topic])")
    topics = view.topics()
    topic_of_field = {_field_of(name.split(" \u00b7 ")[0]): k for k, name in enumerate(topics)}
    assert len(entities) == 14 and len(topic_of_field) == 2
    assert [topic for _, topic in entities] == [topic_of_field[_field_of(name)] for name, _ in entities]


@pytest.mark.browser
def test_view_folds_papers_and_claims_until_asked(open_view, two_fields):
    g = two_fields.graph
    entities = {n for n, _ in two_fields.entities()}
    view = open_view(two_fields)
    assert view.drawn_types() <= {"Method", "Model", "Dataset", "Task", "Metric"}
    assert view.counts() == (len(entities), sum(1 for u, v in g.edges() if u in entities and v in entities))
    view.js("() => kgView.expand('entity:alphafold')")
    drawn = view.js("() => kgView.nodes.getIds().map(i => kgView.data.nodes[i]).filter(n => n.type === 'Paper'"
                    " || n.type === 'Claim').map(n => n.type === 'Paper' ? n.id : n.sentence)")
    papers_and_claims = set(g.predecessors("entity:alphafold")) - entities  # 10 papers, their 10 claims
    assert sorted(drawn) == sorted(n if g.nodes[n]["label"] == "Paper" else g.nodes[n]["text"]
                                   for n in papers_and_claims)
    view.page.locator("#show-papers").check()
    assert view.counts() == (g.number_of_nodes(), g.number_of_edges())
    view.page.locator("#reset").click()
    assert view.drawn_types() <= {"Method", "Model", "Dataset", "Task", "Metric"}
    view.page.locator("#search").fill("A speech study, number 3")
    view.page.keyboard.press("Enter")
    assert "paper:speech-03" in view.js("() => kgView.nodes.getIds().map(i => kgView.data.nodes[i].id)")


@pytest.mark.browser
def test_view_labels_the_leading_entities_apart(open_view, two_fields):
    view = open_view(two_fields)
    view.settle()
    labels = view.labels()
    assert {"AlphaFold", "Whisper", "protein structure prediction", "speech recognition"} <= set(labels)
    assert _overlapping(labels) == []
    # zoomed in, labels keep their size on screen (vis alone would scale them with the zoom)
    view.js("() => kgView.network.moveTo({scale: kgView.network.getScale() * 3})")
    view.js("() => kgView.network.emit('zoom')")
    view.settle()
    sizes = view.js("() => kgView.labelled().map(i => kgView.nodes.get(i).font.size * kgView.network.getScale())")
    assert sizes and all(11 <= size <= 14.01 for size in sizes)


@pytest.mark.browser
def test_view_draws_the_whole_small_graph(open_view):
    kg = sample_graph()
    view = open_view(kg)
    assert view.counts() == (kg.graph.number_of_nodes(), kg.graph.number_of_edges())
    legend = view.page.locator("#legend").inner_text()
    for label in ("Method", "Model", "Dataset", "Task", "Metric", "Paper", "Claim"):
        assert label in legend


@pytest.mark.browser
def test_view_search_medusa_shows_its_claim(open_view):
    view = open_view(sample_graph())
    view.page.locator("#search").fill("Medusa")
    suggestion = view.page.locator("#suggestions li", has_text="Medusa").first
    assert suggestion.locator(".name").inner_text() == "Medusa"
    suggestion.click()
    view.settle()
    panel = view.panel()
    assert "Medusa-1 \u2192 decoding heads \u2192 2.2x speedup" in panel
    assert "decoding heads" in panel and "2.2" in panel
    assert "Medusa-1 achieves over 2.2x speedup over speculative decoding on Vicuna-7B" in panel
    assert "arXiv:2401.10774" in panel
    href = view.page.locator("#panel a", has_text="arXiv:2401.10774").get_attribute("href")
    assert href == "https://arxiv.org/abs/2401.10774"
    selected = view.js("() => kgView.network.getSelectedNodes()")
    assert selected == [view.js("() => kgView.indexOf('entity:medusa')")]
    SCREENSHOTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(SCREENSHOTS / "view.png"))


@pytest.mark.browser
def test_view_paper_panel_lists_entities_by_role(open_view):
    view = open_view(sample_graph())
    view.js("() => kgView.select('paper:2401.10774')")
    roles = {
        role: view.page.locator(f"#panel div.chips[data-role={role}]").inner_text()
        for role in ("PROPOSES", "USES", "COMPARES_WITH")
    }
    assert "Medusa" in roles["PROPOSES"]
    assert "decoding heads" in roles["USES"] and "Vicuna-7B" in roles["USES"] and "MT-Bench" in roles["USES"]
    assert "speculative decoding" in roles["COMPARES_WITH"]
    assert "Medusa-1 \u2192 decoding heads \u2192 2.2x speedup" in view.panel()


@pytest.mark.browser
def test_view_claim_panel_names_each_linked_entity_by_its_role(open_view, synthetic_graph):
    kg = synthetic_graph(3)
    for claim, _ in kg.claims():  # each names a subject, a metric, a dataset and a baseline
        assert {rel for _, _, rel in kg.graph.out_edges(claim, keys=True)} == {"ABOUT", "MEASURES", "MEASURED_ON",
                                                                               "AGAINST"}
    view = open_view(kg)
    view.js("() => kgView.select(kgView.data.nodes.findIndex(n => n.type === 'Claim'))")
    entities = view.page.locator("#panel dl.kv").nth(1).locator("dt").all_inner_texts()
    assert sorted(entities) == ["baseline", "dataset", "metric", "subject"]


@pytest.mark.browser
def test_view_canvas_click_selects_paper(open_view):
    view = open_view(sample_graph())
    view.settle()
    point = view.js("() => kgView.positionOf('paper:2401.10774')")
    box = view.page.locator("#network canvas").bounding_box()
    view.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert view.page.locator("#panel h2").inner_text() == (
        "Medusa: Simple LLM Inference Acceleration with Multiple Decoding Heads"
    )
    assert view.page.locator("#panel h4[data-role=PROPOSES]").text_content() == "Proposes (1)"


@pytest.mark.browser
def test_view_hostile_text_stays_text(open_view):
    kg = sample_graph()
    view = open_view(kg)
    view.page.locator("#search").fill("window.__pwned")
    names = view.page.locator("#suggestions li .name").all_inner_texts()
    for hostile in HOSTILE_STRINGS[1:3]:
        assert hostile in names
    for paper, data in kg.papers():
        view.js("(id) => kgView.select(id)", paper)
        assert view.page.locator("#panel h2").text_content() == data["title"]
    assert view.js("() => typeof window.__pwned") == "undefined"
    assert view.page.locator("img").count() == 0
    assert view.page.locator("script").count() == 3


@pytest.mark.browser
def test_view_topic_names_stay_text(open_view):
    extractions = []
    for j in range(3):  # papers that each name every hostile string: one topic, named by them
        paper = Paper(id=f"hostile-topic-{j}", title=f"Hostile topic {j}",
                      abstract=" ".join(f"We use {hostile} here." for hostile in HOSTILE_STRINGS))
        text = paper.text
        extractions.append(Extraction(paper=paper, entities=tuple(
            Entity(hostile, "Method", "used", (Span(text.index(hostile), text.index(hostile) + len(hostile), hostile),))
            for hostile in HOSTILE_STRINGS)))
    kg = build_graph(extractions)
    [[name, _]] = view_data(kg)["C"]
    assert len(name.split(" \u00b7 ")) == 3 and set(name.split(" \u00b7 ")) <= {d["name"] for _, d in kg.entities()}
    assert "<img src=x onerror=\"window.__pwned = 2\">" in name
    view = open_view(kg)
    assert view.page.locator("#topics button[data-topic='0'] .name").text_content() == name
    view.page.locator("#topics button[data-topic='0']").click()
    assert view.page.locator("#panel h2").text_content() == name
    assert view.js("() => typeof window.__pwned") == "undefined"
    assert view.page.locator("img").count() == 0


@pytest.mark.browser
def test_view_results_panel_ranks_sorts_and_shows_each_claim(open_view, results_graph):
    view = open_view(results_graph)
    page = view.page
    assert page.locator("#results").is_hidden()
    page.locator("#results-toggle").click()
    assert page.locator("#results").is_visible()
    assert page.locator("#board option").all_text_contents() == ["accuracy on GSM8K \u2014 4",
                                                               "accuracy gain (any dataset) \u2014 1"]

    def column(name: str) -> list[str]:
        return page.locator(f"table.board tbody td.{name}").all_text_contents()

    assert column("subject") == BEST_FIRST  # the hostile subject among them, as text
    assert column("value") == ["91.2", "86.8", "80.1", "74.5"]
    assert "TinySolver" not in page.locator("#results").inner_text()
    assert page.locator("#results .left-out").inner_text().startswith("Left out: 1 claim in other units (1 in bare")
    assert page.locator("img").count() == 0

    page.locator("th button[data-sort=date]").click()  # newest first
    assert column("date") == ["2024-06-20", "2024-06-02", "2024-03-10", "2024-01-15"]
    assert page.locator("th[aria-sort=descending] button[data-sort=date]").count() == 1
    page.locator("th button[data-sort=value]").click()  # best first, then worst first
    assert column("subject") == BEST_FIRST
    page.locator("th button[data-sort=value]").click()
    assert column("subject") == BEST_FIRST[::-1]
    page.locator("th button[data-sort=rank]").click()
    assert column("subject") == BEST_FIRST

    dots = page.locator("svg.plot circle.dot")
    assert dots.count() == 4
    page.locator("svg.plot circle[data-row='3']").click()  # Llama-Math's, the fourth best
    detail = page.locator("#results .result-detail")
    assert "Llama-Math reaches 74.5% accuracy on GSM8K." in detail.inner_text()
    assert "Solving grade-school maths, part 3" in detail.inner_text()
    assert page.locator("table.board tr.selected td.subject").text_content() == "Llama-Math"
    assert view.js("() => kgView.state.selected") == view.js("() => kgView.indexOf('paper:res-3')")
    assert page.locator("#panel h2").text_content() == "Solving grade-school maths, part 3"

    page.locator("table.board tbody tr", has=page.locator("td.date", has_text="2024-06-20")).click()
    assert HOSTILE_SUBJECT in detail.inner_text() and page.locator("img").count() == 0
    page.locator("#board").select_option("1")
    assert column("subject") == ["StepSolver"] and column("baseline") == ["Orca-Math"]
    assert page.locator("#results .left-out").inner_text() == "No claims in other units."
    page.locator("#board").select_option("0")
    view.settle()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "view-results.png"))
    page.locator("#results button[data-action=close]").click()
    assert page.locator("#results").is_hidden() and page.locator("#results-toggle").get_attribute(
        "aria-expanded") == "false"


@pytest.mark.browser
def test_view_entity_card_shows_its_papers_per_month(open_view, results_graph):
    view = open_view(results_graph)
    index = "(name) => kgView.data.nodes.findIndex(n => n.name === name)"
    view.js(f"(name) => kgView.select(({index})(name))", "GSM8K")
    bars = view.page.locator("#panel svg.timeline rect.month")
    assert bars.count() == 4  # 2024-01, -03, -06 (two papers) and -09
    assert bars.locator("title").all_text_contents() == ["2024-01: 1 paper", "2024-03: 1 paper", "2024-06: 2 papers",
                                                         "2024-09: 1 paper"]
    heights = [float(bars.nth(k).get_attribute("height")) for k in range(4)]
    assert heights[2] == max(heights) == 2 * heights[0]
    assert abs(bars.nth(2).bounding_box()["height"] - heights[2]) < 1  # drawn as laid out: no page style reaches them
    assert "5 dated papers in 4 months" in view.panel()
    view.js(f"(name) => kgView.select(({index})(name))", "Llama-Math")
    assert view.page.locator("#panel svg.timeline rect.month").count() == 1


@pytest.mark.browser
def test_view_entity_card_has_no_timeline_without_dates(open_view):
    paper = Paper(id="undated", title="Undated", abstract="We use BERT.")
    kg = build_graph([Extraction(paper=paper, entities=(Entity("BERT", "Model", "used",
                                                               (_span_of(paper.text, "BERT"),)),))])
    view = open_view(kg)
    view.js("() => kgView.select('entity:' + kgView.data.nodes[0].key)")
    assert view.page.locator("#panel h2").text_content() == "BERT"
    assert view.page.locator("#panel svg.timeline").count() == 0


@pytest.mark.browser
def test_view_filters_hide_nodes_and_edges(open_view, synthetic):
    g = synthetic.graph
    view = open_view(synthetic, top=0)
    entities = {n for n, _ in synthetic.entities()}
    first_screen = (len(entities), sum(1 for u, v in g.edges() if u in entities and v in entities))
    assert view.counts() == first_screen
    view.page.locator("#show-papers").check()
    assert view.counts() == (g.number_of_nodes(), g.number_of_edges())
    counts = synthetic.node_counts()
    view.page.locator("input[data-type=Paper]").uncheck()
    view.page.locator("input[data-type=Claim]").uncheck()
    assert view.counts()[0] == g.number_of_nodes() - counts["Paper"] - counts["Claim"]
    entity_edges = sum(1 for u, v in g.edges() if g.nodes[u]["label"] not in ("Paper", "Claim")
                       and g.nodes[v]["label"] not in ("Paper", "Claim"))
    assert view.counts()[1] == entity_edges
    view.page.locator("input[data-rel=OUTPERFORMS]").uncheck()
    outperforms = sum(1 for _, _, k in g.edges(keys=True) if k == "OUTPERFORMS")
    assert view.counts()[1] == entity_edges - outperforms
    view.js("() => { const s = document.getElementById('min-count'); s.value = '3';"
            " s.dispatchEvent(new Event('input')); }")
    assert view.counts()[0] == sum(1 for _, d in synthetic.entities() if d["paper_count"] >= 3)
    view.page.locator("#reset").click()
    assert view.counts() == first_screen


@pytest.mark.browser
def test_view_top_mode_draws_top_entities_and_expands(open_view, synthetic):
    g = synthetic.graph
    view = open_view(synthetic, top=20)
    assert view.counts()[0] == 20
    drawn = set(view.js("() => kgView.nodes.getIds().map(i => kgView.data.nodes[i].id)"))
    ranked = sorted((n for n, _ in synthetic.entities()), key=lambda n: (-g.degree(n), n))
    assert drawn == set(ranked[:20])
    view.js("(id) => kgView.select(id, false)", ranked[0])
    button = view.page.locator("#panel button[data-action=expand]")
    hidden = int(re.search(r"\((\d+) hidden\)", button.inner_text()).group(1))
    assert hidden > 0
    button.click()
    assert view.counts()[0] == 20 + hidden
    assert "All neighbours drawn" in view.panel()
    view.page.locator("#search").fill(g.nodes[ranked[-1]]["name"])
    view.page.keyboard.press("Enter")
    assert view.counts()[0] > 20 + hidden
    view.settle()
    view.page.screenshot(path=str(SCREENSHOTS / "view-top.png"))


@pytest.mark.browser
def test_view_bench_script_runs_on_a_graph_file(browser, tmp_path):
    kg = sample_graph()
    graph = tmp_path / "graph.json"
    kg.save(graph)
    counts = f"{kg.graph.number_of_nodes()}\\s+{kg.graph.number_of_edges()}\\s+" * 2  # small: all drawn
    # Its own process: Playwright's sync API does not nest inside the session's browser.
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_view.py"), str(graph), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(rf"graph\.json\s+{counts}off\s.*\s\d+\n", done.stdout), done.stdout  # ends: results ms
    # a page already written, opened twice: medians
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_view.py"), str(tmp_path / "graph.html"),
                           "--repeat", "2"], check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(r"graph\.html\s+(\d+\s+){2}\S+\s+nan\s", done.stdout) and "medians of 2" in done.stdout, done.stdout
    assert f"pages in {tmp_path / 'graph.html'};" in done.stdout, done.stdout  # no empty folder made for it


def test_view_notebook_helper_wraps_the_page_in_a_sandboxed_iframe():
    pytest.importorskip("IPython")
    from kg.export.html import show_in_notebook

    frame = show_in_notebook(sample_graph(), height=500).data
    assert frame.startswith("<div><iframe srcdoc=\"&lt;!DOCTYPE html&gt;")
    assert 'sandbox="allow-scripts' in frame and "height:500px" in frame
    assert "<script>window.__pwned" not in frame


@pytest.mark.browser
@pytest.mark.seeds
@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared is absent")
def test_view_seeds_graph_draws_every_node_offline(open_view, tmp_path):
    from kg.build import GRAPH_FILE, BuildOptions, build_store
    from kg.graph import KnowledgeGraph

    build_store([str(SEEDS)], tmp_path / "seeds", BuildOptions(html=False, jobs=2))
    kg = KnowledgeGraph.load(tmp_path / "seeds" / GRAPH_FILE)
    view = open_view(kg)
    drawn_nodes, _ = view.counts()
    assert drawn_nodes == sum(1 for _ in kg.entities())
    topics = view.topics()
    assert len(topics) == 13 and topics[-1] == "Smaller groups"  # twelve named, and the rest
    view.settle()
    labels = view.labels()
    assert 25 <= len(labels) <= HEADLINES_MAX and _overlapping(labels) == []
    leaders = {name.split(" \u00b7 ")[0] for name in topics[:-1]}
    assert len(leaders & set(labels)) >= len(leaders) - 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(SCREENSHOTS / "seeds-view.png"))
