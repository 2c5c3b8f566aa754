"""kg_entity_scorer, kg_role_scorer, kg_relation_scorer and kg_subject_scorer: the learned scorers' components, their
features, and the weights kg ships. Hand-made weights pin the components' logic; the shipped weights must
read a text we wrote."""
from dataclasses import replace

import numpy as np
import pytest

from kg.extract.entity_scorer import EntityScoring, entity_candidates
from kg.extract.pipeline import load_pipeline
from kg.extractor import PipelineConfig, extractor_version
from kg.extract.relation_scorer import RelationScoring, candidates
from kg.extract.role_scorer import RoleScoring, role_candidates
from kg.extract.subject_scorer import SubjectScoring
from kg.learn import entities, numbers, pairs, roles, subjects
from kg.learn.linear import LinearModel

TEXT = ("Orvalent: Faster Decoding\n\nWe propose Orvalent, a decoding method. It is tested on many tasks. "
        "Results are strong on GSM8K.")
CLAIM_TEXT = "Orvalent: Faster Decoding\n\nWe propose Orvalent. Llama-2 reaches 45.1% accuracy on GSM8K."
DROP_TEXT = ("Orvalent: Faster Decoding\n\nWe propose Orvalent for machine translation. We compare it with beam "
             "search. Results are strong on GSM8K.")
COMPARE_TEXT = ("Orvalent: Faster Decoding\n\nWe propose Orvalent for machine translation. It outperforms beam search. "
                "Results are strong on GSM8K.")
PHRASE_TEXT = ("Orvalent: Faster Decoding\n\nWe propose Orvalent for Llama-2. "
               "The new decoder reaches 45.1% accuracy on GSM8K.")


def weights_file(tmp_path, outcomes, rows: dict[str, list[float]], threshold: float):
    path = tmp_path / "weights.json.gz"
    LinearModel(outcomes, {f: np.array(r, dtype=float) for f, r in rows.items()}, threshold).save(path)
    return str(path)


def row(outcomes, **logits) -> list[float]:
    return [logits.get(o, 0.0) for o in outcomes]


def _entities(doc) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for span in doc.spans["kg_entities"]:
        found.setdefault(span._.kg_name, set()).add(span.label_)
    return found


def test_scorers_entity_features_say_how_an_entity_was_found_and_where(nlp):
    doc = nlp(TEXT)
    by_name = {e.name: f for e, f in entity_candidates(doc, nlp.get_pipe("kg_entities").lexicon.type_of)}
    assert {"type:Method", "role:proposed", "title", "title-lead:Method", "capital", "recognised:none:Method",
            "after:,"} <= set(by_name["Orvalent"])
    assert {"type:Dataset", "acronym", "digit", "before:on", "gov:on"} <= set(by_name["GSM8K"])
    assert not any(f.startswith("title") for f in by_name["GSM8K"])


def test_scorers_entities_the_scorer_finds_none_lose_their_spans_and_role(nlp, tmp_path):
    doc = nlp(DROP_TEXT)
    assert _entities(doc) == {"Orvalent": {"Method"}, "machine translation": {"Task"}, "beam search": {"Method"},
                              "GSM8K": {"Dataset"}}
    drop_tasks = {"type:Task": row(entities.OUTCOMES, **{"-": 9.0}), "type:Method": row(entities.OUTCOMES, Method=9.0),
                  "type:Dataset": row(entities.OUTCOMES, Dataset=9.0)}
    EntityScoring(nlp, "scorer", weights_file(tmp_path, entities.OUTCOMES, drop_tasks, 0.5))(doc)
    assert _entities(doc) == {"Orvalent": {"Method"}, "beam search": {"Method"}, "GSM8K": {"Dataset"}}
    assert "machine translation" not in doc._.kg_roles and doc._.kg_roles["beam search"] == "used"


def test_scorers_entities_of_any_kind_or_role_may_be_dropped(nlp, tmp_path):
    doc = nlp(DROP_TEXT)
    drop_all = {"bias": row(entities.OUTCOMES, **{"-": 9.0})}
    EntityScoring(nlp, "scorer", weights_file(tmp_path, entities.OUTCOMES, drop_all, 0.5))(doc)
    assert _entities(doc) == {} and doc._.kg_roles == {}  # the proposed Orvalent and the dataset GSM8K too


