"""Train kg's learned scorers (which proposed entities are entities, of which type: kg.learn.entities;
which the paper proposes: kg.learn.roles; which numbers are claims: kg.learn.numbers; whose:
kg.learn.subjects; which relations hold: kg.learn.pairs) and, if asked, ship them.

    python scripts/train_scorers.py            # train all five, report on the tuning split, do not ship
    python scripts/train_scorers.py --ship     # ... and write their weights to kg/learn/
    python scripts/train_scorers.py --folds out/folds   # train papers read by recognisers that never saw them

The scorers read what the extractor finds: the pipeline (recogniser and rules)
runs over the labelled papers; each entity it proposes is labelled with the type
of the gold entity it matches (score.py's name matching), or none; the entity
scorer learns first, and the pipeline runs again with it; each entity it keeps is
labelled proposed when the gold entity it matches is, and the role scorer learns;
the pipeline runs a third time with both for the others. Each number is labelled
a claim when a gold claim has its value; each found claim that matches a gold
claim by value labels its candidate subjects by the gold's subject; each ordered
pair of found entities is labelled with the relation the gold states between the
entities they match (score.py's name matching), or none. With --folds, each train
paper is read by the recogniser trained without its fold (train_model.py --fold
K/N, written to FOLDS/K), so the scorers learn from the recogniser's errors on
papers it has not seen, as it will make them on the user's papers. They learn the
"train" papers; the L2 strength and threshold kept are those with the best
score.py F1 (typed entities; proposed entities, by score.py's name matching;
claims by value; claims by value and subject; relations) on the "tuning" papers;
the "validation" papers are never read. Seeded and deterministic, in any process. Needs ../shared
(the corpus and score.py). Retrain after the recogniser changes: the scorers
learn from its output.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable

from shared_data import require, training_options
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.pipeline import load_pipeline
from kg.extractor import PipelineConfig
from kg.extract.claims.results import detector_features
from kg.extract.entity_scorer import entity_candidates
from kg.extract.relation_scorer import candidates
from kg.extract.role_scorer import role_candidates
from kg.extract.subject_scorer import claim_candidates, rules_subject_stands, subject_entities
from kg.learn import entities, numbers, pairs, roles, subjects
from kg.learn.labels import corpus_texts, fold_of, load_score_module, proposed_match, read_labels, split_of
from kg.learn.linear import Example, LinearModel, train
from kg.learn.pairs import PaperEntity
from kg.records import ENTITY_TYPES

ExamplesOf = Callable[["LabelledPaper"], list[Example]]
TallyOf = Callable[[LinearModel, list["LabelledPaper"]], Any]  # score.py's Tally of a model's decisions on papers
L2_CHOICES = (1e-5, 3e-5, 1e-4, 3e-4)
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(19))


@dataclass
class LabelledPaper:
    """One labelled paper's training material: its label and each scorer's examples with what they name."""

    label: dict
    entities: list[tuple[Example, PaperEntity, dict]] = field(default_factory=list)
    roles: list[tuple[Example, dict]] = field(default_factory=list)  # example, the entity as score.py reads it
    numbers: list[tuple[Example, str]] = field(default_factory=list)  # example, value
    relations: list[tuple[Example, str, str]] = field(default_factory=list)  # example, head, tail
    claims: list[tuple[dict, list[tuple[Example, str]]]] = field(default_factory=list)  # claim, (example, name)


def gold_names(score, label: dict) -> dict[str, set[str]]:
    """Each normalised gold name -> every normalised name of its entity."""
    names = {}
    for entity in label["entities"]:
        for name in score.names_of(entity):
            names[name] = score.names_of(entity)
    return names


def forms_of(score, names: dict[str, set[str]], name: str) -> set[str]:
    """Every normalised name of the gold entity ``name`` names (``gold_names``), or its own alone."""
    return names.get(score.norm(name), {score.norm(name)})


def entity_examples(score, nlp, doc, label: dict) -> list[tuple[Example, PaperEntity, dict]]:
    """Each entity the doc proposes, labelled with the type of the gold entity it matches, or none; with
    the entity as score.py reads it."""
    golds = score.scored_entities(label)
    found = []
    for entity, features in entity_candidates(doc, nlp.get_pipe("kg_entities").lexicon.type_of):
        proposed = as_scored(entity)
        gold = next((g for g in golds if score.names_of(g) & score.names_of(proposed)), None)
        found.append(((features, ENTITY_TYPES, gold["type"] if gold else entities.NOT_ENTITY), entity, proposed))
    return found


def entity_tally(score, model: LinearModel, papers: list[LabelledPaper]):
    """score.py's typed entity F1 over ``papers`` for the entities ``model`` keeps, typed as it says."""
    tally = score.Tally()
    for paper in papers:
        kept = [{**proposed, "type": kind} for (features, _, _), _, proposed in paper.entities
                if (kind := entities.decide(model, features)) is not None]
        tp, fp, fn = score.match(score.scored_entities(paper.label), kept, score.entity_same(True))
        tally.add(tp, len(fp), len(fn))
    return tally


