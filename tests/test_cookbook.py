"""docs/cypher.md: every query runs, on the embedded engine and over Bolt, and gives the answer the doc shows.

The answers are regenerated with scripts/update_cookbook.py when extraction
changes; a failure here means the doc is stale (regenerate it) or a query
stopped running on one of the engines (fix the query).
"""
from __future__ import annotations

import re

import pytest
import update_cookbook
from shared_data import SEEDS
from update_cookbook import DOC

RECIPES = update_cookbook.parse_cookbook(DOC.read_text(encoding="utf-8"))
RECIPE_IDS = [re.sub(r"[^a-z0-9]+", "-", r.title.lower()).strip("-")[:40] for r in RECIPES]

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} is absent")


# --- the doc itself (no graph needed) ----------------------------------------------------------------

def test_cookbook_has_a_dozen_answered_recipes():
    assert len(RECIPES) >= 12
    for recipe in RECIPES:
        assert recipe.title and recipe.answer, f"{recipe.title or recipe.cypher[:40]}: no answer block"
        assert re.search(r"\bORDER BY\b", recipe.cypher), f"{recipe.title}: no ORDER BY, so no fixed order"
        for name in re.findall(r"\$(\w+)", recipe.cypher):
            assert name in recipe.params, f"{recipe.title}: ${name} has no Parameters value"


def test_cookbook_update_rewrites_only_answers():
    text = ("## Q\n\nWords.\n\n```cypher\nRETURN $n AS n\nORDER BY n\n```\n\nParameters: `n=5`\n\n"
            "```text\nstale\n```\n\n## R\n\n```cypher\nRETURN 'x' AS s\nORDER BY s\n```\n\nEnd.\n")

    def run(cypher, params):
        from kg.query import QueryResult

        return QueryResult(["n"], [[params.get("n", "x")]])

    updated = update_cookbook.update_cookbook(text, run)
    assert updated == ("## Q\n\nWords.\n\n```cypher\nRETURN $n AS n\nORDER BY n\n```\n\nParameters: `n=5`\n\n"
                       "```text\nn\n-\n5\n(1 row)\n```\n\n## R\n\n```cypher\nRETURN 'x' AS s\nORDER BY s\n```\n\n"
                       "```text\nn\n-\nx\n(1 row)\n```\n\nEnd.\n")
    assert update_cookbook.update_cookbook(updated, run) == updated
    assert [r.params for r in update_cookbook.parse_cookbook(updated)] == [{"n": 5}, {}]


# --- on the seeds graph -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds_graph(tmp_path_factory):
    """The seeds built once for this module (the session's extraction cache makes a second build cheap)."""
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    return update_cookbook.build_seeds(tmp_path_factory.mktemp("cookbook") / "seeds")


@pytest.fixture(scope="module")
def embedded(seeds_graph):
    from kg.query import EmbeddedGraph

    with EmbeddedGraph(seeds_graph) as engine:
        yield engine


@pytest.fixture(scope="module")
def bolt_seeds(bolt_server, seeds_graph):
    """The Bolt test server holding the seeds graph (kg's nodes wiped first), for this module's tests."""
    from kg.export.neo4j import export_to_neo4j, wipe
    from kg.graph import KnowledgeGraph

    if bolt_server.falkordb is not None and not bolt_server.falkordb.running:
        bolt_server.falkordb.restart()
    with bolt_server.observe() as connection:
        wipe(connection=connection)
        export_to_neo4j(KnowledgeGraph.load(seeds_graph), connection=connection)
    return bolt_server


@pytest.mark.seeds
@needs_seeds
@pytest.mark.parametrize("recipe", RECIPES, ids=RECIPE_IDS)
def test_cookbook_answer_on_the_embedded_engine(recipe, embedded):
    answer = update_cookbook.render_answer(embedded.query(recipe.cypher, recipe.params))
    assert answer == recipe.answer, f"{recipe.title}: the doc is stale; run scripts/update_cookbook.py --seeds"


@pytest.mark.seeds
@pytest.mark.live
@needs_seeds
@pytest.mark.parametrize("recipe", RECIPES, ids=RECIPE_IDS)
def test_cookbook_answer_over_bolt(recipe, bolt_seeds):
    from kg.query import run_query

    result = run_query(recipe.cypher, params=recipe.params, **bolt_seeds.connection_args())
    answer = update_cookbook.render_answer(result)
    assert answer == recipe.answer, f"{recipe.title}: Bolt answer differs from the doc"


def _database_counts(settings) -> tuple[dict, dict]:

    labels = ("Paper", "Claim", "Method", "Model", "Dataset", "Task", "Metric")
    with settings.observe() as connection, connection.session() as session:
        nodes = {label: session.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"] for label in labels}
        rows = session.run("MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS c").data()
    return {k: v for k, v in nodes.items() if v}, {row["t"]: row["c"] for row in rows}


@pytest.mark.seeds
@pytest.mark.live
@needs_seeds
def test_cookbook_seeds_exported_twice_match_the_json_graph(bolt_seeds, seeds_graph):
    from kg.export.neo4j import export_to_neo4j
    from kg.graph import KnowledgeGraph

    graph = KnowledgeGraph.load(seeds_graph)
    expected = (graph.node_counts(), graph.relationship_counts())
    assert _database_counts(bolt_seeds) == expected
    summary = export_to_neo4j(graph, **bolt_seeds.connection_args())
    assert summary.nodes_created == 0 and summary.relationships_created == 0
    assert _database_counts(bolt_seeds) == expected


@pytest.mark.live
def test_cookbook_evidence_recipe_returns_the_sentences_behind_each_relationship(bolt):
    from samples import sample_graph

    from kg.export.neo4j import export_to_neo4j
    from kg.query import run_query

    [recipe] = [r for r in RECIPES if "(e:Evidence {id: evidence_id})" in r.cypher]
    kg = sample_graph()
    export_to_neo4j(kg, **bolt.connection_args())
    g = kg.graph
    stated = sorted((rel, g.nodes[target]["name"], span["paper"], span["start"], span["text"])
                    for _, target, rel, data in g.out_edges("entity:medusa", keys=True, data=True)
                    for span in data["evidence"])
    assert {row[0] for row in stated} == {"USES", "OUTPERFORMS", "EVALUATED_ON"}
    result = run_query(recipe.cypher, params={**recipe.params, "entity": "medusa"}, **bolt.connection_args())
    assert result.columns == ["relation", "target", "paper", "sentence"]
    assert result.rows == [[rel, target, paper, text] for rel, target, paper, _, text in stated]
    assert any(text.startswith("Medusa-1 achieves over 2.2x speedup") for *_, text in result.rows)
