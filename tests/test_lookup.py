"""kg.lookup: listing entities, finding one by any of its names, and all the graph knows about it."""
import json
import signal

import networkx as nx
import pytest
from samples import sample_graph

from kg.graph import KnowledgeGraph, build_graph, entity_node
from kg.lookup import describe_entity, find_entity, format_entity, list_entities, nearest_names
from kg.records import Entity, Extraction, Paper, Span


def _add_entity(g, key, name, label, papers, alias_counts=None, alias_keys=(), **parts):
    alias_counts = alias_counts if alias_counts is not None else {name: papers}
    g.add_node(entity_node(key), label=label, key=key, name=name, aliases=sorted(alias_counts),
               alias_counts=alias_counts, alias_keys=list(alias_keys), type_votes={label: papers},
               paper_count=papers, **parts)


def _add_paper(g, pid, title, date=None):
    g.add_node(f"paper:{pid}", label="Paper", id=pid, title=title, abstract="", date=date)


def _add_claim(g, cid, paper, about, value, text, **fields):
    g.add_node(f"claim:{cid}", label="Claim", id=cid, paper_id=paper, value=value, text=text, start=0,
               **{k: fields.get(k) for k in ("unit", "metric", "via", "baseline", "dataset")})
    g.add_edge(f"paper:{paper}", f"claim:{cid}", key="REPORTS")
    g.add_edge(f"claim:{cid}", entity_node(about), key="ABOUT")


@pytest.fixture(scope="module")
def kg():
    """A hand-made graph: the Llama family, names shared by several entities, papers and claims."""
    g = nx.MultiDiGraph()
    _add_entity(g, "llama", "Llama", "Model", 6, {"LLaMA": 3, "Llama": 5})
    _add_entity(g, "llama2", "Llama 2", "Model", 2, {"Llama 2": 2, "Llama-2": 1}, family="llama", version="2")
    _add_entity(g, "llama2-7b", "Llama-2-7B", "Model", 1, family="llama", version="2", size="7B")
    # "GS" is used alike by two entities: the one in more papers wins.
    _add_entity(g, "gaussiansplatting", "Gaussian splatting", "Method", 3, {"GS": 2, "Gaussian splatting": 3}, ["gs"])
    _add_entity(g, "gridsearch", "grid search", "Method", 5, {"GS": 2, "grid search": 4}, ["gs"])
    # "RM": same uses, same papers: the smaller node id wins.
    _add_entity(g, "rewardmodel", "Reward Model", "Model", 2, {"RM": 1, "Reward Model": 2}, ["rm"])
    _add_entity(g, "retrievalmodule", "retrieval module", "Method", 2, {"RM": 1, "retrieval module": 2}, ["rm"])
    # "PT": more uses beat more papers.
    _add_entity(g, "pretraining", "pre-training", "Method", 1, {"PT": 4, "pre-training": 1}, ["pt"])
    _add_entity(g, "prompttuning", "prompt tuning", "Method", 9, {"PT": 1, "prompt tuning": 9}, ["pt"])
    # "PPO" is an entity's own key: that beats an alias used more.
    _add_entity(g, "ppo", "PPO", "Method", 1)
    _add_entity(g, "proximalpolicyoptimization", "proximal policy optimization", "Method", 10,
            {"PPO": 10, "proximal policy optimization": 10}, ["ppo"])
    _add_entity(g, "gsm8k", "GSM8K", "Dataset", 4)
    g.add_edge(entity_node("llama2"), entity_node("llama"), key="VARIANT_OF")
    g.add_edge(entity_node("llama2-7b"), entity_node("llama2"), key="VARIANT_OF")
    for pid, title, date in [("p0", "Zero", "2022-01-01"), ("p1", "One", "2023-07-18"), ("p2", "Two", None),
                             ("p3", "Three", "2024-01-01"), ("p4", "Four", None)]:
        _add_paper(g, pid, title, date)
    for pid, rel in [("p3", "USES"), ("p1", "PROPOSES"), ("p0", "MENTIONS"), ("p2", "USES"), ("p4", "COMPARES_WITH")]:
        g.add_edge(f"paper:{pid}", entity_node("llama2"), key=rel)
    g.add_edge(entity_node("gridsearch"), entity_node("llama2"), key="USES")  # a relation, not a paper's role
    _add_claim(g, "c1", "p0", "llama2-7b", "70", "b text", unit="%", metric="accuracy")
    _add_claim(g, "c2", "p1", "llama2", "1.5", "a text", unit="x", metric="speedup", via="LoRA", baseline="GPT-3",
           dataset="GSM8K")
    _add_claim(g, "c3", "p0", "gsm8k", "3", "not about Llama")
    g.add_edge("claim:c3", entity_node("llama2"), key="AGAINST")  # Llama 2 as baseline: not a claim about it
    return KnowledgeGraph(g)


# --- list_entities ---

