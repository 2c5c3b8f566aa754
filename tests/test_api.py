"""kg's Python API (kg/api.py): the same build, queries and look-ups as the CLI, the notebook view,
and the examples of its docstrings and of the README, run."""
from __future__ import annotations

import doctest
import json
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg
import kg.api
from kg.build import EXTRACTIONS_FILE, GRAPH_FILE, HTML_FILE
from kg.cli import main
from kg.export.html import render_html
from kg.graph import KnowledgeGraph
from kg.ingest import read_inputs
from kg.ingest.ids import text_id
from kg.records import Paper
from samples import HOSTILE_STRINGS, sample_graph

pytest_plugins = ("conftest_browser",)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "papers.jsonl"
EXAMPLE_PAPERS = sum(1 for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip())
MEDUSA = "We present Medusa, which reaches a 2.2x speedup on Vicuna-7B."


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with examples/papers.jsonl and its store out/examples, built by the CLI."""
    folder = tmp_path_factory.mktemp("api")
    (folder / "examples").mkdir()
    shutil.copy(EXAMPLES, folder / "examples" / EXAMPLES.name)
    done = CliRunner().invoke(main, ["build", str(folder / "examples"), "-o", str(folder / "out" / "examples")])
    assert done.exit_code == 0, done.output
    return folder


@pytest.fixture
def in_workdir(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    return workdir


@pytest.fixture(scope="module")
def graph(workdir):
    return kg.load(workdir / "out" / "examples")


def _cli_json(*args: str):
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code == 0, done.output
    return done.output


# --- import ------------------------------------------------------------------------------------

def test_api_import_kg_loads_no_heavy_library():
    probe = ("import sys, kg; kg.build, kg.Graph; "
             "print([m for m in ('spacy', 'networkx', 'numpy', 'neo4j', 'pyvis') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_api_build_from_the_cache_loads_no_spacy(workdir, tmp_path):
    """An update whose every paper is cached checks the --terms file and names the extractor's version
    without importing spaCy (about 80 MB of an update's peak memory)."""
    terms = tmp_path / "terms.tsv"
    terms.write_text("name\ttype\nZorblax\tMethod\n", encoding="utf-8")
    args = ["build", str(workdir / "examples"), "--terms", str(terms), "--jobs", "1", "--no-html", "--json"]
    warm = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "warm")])
    assert warm.exit_code == 0, warm.output
    probe = ("import sys; from kg.cli import main; main(sys.argv[1:], standalone_mode=False); "
             "print('spacy' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, *args, "-o", str(tmp_path / "cached")],
                          capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout)["cache_hits"] == EXAMPLE_PAPERS
    assert done.stderr.splitlines()[-1] == "False"


