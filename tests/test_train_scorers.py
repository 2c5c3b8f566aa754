"""scripts/train_scorers.py: where it finds the recognisers that read the train split fold by fold, and how it
labels and scores what the role scorer learns."""
from __future__ import annotations

import numpy as np
import pytest
from shared_data import SCORE
from train_scorers import LabelledPaper, fold_recognisers, held_out_tally, role_examples, role_tally

from kg.learn import roles
from kg.learn.labels import fold_of, load_score_module
from kg.learn.linear import LinearModel, train


def test_train_scorers_fold_recognisers_are_the_numbered_subfolders_in_order(tmp_path):
    for name in ("1", "0", "2", "notes"):
        (tmp_path / name).mkdir()
    (tmp_path / "3").write_text("a file, not a recogniser", encoding="utf-8")
    assert fold_recognisers(tmp_path) == [str(tmp_path / k) for k in ("0", "1", "2")]


@pytest.mark.parametrize("subfolders", [[], ["1", "2"], ["0", "2"]])
def test_train_scorers_fold_recognisers_refuse_a_missing_fold(tmp_path, subfolders):
    for name in subfolders:
        (tmp_path / name).mkdir()
    with pytest.raises(SystemExit, match="subfolders 0, 1"):
        fold_recognisers(tmp_path)


@pytest.mark.seeds
@pytest.mark.skipif(not SCORE.is_file(), reason="../shared is absent")
def test_train_scorers_role_labels_are_the_gold_proposed_entities_by_score_names(nlp):
    score = load_score_module(SCORE)
    doc = nlp("Orvalent: Faster Decoding\n\nWe propose Orvalent for machine translation. It outperforms beam search.")
    label = {"entities": [{"name": "Orvalent method", "type": "Method", "role": "proposed", "aliases": []},
                          {"name": "beam search", "type": "Method", "role": "compared", "aliases": []},
                          {"name": "translation memory", "type": "Method", "role": "proposed", "aliases": []}]}
    examples = role_examples(score, doc, label)
    assert {entity["name"]: outcome for (_, _, outcome), entity in examples} == {
        "Orvalent": "proposed", "machine translation": "-", "beam search": "-"}  # "method": a generic head
    paper = LabelledPaper(label, roles=examples)
    always = LinearModel(roles.OUTCOMES, {"bias": np.array([0.0, 5.0])}, 0.5)
    never = LinearModel(roles.OUTCOMES, {"bias": np.array([5.0, 0.0])}, 0.5)
    assert role_tally(score, never, [paper]).f1 == 0.0
    assert role_tally(score, always, [paper]).f1 == pytest.approx(0.4)  # 1 of 3 marked is proposed, 1 of 2 found


@pytest.mark.skipif(not SCORE.is_file(), reason="../shared is absent")
def test_train_scorers_held_out_reads_each_paper_with_weights_that_never_saw_its_fold():
    score = load_score_module(SCORE)
    # each paper's one example is told apart by a feature of its own: weights that saw it mark it proposed,
    # weights that did not know nothing of it (logits 0, probability 0.5) and leave it below the threshold
    papers = [LabelledPaper({"id": f"2401.{i:05d}"}) for i in range(12)]
    assert len({fold_of(p.label["id"], 4) for p in papers}) == 4

    def examples_of(paper):
        return [((f"id:{paper.label['id']}",), (roles.PROPOSED,), roles.PROPOSED)]

    def tally_of(model, some):
        tally = score.Tally()
        for paper in some:
            (features, allowed, _), = examples_of(paper)
            found = model.best(features, allowed) is not None
            tally.add(int(found), 0, int(not found))
        return tally

    held_out = held_out_tally(papers, examples_of, roles.OUTCOMES, tally_of, 1e-4, 0.6, 4)
    assert (held_out.tp, held_out.fn) == (0, 12)
    seen = LinearModel(roles.OUTCOMES, train([e for p in papers for e in examples_of(p)], roles.OUTCOMES), 0.6)
    assert tally_of(seen, papers).tp == 12
