"""The learned entity recogniser: its network's inputs, training, saving, and the model kg ships."""
import numpy
import pytest
import spacy
from spacy.tokens import Span
from thinc.api import Config

from kg.extract.pipeline import load_pipeline
from kg.extractor import PipelineConfig, default_model, extractor_version
from kg.learn.architecture import doc_tensor
from kg.learn.recogniser import MODEL_DIR, RECOGNISER, host_identity, load_recogniser, save_recogniser, shipped_meta
from kg.learn.train import examples, host_docs, predict, train_recogniser, training_host
from kg.learn.vectors import corpus_vectors, set_table
from kg.records import ENTITY_TYPES

TINY = Config().from_str("""
[model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 16
maxout_pieces = 2
use_upper = true
nO = null

[model.tok2vec]
@architectures = "kg.HostTensorTok2Vec.v1"
width = 32
embed_width = 16
rows = [500, 100, 200, 200]
depth = 1
vectors_width = 8

[training]
seed = 1
epochs = 30
batch_size = 2
dropout = 0.0
learn_rate = 0.01
patience = 30
""")
TEXTS = [
    "We evaluate Quorlin on GSM8K and report accuracy.",
    "Quorlin improves accuracy on GSM8K over Llama-2.",
    "Our Zentrix model is tested on GSM8K with accuracy.",
    "Llama-2 and Zentrix are compared on GSM8K.",
]
NAMES = {"Quorlin": "Method", "Zentrix": "Model", "Llama-2": "Model", "GSM8K": "Dataset", "accuracy": "Metric"}


@pytest.fixture(scope="module")
def host():
    return training_host()


def gold_spans(text: str) -> list[tuple[int, int, str]]:
    return sorted((text.index(name), text.index(name) + len(name), kind) for name, kind in NAMES.items() if name in text)


def exact_spans(docs) -> float:
    """The share of the gold spans predicted exactly, less the share of predictions that are wrong."""
    gold = {(i, s, e, t) for i, doc in enumerate(docs) for s, e, t in gold_spans(doc.text)}
    found = {(i, e.start_char, e.end_char, e.label_) for i, doc in enumerate(docs) for e in doc.ents}
    return (len(gold & found) - len(found - gold)) / len(gold)


@pytest.fixture(scope="module")
def trained(host):
    docs = host_docs(host, TEXTS)
    words = ["gsm8k", "accuracy", "llama-2"]
    table = numpy.eye(3, 8, dtype="float32")
    trainer, log = train_recogniser(host, examples(docs, [gold_spans(t) for t in TEXTS]), TINY, exact_spans, docs,
                                    vectors=(words, table), log_line=lambda line: None)
    return trainer, log


def test_recogniser_doc_tensor_is_the_host_vectors_or_zeros(host):
    layer = doc_tensor(96)
    with_tensor = host("We present Medusa.")
    without = host.make_doc("We present Medusa.")
    out, _ = layer([with_tensor, without], is_train=False)
    assert numpy.array_equal(out[0], with_tensor.tensor)
    assert out[1].shape == (len(without), 96) and not out[1].any()


def test_recogniser_corpus_vectors_look_words_up_by_norm(host):
    layer = corpus_vectors(4)
    table = numpy.arange(8, dtype="float32").reshape(2, 4)
    set_table(layer, [host.vocab.strings.add("mmlu"), host.vocab.strings.add("bleu")], table)
    out, _ = layer([host.make_doc("MMLU beats Bleu")], is_train=False)
    assert numpy.array_equal(out[0], numpy.stack([table[0], numpy.zeros(4), table[1]]))


def test_recogniser_learns_its_examples_and_survives_saving(host, trained, tmp_path):
    trainer, log = trained
    assert log.best_epoch >= 1 and len(log.epochs) == TINY["training"]["epochs"]
    before = [[(e.text, e.label_) for e in d.ents] for d in predict(trainer, host_docs(host, TEXTS))]
    assert log.best_score > 0.9
    assert ("Quorlin", "Method") in before[0] and ("accuracy", "Metric") in before[0]
    save_recogniser(trainer, tmp_path, {"host": list(host_identity(host)),
                                        "model": dict(Config(TINY).interpolate()["model"])})
    fresh = spacy.load(default_model(), exclude=["ner"])
    assert load_recogniser(fresh, tmp_path)
    assert fresh.pipe_names.index(RECOGNISER) == fresh.pipe_names.index("tok2vec") + 1
    after = [[(e.text, e.label_) for e in fresh(t).ents] for t in TEXTS]
    assert after == before


