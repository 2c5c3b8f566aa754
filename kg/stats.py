"""Summaries of a graph: counts per label and type, the most used entities and claims."""
from __future__ import annotations

from typing import Any, Iterable

from kg.graph import KnowledgeGraph


def graph_stats(kg: KnowledgeGraph, top: int = 10) -> dict[str, Any]:
    entities = sorted(kg.entities(), key=lambda nd: (-nd[1]["paper_count"], nd[1]["key"]))
    return {
        "nodes": kg.node_counts(),
        "relationships": kg.relationship_counts(),
        "top_entities": [
            {"key": d["key"], "name": d["name"], "type": d["label"], "paper_count": d["paper_count"]}
            for _, d in entities[:top]
        ],
        "top_claims": [_claim_row(d) for _, d in _rank_claims(kg, kg.claims())[:top]],
    }


def _rank_claims(kg: KnowledgeGraph, claims: Iterable[tuple[str, dict[str, Any]]]) -> list:
    """A claim about each subject first, the most widely used subjects first, then the other claims in the
    same order; a claim that names its metric goes before one that does not, then by paper and place. A big
    store would otherwise list only claims about its one most used entity ("LLMs")."""
    ranked = []
    for node, d in claims:
        about = sorted(v for _, v, k in kg.graph.out_edges(node, keys=True) if k == "ABOUT")
        used = max((kg.graph.nodes[v]["paper_count"] for v in about), default=0)
        ranked.append(((-used, d.get("metric") is None, d["paper_id"], d["start"], node), tuple(about) or (node,), d))
    ranked.sort(key=lambda item: item[0])
    first, rest, seen = [], [], set()
    for weight, subjects, d in ranked:
        (rest if subjects in seen else first).append((weight[-1], d))
        seen.add(subjects)
    return first + rest


def _claim_row(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "paper": d["paper_id"],
        "subject": d.get("subject"),
        "value": d["value"],
        "unit": d.get("unit"),
        "metric": d.get("metric"),
        "text": d["text"],
    }


def format_stats(stats: dict[str, Any]) -> str:
    lines = ["nodes"]
    lines += [f"  {label:<14} {count:>8,}" for label, count in stats["nodes"].items()]
    lines.append("relationships")
    lines += [f"  {rel:<14} {count:>8,}" for rel, count in stats["relationships"].items()]
    lines.append("top entities (papers)")
    lines += [f"  {e['paper_count']:>5}  {e['name']}  [{e['type']}]" for e in stats["top_entities"]]
    lines.append("top claims")
    for c in stats["top_claims"]:
        figure = " ".join(x for x in (c["value"], c["unit"] or "", c["metric"] or "") if x)
        lines.append(f"  {c['subject'] or '?'} -> {figure}   ({c['paper']})")
    return "\n".join(lines)
