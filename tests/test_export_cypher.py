"""kg.export.cypher: literals, the batched MERGE statements, and the cypher-shell script."""
from __future__ import annotations

import json
import re

import pytest
from conftest import database_state, expected_state
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import HOSTILE_STRINGS, sample_graph

from kg.export.cypher import (ROWS_PARAMETER, cypher_literal, delete_statements, generate_cypher, literal_size,
                              split_statements, write_cypher, write_statements)
from kg.export.neo4j import FALKORDB, ensure_schema, export_to_neo4j
from kg.export.rows import GraphRows, NodeGroup, NodeRow, RelationshipGroup, RelationshipRow, graph_rows
from kg.schema import constraints_cypher

TRICKY = [*HOSTILE_STRINGS, "back\\slash \\n not a newline", "tab\tcr\rnl\n", "ünïcödé 日本語 🚀", "", "'", "\\",
          "\\'", "a''b", '"double"', "/* not a comment */", "; DROP"]
text_without_nul = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
row_values = st.recursive(
    st.booleans() | st.integers(-2**62, 2**62) | st.floats(-1e15, 1e15) | text_without_nul,
    lambda inner: st.lists(inner, max_size=5), max_leaves=8)


@pytest.mark.parametrize("value, literal", [
    ("it's", r"'it\'s'"),
    ("a\\b", r"'a\\b'"),
    ("x\ny\tz", r"'x\ny\tz'"),
    ("ünï", "'ünï'"),
    (2.0, "2.0"),
    (1e20, "1e20"),
    (-3, "-3"),
    (False, "false"),
    (None, "null"),
    (["a", 1], "['a', 1]"),
    ({"key": "k", "odd key": 1}, "{key: 'k', `odd key`: 1}"),
])
def test_cypher_literal_escapes(value, literal):
    assert cypher_literal(value) == literal


@given(row_values)
def test_cypher_literal_size_is_the_literal_length_or_more_for_floats(value):
    assert literal_size(value) >= len(cypher_literal(value).encode("utf-8"))
    if "." not in cypher_literal(value) and "e" not in cypher_literal(value).replace("true", "").replace("false", ""):
        assert literal_size(value) == len(cypher_literal(value).encode("utf-8"))


def test_cypher_split_statements_keeps_semicolons_in_strings_and_drops_comments():
    script = "// head; comment\nRETURN 'a;b' AS x;\nRETURN \"c;\\\"d\" AS `y;z`; /* e; */ RETURN 1;\n"
    assert split_statements(script) == ["RETURN 'a;b' AS x", "RETURN \"c;\\\"d\" AS `y;z`", "RETURN 1"]


def test_cypher_script_splits_into_its_statements():
    kg = sample_graph()
    statements = list(write_statements(graph_rows(kg), batch_size=3, batch_bytes=2_000))
    script = "".join(generate_cypher(kg, batch_size=3, batch_bytes=2_000))
    expected = [*constraints_cypher(), *(s.inline() for s in statements)]
    assert split_statements(script) == expected
    assert all(ROWS_PARAMETER not in s for s in split_statements(script))


def _rows_graph(props: list[dict]) -> GraphRows:
    group = NodeGroup("Paper", "Paper", "id", tuple(NodeRow(f"p{i}", p) for i, p in enumerate(props)))
    return GraphRows((group,), ())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["title", "abstract", "authors", "n"]), row_values, max_size=4),
                min_size=1, max_size=30),
       st.integers(1, 7), st.integers(300, 3_000))
def test_cypher_batches_honour_the_row_and_byte_caps(props, batch_size, batch_bytes):
    statements = list(write_statements(_rows_graph(props), batch_size=batch_size, batch_bytes=batch_bytes,
                                       query_limit=3_900))
    for statement in statements:
        assert len(statement.rows) <= batch_size
        assert statement.parameter_bytes <= batch_bytes
        assert statement.parameter_bytes == literal_size(list(statement.rows))
        for query in filter(None, (statement.query, statement.create_query, statement.create_missing_query)):
            assert len(query.encode()) + len("CYPHER rows= ") + statement.parameter_bytes <= 3_900
    assert sum(s.completes for s in statements) == len(props)


def test_cypher_rows_are_lists_in_one_statement_text_per_set_of_properties():
    props = [{"title": "A", "abstract": "x"}, {"title": "B"}, {"abstract": "y", "title": "C"}, {}]
    statements = list(write_statements(_rows_graph(props), batch_size=10, batch_bytes=10_000))
    by_query = {s.query: s.rows for s in statements}
    assert len(by_query) == len(statements) == 3
    for query, rows in by_query.items():
        names = re.findall(r"n\.(\w+) = row\[(\d+)\]", query)
        assert [int(i) for _, i in names] == list(range(1, len(names) + 1))
        assert all(len(row) == 1 + len(names) and None not in row for row in rows)
    [both] = [rows for query, rows in by_query.items() if "abstract" in query]
    assert both == (["p0", "x", "A"], ["p2", "y", "C"])
    assert (["p3"],) in by_query.values()