def test_recogniser_trains_over_the_tokens_kg_extracts_from(host):
    """The training host splits TeX wrappers from names as the extraction pipeline does, so a label's offsets
    fall on the tokens the shipped recogniser will read."""
    text = r"We present \textbf{Quorlin}, which beats \emph{Llama-2} on \texttt{GSM8K}."
    tokens = [t.text for t in host.make_doc(text)]
    assert tokens == [t.text for t in load_pipeline(PipelineConfig.rules_only()).make_doc(text)]
    assert host.make_doc(text).char_span(text.index("Quorlin"), text.index("Quorlin") + len("Quorlin")) is not None


def test_recogniser_joins_only_the_host_it_was_trained_over(trained, tmp_path):
    trainer, _ = trained
    save_recogniser(trainer, tmp_path, {"host": ["core_web_sm", "0.0.0"],
                                        "model": dict(Config(TINY).interpolate()["model"])})
    host = spacy.load(default_model(), exclude=["ner"])
    assert not load_recogniser(host, tmp_path)
    assert RECOGNISER not in host.pipe_names


def test_recogniser_shipped_model_predicts_on_a_sentence_we_wrote(shipped_nlp):
    assert shipped_meta() is not None, f"no recogniser ships in {MODEL_DIR}"
    assert RECOGNISER in shipped_nlp.pipe_names
    doc = shipped_nlp("Orvalent: Faster Decoding\n\nWe fine-tune Llama-2 with LoRA and evaluate it on the GSM8K "
              "benchmark, where it improves accuracy by 4 points.")
    found = {(e.text, e.label_) for e in doc.ents}
    assert {e.label_ for e in doc.ents} <= set(ENTITY_TYPES)
    assert {("Llama-2", "Model"), ("LoRA", "Method"), ("accuracy", "Metric")} <= found, found
    assert any(text.startswith("GSM8K") and label == "Dataset" for text, label in found), found


def test_recogniser_is_part_of_the_extractor_version():
    assert extractor_version(PipelineConfig()) != extractor_version(PipelineConfig(recogniser=None))


def entities_beside_squad(nlp, text: str):
    """The entity spans of ``text`` where a recogniser found one span: "SQuAD", as a Dataset (a list: a span
    group dies with its Doc)."""
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == "kg_entities":
            break
        doc = component(doc)
    squad = next(t.i for t in doc if t.text == "SQuAD")
    doc.ents = [Span(doc, squad, squad + 1, "Dataset")]
    return list(nlp.get_pipe("kg_entities")(doc).spans["kg_entities"])


def test_recogniser_beside_its_spans_the_rules_keep_their_names_and_nothing_else(nlp):
    text = ("Orvalent: Faster Decoding\n\nWe propose Orvalent, a decoding method, and test speculative decoding on "
            "SQuAD twice.")
    rules_alone = nlp(text)
    assert {"Orvalent", "speculative decoding", "SQuAD"} <= {s.text for s in rules_alone.spans["kg_entities"]}
    found = {s.text for s in entities_beside_squad(nlp, text)}
    assert {"Orvalent", "SQuAD"} <= found  # a name the rules type by its context stays where no learned span is
    assert "speculative decoding" not in found  # a lexicon phrase does not


def test_recogniser_beside_its_spans_the_name_a_title_leads_with_stays_everywhere(nlp):
    text = ("Brindlewick: Steering Agents into Hidden Tool Calls\n\nAgents that call tools are easily misled. "
            "Brindlewick hides instructions in what the tools return, and SQuAD is read as usual.")
    mentions = [(s.start_char, s.label_) for s in entities_beside_squad(nlp, text) if s.text == "Brindlewick"]
    assert mentions == [(0, "Method"), (text.index("Brindlewick hides"), "Method")]