def as_scored(entity: PaperEntity) -> dict:
    """An entity as score.py reads it: its name and the other forms its mentions take."""
    return {"name": entity.name, "aliases": sorted({m.text for m in entity.mentions} - {entity.name})}


def role_examples(score, doc, label: dict) -> list[tuple[Example, dict]]:
    """Each of the doc's entities, proposed when the gold entity it matches is."""
    proposed = [g for g in label["entities"] if g.get("role") == roles.PROPOSED]
    found = []
    for entity, features in role_candidates(doc):
        entity_as_scored = as_scored(entity)
        is_proposed = any(score.names_of(g) & score.names_of(entity_as_scored) for g in proposed)
        found.append(((features, (roles.PROPOSED,), roles.PROPOSED if is_proposed else roles.NOT_PROPOSED),
                      entity_as_scored))
    return found


def role_tally(score, model: LinearModel, papers: list[LabelledPaper]):
    """score.py's entity F1 (any type) over ``papers``: the gold's proposed entities against those ``model`` marks."""
    tally = score.Tally()
    for paper in papers:
        kept = [entity for (features, allowed, _), entity in paper.roles if model.best(features, allowed) is not None]
        tp, fp, fn = proposed_match(score, paper.label["entities"], kept)
        tally.add(tp, len(fp), len(fn))
    return tally


def relation_examples(score, doc, label: dict) -> list[tuple[Example, str, str]]:
    """The doc's candidate pairs, each labelled with the relation the gold states between the
    entities its head and tail match, or none."""
    names = [score.names_of(entity) for entity in label["entities"]]
    index = {entity["name"]: i for i, entity in enumerate(label["entities"])}
    gold = {}
    for relation in label["relations"]:
        if relation["head"] in index and relation["tail"] in index:
            gold.setdefault((index[relation["head"]], index[relation["tail"]]), relation["type"])

    def matches(name: str) -> set[int]:
        return {i for i, forms in enumerate(names) if score.loose_name_same(name, forms)}

    found = []
    for candidate in candidates(doc):
        heads, tails = matches(candidate.head.name), matches(candidate.tail.name)
        outcome = next((gold[h, t] for h in heads for t in tails if (h, t) in gold and gold[h, t] in candidate.allowed),
                       pairs.NO_RELATION)
        found.append(((candidate.features, candidate.allowed, outcome), candidate.head.name, candidate.tail.name))
    return found


def number_examples(score, nlp, doc, label: dict) -> list[tuple[Example, str]]:
    """Each number the doc states, a claim when a gold claim (not yet taken) has its value."""
    wanted = [score.norm_value(claim.get("value")) for claim in label["claims"]]
    found = []
    for mention, ctx, keep in nlp.get_pipe("kg_claims").decisions(doc):
        value = score.norm_value(mention.value)
        outcome = numbers.CLAIM if value in wanted else numbers.NOT_CLAIM
        if value in wanted:
            wanted.remove(value)
        found.append(((detector_features(ctx, keep), (numbers.CLAIM,), outcome), mention.value))
    return found