def test_scorers_entities_are_retyped_as_the_scorer_says_every_mention(nlp, tmp_path):
    doc = nlp(TEXT)
    method_is_model = {"type:Method": row(entities.OUTCOMES, Model=9.0),
                       "type:Dataset": row(entities.OUTCOMES, Dataset=9.0)}
    EntityScoring(nlp, "scorer", weights_file(tmp_path, entities.OUTCOMES, method_is_model, 0.5))(doc)
    assert _entities(doc) == {"Orvalent": {"Model"}, "GSM8K": {"Dataset"}}
    doc = nlp(TEXT)  # not sure enough of any type: dropped
    EntityScoring(nlp, "scorer", weights_file(tmp_path, entities.OUTCOMES, method_is_model, 0.9999))(doc)
    assert _entities(doc) == {}


def test_scorers_entities_the_user_named_are_kept_as_typed(tmp_path):
    terms = tmp_path / "terms.tsv"
    terms.write_text("beam search\tMethod\n", encoding="utf-8")
    nlp = load_pipeline(replace(PipelineConfig.rules_only(), terms=str(terms)))
    doc = nlp(DROP_TEXT)
    drop_all = {"bias": row(entities.OUTCOMES, **{"-": 9.0})}
    EntityScoring(nlp, "scorer", weights_file(tmp_path, entities.OUTCOMES, drop_all, 0.5))(doc)
    assert _entities(doc) == {"beam search": {"Method"}}


def test_scorers_role_features_say_where_and_how_the_paper_names_an_entity(nlp):
    by_name = {e.name: set(f) for e, f in role_candidates(nlp(TEXT))}
    assert {"role:proposed", "main", "title:Method", "before-colon:Method", "first-sentence:0", "subject:we",
            "before2:we propose", "governor:propose"} <= by_name["Orvalent"]
    assert {"role:used", "first-sentence:3", "before:on", "head:gsm8k"} <= by_name["GSM8K"]
    assert not {"main", "title:Dataset", "subject:we"} & by_name["GSM8K"]


def test_scorers_roles_proposed_are_the_scorers_and_the_rest_keep_the_rules(nlp, tmp_path):
    doc = nlp(COMPARE_TEXT)
    assert doc._.kg_roles == {"Orvalent": "proposed", "machine translation": "used", "beam search": "compared",
                              "GSM8K": "used"}
    beam_search = {"bias": row(roles.OUTCOMES, **{"-": 5.0}), "head:search": row(roles.OUTCOMES, proposed=9.0)}
    # the rules' proposal is demoted to used; what the rules compared or used keeps its role
    RoleScoring(nlp, "scorer", weights_file(tmp_path, roles.OUTCOMES, beam_search, 0.5))(doc)
    assert doc._.kg_roles == {"Orvalent": "used", "machine translation": "used", "beam search": "proposed",
                              "GSM8K": "used"}
    doc = nlp(COMPARE_TEXT)  # not sure enough: nothing is proposed
    RoleScoring(nlp, "scorer", weights_file(tmp_path, roles.OUTCOMES, beam_search, 0.999999))(doc)
    assert "proposed" not in doc._.kg_roles.values() and doc._.kg_roles["beam search"] == "compared"


def test_scorers_pair_features_describe_the_pair(nlp):
    doc = nlp(TEXT)
    by_pair = {(c.head.name, c.tail.name): c for c in candidates(doc)}
    pair = by_pair["Orvalent", "GSM8K"]
    assert pair.allowed == {"USES", "EVALUATED_ON"}
    assert {"types:Method>Dataset", "main>Dataset", "shared-sents:0", "tail-gov:on"} <= set(pair.features)
    assert not any(f.startswith("between:") for f in pair.features)  # never in one sentence
    assert ("GSM8K", "Orvalent") not in by_pair  # a Dataset heads only ADDRESSES, and Orvalent is no Task