def test_api_functions_stay_after_their_modules_are_imported():
    probe = ("import kg, kg.build, kg.extract.pipeline; from kg.build import build_store; from kg.extract import extract; "
             "print(kg.build.__module__, kg.extract.__module__, build_store.__module__, extract.__module__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["kg.api", "kg.api", "kg.build", "kg.extract"]


def test_api_stays_out_of_the_extractor_and_build_versions():
    from kg.builder import BUILD_CODE
    from kg.extractor import EXTRACTION_CODE
    from kg.fingerprint import module_closure

    api = (ROOT / "kg" / "api.py").resolve()
    assert api not in module_closure(EXTRACTION_CODE) and api not in module_closure(BUILD_CODE)
    assert (ROOT / "kg" / "__init__.py").resolve() in module_closure(EXTRACTION_CODE)


# --- build ------------------------------------------------------------------------------------------

def test_api_build_writes_the_store_the_cli_writes(workdir, tmp_path):
    result = kg.build([workdir / "examples"], out=tmp_path / "store", jobs=1)
    for name in (GRAPH_FILE, EXTRACTIONS_FILE, HTML_FILE):
        assert (tmp_path / "store" / name).read_bytes() == (workdir / "out" / "examples" / name).read_bytes()
    assert result.graph.path == tmp_path / "store" / GRAPH_FILE
    assert result.problems == () and result.report.store_papers == EXAMPLE_PAPERS


def test_api_build_in_memory_is_the_store_graph_from_the_cache(workdir, graph):
    result = kg.build(str(workdir / "examples" / EXAMPLES.name))
    assert result.graph.path is None
    assert (result.report.cache_hits, result.report.extracted) == (EXAMPLE_PAPERS, 0)
    assert KnowledgeGraph(result.graph.to_networkx()).to_data() == KnowledgeGraph(graph.to_networkx()).to_data()


def test_api_build_without_cache_extracts_again(workdir):
    result = kg.build([workdir / "examples"], jobs=1, cache=False)
    assert (result.report.cache_hits, result.report.extracted) == (0, EXAMPLE_PAPERS)


def test_api_build_returns_the_records_it_skipped(tmp_path):
    lines = [json.dumps({"id": "p1", "title": "Medusa", "abstract": MEDUSA}), "{not json",
             json.dumps({"id": "p2", "title": "No abstract here"})]
    source = tmp_path / "papers.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = kg.build([source], jobs=1)
    assert [(p.path, p.line) for p in result.problems] == [(str(source), 2), (str(source), 3)]
    assert [d["id"] for _, d in result.graph.to_networkx().nodes(data=True) if d["label"] == "Paper"] == ["p1"]


def test_api_build_that_reads_nothing_names_the_problems(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text("{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"no usable paper was read from the inputs; skipped: {re.escape(str(source))}:1:"):
        kg.build([source], jobs=1)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="no usable paper"):
        kg.build([source], out=tmp_path / "out", jobs=1)


# --- load ---------------------------------------------------------------------------------------

def test_api_load_takes_a_store_folder_or_its_graph_file(workdir):
    store = workdir / "out" / "examples"
    by_folder, by_file = kg.load(store), kg.load(store / GRAPH_FILE)
    assert by_folder.path == by_file.path == store / GRAPH_FILE
    assert KnowledgeGraph(by_folder.to_networkx()).to_data() == KnowledgeGraph.load(store / GRAPH_FILE).to_data()
    with pytest.raises(FileNotFoundError):
        kg.load(workdir / "absent")


def test_api_graph_repr_counts(graph):
    g = graph.to_networkx()
    labels = [d["label"] for _, d in g.nodes(data=True)]
    entities = sum(1 for label in labels if label not in ("Paper", "Claim"))
    assert repr(graph).startswith(f"kg.Graph(papers={labels.count('Paper')}, entities={entities}, "
                                  f"claims={labels.count('Claim')}, relationships={g.number_of_edges()}, path=")


def test_api_to_networkx_is_a_copy(graph):
    g = graph.to_networkx()
    g.remove_node("paper:2106.09685")
    assert graph.to_networkx().has_node("paper:2106.09685")


# --- extract -----------------------------------------------------------------------------------------

def test_api_extract_reads_a_string_as_an_untitled_abstract(tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text(json.dumps({"text": MEDUSA}) + "\n", encoding="utf-8")
    [read] = read_inputs([str(source)])
    [extraction] = kg.extract([MEDUSA])
    assert extraction.paper.id == read.id == text_id(MEDUSA)
    assert (extraction.paper.title, extraction.paper.abstract) == ("", MEDUSA)
    assert "Medusa" in [entity.name for entity in extraction.entities]
    assert [(claim.value, claim.unit) for claim in extraction.claims] == [("2.2", "x")]


def test_api_extract_takes_papers_as_they_are():
    paper = Paper(id="p-medusa", title="Medusa", abstract=MEDUSA)
    [from_paper, from_text] = kg.extract([paper, "  " + MEDUSA.replace(" ", "\n", 1)])
    assert from_paper.paper == paper
    assert from_text.paper.abstract == MEDUSA


def test_api_extract_rejects_what_is_no_paper():
    with pytest.raises(TypeError, match="Paper records and strings, not dict"):
        kg.extract([{"abstract": MEDUSA}])
    with pytest.raises(ValueError, match="empty text"):
        kg.extract([" \n"])


# --- query, entities, show ---------------------------------------------------------------------------

QUERY = "MATCH (p:Paper)-[:PROPOSES]->(e:Entity) WHERE p.id = $id RETURN e.key AS key ORDER BY key"


def test_api_query_runs_on_the_store_as_kg_query(graph, workdir):
    rows = graph.query(QUERY, id="2106.09685")
    cli = _cli_json("query", QUERY, "--param", 'id="2106.09685"', "--format", "json",
                    "--graph", str(workdir / "out" / "examples" / GRAPH_FILE))
    assert rows == json.loads(cli) and rows
    g = graph.to_networkx()
    assert {row["key"] for row in rows} == {g.nodes[v]["key"] for _, v, rel in g.out_edges("paper:2106.09685", keys=True)
                                           if rel == "PROPOSES"}


def test_api_query_parameters_named_like_its_options(graph):
    assert graph.query("RETURN $uri AS uri, $n AS n", {"uri": "not a server"}, n=2) == [{"uri": "not a server", "n": 2}]


def test_api_query_on_a_graph_built_in_memory(workdir):
    built = kg.build([workdir / "examples"], jobs=1).graph
    assert built.query("MATCH (p:Paper) RETURN count(p) AS papers") == [{"papers": EXAMPLE_PAPERS}]


def test_api_query_answers_for_the_loaded_graph_after_its_file_changes(tmp_path):
    path = tmp_path / GRAPH_FILE
    sample_graph().save(path)
    loaded = kg.load(path)
    KnowledgeGraph(nx.MultiDiGraph()).save(path)
    papers = sum(1 for _, d in sample_graph().graph.nodes(data=True) if d["label"] == "Paper")
    assert loaded.query("MATCH (p:Paper) RETURN count(p) AS papers") == [{"papers": papers}]
    assert kg.load(path).query("MATCH (p:Paper) RETURN count(p) AS papers") == [{"papers": 0}]


@pytest.mark.live
def test_api_query_on_a_neo4j_given_by_uri(graph, bolt):
    from kg.export.neo4j import export_to_neo4j

    on_server = sample_graph()  # another graph than the one asked, so the answer says where the query ran
    export_to_neo4j(on_server, **bolt.connection_args())
    count = "MATCH (p:Paper) WHERE p.id <> $absent RETURN count(p) AS papers"
    remote = graph.query(count, uri=bolt.uri, user=bolt.user, password=bolt.password, database=bolt.database,
                         absent="none")
    assert remote == [{"papers": on_server.node_counts()["Paper"]}]
    assert graph.query(count, absent="none") == [{"papers": EXAMPLE_PAPERS}]


def test_api_entities_are_kg_entities(graph, workdir):
    cli = _cli_json("entities", "--graph", str(workdir / "out" / "examples" / GRAPH_FILE),
                    "--type", "Method", "--min-papers", "2", "--json")
    rows = graph.entities(type="Method", min_papers=2)
    assert rows == json.loads(cli) and rows
    assert all(row["type"] == "Method" and row["paper_count"] >= 2 for row in rows)


def test_api_show_is_kg_show(graph, workdir):
    path = str(workdir / "out" / "examples" / GRAPH_FILE)
    shown = graph.show("LoRA")
    assert shown == json.loads(_cli_json("show", "LoRA", "--graph", path, "--json"))
    assert str(shown) == _cli_json("show", "LoRA", "--graph", path).rstrip("\n")
    assert [paper["id"] for paper in shown["papers"]["PROPOSES"]] == ["2106.09685"]


def test_api_show_unknown_name_suggests_the_nearest(graph):
    with pytest.raises(LookupError, match="^no entity called 'no such thing'$"):
        graph.show("no such thing")
    with pytest.raises(LookupError, match="^no entity called 'QLoRAA'; did you mean \"QLoRA\""):
        graph.show("QLoRAA")


# --- the notebook view --------------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_api_notebook_view_is_the_page_escaped_in_a_sandboxed_frame():
    knowledge_graph = sample_graph()
    markup = kg.Graph(knowledge_graph)._repr_html_()
    parser = _Tags()
    parser.feed(markup)
    assert [tag for tag, _ in parser.tags] == ["div", "iframe"]
    frame = parser.tags[1][1]
    assert frame["srcdoc"] == render_html(knowledge_graph)
    assert frame["sandbox"].split() == ["allow-scripts", "allow-popups", "allow-popups-to-escape-sandbox"]
    for hostile in HOSTILE_STRINGS:
        assert hostile not in markup


@pytest.mark.browser
def test_api_notebook_view_draws_the_graph_in_chromium(browser):
    knowledge_graph = sample_graph()
    notebook = (f"<!DOCTYPE html><html><body><h1>a notebook</h1>{kg.Graph(knowledge_graph)._repr_html_()}"
                "</body></html>")
    url = "http://notebook.test/"  # an origin of its own, as a notebook server's page has
    blocked, errors = [], []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", lambda route: route.fulfill(body=notebook, content_type="text/html; charset=utf-8")
               if route.request.url == url else (blocked.append(route.request.url), route.abort()))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(url)
        [frame] = [f for f in page.frames if f is not page.main_frame]
        frame.wait_for_function("() => window.kgView && window.kgView.stabilizedAt !== null")
        drawn = frame.evaluate("() => [kgView.nodes.length, kgView.edges.length]")
        assert drawn == [knowledge_graph.graph.number_of_nodes(), knowledge_graph.graph.number_of_edges()]
        assert page.evaluate("() => window.origin") == "http://notebook.test"
        assert frame.evaluate("() => window.origin") == "null"  # sandboxed: not the notebook's origin
        frame.locator("#search").fill("window.__pwned")
        names = frame.locator("#suggestions li .name").all_inner_texts()
        assert all(hostile in names for hostile in HOSTILE_STRINGS[1:3])
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert frame.evaluate("() => typeof window.__pwned") == "undefined"
    finally:
        page.close()
    assert blocked == [] and errors == []


# --- examples that run --------------------------------------------------------------------------------

def test_api_docstring_examples_run(in_workdir):
    result = doctest.testmod(kg.api, extraglobs={"kg": kg}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 15


def _readme_python() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return code


def test_api_readme_python_example_runs(in_workdir):
    printed = StringIO()
    with redirect_stdout(printed):
        exec(compile(_readme_python(), "README.md", "exec"), {})
    output = printed.getvalue()
    assert f"kg.Graph(papers={EXAMPLE_PAPERS}, " in output
    assert "LoRA" in output and "proposes by:" in output
    assert "('2.2', 'x'," in output
