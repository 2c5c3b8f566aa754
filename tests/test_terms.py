"""The user's own vocabulary (kg.terms, ``--terms`` and ``--aliases``): found, typed, merged, versioned,
and the README's example, run."""
from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.extractor import PipelineConfig, extractor_version
from kg.records import ENTITY_TYPES
from kg.errors import TermsError
from kg.terms import Term, read_aliases, read_terms

ROOT = Path(__file__).resolve().parent.parent
ZORBLAX_TEXT = ("We introduce Zorblax, a new benchmark for machine translation. ZBX improves BLEU on WMT14, "
                "and zorblax variants need no zbx tuning.")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _entity(extraction, name: str):
    return next((e for e in extraction.entities if e.name == name), None)


def test_terms_read_skips_header_comments_and_blank_lines(tmp_path):
    path = _write(tmp_path / "terms.tsv", "# ours\nname\ttype\taliases\n\nZorblax\tMethod\tZBX|Zorblax-2\nGlimmerSet\tDataset\n")
    assert read_terms(path) == (Term("Zorblax", "Method", ("ZBX", "Zorblax-2")), Term("GlimmerSet", "Dataset"))


def test_terms_read_aliases_maps_each_alias_to_its_name(tmp_path):
    path = _write(tmp_path / "aliases.tsv", "canonical\taliases\nLoRA\tLow-Rank Adaptation|Low Rank Adapters\n")
    assert read_aliases(path) == {"Low-Rank Adaptation": "LoRA", "Low Rank Adapters": "LoRA"}


@pytest.mark.parametrize(("reader", "text", "line", "reason"), [
    (read_terms, "Zorblax\tMethod\nQuillnet\tAlgorithm\n", 2, "unknown type 'Algorithm' (one of: " + ", ".join(ENTITY_TYPES)),
    (read_terms, "# ours\nZorblax Method\n", 2, "expected name<TAB>type<TAB>aliases"),
    (read_terms, "Zorblax\tMethod\tZBX||Z2\n", 1, "an empty alias"),
    (read_terms, "Zorblax\tMethod\nZorblax\tDataset\n", 2, "'Zorblax' is already a Method"),
    (read_aliases, "LoRA\n", 1, "expected canonical<TAB>alias|alias"),
    (read_aliases, "LoRA\tLRA\nQLoRA\tLRA\n", 2, "'LRA' is already an alias of 'LoRA'"),
])
def test_terms_bad_line_names_file_and_line(tmp_path, reader, text, line, reason):
    path = _write(tmp_path / "mine.tsv", text)
    with pytest.raises(TermsError) as raised:
        reader(path)
    assert str(raised.value).startswith(f"{path}:{line}: {reason}")