def test_cypher_rows_known_new_can_be_created_without_a_merge():
    statements = list(write_statements(graph_rows(sample_graph()), batch_size=100, batch_bytes=100_000))
    relationships = [s for s in statements if len(s.key_labels) == 2 and len({row[0] for row in s.rows}) > 1]
    batch = max(relationships, key=lambda s: len(s.rows))
    start_label, end_label = batch.key_labels
    new_start = batch.rows[0][0]

    assert "MERGE" not in batch.create_query and batch.create_missing_query is None
    assert re.search(r"CREATE \(a\)-\[:\w+ \{evidence: row\[2\], papers: row\[3\]\}\]->\(b\)", batch.create_query)
    created = {start_label: {new_start}, "Unrelated": {batch.rows[1][1]}}
    assert batch.rows_known_new(created, set()) == [row[0] == new_start for row in batch.rows]
    assert batch.rows_known_new({end_label: {row[1] for row in batch.rows}}, set()) == [True] * len(batch.rows)
    assert not any(batch.rows_known_new({}, {start_label, end_label}))  # empty at the start is for nodes only

    node_batch = next(s for s in statements if len(s.key_labels) == 1 and s.rows)
    [key_label] = node_batch.key_labels
    assert node_batch.create_query.startswith("UNWIND $rows AS row\nCREATE (")
    assert "OPTIONAL MATCH" in node_batch.create_missing_query
    assert node_batch.rows_known_new({}, {key_label}) == [True] * len(node_batch.rows)
    assert not any(node_batch.rows_known_new({key_label: {node_batch.rows[0][0]}}, {"Unrelated"}))


def test_cypher_exact_statements_set_lists_and_remove_the_schema_properties_a_row_lacks():
    rows = graph_rows(sample_graph())
    unioned = list(write_statements(rows, batch_size=100, batch_bytes=100_000))
    exact = list(write_statements(rows, batch_size=100, batch_bytes=100_000, exact=True))
    assert sorted(row[:2] for s in exact for row in s.rows) == sorted(row[:2] for s in unioned for row in s.rows)
    assert any("coalesce(" in s.query for s in unioned) and not any("coalesce(" in s.query for s in exact)
    [paper] = [s for s in exact if s.name == "Paper" and any(row[0] == "2401.10774" for row in s.rows)]
    removed = re.search(r"\nREMOVE (n\.\w+(?:, n\.\w+)*)$", paper.query).group(1).split(", ")
    assert "n.url" in removed and "n.source" in removed  # the sample papers have neither
    assert not {"n.id", "n.title", "n.abstract", "n.date"} & set(removed)
    assert all("REMOVE n." not in s.query.replace("REMOVE n:", "") for s in unioned)


def test_cypher_delete_statements_find_rows_by_key_under_the_caps():
    keys = [f"it's key {i} \\ " + "x" * (i % 50) for i in range(300)]
    stale = GraphRows((NodeGroup("Method", "Entity", "key", tuple(map(NodeRow, keys))),),
                      (RelationshipGroup("USES", "Paper", "id", "Entity", "key",
                                         tuple(RelationshipRow(f"p{i}", k) for i, k in enumerate(keys))),))
    statements = list(delete_statements(stale, batch_size=100, batch_bytes=4_032, query_limit=4_032))
    relationships = [s for s in statements if s.key_labels == ("Paper", "Entity")]
    nodes = [s for s in statements if s.key_labels == ("Entity",)]
    assert statements == relationships + nodes  # relationships first, then nodes with what is left at them
    assert {s.query for s in relationships} == {"UNWIND $rows AS row\nMATCH (:Paper {id: row[0]})-[t:USES]->"
                                                "(:Entity {key: row[1]})\nDELETE t"}
    assert {s.query for s in nodes} == {"UNWIND $rows AS row\nMATCH (t:Entity {key: row[0]})\nDETACH DELETE t"}
    assert sorted(row[0] for s in nodes for row in s.rows) == sorted(keys)
    assert sorted(tuple(row) for s in relationships for row in s.rows) == sorted((f"p{i}", k) for i, k in
                                                                                   enumerate(keys))
    for statement in statements:
        assert len(statement.rows) <= 100 and statement.create_query is None
        assert len(statement.query.encode()) + len("CYPHER rows= ") + statement.parameter_bytes <= 4_032


