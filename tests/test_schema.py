"""kg.schema: schema/graph.json is the one whitelist of labels and relationship types; constraints.cypher its keys."""
import json
import re
import shutil

import pytest
from samples import sample_graph

import kg.schema
from kg import records
from kg.schema import SCHEMA_DIR, constraints_cypher, load_schema

GRAPH_JSON = json.loads((SCHEMA_DIR / "graph.json").read_text(encoding="utf-8"))
ENTITY_TYPES = GRAPH_JSON["node_labels"]["Entity"]["subtypes"]


@pytest.fixture
def schema_dir(tmp_path, monkeypatch):
    """A copy of schema/ the test may change, in place of kg's (load_schema's cache cleared before and after)."""
    folder = tmp_path / "schema"
    shutil.copytree(SCHEMA_DIR, folder)
    monkeypatch.setattr(kg.schema, "SCHEMA_DIR", folder)
    load_schema.cache_clear()
    yield folder
    load_schema.cache_clear()


def test_schema_labels_are_the_key_labels_then_the_entity_types():
    schema = load_schema()
    assert schema.entity_labels == tuple(ENTITY_TYPES)
    assert schema.labels == ("Paper", "Claim", "Evidence", "Entity", *ENTITY_TYPES)


def test_schema_is_read_once():
    assert load_schema() is load_schema()


@pytest.mark.parametrize("label", ["Paper", "Claim", "Evidence", "Entity", *ENTITY_TYPES])
def test_schema_check_label_returns_a_known_label(label):
    assert load_schema().check_label(label) == label


@pytest.mark.parametrize("label", ["paper", "METHOD", "Method ", "", "Author", "Paper:Claim",
                                   "Paper) DETACH DELETE (n", "Entity`"])
def test_schema_check_label_refuses_anything_else_naming_it(label):
    with pytest.raises(ValueError, match=re.escape(f"label {label!r} is not in the schema")):
        load_schema().check_label(label)


@pytest.mark.parametrize("rel_type", list(GRAPH_JSON["relationship_types"]))
def test_schema_check_relationship_returns_a_known_type(rel_type):
    assert load_schema().check_relationship(rel_type) == rel_type


@pytest.mark.parametrize("rel_type", ["uses", "USES ", "", "CITES", "USES]->(x) DELETE x //", "Paper"])
def test_schema_check_relationship_refuses_anything_else_naming_it(rel_type):
    with pytest.raises(ValueError, match=re.escape(f"relationship type {rel_type!r} is not in the schema")):
        load_schema().check_relationship(rel_type)


@pytest.mark.parametrize("table,start", [("role_relationships", "Paper"), ("claim_relationships", "Claim")])
def test_schema_role_and_claim_relationships_are_known_types_from_their_label_to_entities(table, start):
    schema = load_schema()
    for rel_type in getattr(schema, table).values():
        ends = schema.relationship_types[schema.check_relationship(rel_type)]
        assert start in ends["from"] and ends["to"] == ["Entity"], rel_type


def test_schema_relationship_types_join_only_known_labels():
    schema = load_schema()
    for rel_type, ends in schema.relationship_types.items():
        for label in ends["from"] + ends["to"]:
            assert schema.check_label(label) == label, rel_type


