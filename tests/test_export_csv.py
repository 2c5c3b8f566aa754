"""kg.export.csv: neo4j-admin import files, read back with the csv module."""
from __future__ import annotations

import csv
import io
import shlex

import pytest
from samples import HOSTILE_STRINGS, sample_graph

from kg.export.csv import csv_files, field_text, write_csv
from kg.export.rows import graph_rows


def _read(text: str) -> tuple[list[str], list[list[str]]]:
    header, *records = list(csv.reader(io.StringIO(text, newline="")))
    return header, records


def _typed(field: str, column: str, delimiter: str):
    kind = column.partition(":")[2]
    if field == "":
        return None
    if kind.endswith("[]"):
        element = {"long[]": int, "double[]": float}.get(kind, str)
        return [element(v) for v in field.split(delimiter)]
    return {"long": int, "double": float, "boolean": lambda v: v == "true"}.get(kind, str)(field)


def _files(kg):
    files, delimiter = csv_files(kg)
    return {f.name: _read(f.text()) for f in files}, delimiter


@pytest.mark.parametrize("make", [sample_graph, lambda: None], ids=["hostile", "synthetic"])
def test_csv_nodes_read_back_equal_to_the_rows(make, synthetic_graph):
    kg = make() or synthetic_graph(50)
    files, delimiter = _files(kg)
    for group in graph_rows(kg).nodes:
        header, records = files[f"nodes_{group.label}.csv"]
        assert header[:2] == [f"{group.key}:ID({group.key_label})", ":LABEL"]
        assert len(records) == len(group.rows)
        for row, record in zip(group.rows, records):
            assert record[0] == row.key and record[1].split(delimiter) == list(group.labels)
            values = {col.partition(":")[0]: _typed(f, col, delimiter) for col, f in zip(header[2:], record[2:])}
            expected = {**row.properties, **row.merged}
            assert {k: v for k, v in values.items() if v is not None} == {
                k: v for k, v in expected.items() if v != []}


def test_csv_quoting_survives_commas_quotes_and_newlines():
    files, _ = _files(sample_graph())
    titles = [r[files["nodes_Paper.csv"][0].index("title")] for r in files["nodes_Paper.csv"][1]]
    for i, hostile in enumerate(HOSTILE_STRINGS):
        assert f"{hostile}: a title {i}" in titles
    assert field_text('say "hi",\nbye') == '"say ""hi"",\nbye"'
    assert (field_text(""), field_text(None), field_text([])) == ('""', "", "")  # "" kept; missing, [] unset


def test_csv_array_delimiter_is_semicolon_unless_a_value_holds_one(synthetic_graph):
    assert csv_files(synthetic_graph(20))[1] == ";"
    assert csv_files(sample_graph())[1] == "\x1f"  # an alias reads "a, b; c ..."


def test_csv_relationship_ends_exist_in_the_node_files(synthetic_graph):
    for kg in (sample_graph(), synthetic_graph(50)):
        files, _ = _files(kg)
        ids: dict[str, set[str]] = {}
        for name, (header, records) in files.items():
            if name.startswith("nodes_"):
                space = header[0].partition("(")[2].rstrip(")")
                ids.setdefault(space, set()).update(r[0] for r in records)
        relationships = 0
        for name, (header, records) in files.items():
            if name.startswith("relationships_"):
                start_space = header[0].partition("(")[2].rstrip(")")
                end_space = header[1].partition("(")[2].rstrip(")")
                assert header[0].startswith(":START_ID(") and header[1].startswith(":END_ID(")
                assert header[2] == ":TYPE" and "papers:string[]" in header and "evidence:string[]" in header
                for record in records:
                    assert record[0] in ids[start_space] and record[1] in ids[end_space]
                    assert name.startswith(f"relationships_{record[2]}_{start_space}_")
                relationships += len(records)
        assert relationships == kg.graph.number_of_edges()


def test_csv_write_csv_writes_files_readme_and_returns_the_command_to_run_in_their_folder(tmp_path):
    command = write_csv(sample_graph(), tmp_path / "import", database="papers")
    directory = tmp_path / "import"
    words = shlex.split(command)
    assert words[:5] == ["neo4j-admin", "database", "import", "full", "papers"]
    assert "--multiline-fields=true" in words and "--array-delimiter=U+001F" in words
    listed = sorted(w.partition("=")[2] for w in words if w.startswith(("--nodes=", "--relationships=")))
    assert listed == sorted(p.name for p in directory.glob("*.csv"))  # relative to the folder, as in Docker's /import
    readme = (directory / "README.md").read_text(encoding="utf-8")
    assert command in readme
    [docker] = [line.strip() for line in readme.splitlines() if line.strip().startswith("bash -c ")]
    assert shlex.split(docker) == ["bash", "-c", f"cd /import && {command}"]
    assert '--volume "$PWD":/import' in readme
    assert "CREATE CONSTRAINT kg_paper_id" in (directory / "constraints.cypher").read_text(encoding="utf-8")