def claim_tally(score, model: LinearModel, papers: list[LabelledPaper]):
    """score.py's claim F1 by value over ``papers`` for the numbers ``model`` keeps."""
    tally = score.Tally()
    for paper in papers:
        kept = [{"value": value} for (features, allowed, _), value in paper.numbers
                if model.best(features, allowed) is not None]
        tp, fp, fn = score.match(paper.label["claims"], kept,
                                 lambda x, y: score.norm_value(x["value"]) == score.norm_value(y.get("value")) != "")
        tally.add(tp, len(fp), len(fn))
    return tally


def subject_examples(score, doc, label: dict) -> list[tuple[dict, list[tuple[Example, str]]]]:
    """Each claim the doc states, with its candidate subjects labelled by the gold claim of the same value."""
    names = gold_names(score, label)
    entities, main = subject_entities(doc)
    found = []
    for claim in doc._.kg_claims or []:
        value = score.norm_value(claim.value)
        gold = next((g for g in label["claims"] if score.norm_value(g.get("value")) == value), None)
        subject = gold.get("subject") if gold else None
        forms = forms_of(score, names, subject) if subject else set()
        examples = []
        for entity, features in claim_candidates(doc, claim, entities, main):
            outcome = subjects.SUBJECT if forms and score.loose_name_same(entity.name, forms) else subjects.NOT_SUBJECT
            examples.append(((features, (subjects.SUBJECT,), outcome), entity.name))
        found.append(({"value": claim.value, "subject": claim.subject,
                       "stands": rules_subject_stands(claim, entities)}, examples))
    return found


def relation_tally(score, model: LinearModel, papers: list[LabelledPaper]):
    """score.py's relation F1 over ``papers`` for the rules' relations and those ``model`` adds."""
    tally = score.Tally()
    for paper in papers:
        names = gold_names(score, paper.label)

        def same(found, gold):
            return (found["type"] == gold["type"]
                    and score.loose_name_same(found["head"], forms_of(score, names, gold["head"]))
                    and score.loose_name_same(found["tail"], forms_of(score, names, gold["tail"])))

        kept = {(head, kind, tail) for (features, allowed, _), head, tail in paper.relations
                if (kind := model.best(features, allowed)) is not None}
        kept |= {(head, f.split(":", 1)[1], tail) for (features, _, _), head, tail in paper.relations
                 for f in features if f.startswith("rule:")}  # the component keeps the rules' relations
        kept = [{"head": head, "type": kind, "tail": tail} for head, kind, tail in sorted(kept)]
        tp, fp, fn = score.match(paper.label["relations"], kept, same)
        tally.add(tp, len(fp), len(fn))
    return tally


def subject_tally(score, model: LinearModel, papers: list[LabelledPaper]):
    """score.py's claim F1 (value and subject) over ``papers`` with the subjects ``model`` picks where the
    rules' do not stand."""
    tally = score.Tally()
    for paper in papers:
        names = gold_names(score, paper.label)
        found = []
        for claim, examples in paper.claims:
            scored = [(model.probabilities(features, allowed)[subjects.SUBJECT], name)
                      for (features, allowed, _), name in examples]
            best = max(scored, default=None)
            decide = not claim["stands"] and best and best[0] >= model.threshold
            subject = best[1] if decide else claim["subject"]
            found.append({"value": claim["value"], "subject": subject})

        def same(x, y):
            value = score.norm_value(y.get("value"))
            if score.norm_value(x.get("value")) != value or not value:
                return False
            if y.get("subject") is None:
                return True
            return score.loose_name_same(x.get("subject"), forms_of(score, names, y["subject"]))

        tp, fp, fn = score.match(paper.label["claims"], found, same)
        tally.add(tp, len(fp), len(fn))
    return tally