def test_scorers_pair_features_read_the_sentence_that_first_names_the_tail(nlp):
    by_pair = {(c.head.name, c.tail.name): set(c.features) for c in candidates(nlp(COMPARE_TEXT))}
    assert {"spread-where:2:after", "tail-verb:outperform:Method"} <= by_pair["Orvalent", "beam search"]
    assert "spread-where:2:same" in by_pair["Orvalent", "machine translation"]
    assert "spread-where:2:after" in by_pair["Orvalent", "GSM8K"]
    assert not any(f.startswith("tail-verb:") for f in by_pair["Orvalent", "GSM8K"])  # "are" is no verb of its own


def test_scorers_pair_features_read_the_words_between_and_the_names():
    from kg.learn.pairs import _name_features

    assert "name:head-extends-tail" in _name_features("Llama-3.2-3B", "Llama-3")
    assert "name:head-extends-tail" not in _name_features("Llama-3", "Llama-3.2-3B")


def test_scorers_relations_follow_the_weights_across_sentences(nlp, tmp_path):
    doc = nlp(TEXT)
    sure = weights_file(tmp_path, pairs.OUTCOMES, {"main>Dataset": row(pairs.OUTCOMES, EVALUATED_ON=9.0),
                                                   "bias": row(pairs.OUTCOMES, **{"-": 3.0})}, 0.5)
    RelationScoring(nlp, "scorer", sure)(doc)
    assert [(r.head, r.type, r.tail) for r in doc._.kg_relations] == [("Orvalent", "EVALUATED_ON", "GSM8K")]
    relation = doc._.kg_relations[0]
    assert relation.evidence == "Results are strong on GSM8K." == doc.text[relation.start:relation.end]


def test_scorers_relations_of_the_rules_stay_when_the_scorer_adds_none(nlp, tmp_path):
    doc = nlp(CLAIM_TEXT)
    rules = list(doc._.kg_relations)
    assert [(r.head, r.type, r.tail) for r in rules] == [("Llama-2", "EVALUATED_ON", "GSM8K")]
    never = weights_file(tmp_path, pairs.OUTCOMES, {"bias": row(pairs.OUTCOMES, **{"-": 5.0})}, 0.5)
    RelationScoring(nlp, "scorer", never)(doc)
    assert doc._.kg_relations == rules
    always = weights_file(tmp_path, pairs.OUTCOMES, {"bias": row(pairs.OUTCOMES, EVALUATED_ON=5.0, USES=4.0)}, 0.5)
    RelationScoring(nlp, "scorer", always)(doc)
    found = [(r.head, r.type, r.tail) for r in doc._.kg_relations]
    assert found[0] == ("Llama-2", "EVALUATED_ON", "GSM8K") and len(found) == len(set(found)) > 1


def test_scorers_subject_where_the_rules_name_no_entity_is_the_likeliest_candidate(nlp, tmp_path):
    assert [(c.value, c.subject) for c in nlp(PHRASE_TEXT)._.kg_claims] == [("45.1", "new decoder")]
    favour_main = {"main": row(subjects.OUTCOMES, subject=6.0), "bias": row(subjects.OUTCOMES, **{"-": 3.0})}
    doc = nlp(PHRASE_TEXT)
    SubjectScoring(nlp, "scorer", weights_file(tmp_path, subjects.OUTCOMES, favour_main, 0.5))(doc)
    assert [(c.value, c.subject) for c in doc._.kg_claims] == [("45.1", "Orvalent")]
    doc = nlp(PHRASE_TEXT)  # not sure enough: the rules' phrase stays
    SubjectScoring(nlp, "scorer", weights_file(tmp_path, subjects.OUTCOMES, favour_main, 0.99))(doc)
    assert [(c.value, c.subject) for c in doc._.kg_claims] == [("45.1", "new decoder")]


