"""The kg_relations component: one class of sentence pattern per case, each relation type
stated and not stated.

Most cases give the component its entities directly (the stock parser runs for real, the
kg entity step is replaced by the spans named in the case), so they test the relation
rules alone; a few run the whole pipeline on sentences with unmistakable names.
"""
from __future__ import annotations

import re

import pytest
from spacy.tokens import Span

from kg.extract import extract
from kg.records import Paper

TITLE = "A study of things"
KG_STEPS = {"kg_entities", "kg_roles", "kg_claims", "kg_relations"}


def relations_of(nlp, text: str, entities: dict[str, str], proposed: str | None = None, title: str = TITLE):
    """Parse ``title + abstract`` with the stock components, mark every occurrence of each
    entity name, and run kg_relations alone; returns the (head, type, tail) triples."""
    full = title + "\n\n" + text
    doc = nlp.make_doc(full)
    for name, component in nlp.pipeline:
        if name not in KG_STEPS:
            doc = component(doc)
    spans = []
    taken: set[int] = set()
    for name in sorted(entities, key=len, reverse=True):
        for match in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?!\w)", full):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or taken & set(range(span.start, span.end)):
                continue
            taken.update(range(span.start, span.end))
            span = Span(doc, span.start, span.end, label=entities[name])
            span._.kg_name = name
            spans.append(span)
    doc.spans["kg_entities"] = sorted(spans, key=lambda s: s.start)
    doc._.kg_roles = {proposed: "proposed"} if proposed else {}
    doc = nlp.get_pipe("kg_relations")(doc)
    for relation in doc._.kg_relations:
        assert full[relation.start:relation.end] == relation.evidence
    return {(r.head, r.type, r.tail) for r in doc._.kg_relations}


FOONET = {"FooNet": "Method"}