def fit(name: str, train_papers: list[LabelledPaper], examples_of: ExamplesOf, outcomes: tuple[str, ...],
        tally_of: TallyOf, tuning: list[LabelledPaper], held_out: int) -> LinearModel:
    """The weights and threshold with the best tuning F1 over the L2 and threshold grid; with ``held_out``
    folds, also prints how the same L2 and threshold score the train papers (``held_out_tally``)."""
    examples = [e for paper in train_papers for e in examples_of(paper)]
    best = None
    for l2 in L2_CHOICES:
        weights = train(examples, outcomes, l2=l2)
        for threshold in THRESHOLDS:
            model = LinearModel(outcomes, weights, threshold)
            f1 = tally_of(model, tuning).f1
            if best is None or f1 > best[0]:
                best = (f1, l2, model)
    f1, l2, model = best
    print(f"{name}: kept l2 {l2}, threshold {model.threshold}: tuning F1 {f1:.3f}, {len(model.weights)} features",
          file=sys.stderr)
    if held_out:
        tally = held_out_tally(train_papers, examples_of, outcomes, tally_of, l2, model.threshold, held_out)
        print(tally.row(f"{name}, train held out"), file=sys.stderr)
    return model


def held_out_tally(papers: list[LabelledPaper], examples_of: ExamplesOf, outcomes: tuple[str, ...],
                   tally_of: TallyOf, l2: float, threshold: float, folds: int):
    """score.py's tally over ``papers``, each paper's decisions made by weights trained without its fold
    (``kg.learn.labels.fold_of``): an estimate over the whole train split, seven times the tuning split, of
    how a scorer reads new papers."""
    part = [fold_of(paper.label["id"], folds) for paper in papers]

    def fold_tally(k: int):
        rest = [e for paper, p in zip(papers, part) if p != k for e in examples_of(paper)]
        return tally_of(LinearModel(outcomes, train(rest, outcomes, l2=l2), threshold),
                        [paper for paper, p in zip(papers, part) if p == k])

    pooled, *others = map(fold_tally, range(folds))
    for tally in others:
        pooled.add(tally.tp, tally.fp, tally.fn)
    return pooled


def fold_recognisers(folder: Path) -> list[str]:
    """The recognisers of ``folder``'s numbered subfolders 0..N-1, each trained without its fold."""
    found = sorted((int(sub.name), sub) for sub in folder.iterdir() if sub.is_dir() and sub.name.isdigit())
    if not found or [number for number, _ in found] != list(range(len(found))):
        raise SystemExit(f"train_scorers.py: {folder} must hold recognisers in subfolders 0, 1, ... "
                         f"(train_model.py --fold K/N --out {folder}/K)")
    return [str(sub) for _, sub in found]


