"""Generated extractions (no spaCy, a fixed seed), for the tests and the benchmarks.

- :func:`synthetic_extractions`: papers on a few popular entities, every one stating "Transformer uses
  self-attention", so that relationship's lists grow far past FalkorDB's byte cap (the Neo4j loader's tests);
- :func:`zipf_extractions`: a vocabulary that grows with the papers, its names drawn Zipf-distributed,
  as a real corpus names them (the HTML view's benchmark and tests).
"""
from __future__ import annotations

import random

from kg.records import ENTITY_TYPES, RELATION_TYPES, ROLES, TITLE_SEPARATOR, Claim, Entity, Extraction, Paper, Relation, Span

_SYLLABLES = ("ra", "ven", "tor", "lu", "mi", "sa", "dex", "no", "qua", "fer", "li", "on", "ze", "pha", "gri", "mo")
_SUFFIX = {"Method": "", "Model": "-7B", "Dataset": "Bench", "Task": " tasks", "Metric": " score"}


def _zipf_pick(rng: random.Random, size: int) -> int:
    return min(size - 1, int(size ** rng.random()) - 1)


def _name(rng: random.Random, entity_type: str) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize() + _SUFFIX[entity_type]


def zipf_extractions(n_papers: int, seed: int = 0) -> list[Extraction]:
    """``n_papers`` made-up extractions over a shared vocabulary, a few entities and claims each."""
    rng = random.Random(seed)
    vocabulary = {t: sorted({_name(rng, t) for _ in range(max(8, n_papers // 3))}) for t in ENTITY_TYPES}
    extractions = []
    for i in range(n_papers):
        chosen: dict[str, tuple[str, str]] = {}
        for _ in range(rng.randint(3, 8)):
            entity_type = rng.choice(ENTITY_TYPES)
            names = vocabulary[entity_type]
            name = names[_zipf_pick(rng, len(names))]
            chosen.setdefault(name, (entity_type, rng.choice(ROLES)))
        names = sorted(chosen)
        title = f"{names[0]} for {names[-1]}: study {i}"
        sentences = [f"We study {name} in this work." for name in names]
        metric = next((n for n in names if chosen[n][0] == "Metric"), None)
        if metric and len(names) > 2:
            sentences.append(f"{names[0]} reaches {1 + i % 9}.{i % 10}x {metric} over {names[1]}.")
        abstract = " ".join(sentences)
        text = title + TITLE_SEPARATOR + abstract
        entities = []
        for name in names:
            start = text.index(name, len(title))
            entity_type, role = chosen[name]
            entities.append(Entity(name, entity_type, role, (Span(start, start + len(name), name),)))
        claims = ()
        relations = []
        if metric and len(names) > 2:
            sentence = sentences[-1]
            c_start = text.index(sentence)
            value = f"{1 + i % 9}.{i % 10}"
            v_start = text.index(value, c_start)
            claims = (Claim(
                value=value, start=v_start, end=v_start + len(value), text=sentence,
                text_start=c_start, text_end=c_start + len(sentence), value_min=float(value),
                value_max=float(value), unit="x", metric=metric, subject=names[0], baseline=names[1],
            ),)
        for _ in range(rng.randint(0, 2)):
            head, tail = rng.sample(names, 2)
            sentence = sentences[names.index(head)]
            start = text.index(sentence)
            relations.append(Relation(head, rng.choice(RELATION_TYPES), tail, sentence, start, start + len(sentence)))
        paper = Paper(id=f"{2300 + i // 99999:04d}.{i % 99999:05d}", title=title, abstract=abstract,
                      date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", authors=("A. Author", "B. Author"))
        extractions.append(Extraction(paper=paper, entities=tuple(entities), claims=claims,
                                      relations=tuple(relations)))
    return extractions


def synthetic_extractions(papers: int, seed: int = 7, start: int = 0) -> list[Extraction]:
    """``papers`` generated extractions (ids ``syn-<n>`` from ``start``), with a few popular entities.

    Every paper states "Transformer uses self-attention", so that relationship
    gathers one paper id and one evidence sentence per paper: lists far over
    FalkorDB's byte cap, which must be written in parts.
    """
    pools = {
        "Method": [f"Gated {w} Routing" for w in ("Sparse", "Dense", "Lazy", "Eager", "Twin", "O'Neil")],
        "Model": [f"Corvid-{n}B" for n in (1, 3, 7, 13, 70)],
        "Dataset": [f"{w}Bench" for w in ("Quill", "Heron", "Marten", "Vole")],
        "Metric": ["accuracy", "BLEU", "exact match"],
    }
    extractions = []
    for i in range(start, start + papers):
        rng = random.Random(f"{seed}-{i}")  # paper i is the same whichever range it is built in
        method = pools["Method"][min(int(len(pools["Method"]) ** rng.random()) - 1, 5)]
        model, dataset, metric = (rng.choice(pools[t]) for t in ("Model", "Dataset", "Metric"))
        value = round(rng.uniform(1, 60), 1)
        sentences = [
            f"We propose {method}, evaluated with {model} on {dataset}.",
            "Transformer uses self-attention.",
            f"{method} improves {metric} by {value}% over beam search on {dataset}.",
            f"Paper {i} says \"it's fine\" \\ (commas, semicolons; and more).",
        ]
        title = f"Synthetic study {i}: {method}"
        abstract = " ".join(sentences)
        text = title + TITLE_SEPARATOR + abstract
        offsets = [text.index(s) for s in sentences]

        def span(name, sentence):
            begin = text.index(name, offsets[sentence])
            return Span(begin, begin + len(name), name)

        claim_sentence = sentences[2]
        v_start = text.index(str(value), offsets[2])
        extractions.append(Extraction(
            paper=Paper(id=f"syn-{i:04d}", title=title, abstract=abstract, date=f"2024-{1 + i % 12:02d}-01",
                        authors=(f"Author {i % 17}", f"Author {(i * 7) % 17}")),
            entities=(
                Entity(method, "Method", "proposed", (span(method, 0),)),
                Entity(model, "Model", "used", (span(model, 0),)),
                Entity(dataset, "Dataset", "used", (span(dataset, 0),)),
                Entity(metric, "Metric", "used", (span(metric, 2),)),
                Entity("beam search", "Method", "compared", (span("beam search", 2),)),
                Entity("Transformer", "Model", "mentioned", (span("Transformer", 1),)),
                Entity("self-attention", "Method", "mentioned", (span("self-attention", 1),)),
            ),
            claims=(Claim(value=str(value), start=v_start, end=v_start + len(str(value)), text=claim_sentence,
                          text_start=offsets[2], text_end=offsets[2] + len(claim_sentence), value_min=value,
                          value_max=value, unit="%", metric=metric, subject=method, baseline="beam search",
                          dataset=dataset),),
            relations=(
                Relation(method, "EVALUATED_ON", dataset, sentences[0], offsets[0], offsets[0] + len(sentences[0])),
                Relation("Transformer", "USES", "self-attention", sentences[1], offsets[1],
                         offsets[1] + len(sentences[1])),
                Relation(method, "OUTPERFORMS", "beam search", claim_sentence, offsets[2],
                         offsets[2] + len(claim_sentence)),
            ),
        ))
    return extractions