def test_lookup_list_entities_most_papers_first_then_by_key(kg):
    assert [(r["paper_count"], r["key"]) for r in list_entities(kg)] == [
        (10, "proximalpolicyoptimization"), (9, "prompttuning"), (6, "llama"), (5, "gridsearch"), (4, "gsm8k"),
        (3, "gaussiansplatting"), (2, "llama2"), (2, "retrievalmodule"), (2, "rewardmodel"),
        (1, "llama2-7b"), (1, "ppo"), (1, "pretraining"),
    ]


def test_lookup_list_entities_rows_carry_model_parts_only_when_known(kg):
    rows = {r["key"]: r for r in list_entities(kg)}
    assert rows["llama2-7b"] == {"key": "llama2-7b", "name": "Llama-2-7B", "type": "Model", "aliases": ["Llama-2-7B"],
                                 "paper_count": 1, "family": "llama", "version": "2", "size": "7B"}
    assert rows["llama"] == {"key": "llama", "name": "Llama", "type": "Model", "aliases": ["LLaMA", "Llama"],
                             "paper_count": 6}


@pytest.mark.parametrize("entity_type,min_papers,expected", [
    ("Model", 0, ["llama", "llama2", "rewardmodel", "llama2-7b"]),
    ("Model", 2, ["llama", "llama2", "rewardmodel"]),
    ("Dataset", 0, ["gsm8k"]),
    ("Dataset", 5, []),
    (None, 5, ["proximalpolicyoptimization", "prompttuning", "llama", "gridsearch"]),
    ("Task", 0, []),
    ("Paper", 0, []),  # papers and claims are no entities
    ("Unknown", 0, []),
])
def test_lookup_list_entities_filters_by_type_and_paper_count(kg, entity_type, min_papers, expected):
    assert [r["key"] for r in list_entities(kg, entity_type, min_papers)] == expected


def test_lookup_list_entities_keeps_family_nodes_only_without_a_minimum():
    kg = sample_graph()  # "Vicuna" is a family no paper names: 0 papers
    assert "vicuna" in [r["key"] for r in list_entities(kg)]
    assert "vicuna" not in [r["key"] for r in list_entities(kg, min_papers=1)]


# --- find_entity ---

@pytest.mark.parametrize("name,expected", [
    ("Llama", "llama"),  # its key
    ("LLAMA", "llama"),
    ("llamas", "llama"),  # a plural has the same key
    ("Llama-2", "llama2"),  # an alias
    ("llama 2", "llama2"),
    ("GS", "gridsearch"),  # two entities go by "GS" alike: more papers win
    ("gs", "gridsearch"),  # aliases match whatever the case
    ("RM", "retrievalmodule"),  # alike in uses and papers: the smaller node id
    ("PT", "pretraining"),  # more uses of the name beat more papers
    ("pt", "pretraining"),  # uses are counted whatever the case
    ("PPO", "ppo"),  # an entity's own key beats another's alias used more
    ("G.S.", "gridsearch"),  # no alias spelt so, but two entities' earlier keys: more papers win
    ("Grid Search", "gridsearch"),
])
def test_lookup_find_entity_by_any_name(kg, name, expected):
    assert find_entity(kg, name) == entity_node(expected)


@pytest.mark.parametrize("name", ["No Such Thing", "", "!!!", "Zero", "not about Llama", "LoRA"])
def test_lookup_find_entity_is_none_for_names_of_nothing(kg, name):
    assert find_entity(kg, name) is None


@pytest.mark.parametrize(("name", "expected"), [
    ("lama 2", ["Llama 2", "Llama", "Llama-2-7B"]),  # the nearest first
    ("LAMA-2", ["Llama 2", "Llama-2-7B", "Llama"]),  # any case; an entity once, by its own name
    ("GSx", ["grid search", "Gaussian splatting"]),  # near an alias both share: more papers first
    ("PP0", ["proximal policy optimization", "PPO"]),  # as near: more papers first
    ("grid serach", ["grid search"]),
    ("zzzz", []),  # nothing near enough
])
def test_lookup_nearest_names_for_did_you_mean(kg, name, expected):
    assert find_entity(kg, name) is None
    assert nearest_names(kg, name) == expected


def test_lookup_nearest_names_are_at_most_count(kg):
    assert nearest_names(kg, "lama 2", count=1) == ["Llama 2"]
    assert nearest_names(kg, "lama 2", count=2) == ["Llama 2", "Llama"]


def test_lookup_find_entity_by_abbreviation_of_a_built_graph():
    title = "Adapters"
    abstract = "We apply Low-Rank Adaptation (LoRA) to Llama."
    text = f"{title}\n\n{abstract}"
    long_form, short = text.index("Low-Rank Adaptation"), text.index("LoRA")
    kg = build_graph([Extraction(
        paper=Paper(id="x1", title=title, abstract=abstract),
        entities=(Entity("Low-Rank Adaptation", "Method", "used",
                         (Span(long_form, long_form + 19, "Low-Rank Adaptation"), Span(short, short + 4, "LoRA")),
                         ("LoRA",)),),
    )])
    node = entity_node("lowrankadaptation")
    assert kg.graph.has_node(node) and not kg.graph.has_node(entity_node("lora"))
    for name in ("LoRA", "lora", "Lo-RA", "low-rank adaptation"):
        assert find_entity(kg, name) == node, name


