"""Looking entities up in a graph: by type and paper count, and by any of their names."""
from __future__ import annotations

import difflib
from typing import Any

from kg.graph import KnowledgeGraph, entity_node, paper_label
from kg.resolve import MODEL_PARTS, canonical_key, clean_surface
from kg.schema import load_schema

CLAIM_FIELDS = ("paper_id", "value", "unit", "metric", "via", "baseline", "dataset", "text")
SUGGESTIONS = 5
SIMILARITY_CUTOFF = 0.6  # difflib's ratio below which a name is not offered as a suggestion


def list_entities(kg: KnowledgeGraph, entity_type: str | None = None, min_papers: int = 0) -> list[dict[str, Any]]:
    """Canonical entities, most papers first."""
    rows = [
        {"key": d["key"], "name": d["name"], "type": d["label"], "aliases": d["aliases"],
         "paper_count": d["paper_count"], **{p: d[p] for p in MODEL_PARTS if d.get(p)}}
        for _, d in kg.entities()
        if (entity_type is None or d["label"] == entity_type) and d["paper_count"] >= min_papers
    ]
    return sorted(rows, key=lambda r: (-r["paper_count"], r["key"]))


def find_entity(kg: KnowledgeGraph, name: str) -> str | None:
    """The node of the entity called ``name``: its key, else the entity that most
    often goes by that name (an alias or an earlier key), more papers breaking ties."""
    key = canonical_key(name)
    if kg.graph.has_node(entity_node(key)):
        return entity_node(key)
    surface = clean_surface(name).casefold()
    best, best_rank = None, (0, 0)
    for node, data in kg.entities():
        uses = sum(n for alias, n in data["alias_counts"].items() if alias.casefold() == surface)
        if uses == 0 and key not in data.get("alias_keys", ()):
            continue
        rank = (uses, data["paper_count"])
        if best is None or rank > best_rank or (rank == best_rank and node < best):
            best, best_rank = node, rank
    return best


def nearest_names(kg: KnowledgeGraph, name: str, count: int = SUGGESTIONS) -> list[str]:
    """The entities whose names are most like ``name`` (any case), for "did you mean": each scored
    by the nearest of its names and aliases, offered by its own name, the nearest first and more
    papers breaking ties."""
    matcher = difflib.SequenceMatcher(b=name.casefold())
    best: dict[str, tuple[float, int, str]] = {}
    for node, data in kg.entities():
        for alias in {data["name"].casefold(), *(a.casefold() for a in data["aliases"])}:
            matcher.set_seq1(alias)
            if matcher.real_quick_ratio() < SIMILARITY_CUTOFF or matcher.quick_ratio() < SIMILARITY_CUTOFF:
                continue
            score = matcher.ratio()
            if score >= SIMILARITY_CUTOFF and score > best.get(node, (0.0,))[0]:
                best[node] = (score, data["paper_count"], data["name"])
    ranked = sorted(best.values(), key=lambda found: (-found[0], -found[1], found[2]))
    return [entity_name for _, _, entity_name in ranked[:count]]


def describe_entity(kg: KnowledgeGraph, node: str) -> dict[str, Any]:
    """Everything the graph knows about one entity, for `kg show` (papers by title, or the first
    words of an untitled paper's abstract)."""
    g = kg.graph
    data = g.nodes[node]
    papers: dict[str, list[dict[str, Any]]] = {rel: [] for rel in load_schema().role_relationships.values()}
    for source, _, rel in sorted(g.in_edges(node, keys=True)):
        source_data = g.nodes[source]
        if rel in papers and source_data["label"] == "Paper":
            papers[rel].append({"id": source_data["id"], "title": paper_label(source_data),
                                "date": source_data.get("date")})
    variants = sorted(g.nodes[v]["name"] for v, _, rel in g.in_edges(node, keys=True) if rel == "VARIANT_OF")
    families = sorted(g.nodes[f]["name"] for _, f, rel in g.out_edges(node, keys=True) if rel == "VARIANT_OF")
    return {
        "key": data["key"], "name": data["name"], "type": data["label"], "aliases": data["aliases"],
        "paper_count": data["paper_count"], "type_votes": data.get("type_votes", {}),
        **{p: data[p] for p in MODEL_PARTS if data.get(p)},
        "variant_of": families, "variants": variants,
        "papers": {rel: rows for rel, rows in papers.items() if rows},
        "claims": _claims_about(kg, node),
    }


def _claims_about(kg: KnowledgeGraph, node: str) -> list[dict[str, Any]]:
    """Claims about the entity and about its variants ("Medusa-1" for "Medusa")."""
    g = kg.graph
    subjects, frontier = {node}, [node]
    while frontier:
        current = frontier.pop()
        for variant, _, rel in g.in_edges(current, keys=True):
            if rel == "VARIANT_OF" and variant not in subjects:
                subjects.add(variant)
                frontier.append(variant)
    claims = []
    for subject in sorted(subjects):
        for source, _, rel in sorted(g.in_edges(subject, keys=True)):
            if rel == "ABOUT" and g.nodes[source]["label"] == "Claim":
                claim = g.nodes[source]
                claims.append({"about": g.nodes[subject]["name"], **{k: claim.get(k) for k in CLAIM_FIELDS}})
    return sorted(claims, key=lambda c: (c["paper_id"], c["text"]))


def format_entity(info: dict[str, Any]) -> str:
    lines = [f"{info['name']}  [{info['type']}]  key={info['key']}  papers={info['paper_count']}"]
    if info["aliases"]:
        lines.append("aliases: " + ", ".join(info["aliases"]))
    parts = [f"{p}={info[p]}" for p in MODEL_PARTS if info.get(p)]
    if parts:
        lines.append("model: " + ", ".join(parts))
    if info["variant_of"]:
        lines.append("variant of: " + ", ".join(info["variant_of"]))
    if info["variants"]:
        lines.append("variants: " + ", ".join(info["variants"]))
    for rel, rows in info["papers"].items():
        lines.append(f"{rel.lower().replace('_', ' ')} by:")
        lines += [f"  {r['id']}  {r['title']}" + (f"  ({r['date']})" if r.get("date") else "") for r in rows]
    if info["claims"]:
        lines.append("claims:")
        for c in info["claims"]:
            figure = " ".join(x for x in (c["value"], c["unit"] or "", c["metric"] or "") if x)
            extra = "".join(f"; {k} {c[k]}" for k in ("via", "baseline", "dataset") if c.get(k))
            lines.append(f"  {c['about']}: {figure}{extra}  [{c['paper_id']}]")
            lines.append(f"    \u201c{c['text']}\u201d")
    return "\n".join(lines)