@pytest.mark.parametrize("option", ["--terms", "--aliases"])
def test_terms_cli_bad_line_is_one_line_naming_file_and_line(tmp_path, option):
    bad = _write(tmp_path / "bad.tsv", "# ours\nZorblax\tAlgorithm\tZBX\tmore\n")
    papers = _write(tmp_path / "papers.jsonl", json.dumps({"abstract": ZORBLAX_TEXT}) + "\n")
    result = CliRunner().invoke(main, ["extract", str(papers), option, str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: expected" in result.output
    assert "Traceback" not in result.output


def test_terms_user_term_is_found_and_typed(tmp_path):
    terms = _write(tmp_path / "terms.tsv", "Zorblax\tMethod\tZBX\n")
    [without] = kg.extract([ZORBLAX_TEXT])
    [extraction] = kg.extract([ZORBLAX_TEXT], terms=terms)
    assert _entity(without, "Zorblax") is None or _entity(without, "Zorblax").type != "Method"  # "a new benchmark"
    zorblax = _entity(extraction, "Zorblax")
    assert zorblax.type == "Method"
    # "zorblax" in any case, the cased alias "ZBX" only as written
    assert sorted(m.text for m in zorblax.mentions) == ["ZBX", "Zorblax", "zorblax"]
    assert not any(m.text == "zbx" for e in extraction.entities for m in e.mentions)


def test_terms_user_term_is_word_bounded(tmp_path):
    terms = _write(tmp_path / "terms.tsv", "Zorb\tModel\n")
    [extraction] = kg.extract(["We train Zorblax models and compare them with Zorb on WMT14."], terms=terms)
    assert [m.text for e in extraction.entities if e.type == "Model" and e.name == "Zorb" for m in e.mentions] == ["Zorb"]


def _node_names(result) -> dict[str, set[str]]:
    return {row["name"]: set(row["aliases"]) for row in result.graph.entities()}


def test_terms_alias_merges_two_names_into_one_node(tmp_path):
    papers = _write(tmp_path / "papers.jsonl", "\n".join(json.dumps(p) for p in [
        {"id": "p1", "title": "Quillnet for parsing", "abstract": "We propose Quillnet, a parser that is fast."},
        {"id": "p2", "title": "Vexon for tagging", "abstract": "We propose Vexon, a tagger that is accurate."},
    ]) + "\n")
    aliases = _write(tmp_path / "aliases.tsv", "Quillnet\tVexon\n")
    apart = _node_names(kg.build(papers, jobs=1))
    assert "Quillnet" in apart and "Vexon" in apart
    merged = kg.build(papers, jobs=1, aliases=aliases)
    names = _node_names(merged)
    assert "Vexon" not in names and {"Quillnet", "Vexon"} <= names["Quillnet"]
    assert [row["paper_count"] for row in merged.graph.entities() if row["name"] == "Quillnet"] == [2]


def test_terms_file_change_changes_extractor_version(tmp_path):
    terms = _write(tmp_path / "terms.tsv", "Zorblax\tMethod\n")
    first = extractor_version(PipelineConfig(terms=str(terms)))
    assert first != extractor_version(PipelineConfig())
    assert extractor_version(PipelineConfig(terms=str(terms))) == first
    _write(terms, "Zorblax\tModel\n")  # same path, same size: only the content tells
    assert extractor_version(PipelineConfig(terms=str(terms))) != first


def test_terms_file_change_is_not_served_from_the_cache(tmp_path):
    papers = _write(tmp_path / "papers.jsonl", json.dumps({"id": "z1", "abstract": ZORBLAX_TEXT}) + "\n")
    terms = _write(tmp_path / "terms.tsv", "Zorblax\tMethod\n")
    types = {}
    for entity_type in ("Method", "Task"):
        _write(terms, f"Zorblax\t{entity_type}\n")
        result = kg.build(papers, jobs=1, terms=terms)
        types[entity_type] = [row["type"] for row in result.graph.entities() if row["name"] == "Zorblax"]
    assert types == {"Method": ["Method"], "Task": ["Task"]}


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Your own terms\n", 1)[1].split("\n## ", 1)[0]


def test_terms_readme_example_runs(tmp_path, monkeypatch):
    section = _readme_section()
    files = {}
    for block in re.findall(r"```tsv\n(.*?)```", section, re.DOTALL):
        first, rest = block.split("\n", 1)
        files[first.lstrip("# ").strip()] = rest
    [command] = re.findall(r"```\n(\.venv/bin/kg build .*?)\n```", section)
    assert set(files) == {"terms.tsv", "aliases.tsv"} and "--terms terms.tsv" in command
    for name, text in files.items():
        _write(tmp_path / name, text)
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "papers.jsonl", tmp_path / "examples" / "papers.jsonl")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, shlex.split(command)[1:] + ["--no-html", "-j", "1"])
    assert result.exit_code == 0, result.output
    graph = kg.load(tmp_path / "out" / "mine")
    entities = graph.entities()
    rows = {row["name"]: row for row in entities}
    for term in read_terms(tmp_path / "terms.tsv"):
        assert rows[term.name]["type"] == term.type
        assert set(term.aliases) <= set(rows[term.name]["aliases"])
    for alias, name in read_aliases(tmp_path / "aliases.tsv").items():
        assert alias in rows[name]["aliases"] and alias not in rows
    assert [row["name"] for row in entities if "LoRA" in row["aliases"]] == ["LoRA"]  # one node, not one a paper


def test_terms_aliases_still_merge_after_a_paper_is_removed(tmp_path):
    from kg.build import remove_papers

    papers = _write(tmp_path / "papers.jsonl", "\n".join(json.dumps(p) for p in [
        {"id": "p1", "title": "Quillnet for parsing", "abstract": "We propose Quillnet, a parser that is fast."},
        {"id": "p2", "title": "Vexon for tagging", "abstract": "We propose Vexon, a tagger that is accurate."},
        {"id": "p3", "title": "Quillnet for chunking", "abstract": "We apply Quillnet to chunking, and it is fast."},
    ]) + "\n")
    aliases = _write(tmp_path / "aliases.tsv", "Quillnet\tVexon\n")
    kg.build(papers, out=tmp_path / "store", jobs=1, aliases=aliases)
    remove_papers(tmp_path / "store", ["p3"])
    names = {row["name"]: set(row["aliases"]) for row in kg.load(tmp_path / "store").entities()}
    assert "Vexon" not in names and {"Quillnet", "Vexon"} <= names["Quillnet"]
    two = _write(tmp_path / "two.jsonl", "\n".join(papers.read_text().splitlines()[:2]) + "\n")
    fresh = kg.build(two, out=tmp_path / "fresh", jobs=1, aliases=aliases)  # the rest, built alone
    assert kg.load(tmp_path / "store").entities() == fresh.graph.entities()