# --- describe_entity and format_entity ---

def test_lookup_describe_entity_gathers_papers_family_and_claims(kg):
    info = describe_entity(kg, entity_node("llama2"))
    assert info == {
        "key": "llama2", "name": "Llama 2", "type": "Model", "aliases": ["Llama 2", "Llama-2"], "paper_count": 2,
        "type_votes": {"Model": 2}, "family": "llama", "version": "2",
        "variant_of": ["Llama"], "variants": ["Llama-2-7B"],
        "papers": {
            "PROPOSES": [{"id": "p1", "title": "One", "date": "2023-07-18"}],
            "USES": [{"id": "p2", "title": "Two", "date": None}, {"id": "p3", "title": "Three", "date": "2024-01-01"}],
            "COMPARES_WITH": [{"id": "p4", "title": "Four", "date": None}],
            "MENTIONS": [{"id": "p0", "title": "Zero", "date": "2022-01-01"}],
        },
        "claims": [  # by paper, whichever entity of the family they are about
            {"about": "Llama-2-7B", "paper_id": "p0", "value": "70", "unit": "%", "metric": "accuracy", "via": None,
             "baseline": None, "dataset": None, "text": "b text"},
            {"about": "Llama 2", "paper_id": "p1", "value": "1.5", "unit": "x", "metric": "speedup", "via": "LoRA",
             "baseline": "GPT-3", "dataset": "GSM8K", "text": "a text"},
        ],
    }
    assert list(info["papers"]) == ["PROPOSES", "USES", "COMPARES_WITH", "MENTIONS"]


def test_lookup_describe_entity_takes_claims_of_variants_of_variants(kg):
    top = describe_entity(kg, entity_node("llama"))
    assert top["variants"] == ["Llama 2"] and top["variant_of"] == [] and top["papers"] == {}
    assert [(c["about"], c["paper_id"]) for c in top["claims"]] == [("Llama-2-7B", "p0"), ("Llama 2", "p1")]
    leaf = describe_entity(kg, entity_node("llama2-7b"))
    assert leaf["variant_of"] == ["Llama 2"] and leaf["variants"] == []
    assert [c["about"] for c in leaf["claims"]] == ["Llama-2-7B"]


def test_lookup_describe_entity_with_nothing_known_but_its_name(kg):
    info = describe_entity(kg, entity_node("ppo"))
    assert (info["papers"], info["claims"], info["variants"], info["variant_of"]) == ({}, [], [], [])
    assert "family" not in info and "size" not in info
    assert format_entity(info) == "PPO  [Method]  key=ppo  papers=1\naliases: PPO"


def _give_up(signum, frame):
    raise TimeoutError("describe_entity is following a VARIANT_OF loop forever")


def test_lookup_describe_entity_survives_a_variant_loop():
    g = nx.MultiDiGraph()
    _add_entity(g, "a", "A", "Model", 1)
    _add_entity(g, "b", "B", "Model", 1)
    _add_paper(g, "p", "P")
    g.add_edge(entity_node("a"), entity_node("b"), key="VARIANT_OF")
    g.add_edge(entity_node("b"), entity_node("a"), key="VARIANT_OF")
    _add_claim(g, "c", "p", "b", "1", "t")
    previous = signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(10)
    try:
        info = describe_entity(KnowledgeGraph(g), entity_node("a"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert [c["about"] for c in info["claims"]] == ["B"]


def test_lookup_describe_entity_is_plain_json(kg):
    info = describe_entity(kg, entity_node("llama2"))
    assert json.loads(json.dumps(info)) == info


def test_lookup_format_entity_says_everything_described(kg):
    assert format_entity(describe_entity(kg, entity_node("llama2"))).splitlines() == [
        "Llama 2  [Model]  key=llama2  papers=2",
        "aliases: Llama 2, Llama-2",
        "model: family=llama, version=2",
        "variant of: Llama",
        "variants: Llama-2-7B",
        "proposes by:",
        "  p1  One  (2023-07-18)",
        "uses by:",
        "  p2  Two",
        "  p3  Three  (2024-01-01)",
        "compares with by:",
        "  p4  Four",
        "mentions by:",
        "  p0  Zero  (2022-01-01)",
        "claims:",
        "  Llama-2-7B: 70 % accuracy  [p0]",
        "    \u201cb text\u201d",
        "  Llama 2: 1.5 x speedup; via LoRA; baseline GPT-3; dataset GSM8K  [p1]",
        "    \u201ca text\u201d",
    ]


def test_lookup_show_medusa_of_a_built_graph_has_the_claim_of_medusa_1():
    kg = sample_graph()
    node = find_entity(kg, "medusa")
    assert node == entity_node("medusa")
    text = format_entity(describe_entity(kg, node))
    assert "variants: Medusa-1" in text.splitlines()
    assert "  Medusa-1: 2.2 x speedup; via decoding heads; baseline speculative decoding  [2401.10774]" in text