def _replay_text(statements, prop: str) -> str:
    """Apply the SET clauses on ``prop`` the way the server would, for one row (key, piece)."""
    value = None
    for statement in statements:
        part = statement.rows[0][-1]
        if f"SET t.{prop} = row[1]" in statement.query:
            value = part
        elif f"SET t.{prop} = t.{prop} + row[1]" in statement.query:
            value += part
    return value


def test_cypher_a_value_over_the_byte_cap_is_written_in_parts():
    abstract = ("Quote ' and backslash \\ and ünï 🚀, \"twenty\" thousand. " * 400)[:20_000]
    statements = list(write_statements(_rows_graph([{"title": "T", "abstract": abstract}]), batch_size=100,
                                       batch_bytes=3_000, query_limit=3_900))
    main, *parts = statements
    assert main.rows == (["p0", "T"],) and main.completes == 1
    assert "n.title = row[1]" in main.query and "abstract" not in main.query
    assert len(parts) >= 7 and all(s.completes == 0 for s in parts)
    assert all(s.parameter_bytes <= 3_000 for s in statements)
    assert _replay_text(parts, "abstract") == abstract


def test_cypher_a_merged_list_over_the_cap_is_unioned_in_chunks_and_big_elements_assembled():
    papers = [f"paper-{i:04d}" for i in range(400)]
    evidence = [json.dumps({"paper": "p", "text": "x" * 5_000})]
    group = RelationshipGroup("USES", "Entity", "key", "Entity", "key",
                              (RelationshipRow("a", "b", {}, {"papers": papers, "evidence": evidence}),))
    statements = list(write_statements(GraphRows((), (group,)), batch_size=100, batch_bytes=3_000,
                                       query_limit=3_900))
    assert all(s.parameter_bytes <= 3_000 for s in statements)
    chunks = [s.rows[0][2] for s in statements if "[x IN row[2] WHERE NOT x IN" in s.query]
    assert sorted(p for chunk in chunks for p in chunk) == papers
    scratch = [s for s in statements if "__kg_part" in s.query]
    assert "".join(s.rows[0][2] for s in scratch if len(s.rows[0]) == 3) == evidence[0]
    assert "REMOVE t.__kg_part" in scratch[-1].query


def test_cypher_write_cypher_writes_the_script(tmp_path):
    path = tmp_path / "graph.cypher"
    write_cypher(sample_graph(), path)
    text = path.read_text(encoding="utf-8")
    assert text == "".join(generate_cypher(sample_graph()))
    assert "it\\'s \"quoted\" `ticked` } // MATCH (n) DETACH DELETE n" in text


# --- against the live server ---------------------------------------------------------------

def _run_script(settings, script: str) -> None:
    """Feed every statement to the server, as cypher-shell -f would (FalkorDB: indexes for constraints)."""
    with settings.observe() as connection:
        statements = split_statements(script)
        if connection.server.kind == FALKORDB:
            ensure_schema(connection)
            statements = [s for s in statements if not s.startswith(("CREATE CONSTRAINT", "CREATE INDEX"))]
        with connection.session() as session:
            for statement in statements:
                session.execute_write(lambda tx, s=statement: tx.run(s).consume())


@pytest.mark.live
@pytest.mark.parametrize("text", TRICKY)
def test_cypher_literal_reads_back_as_the_same_string(bolt, text):
    with bolt.observe() as connection, connection.session() as session:
        got = session.execute_read(lambda tx: tx.run(f"RETURN {cypher_literal([text, 1.25])} AS v").single()["v"])
    assert got == [text, 1.25]


@pytest.mark.live
def test_cypher_script_loads_the_same_graph_as_the_bolt_export_and_runs_twice(bolt, synthetic_graph):
    # Statements stay under FalkorDB's 4 KB; cypher-shell on Neo4j takes the default megabyte ones.
    kg = synthetic_graph(40)
    script = "".join(generate_cypher(kg, batch_bytes=3_000))
    _run_script(bolt, script)
    from_script = database_state(bolt)
    assert from_script == expected_state(kg)
    _run_script(bolt, script)
    assert database_state(bolt) == from_script
    export_to_neo4j(kg, **bolt.connection_args())
    assert database_state(bolt) == from_script


@pytest.mark.live
def test_cypher_script_of_hostile_strings_runs_on_an_empty_and_a_loaded_database(bolt):
    kg = sample_graph()
    script = "".join(generate_cypher(kg, batch_bytes=3_000))
    export_to_neo4j(kg, **bolt.connection_args())
    by_export = database_state(bolt)
    _run_script(bolt, script)
    assert database_state(bolt) == by_export
    from kg.export.neo4j import wipe
    wipe(**bolt.connection_args())
    _run_script(bolt, script)
    assert database_state(bolt) == by_export == expected_state(kg)