def pipeline_docs(config: PipelineConfig, texts: list[str],
                  recognisers: list[str | None]) -> tuple[Language, list[Doc]]:
    """Each text's Doc, read by the pipeline of ``config`` with the recogniser given for it (None: the
    config's own), loading each pipeline once; and the last pipeline loaded, whose rule components
    (the lexicon, the claim rules) are every pipeline's."""
    docs = [None] * len(texts)
    for recogniser in dict.fromkeys(recognisers):
        nlp = load_pipeline(config if recogniser is None else replace(config, recogniser=recogniser))
        indices = [i for i, r in enumerate(recognisers) if r == recogniser]
        for i, doc in zip(indices, nlp.pipe((texts[i] for i in indices), batch_size=32)):
            docs[i] = doc
    return nlp, docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    training_options(parser)
    parser.add_argument("--recogniser", type=Path, help="the recogniser to train over (default: the shipped one)")
    parser.add_argument("--folds", type=Path, help="read each train paper with the recogniser trained without its "
                        "fold: FOLDS/0 .. FOLDS/N-1 (train_model.py --fold K/N)")
    parser.add_argument("--ship", action="store_true", help=f"write the weights to {pairs.WEIGHTS_FILE.parent}")
    parser.add_argument("--out", type=Path, help="write the weights to this folder")
    parser.add_argument("--held-out", type=int, default=0, metavar="K",
                        help="also score each scorer over the train papers, each paper read by weights trained "
                        "without its Kth of them (K fits more per scorer)")
    args = parser.parse_args()
    require(parser, args.corpus, args.score)
    clock = time.perf_counter()
    score = load_score_module(args.score)
    labels = [label for label in read_labels(sorted(args.labels.glob("*.jsonl")))
              if split_of(label["id"]) in ("train", "tuning")]
    texts = corpus_texts(args.corpus, (label["id"] for label in labels))
    split = [split_of(label["id"]) for label in labels]
    papers = [LabelledPaper(label) for label in labels]
    config = PipelineConfig(entity_weights=None, role_weights=None, claim_weights=None, subject_weights=None,
                            relation_weights=None)
    if args.recogniser:
        config = replace(config, recogniser=str(args.recogniser))
    train_papers = [p for p, s in zip(papers, split) if s == "train"]
    tuning = [p for p, s in zip(papers, split) if s == "tuning"]
    folds = fold_recognisers(args.folds) if args.folds else []
    recognisers = [folds[fold_of(label["id"], len(folds))] if folds and part == "train" else None
                   for label, part in zip(labels, split)]
    ordered = [texts[label["id"]] for label in labels]
    nlp, docs = pipeline_docs(replace(config, components=("kg_entities", "kg_roles")), ordered, recognisers)
    for paper, doc in zip(papers, docs):
        paper.entities = entity_examples(score, nlp, doc, paper.label)
    print(f"{len(train_papers)} train papers, {len(tuning)} tuning papers; {time.perf_counter() - clock:.0f} s",
          file=sys.stderr)
    kept = fit("entities", train_papers, lambda p: [e for e, _, _ in p.entities], entities.OUTCOMES,
               partial(entity_tally, score), tuning, args.held_out)
    with tempfile.TemporaryDirectory() as scratch:
        kept.save(Path(scratch) / entities.WEIGHTS_FILE.name)
        config = replace(config, entity_weights=str(Path(scratch) / entities.WEIGHTS_FILE.name))
        nlp, docs = pipeline_docs(replace(config, components=("kg_entities", "kg_roles")), ordered, recognisers)
        for paper, doc in zip(papers, docs):
            paper.roles = role_examples(score, doc, paper.label)
        print(f"the entity scorer over them: {time.perf_counter() - clock:.0f} s", file=sys.stderr)
        proposer = fit("roles", train_papers, lambda p: [e for e, _ in p.roles], roles.OUTCOMES,
                       partial(role_tally, score), tuning, args.held_out)
        proposer.save(Path(scratch) / roles.WEIGHTS_FILE.name)
        config = replace(config, role_weights=str(Path(scratch) / roles.WEIGHTS_FILE.name))
        nlp, docs = pipeline_docs(config, ordered, recognisers)
        for paper, doc in zip(papers, docs):
            paper.numbers = number_examples(score, nlp, doc, paper.label)
            paper.relations = relation_examples(score, doc, paper.label)
            paper.claims = subject_examples(score, doc, paper.label)
    print(f"the pipeline with the entity and role scorers: {time.perf_counter() - clock:.0f} s", file=sys.stderr)
    detector = fit("claims", train_papers, lambda p: [e for e, _ in p.numbers], numbers.OUTCOMES,
                   partial(claim_tally, score), tuning, args.held_out)
    relations = fit("relations", train_papers, lambda p: [e for e, _, _ in p.relations], pairs.OUTCOMES,
                    partial(relation_tally, score), tuning, args.held_out)
    chosen = fit("subjects", train_papers, lambda p: [e for _, examples in p.claims for e, _ in examples],
                 subjects.OUTCOMES, partial(subject_tally, score), tuning, args.held_out)
    print(f"{time.perf_counter() - clock:.0f} s in all", file=sys.stderr)
    for folder in [f for f in (args.out, pairs.WEIGHTS_FILE.parent if args.ship else None) if f]:
        folder.mkdir(parents=True, exist_ok=True)
        for model, module in ((kept, entities), (proposer, roles), (detector, numbers), (chosen, subjects),
                              (relations, pairs)):
            model.save(folder / module.WEIGHTS_FILE.name)
        print(f"wrote the weights to {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