STATED = [
    # USES
    ("uses verb", "FooNet uses LoRA to adapt large models cheaply.", {"LoRA": "Method"}, ("FooNet", "USES", "LoRA")),
    ("leading participle", "Using LoRA, FooNet adapts large models cheaply.", {"LoRA": "Method"}, ("FooNet", "USES", "LoRA")),
    ("built on", "FooNet is built on the Transformer architecture.", {"Transformer": "Method"}, ("FooNet", "USES", "Transformer")),
    ("relative clause on an apposition", "We present FooNet, a framework that leverages chain-of-thought prompting.",
     {"chain-of-thought prompting": "Method"}, ("FooNet", "USES", "chain-of-thought prompting")),
    ("pronoun for the proposed entity", "It employs knowledge distillation from a larger teacher.",
     {"knowledge distillation": "Method"}, ("FooNet", "USES", "knowledge distillation")),
    ("our method", "Our method incorporates a retrieval module and beam search.",
     {"beam search": "Method"}, ("FooNet", "USES", "beam search")),
    ("we propose a component", "We further propose a gated adapter called GateMix for the decoder.",
     {"GateMix": "Method"}, ("FooNet", "USES", "GateMix")),
    ("via", "We train the student with preference distillation via DPO.",
     {"preference distillation": "Method", "DPO": "Method"}, ("preference distillation", "USES", "DPO")),
    ("hyphenated base with examples", "Transformer-based models like BERT and RoBERTa dominate the leaderboards.",
     {"Transformer": "Method", "BERT": "Model", "RoBERTa": "Model"}, ("RoBERTa", "USES", "Transformer")),
    ("hyphenated base on a name", "We introduce an LLM-based grader named GradeBot.",
     {"LLM": "Method", "GradeBot": "Method"}, ("GradeBot", "USES", "LLM")),
    ("parts listed after a colon", "We build FooNet with two complementary designs: GateMix, which merges experts in one pass, and TreeDraft, which drafts tokens.",
     {"GateMix": "Method", "TreeDraft": "Method"}, ("FooNet", "USES", "TreeDraft")),
    ("stages listed after a colon", "We implement a three-stage scheme: starting with alignment pretraining, then instruction tuning.",
     {"alignment pretraining": "Method", "instruction tuning": "Method"}, ("FooNet", "USES", "instruction tuning")),
    ("used by, as a participle", "Grouped-query attention, deployed in Llama-3 and Mistral-7B, shrinks the cache.",
     {"Grouped-query attention": "Method", "Llama-3": "Model", "Mistral-7B": "Model"},
     ("Mistral-7B", "USES", "Grouped-query attention")),
    ("adopted by", "Rotary embeddings, adopted by GPT-NeoX, encode positions.",
     {"Rotary embeddings": "Method", "GPT-NeoX": "Model"}, ("GPT-NeoX", "USES", "Rotary embeddings")),
    # EVALUATED_ON
    ("result on a dataset", "FooNet achieves 85.2% accuracy on GSM8K.", {"GSM8K": "Dataset"}, ("FooNet", "EVALUATED_ON", "GSM8K")),
    ("experiments show", "Experiments on MMLU show that FooNet generalises well.", {"MMLU": "Dataset"}, ("FooNet", "EVALUATED_ON", "MMLU")),
    ("benchmarks such as", "We evaluate FooNet on reasoning benchmarks such as GSM8K and MATH.",
     {"GSM8K": "Dataset", "MATH": "Dataset"}, ("FooNet", "EVALUATED_ON", "MATH")),
    ("models on a proposed benchmark", "We benchmark twelve models, including GPT-4o and Qwen2.5-VL.",
     {"GPT-4o": "Model", "Qwen2.5-VL": "Model", "FooBench": "Dataset"}, ("GPT-4o", "EVALUATED_ON", "FooBench")),
    # OUTPERFORMS
    ("outperforms", "FooNet outperforms BERT by a wide margin.", {"BERT": "Model"}, ("FooNet", "OUTPERFORMS", "BERT")),
    ("participle", "FooNet sets a new state of the art, surpassing GPT-4 and Claude.",
     {"GPT-4": "Model", "Claude": "Model"}, ("FooNet", "OUTPERFORMS", "Claude")),
    ("better than", "FooNet is consistently better than speculative decoding.",
     {"speculative decoding": "Method"}, ("FooNet", "OUTPERFORMS", "speculative decoding")),
    ("improvement over", "FooNet yields large improvements over LoRA.", {"LoRA": "Method"}, ("FooNet", "OUTPERFORMS", "LoRA")),
    # APPLIED_TO
    ("apply to", "We apply FooNet to the Llama-3 and Mistral-7B models.", {"Llama-3": "Model", "Mistral-7B": "Model"},
     ("FooNet", "APPLIED_TO", "Mistral-7B")),
    ("reduce something of a model", "FooNet reduces the memory footprint of Qwen3-8B by half.", {"Qwen3-8B": "Model"},
     ("FooNet", "APPLIED_TO", "Qwen3-8B")),
    ("experiments using models", "Our experiments using GPT-J and OPT demonstrate that FooNet is robust.",
     {"GPT-J": "Model", "OPT": "Model"}, ("FooNet", "APPLIED_TO", "GPT-J")),
    # ADDRESSES
    ("X for task", "FooNet is a simple method for machine translation.", {"machine translation": "Task"},
     ("FooNet", "ADDRESSES", "machine translation")),
    ("tackle", "We propose FooNet to tackle hallucination detection.", {"hallucination detection": "Task"},
     ("FooNet", "ADDRESSES", "hallucination detection")),
    ("apply to a list of tasks", "We apply FooNet to diverse tasks (text classification, parsing, summarization).",
     {"text classification": "Task", "summarization": "Task"}, ("FooNet", "ADDRESSES", "summarization")),
    ("benchmark designed to evaluate", "FooBench is a benchmark designed to evaluate the spatial reasoning abilities of models.",
     {"FooBench": "Dataset", "spatial reasoning": "Task"}, ("FooBench", "ADDRESSES", "spatial reasoning")),
    # VARIANT_OF
    ("version suffix", "We test Llama-3 and Llama-3.1-8B-Instruct.", {"Llama-3": "Model", "Llama-3.1-8B-Instruct": "Model"},
     ("Llama-3.1-8B-Instruct", "VARIANT_OF", "Llama-3")),
    ("class such as kind", "Adapter methods such as GateMix and TreeDraft save memory.",
     {"Adapter": "Method", "GateMix": "Method", "TreeDraft": "Method"}, ("TreeDraft", "VARIANT_OF", "Adapter")),
    ("class including kind", "We compare text detectors, including GateMix.", {"text": "Method", "GateMix": "Method"},
     ("GateMix", "VARIANT_OF", "text")),
    ("class like kind", "Jailbreak attacks like GateMix remain effective.",
     {"Jailbreak": "Method", "GateMix": "Method"}, ("GateMix", "VARIANT_OF", "Jailbreak")),
    ("class with examples", "We evaluate PEFT methods (e.g., GateMix, TreeDraft).",
     {"PEFT": "Method", "GateMix": "Method", "TreeDraft": "Method"}, ("GateMix", "VARIANT_OF", "PEFT")),
    ("name, a class", "We present FlowSpec, a speculative decoding framework for edge devices.",
     {"FlowSpec": "Method", "speculative decoding": "Method"}, ("FlowSpec", "VARIANT_OF", "speculative decoding")),
    ("a class, name", "We introduce a retrieval-augmented generation framework, ATRI, for judicial texts.",
     {"ATRI": "Method", "retrieval-augmented generation": "Method"},
     ("ATRI", "VARIANT_OF", "retrieval-augmented generation")),
]


