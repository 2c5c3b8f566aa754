"""The HTML view (kg/export/html.py + viz/): the page on its own, then driven in headless Chromium.

Browser tests open the written file with every other request blocked and fail on
any attempted request, console error or page error.
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.export.html import ALL_NODES_MAX, DEFAULT_TOP, render_html, view_data, write_html
from kg.graph import build_graph
from samples import HOSTILE_STRINGS, sample_graph

pytest_plugins = ("conftest_browser",)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-output"
DATA_BLOCK = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.DOTALL)


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_view", ROOT / "scripts" / "bench_view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_view = _bench_module()


@pytest.fixture(scope="module")
def synthetic():
    return build_graph(bench_view.synthetic_extractions(150))


# ---- the page as text -------------------------------------------------------------------------

def test_view_same_graph_same_bytes():
    assert render_html(sample_graph()) == render_html(sample_graph())


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


def test_view_big_graph_starts_with_top_entities():
    kg = build_graph(bench_view.synthetic_extractions(1500))
    assert kg.graph.number_of_nodes() > ALL_NODES_MAX
    data = view_data(kg)
    assert data["top"] == DEFAULT_TOP and data["physics"] is False
    assert view_data(kg, top=0)["top"] == 0


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
def test_view_filters_hide_nodes_and_edges(open_view, synthetic):
    g = synthetic.graph
    view = open_view(synthetic, top=0)
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
    assert view.counts() == (g.number_of_nodes(), g.number_of_edges())


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
    counts = f"{kg.graph.number_of_nodes()}\\s+{kg.graph.number_of_edges()}\\s+" * 2
    # Its own process: Playwright's sync API does not nest inside the session's browser.
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_view.py"), str(graph), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.search(rf"graph\.json\s+{counts}on\s", done.stdout), done.stdout


def test_view_notebook_helper_wraps_the_page_in_a_sandboxed_iframe():
    pytest.importorskip("IPython")
    from kg.export.html import show_in_notebook

    frame = show_in_notebook(sample_graph(), height=500).data
    assert frame.startswith("<div><iframe srcdoc=\"&lt;!DOCTYPE html&gt;")
    assert 'sandbox="allow-scripts' in frame and "height:500px" in frame
    assert "<script>window.__pwned" not in frame


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


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
    assert drawn_nodes == kg.graph.number_of_nodes()
    view.settle()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.page.screenshot(path=str(SCREENSHOTS / "seeds-view.png"))