def test_scorers_subject_the_rules_found_among_the_entities_stands(nlp, tmp_path):
    assert [(c.value, c.subject) for c in nlp(CLAIM_TEXT)._.kg_claims] == [("45.1", "Llama-2")]
    favour_main = {"main": row(subjects.OUTCOMES, subject=9.0)}
    doc = nlp(CLAIM_TEXT)
    SubjectScoring(nlp, "scorer", weights_file(tmp_path, subjects.OUTCOMES, favour_main, 0.0))(doc)
    assert [(c.value, c.subject) for c in doc._.kg_claims] == [("45.1", "Llama-2")]


def test_scorers_shipped_weights_read_a_text_we_wrote(shipped_nlp):
    scorers = {"kg_entity_scorer", "kg_role_scorer", "kg_relation_scorer", "kg_subject_scorer"}
    assert scorers <= set(shipped_nlp.pipe_names)
    doc = shipped_nlp("Orvalent: Faster Decoding for Llama-2\n\nWe propose Orvalent, a speculative decoding method for "
              "Llama-2. We evaluate Orvalent on GSM8K, where it outperforms Medusa and reaches 45.1% accuracy.")
    found = {(r.head, r.type, r.tail) for r in doc._.kg_relations}
    assert ("Orvalent", "EVALUATED_ON", "GSM8K") in found, found
    assert [(c.value, c.subject) for c in doc._.kg_claims] == [("45.1", "Orvalent")]
    found = _entities(doc)
    assert found["Orvalent"] == {"Method"} and found["GSM8K"] == {"Dataset"} and found["Llama-2"] == {"Model"}, found
    assert doc._.kg_roles["Orvalent"] == "proposed" and doc._.kg_roles["Medusa"] != "proposed", doc._.kg_roles


@pytest.mark.parametrize("part", ["entity_weights", "role_weights", "relation_weights", "subject_weights"])
def test_scorers_weights_are_part_of_the_extractor_version(part, tmp_path):
    other = tmp_path / "other.json.gz"
    LinearModel(("-", "x"), {}, 0.5).save(other)
    assert extractor_version(PipelineConfig(**{part: str(other)})) != extractor_version(PipelineConfig())
    assert extractor_version(PipelineConfig(**{part: None})) != extractor_version(PipelineConfig())


def test_scorers_claim_detector_decides_which_numbers_are_claims(nlp, tmp_path):
    from kg.extract.claims import ClaimFinder

    text = "Orvalent: Faster Decoding\n\nWe train a 7B model on 300 GPUs. It reaches 45.1% accuracy on GSM8K."
    assert [c.value for c in nlp(text)._.kg_claims] == ["45.1"]
    doc = nlp(text)
    every = weights_file(tmp_path, numbers.OUTCOMES, {"bias": row(numbers.OUTCOMES, claim=5.0)}, 0.5)
    assert [c.value for c in ClaimFinder(nlp, "claims", every).find(doc)] == ["7B", "300", "45.1"]
    rule = weights_file(tmp_path, numbers.OUTCOMES, {"rule:1": row(numbers.OUTCOMES, claim=5.0),
                                                     "rule:0": row(numbers.OUTCOMES, **{"-": 5.0})}, 0.5)
    assert [c.value for c in ClaimFinder(nlp, "claims", rule).find(doc)] == ["45.1"]


def test_scorers_claim_features_say_where_the_sentence_stands_and_whether_it_reports_a_result(nlp):
    from kg.extract.claims.results import detector_features

    text = ("Orvalent: Faster Decoding\n\nWe train on 300 GPUs. Our setup is simple. Decoding is slow. "
            "It is common. Orvalent reaches 45.1% accuracy, more than beam search (38.2%).")
    doc = nlp(text)
    by_value = {m.value: set(detector_features(ctx, keep)) for m, ctx, keep in nlp.get_pipe("kg_claims").decisions(doc)}
    assert {"sent-place:early", "we:1", "other-numbers:0", "bracketed:0", "integer"} <= by_value["300"]
    assert not any(f.startswith("sent-cue:") for f in by_value["300"])
    assert {"sent-place:last", "we:0", "other-numbers:1", "bracketed:0", "decimal", "sent-cue:than"} <= by_value["45.1"]
    assert {"sent-place:last", "bracketed:1"} <= by_value["38.2"]