@pytest.mark.parametrize("case, text, entities, expected", STATED, ids=[c[0] for c in STATED])
def test_extract_relations_stated(nlp, case, text, entities, expected):
    abstract = "We propose FooNet for many things. " + text
    if "FooBench" in entities:
        abstract = "We introduce FooBench for many things. " + text
        proposed = "FooBench"
    else:
        proposed = "FooNet"
    found = relations_of(nlp, abstract, {**FOONET, **entities} if proposed == "FooNet" else entities, proposed)
    assert expected in found


BERT = {"BERT": "Model"}
OUTPERFORMS_BERT = ("FooNet", "OUTPERFORMS", "BERT")

# Each case: the relation type that is not stated, and one relation the same text does state
# (so that an extractor that finds nothing fails).
NOT_STATED = [
    ("negated use", "FooNet does not use LoRA, but it outperforms BERT.", {"LoRA": "Method", **BERT}, "USES",
     OUTPERFORMS_BERT),
    ("hedged use", "FooNet, which outperforms BERT, might use LoRA in future work.", {"LoRA": "Method", **BERT}, "USES",
     OUTPERFORMS_BERT),
    ("two names, no link", "FooNet and LoRA are both popular, and FooNet outperforms BERT.", {"LoRA": "Method", **BERT},
     "USES", OUTPERFORMS_BERT),
    ("other work's use", "Existing methods employ LoRA for adaptation, but FooNet outperforms BERT.",
     {"LoRA": "Method", **BERT}, "USES", OUTPERFORMS_BERT),
    ("question", "Can FooNet use LoRA? FooNet outperforms BERT.", {"LoRA": "Method", **BERT}, "USES", OUTPERFORMS_BERT),
    ("trained on is not evaluated on", "FooNet is trained on The Pile and outperforms BERT.",
     {"The Pile": "Dataset", **BERT}, "EVALUATED_ON", OUTPERFORMS_BERT),
    ("dataset described", "GSM8K contains grade-school math problems, and FooNet outperforms BERT.",
     {"GSM8K": "Dataset", **BERT}, "EVALUATED_ON", OUTPERFORMS_BERT),
    ("negated outperform", "FooNet does not outperform BERT, but it uses LoRA.", {**BERT, "LoRA": "Method"}, "OUTPERFORMS",
     ("FooNet", "USES", "LoRA")),
    ("comparable is not better", "FooNet performs comparably to BERT while using LoRA.", {**BERT, "LoRA": "Method"},
     "OUTPERFORMS", ("FooNet", "USES", "LoRA")),
    ("comparable is not applied", "FooNet performs comparably to BERT while using LoRA.", {**BERT, "LoRA": "Method"},
     "APPLIED_TO", ("FooNet", "USES", "LoRA")),
    ("compared is not applied", "We compare FooNet with GPT-4 on GSM8K.", {"GPT-4": "Model", "GSM8K": "Dataset"},
     "APPLIED_TO", ("FooNet", "EVALUATED_ON", "GSM8K")),
    ("model mentioned apart", "Llama-3 is popular, and FooNet uses LoRA.", {"Llama-3": "Model", "LoRA": "Method"},
     "APPLIED_TO", ("FooNet", "USES", "LoRA")),
    ("struggles with a task", "Current models struggle with machine translation, but FooNet outperforms BERT.",
     {"machine translation": "Task", **BERT}, "ADDRESSES", OUTPERFORMS_BERT),
    ("task as subject", "Machine translation remains hard for FooNet, although it outperforms BERT.",
     {"Machine translation": "Task", **BERT}, "ADDRESSES", OUTPERFORMS_BERT),
    ("colon list of other work", "Existing systems take two designs: GateMix and TreeDraft; FooNet outperforms BERT.",
     {"GateMix": "Method", "TreeDraft": "Method", **BERT}, "USES", OUTPERFORMS_BERT),
    ("colon list without parts", "We propose FooNet: GateMix is fast, TreeDraft is cheap, and FooNet outperforms BERT.",
     {"GateMix": "Method", "TreeDraft": "Method", **BERT}, "USES", OUTPERFORMS_BERT),
    ("part inside a relative clause", "We build FooNet with two designs: GateMix, which relies on TreeDraft.",
     {"GateMix": "Method", "TreeDraft": "Method"}, "FOONET_USES_TREEDRAFT", ("FooNet", "USES", "GateMix")),
    ("derived name is not a version", "FooNet-MoD distills FooNet into a small model and outperforms BERT.",
     {"FooNet-MoD": "Method", **BERT}, "VARIANT_OF", ("FooNet-MoD", "OUTPERFORMS", "BERT")),
    ("a named model is an instance, not a kind", "FooNet outperforms LLMs such as GPT-4 and BERT.",
     {"LLMs": "Method", "GPT-4": "Model", **BERT}, "VARIANT_OF", OUTPERFORMS_BERT),
    ("a class built on another is no kind of it", "FooNet, an LLM-based agent, outperforms BERT.",
     {"LLM": "Method", **BERT}, "VARIANT_OF", OUTPERFORMS_BERT),
]