def test_schema_every_key_label_has_a_uniqueness_constraint_on_its_key():
    schema = load_schema()
    keys = {label: spec["key"] for label, spec in schema.node_labels.items()}
    keys |= {label: keys["Entity"] for label in schema.entity_labels}
    unique = {(m[0], m[1]) for s in constraints_cypher()
              for m in re.findall(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", s)}
    assert unique == set(keys.items())


def test_schema_every_edge_of_a_built_graph_is_allowed(synthetic_graph):
    schema = load_schema()

    def allowed(label, labels):
        return label in labels or (label in schema.entity_labels and "Entity" in labels)

    for store in (sample_graph(), synthetic_graph(20)):
        g = store.graph
        for u, v, rel_type in g.edges(keys=True):
            ends = schema.relationship_types[schema.check_relationship(rel_type)]
            assert allowed(g.nodes[u]["label"], ends["from"]) and allowed(g.nodes[v]["label"], ends["to"]), (
                u, rel_type, v)
        for _, data in g.nodes(data=True):
            schema.check_label(data["label"])


def test_schema_constraints_of_the_shipped_file_are_whole_statements():
    statements = constraints_cypher()
    text = (SCHEMA_DIR / "constraints.cypher").read_text(encoding="utf-8")
    assert len(statements) == text.count(";")
    for statement in statements:
        assert statement.startswith("CREATE ") and statement.endswith(("UNIQUE", ")"))
        assert "//" not in statement and ";" not in statement


@pytest.mark.parametrize("text,expected", [
    ("CREATE A;\nCREATE B;\n", ["CREATE A", "CREATE B"]),
    ("// header\nCREATE A;\n  // indented note\nCREATE B;", ["CREATE A", "CREATE B"]),
    ("CREATE A\n  FOR (n)\n  ON (n.x);\n", ["CREATE A\n  FOR (n)\n  ON (n.x)"]),
    ("CREATE A;;\n\n;  \nCREATE B", ["CREATE A", "CREATE B"]),  # empty statements dropped, last needs no ';'
    ("// only comments\n\n", []),
    ("", []),
])
def test_schema_constraints_are_the_statements_without_comments(schema_dir, text, expected):
    (schema_dir / "constraints.cypher").write_text(text, encoding="utf-8")
    assert constraints_cypher() == expected


def test_schema_constraints_drop_a_comment_at_the_end_of_a_line(schema_dir):
    (schema_dir / "constraints.cypher").write_text("CREATE A; // why\nCREATE B;\n", encoding="utf-8")
    assert constraints_cypher() == ["CREATE A", "CREATE B"]


@pytest.mark.parametrize("missing", ["node_labels", "relationship_types", "role_relationships",
                                     "claim_relationships"])
def test_schema_graph_json_without_a_section_fails_naming_it(schema_dir, missing):
    data = dict(GRAPH_JSON)
    del data[missing]
    (schema_dir / "graph.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KeyError, match=missing):
        load_schema()


def test_schema_changed_graph_json_gives_its_labels_and_types(schema_dir):
    data = json.loads(json.dumps(GRAPH_JSON))
    data["node_labels"]["Entity"]["subtypes"] = ["Method", "Tool"]
    data["relationship_types"]["BUILDS_ON"] = {"from": ["Entity"], "to": ["Entity"]}
    (schema_dir / "graph.json").write_text(json.dumps(data), encoding="utf-8")
    schema = load_schema()
    assert schema.labels == ("Paper", "Claim", "Evidence", "Entity", "Method", "Tool")
    assert schema.check_label("Tool") == "Tool" and schema.check_relationship("BUILDS_ON") == "BUILDS_ON"
    with pytest.raises(ValueError):
        schema.check_label("Model")


@pytest.mark.parametrize("name,error", [("graph.json", FileNotFoundError), ("constraints.cypher", FileNotFoundError)])
def test_schema_missing_file_raises(schema_dir, name, error):
    (schema_dir / name).unlink()
    with pytest.raises(error, match=re.escape(name)):
        load_schema() if name == "graph.json" else constraints_cypher()


def test_schema_malformed_graph_json_raises_a_decode_error(schema_dir):
    (schema_dir / "graph.json").write_text('{"node_labels": {', encoding="utf-8")
    with pytest.raises(json.JSONDecodeError):
        load_schema()


def test_schema_vocabulary_is_the_records_vocabulary():
    # graph.json is data and cannot import kg.records: this pins the two together
    assert tuple(ENTITY_TYPES) == records.ENTITY_TYPES
    assert set(GRAPH_JSON["role_relationships"]) == set(records.ROLES)
    assert set(records.RELATION_TYPES) <= set(load_schema().relationship_types)
