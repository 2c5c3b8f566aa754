"""Pretraining the recogniser's encoder on unlabelled text: the cloze, its loss, and that it learns and
starts the recogniser."""
import random

import numpy
import pytest
from spacy.util import registry
from test_learn_recogniser import TEXTS, TINY, exact_spans, gold_spans

from kg.learn.pretrain import HIDDEN, cloze_docs, cosine_loss, pretrain
from kg.learn.train import examples, host_docs, train_recogniser, training_host
from kg.learn.vectors import set_table

# Sentences written for these tests: which word fills a gap is told by the words around it.
UNLABELLED = [
    "The model is evaluated on the benchmark and the model improves accuracy.",
    "The method is evaluated on the dataset and the method improves recall.",
    "The model is tested on the benchmark and the model reaches high accuracy.",
    "The method is tested on the dataset and the method reaches high recall.",
] * 6
WORDS = ["model", "method", "benchmark", "dataset", "accuracy", "recall", "evaluated", "tested"]


@pytest.fixture(scope="module")
def host():
    return training_host()


def vector_table(host) -> tuple[list[int], numpy.ndarray]:
    keys = [host.vocab.strings.add(word) for word in WORDS]
    return keys, numpy.eye(len(WORDS), 8, dtype="float32")


def tiny_encoder():
    return registry.resolve({"encoder": TINY.interpolate()["model"]["tok2vec"]})["encoder"]


def test_pretrain_cloze_hides_words_with_vectors_and_the_host_reads_the_hidden_text(host):
    keys, _ = vector_table(host)
    docs = cloze_docs(host, UNLABELLED[:4], dict(zip(keys, range(len(keys)))), 0.5, random.Random(0))
    hidden = sum(len(c.positions) for c in docs)
    assert 4 <= hidden <= 30
    for cloze, text in zip(docs, UNLABELLED):
        original = host.make_doc(text)
        assert len(cloze.doc) == len(original) and cloze.doc.tensor.shape == (len(original), 96)
        for i, row in zip(cloze.positions, cloze.rows):
            assert cloze.doc[i].text == HIDDEN and original[i].norm_ == WORDS[row]
        shown = set(range(len(original))) - set(cloze.positions.tolist())
        assert all(cloze.doc[i].text == original[i].text for i in shown)
    # the host read the hidden text: a hidden word's vector differs from the one it has in plain text
    first = next(c for c in docs if len(c.positions))
    plain = host_docs(host, [UNLABELLED[docs.index(first)]])[0]
    assert not numpy.allclose(first.doc.tensor[first.positions[0]], plain.tensor[first.positions[0]])


def test_pretrain_cosine_loss_gradient_matches_finite_differences():
    rng = numpy.random.default_rng(0)
    predicted = rng.normal(size=(3, 5)).astype("float64")
    target = rng.normal(size=(3, 5))
    target /= numpy.linalg.norm(target, axis=1, keepdims=True)
    loss, grad = cosine_loss(predicted, target)
    assert loss == pytest.approx(sum(1 - (p @ t) / numpy.linalg.norm(p) for p, t in zip(predicted, target)))
    step = 1e-6
    for i, j in [(0, 0), (1, 3), (2, 4)]:
        moved = predicted.copy()
        moved[i, j] += step
        assert (cosine_loss(moved, target)[0] - loss) / step == pytest.approx(grad[i, j], abs=1e-4)


def test_pretrain_learns_the_cloze_and_starts_the_recogniser(host):
    keys, table = vector_table(host)
    docs = cloze_docs(host, UNLABELLED, dict(zip(keys, range(len(keys)))), 0.3, random.Random(1))
    lines = []
    encoder = tiny_encoder()
    set_table(encoder, keys, table)
    pretrain(encoder, docs, table, epochs=8, batch_size=4, learn_rate=0.01, rng=random.Random(1),
             log_line=lines.append)
    losses = [float(line.split("loss ")[1].split()[0]) for line in lines]
    assert len(losses) == 8 and losses[-1] < 0.6 * losses[0], losses

    labelled = host_docs(host, TEXTS)
    trainer, log = train_recogniser(host, examples(labelled, [gold_spans(t) for t in TEXTS]), TINY, exact_spans,
                                    labelled, log_line=lambda line: None, pretrained=encoder.to_bytes())
    start = trainer.get_pipe("kg_ner").model.get_ref("tok2vec").layers[0]
    assert log.best_score > 0.9
    # the recogniser began from the pretrained encoder: its corpus vectors are the pretraining's table
    layer = next(node for node in start.walk() if node.name == "kg_corpus_vectors")
    assert numpy.array_equal(layer.attrs["table"][numpy.argsort(numpy.argsort(keys))], table)