@pytest.mark.parametrize("case, text, entities, rel_type, stated", NOT_STATED, ids=[c[0] for c in NOT_STATED])
def test_extract_relations_not_stated(nlp, case, text, entities, rel_type, stated):
    found = relations_of(nlp, "We study several systems. " + text, {**FOONET, **entities}, "FooNet")
    if rel_type == "FOONET_USES_TREEDRAFT":
        assert ("FooNet", "USES", "TreeDraft") not in found
    else:
        assert not [r for r in found if r[1] == rel_type], found
    assert stated in found, found


def test_extract_relations_a_kind_does_not_use_its_class(nlp):
    """"X, a Y framework that builds on Y's ideas": X is a kind of Y; the rules' use of Y by X goes."""
    found = relations_of(nlp, "We present FlowSpec, a speculative decoding framework built on speculative decoding.",
                         {"FlowSpec": "Method", "speculative decoding": "Method"}, "FlowSpec")
    assert ("FlowSpec", "VARIANT_OF", "speculative decoding") in found
    assert ("FlowSpec", "USES", "speculative decoding") not in found


def test_extract_relations_title_names_task_and_mechanism(nlp):
    found = relations_of(
        nlp, "We propose FooNet.", {"FooNet": "Method", "machine translation": "Task", "decoding heads": "Method"},
        "FooNet", title="FooNet: Fast machine translation with decoding heads",
    )
    assert ("FooNet", "ADDRESSES", "machine translation") in found
    assert ("FooNet", "USES", "decoding heads") in found


@pytest.mark.parametrize("title", [
    "GPT-4 Enhanced Grounding for Autonomous Driving: Leveraging Cross-Modal Attention",
    "Augmenting GPT-4 with Knowledge: A survey on autonomous driving",
])
def test_extract_relations_title_name_must_be_the_whole_lead(nlp, title):
    """A proposed name that is only part of the text before the title's colon is not what the title is about."""
    found = relations_of(
        nlp, "We study GPT-4. FooNet outperforms BERT.",
        {"GPT-4": "Model", "autonomous driving": "Task", "Autonomous Driving": "Task", "Cross-Modal Attention": "Method",
         **FOONET, **BERT}, "GPT-4", title=title,
    )
    assert found == {OUTPERFORMS_BERT}


def test_extract_relations_title_noun_phrase_is_not_a_clause(nlp):
    found = relations_of(
        nlp, "We survey the field, in which FooNet outperforms BERT.",
        {"large language models": "Method", "hallucination prevention": "Task", **FOONET, **BERT},
        None, title="Large language models for hallucination prevention: a survey",
    )
    assert found == {OUTPERFORMS_BERT}


@pytest.mark.parametrize("text", [
    "", "   ", "\n\n", "?!?! ((( ]]]", "GSM8K " * 3000, "x" * 20000,
    "We propose FooNet. " + "It uses LoRA and GSM8K, and " * 400 + "done.",
])
def test_extract_relations_survives_odd_text(nlp, text):
    doc = nlp(text)
    assert isinstance(doc._.kg_relations, list)


def test_extract_relations_without_entities(nlp):
    assert relations_of(nlp, "Nothing named here uses anything.", {}) == set()


@pytest.mark.parametrize("abstract, expected", [
    # An invented name needs a word of context: alone ("We propose FooNet.") the shipped recogniser types it Metric.
    ("We propose FooNet, a new reasoning model. FooNet outperforms GPT-4 on GSM8K.", ("GPT-4", "OUTPERFORMS")),
    ("We propose FooNet. FooNet achieves 91.3% accuracy on the GSM8K benchmark.", ("GSM8K", "EVALUATED_ON")),
])
def test_extract_relations_full_pipeline(abstract, expected):
    paper = Paper(id="t", title="FooNet: Fast reasoning", abstract=abstract)
    (extraction,) = extract([paper])
    tail, rel_type = expected
    assert any(r.type == rel_type and r.tail == tail for r in extraction.relations), extraction.relations
