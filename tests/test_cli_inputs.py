"""Papers without a title, end to end: `kg extract` reads them, and a store holds them and shows each
by the first words of its abstract."""
import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export.html import view_data
from kg.graph import KnowledgeGraph, paper_label
from kg.ingest.ids import text_id

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
ABSTRACTS = [json.loads(line)["abstract"] for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]


def _kg(*args, cache: Path):
    return CliRunner().invoke(main, [str(a) for a in args], env={"KG_CACHE_DIR": str(cache)})


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The examples' abstracts with no title and no id: half as JSON Lines, half as a CSV of texts."""
    folder = tmp_path_factory.mktemp("untitled")
    half = len(ABSTRACTS) // 2
    (folder / "abstracts.jsonl").write_text("".join(json.dumps({"abstract": a, "date": "2024-01-01"}) + "\n"
                                                    for a in ABSTRACTS[:half]), encoding="utf-8")
    with (folder / "texts.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text"])
        writer.writerows([a] for a in ABSTRACTS[half:])
    return folder / "abstracts.jsonl", folder / "texts.csv", folder / "cache"


def test_cli_inputs_untitled_records_are_extracted(inputs, tmp_path):
    jsonl, texts, cache = inputs
    result = _kg("extract", jsonl, texts, "-j", "1", "-o", tmp_path / "pred.jsonl", cache=cache)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (tmp_path / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["title"], r["abstract"]) for r in records] == [(text_id(a), "", a) for a in ABSTRACTS]
    for record in records:
        text = "\n\n" + record["abstract"]
        assert record["entities"], record["id"]
        for entity in record["entities"]:
            for mention in entity["mentions"]:
                assert mention["start"] >= 2 and text[mention["start"]:mention["end"]] == mention["text"]
        for claim in record["claims"]:
            assert 2 <= claim["start"] < claim["end"] <= len(text)
            assert text[claim["text_start"]:claim["text_end"]] == claim["text"] and claim["text_start"] >= 2
        for relation in record["relations"]:
            assert relation["start"] >= 2 and relation["evidence"].strip()
    assert sum(len(r["claims"]) for r in records) and sum(len(r["relations"]) for r in records)


@pytest.fixture(scope="module")
def store(inputs, tmp_path_factory):
    jsonl, texts, cache = inputs
    out = tmp_path_factory.mktemp("untitled-store")
    first = _kg("build", jsonl, "-o", out, "-j", "1", "--no-html", cache=cache)
    second = _kg("build", texts, "-o", out, "-j", "1", "--no-html", cache=cache)
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    return out, second


def test_cli_inputs_untitled_papers_added_to_a_store_are_each_a_paper(store):
    out, second = store
    assert f"{len(ABSTRACTS) - len(ABSTRACTS) // 2} distinct papers" in second.output
    assert "0 already in the store" in second.output
    papers = sorted(d["id"] for _, d in KnowledgeGraph.load(out / "graph.json").papers())
    assert papers == sorted(text_id(a) for a in ABSTRACTS)


def test_cli_inputs_the_view_shows_untitled_papers_by_their_first_words(store):
    kg = KnowledgeGraph.load(store[0] / "graph.json")
    data = view_data(kg)
    paper_type = data["T"].index("Paper")
    shown = {record[3]: record[4] for record in data["n"] if record[0] == paper_type}
    assert set(shown) == {text_id(a) for a in ABSTRACTS}
    for node, paper in kg.papers():
        assert paper["title"] == "" and shown[paper["id"]] == paper_label(paper)
        assert shown[paper["id"]] and paper["abstract"].startswith(shown[paper["id"]].rstrip("\u2026"))


def test_cli_inputs_show_names_untitled_papers_by_their_first_words(store, inputs):
    out, _ = store
    result = _kg("show", "Medusa", "--graph", out / "graph.json", cache=inputs[2])
    assert result.exit_code == 0, result.output
    medusa = next(a for a in ABSTRACTS if "We present Medusa" in a)
    label = paper_label({"id": text_id(medusa), "title": "", "abstract": medusa})
    assert f"  {text_id(medusa)}  {label}  (2024-01-01)" in result.output.splitlines()
