"""kg_entities: which spans are entities, their types, and the entity each refers to.

Every sentence here is written for these tests (no abstract is copied).
"""
from __future__ import annotations

from functools import partial

import pytest

from kg.extract import group_entities
from kg.extract.entities.candidates import Candidate, well_formed
from kg.extract.entities.grouping import merge_generic_heads, merge_title_definitions, merge_undefined_abbreviations
from kg.extract.entities.lexicon import name_key
from kg.records import Paper, title_lead

TITLE = "Quillfeather: A Test Paper"



def entities_of(nlp, abstract: str, title: str = TITLE) -> dict[str, object]:
    doc = nlp(Paper(id="t", title=title, abstract=abstract).text)
    return {e.name: e for e in group_entities(doc)}


def assert_typed(entities: dict[str, object], name: str, entity_type: str) -> None:
    """The entity a negative case's sentence does name: an extractor that finds nothing fails."""
    assert name in entities, list(entities)
    assert entities[name].type == entity_type, (name, entities[name].type)


@pytest.mark.parametrize("sentence, name, entity_type", [
    ("We fine-tune Llama-3.2-3B-Instruct on our data.", "Llama-3.2-3B-Instruct", "Model"),
    ("Results on the GSM8K benchmark improve by a wide margin.", "GSM8K", "Dataset"),
    ("We report BLEU on the test set.", "BLEU", "Metric"),
    ("We compare against GPT-4o and Gemini 2.5 Pro.", "Gemini 2.5 Pro", "Model"),
    ("We release Zentrobench, a new benchmark for table reasoning.", "Zentrobench", "Dataset"),
    ("Our model is evaluated on Kestrel-Bench and reaches high accuracy.", "Kestrel-Bench", "Dataset"),
    ("Scores improve on benchmarks such as TablQ and Frobnik.", "TablQ", "Dataset"),
])
def test_entities_names_typed_by_lexicon_cue_and_shape(nlp, sentence, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert name in entities, list(entities)
    assert entities[name].type == entity_type


@pytest.mark.parametrize("sentence, name, entity_type", [
    ("Speculative decoding reduces the cost of generation.", "Speculative decoding", "Method"),
    ("The system is trained with knowledge distillation.", "knowledge distillation", "Method"),
    ("We study machine translation between distant languages.", "machine translation", "Task"),
    ("The agent's success rate doubles.", "success rate", "Metric"),
    ("Classic taggers rely on conditional random fields.", "conditional random fields", "Method"),
    ("We address named entity recognition for chemistry.", "named entity recognition", "Task"),
])
def test_entities_terms_typed_by_head_and_lexicon(nlp, sentence, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert name in entities, list(entities)
    assert entities[name].type == entity_type


@pytest.mark.parametrize("sentence, generic, name, entity_type", [
    ("Our method improves performance on downstream tasks such as machine translation.",
     {"method", "performance", "downstream tasks"}, "machine translation", "Task"),
    ("Deep learning and neural networks changed artificial intelligence long before BERT.",
     {"Deep learning", "neural networks"}, "BERT", "Model"),
    ("Language models are trained on large amounts of data with knowledge distillation.",
     {"Language models", "data"}, "knowledge distillation", "Method"),
    ("Moreover, the results hold on GSM8K. Furthermore, nothing breaks.", {"Moreover", "Furthermore"}, "GSM8K", "Dataset"),
])
def test_entities_generic_phrases_are_not_entities(nlp, sentence, generic, name, entity_type):
    entities = entities_of(nlp, sentence)
    names = {name.lower() for name in entities}
    assert not names & {g.lower() for g in generic}, names
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, name", [
    ("We propose a novel speculative decoding scheme.", "speculative decoding"),
    ("Existing image captioning systems fail here.", "image captioning"),
    ("The tree-based attention mechanism verifies drafts.", "tree-based attention"),
])
def test_entities_trim_determiners_and_generic_modifiers(nlp, sentence, name):
    assert name in entities_of(nlp, sentence)


@pytest.mark.parametrize("sentence, name, entity_type", [
    ("The model has 52B parameters and runs at 3x the speed of BERT with 8K context.", "BERT", "Model"),
    ("With LoRA, costs fall to 1T tokens, 12.5 GB and 99% of runs.", "LoRA", "Method"),
])
def test_entities_quantities_are_not_names(nlp, sentence, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert not [n for n in entities if any(c.isdigit() for c in n)], list(entities)
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, absent, name, entity_type", [
    ("Contextual vectors help machine translation (Peters et al., 2018; Howard and Ruder, 2018).",
     {"Peters", "Howard", "Ruder"}, "machine translation", "Task"),
    ("We collect English, Hindi and Marathi speech for speech recognition.", {"English", "Hindi", "Marathi"},
     "speech recognition", "Task"),
    ("Multi-Modal inputs and Speech-Text pairs are aligned with contrastive learning.", {"Multi-Modal", "Speech-Text"},
     "contrastive learning", "Method"),
])
def test_entities_citations_languages_and_title_case_words_are_not_names(nlp, sentence, absent, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert not set(entities) & absent, list(entities)
    assert_typed(entities, name, entity_type)


def test_entities_abbreviation_is_alias_of_long_form(nlp):
    entities = entities_of(nlp, "We apply Direct Preference Optimization (DPO). DPO then aligns the policy.")
    entity = entities["Direct Preference Optimization"]
    assert entity.type == "Method"
    assert "DPO" in entity.aliases
    assert "DPO" not in entities


def test_entities_abbreviation_starting_with_a_digit(nlp):
    entities = entities_of(nlp, "We build on 3D Gaussian splatting (3D-GS). 3D-GS renders quickly.")
    assert "3D-GS" in entities["3D Gaussian splatting"].aliases


@pytest.mark.parametrize("abstract, name, alias", [
    ("Large language models (LLMs) are everywhere. LLMs write code.", "Large language models", "LLMs"),
    ("Vision-language models (VLMs) see. We test two VLMs.", "Vision-language models", "VLMs"),
])
def test_entities_umbrella_classes_kept_with_their_abbreviation(nlp, abstract, name, alias):
    entities = entities_of(nlp, abstract)
    assert entities[name].type == "Method"
    assert alias in entities[name].aliases


def test_entities_numbered_variants_are_aliases_of_the_base_name(nlp):
    abstract = "We present Quillfeather, a decoding method. Quillfeather-1 freezes the backbone; Quillfeather-2 trains it."
    entity = entities_of(nlp, abstract)["Quillfeather"]
    assert {"Quillfeather-1", "Quillfeather-2"} <= set(entity.aliases)


def test_entities_inflections_are_one_entity(nlp):
    entities = entities_of(nlp, "We fine-tune the encoder. Fine-tuning the decoder as well hurts; fine-tuned heads help.")
    tuned = [n for n in entities if "tun" in n.lower()]
    assert len(tuned) == 1, tuned


def test_entities_a_title_cased_phrase_is_the_phrase_the_abstract_writes(nlp):
    entities = entities_of(nlp, "We study federated learning across hospitals, where federated learning meets "
                           "privacy audits.", title="Federated Learning for Hospital Networks")
    federated = [n for n in entities if "federated" in n.lower()]
    assert len(federated) == 1, federated


def joined_groups(merge, texts: list[str]) -> dict[str, list[str]]:
    """The groups ``merge`` leaves of one candidate per text, by the first text of each."""
    groups = {name_key(text): [(Candidate(10 * i, 10 * i + 2, "Method", "head"), text)] for i, text in enumerate(texts)}
    merge(groups)
    return {members[0][1]: [text for _, text in members] for members in groups.values()}


def test_entities_a_name_with_a_generic_head_joins_the_bare_name_the_paper_writes(nlp):
    lexicon = nlp.get_pipe("kg_entities").lexicon
    texts = ["Ravel-KV", "Ravel-KV mechanism", "episodic memory framework", "memory", "Ravel-KV Models"]
    assert joined_groups(partial(merge_generic_heads, lexicon), texts) == {
        "Ravel-KV": ["Ravel-KV", "Ravel-KV mechanism", "Ravel-KV Models"],
        "episodic memory framework": ["episodic memory framework"],  # no bare "episodic memory" to join
        "memory": ["memory"]}


@pytest.mark.parametrize("phrase, kept", [
    ("Ravel-KV mechanism", "Ravel-KV"),
    ("episodic memory framework module", "episodic memory"),
    ("diffusion model framework", "diffusion model"),  # a term the tables know keeps its head
    ("framework", "framework"),
])
def test_entities_without_generic_heads_stops_at_a_known_term(nlp, phrase, kept):
    lexicon = nlp.get_pipe("kg_entities").lexicon
    assert " ".join(lexicon.without_generic_heads(phrase.split())) == kept


def test_entities_an_undefined_abbreviation_joins_the_one_name_whose_initials_it_spells():
    texts = ["Knowledge Base Question Answering", "KBQA", "LR-QAT", "Low-Rank Quantization-Aware Training", "DMs",
             "Diffusion Models", "GS-SLAM", "GS", "machine translation", "multilingual translation", "MT",
             "tree-of-thoughts", "ToT", "Low-Rank Adaptation", "LoRA", "Video Large Language Models", "Video LLMs",
             "Audio LLMs", "key-value cache", "KV cache", "KV store", "3D Gaussian Splatting", "3DGS"]
    assert joined_groups(merge_undefined_abbreviations, texts) == {
        # an abbreviation among a name's words spells words of the longer name, the others the same
        "Video Large Language Models": ["Video Large Language Models", "Video LLMs"],
        "Audio LLMs": ["Audio LLMs"], "KV store": ["KV store"],
        "key-value cache": ["key-value cache", "KV cache"],
        "3D Gaussian Splatting": ["3D Gaussian Splatting", "3DGS"],  # a word led by a digit spells itself
        "Knowledge Base Question Answering": ["Knowledge Base Question Answering", "KBQA"],
        "Low-Rank Quantization-Aware Training": ["Low-Rank Quantization-Aware Training", "LR-QAT"],
        "Diffusion Models": ["Diffusion Models", "DMs"],
        "tree-of-thoughts": ["tree-of-thoughts", "ToT"],  # mixed case spells initials too
        "Low-Rank Adaptation": ["Low-Rank Adaptation"], "LoRA": ["LoRA"],  # "lora" is not "lra"
        "GS-SLAM": ["GS-SLAM"], "GS": ["GS"],  # a word of the name, not its initials
        "machine translation": ["machine translation"], "multilingual translation": ["multilingual translation"],
        "MT": ["MT"]}  # two names spell it: neither is sure


@pytest.mark.parametrize("title, joined", [
    ("Orvex: Ordered Vertex Expansion for Graph Search", {"Orvex": ["Orvex", "Ordered Vertex Expansion"],
                                                          "Graph Search": ["Graph Search"]}),
    # the words after the colon do not spell the name: a description, not its long form
    ("Orvex: Adaptive Token Pruning for Graph Search", {"Orvex": ["Orvex"], "Adaptive Token Pruning": [
        "Adaptive Token Pruning"], "Graph Search": ["Graph Search"]}),
    # the long form must start right after the colon
    ("Orvex: Graph Search with Ordered Vertex Expansion", {"Orvex": ["Orvex"], "Graph Search": ["Graph Search"],
                                                           "Ordered Vertex Expansion": ["Ordered Vertex Expansion"]}),
])
def test_entities_a_title_long_form_after_the_name_it_leads_with_is_its_alias(nlp, title, joined):
    doc = nlp.make_doc(title + "\n\nWe propose Orvex.")
    groups = {}
    for name in sorted({n for names in joined.values() for n in names}, key=title.index):
        span = doc.char_span(title.index(name), title.index(name) + len(name))
        groups[name_key(name)] = [(Candidate(span.start, span.end, "Method", "head"), name)]
    merge_title_definitions(doc, groups, doc.text, title_lead(doc.text))
    assert {members[0][1]: [text for _, text in members] for members in groups.values()} == joined


@pytest.mark.parametrize("one, other", [
    ("Federated Learning", "federated learning"),
    ("Supervised Fine Tuning", "supervised fine-tuning"),
    ("Word Embeddings", "word embedding"),
    ("word embeddings", "word embedding"),
])
def test_entities_name_key_joins_a_phrase_however_it_is_cased_or_inflected(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize("one, other", [
    ("GraphRAG", "GraphRAGing"),
    ("Llama-2", "Llama-2e"),
])
def test_entities_name_key_keeps_a_name_as_written(one, other):
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize("text, key", [
    ("the GSM8K", "thegsm8k"),
    ("LLMs", "llm"),
    ("fine-tuning", "finetun"),
    ("Spec-Bench", "specbench"),
])
def test_entities_name_key(text, key):
    assert name_key(text) == key


@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "Title only\n\n", "((( [[ ))) ]] (A) ()", "12345 6.7 89% 3x -- ++",
    "Ein Text über BERT und GPT-4 (GPT) Modelle.", "<p>We propose <b>FooNet</b> $\\alpha^{2}$ (FN) \\cite{x}</p>",
    "中文文本 GPT-4 测试", "We use (LLM", "x" * 3000,
])
def test_entities_survive_hostile_text(nlp, text):
    doc = nlp(text)
    for span in doc.spans["kg_entities"]:
        assert any(c.isalpha() for c in span.text)
        assert span.label_ in ("Method", "Model", "Dataset", "Task", "Metric")
        assert span._.kg_name


@pytest.mark.parametrize("text, formed", [
    ("S$^2$-MLLM", True), ("$\\alpha$-blending", True), ("Reason2Attack (R2A)", True), ("GPT-4", True),
    ("Reason2Attack(R2A", False), ("LLMs)-assisted agents", False), ("R_{-i", False), ("^2$-LLM", False),
    ("5.63\\(\\times\\", False), ("LLM%u2019s", False),
])
def test_entities_well_formed_names_pair_their_brackets(text, formed):
    assert well_formed(text) is formed


def test_entities_cut_out_of_larger_text_grow_to_the_name_or_are_dropped():
    # the recogniser's spans ("^2$-LLM", "Reason2Attack(R2A"), before the entity scorer decides which to keep
    from kg.extract.pipeline import load_pipeline
    from kg.extractor import PipelineConfig

    doc = load_pipeline(PipelineConfig(entity_weights=None))(Paper(id="t", title="A$^2$-LLM: A Spoken Avatar Model", abstract=(
        "We propose Reason2Attack(R2A), which beats the LLM%u2019s answers. We use (LLMs)-assisted agents, "
        "and the S$^2$-MLLM model.")).text)
    names = [span.text for span in doc.spans["kg_entities"]]
    assert "S$^2$-MLLM" in names and "A$^2$-LLM" in names, names  # TeX's $ in pairs is part of a name
    assert all(well_formed(name) for name in names), names


def test_entities_long_text_is_linear(nlp):
    text = "We propose SpeedNet (SN), a model evaluated on GSM8K with BLEU. " * 400
    doc = nlp(text)
    assert {s._.kg_name for s in doc.spans["kg_entities"]} == {"SpeedNet", "GSM8K", "BLEU"}


def test_entities_shorter_term_folds_into_the_modified_one(nlp):
    abstract = "We study automatic speech recognition. Speech recognition errors fall when we rescore."
    entities = entities_of(nlp, abstract)
    assert [n for n in entities if "recognition" in n.lower()] == ["automatic speech recognition"]


@pytest.mark.parametrize("sentence, absent, name, entity_type", [
    ("Sparse priors help speech recognition (Okafor and Lindqvist, 2015; Brandt et al., 2017; Moreau and Takeda, 2019; "
     "Ferreira, 2020).", {"Okafor", "Lindqvist", "Moreau", "Takeda", "Ferreira"}, "speech recognition", "Task"),
    ("Earlier parsers [Halvorsen, 2011; Ibarra and Novak, 2014] were greedy and used beam search.",
     {"Halvorsen", "Ibarra", "Novak"}, "beam search", "Method"),
])
def test_entities_authors_anywhere_in_a_citation_list_are_not_names(nlp, sentence, absent, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert not set(entities) & absent, list(entities)
    assert_typed(entities, name, entity_type)


def test_entities_mixed_case_metric_is_not_its_lower_case_word(nlp):
    entities = entities_of(nlp, "We map each token to a slot. Detection quality is reported as mAP on the test split.")
    assert "map" not in entities
    assert entities["mAP"].type == "Metric"


@pytest.mark.parametrize("sentence, absent, name, entity_type", [
    ("The agent needs deeper reasoning to finish, even with chain-of-thought prompting.", "reasoning",
     "chain-of-thought prompting", "Method"),
    ("The planner avoids redundant exploration of rooms in object navigation.", "exploration", "object navigation", "Task"),
    ("It allows thorough exploration of the scene during 3D reconstruction.", "exploration", "3D reconstruction", "Task"),
    ("The tool reaches the best accuracy so far.", "best accuracy", "accuracy", "Metric"),
])
def test_entities_graded_descriptions_are_not_tasks_or_metrics(nlp, sentence, absent, name, entity_type):
    entities = entities_of(nlp, sentence)
    names = [n.lower() for n in entities]
    assert not [n for n in names if absent in n], names
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, name, entity_type", [
    ("Every layer relies on sparse attention to save memory.", "sparse attention", "Method"),
    ("We study spatial reasoning in robots.", "spatial reasoning", "Task"),
])
def test_entities_classifying_adjectives_stay_in_the_name(nlp, sentence, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert name in entities, list(entities)
    assert entities[name].type == entity_type


@pytest.mark.parametrize("title, fragment, name, entity_type", [
    ("Vocabulary Pruning for Faster Decoding", "Pruning", "Vocabulary Pruning", "Method"),
    ("Boosting Small Models with Knowledge Distillation", "Boosting", "Knowledge Distillation", "Method"),
])
def test_entities_lone_words_of_a_title_cased_phrase_are_not_entities(nlp, title, fragment, name, entity_type):
    entities = entities_of(nlp, "Probing works.", title=title)
    assert fragment not in entities, list(entities)
    assert_typed(entities, name, entity_type)


def test_entities_title_cased_short_form_folds_into_the_longer_name(nlp):
    entities = entities_of(nlp, "3D Gaussian Splatting (3DGS) renders scenes fast.", title="Gaussian Splatting for Sonar Imaging")
    splatting = [n for n in entities if "splatting" in n.lower()]
    assert splatting == ["3D Gaussian Splatting"], splatting
    assert {"3DGS", "Gaussian Splatting"} <= set(entities["3D Gaussian Splatting"].aliases)


def test_entities_word_after_a_definition_types_the_long_form(nlp):
    entities = entities_of(nlp, "We build the Region-Aware Path Planning (RAPP) model for cars.")
    assert entities["Region-Aware Path Planning"].type == "Model"


def test_entities_reverse_definition_makes_the_long_form_an_alias(nlp):
    entities = entities_of(nlp, "We evaluate on TQEB (Tabular Question Evaluation Benchmark), a new suite.")
    assert "Tabular Question Evaluation Benchmark" in entities["TQEB"].aliases
    assert not [n for n in entities if n != "TQEB" and ("Evaluation" in n or "Question" in n)], list(entities)


def test_entities_a_long_form_cut_out_of_larger_text_names_nothing(nlp):
    # the long form begins inside another bracket: the abbreviation is the name, never "QLM)-based ..."
    entities = entities_of(nlp, "We propose a Quill Language Model (QLM)-based Competitive User Review Analysis for "
                                "Feature Enhancement) (QLM-Cure), an approach for reviews. QLM-Cure improves recall.")
    assert "QLM-Cure" in entities, list(entities)
    assert not [n for n in entities if ")" in n or "(" in n], list(entities)


def test_entities_long_form_keeps_the_word_that_gives_its_first_letter(nlp):
    entities = entities_of(nlp, "We propose High Dynamic Range Gaussian Splatting (HDR-GS) for scenes.")
    assert "HDR-GS" in entities["High Dynamic Range Gaussian Splatting"].aliases


def test_entities_definition_at_the_start_of_the_abstract_survives_bad_sentence_splits(nlp):
    entities = entities_of(nlp, "3D Gaussian Splatting (3DGS) has emerged as a fast renderer.",
                           title="Lobe Pruning: Memory-Efficient Gaussian Splatting via Spherical Gaussians")
    assert "3DGS" in entities["3D Gaussian Splatting"].aliases


@pytest.mark.parametrize("abstract, absent, name, entity_type", [
    ("Earlier encoders transfer to new domains without further fine-tuning. We study their limits on GSM8K.",
     "fine-tuning", "GSM8K", "Dataset"),
    ("Older systems require extensive fine-tuning on labeled data. We propose Brindlewick instead.", "fine-tuning",
     "Brindlewick", "Method"),
    ("We count the pre-training tokens that BERT consumes.", "pre-training", "BERT", "Model"),
    ("Encoders can be fine-tuned for many tasks. In this paper we study BERT.", "fine-tuned", "BERT", "Model"),
])
def test_entities_routine_training_steps_only_when_the_paper_takes_them(nlp, abstract, absent, name, entity_type):
    entities = entities_of(nlp, abstract)
    assert name_key(absent) not in {name_key(n) for n in entities}, list(entities)
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("abstract, present", [
    ("We fine-tune the base model on the new corpus.", "fine-tune"),
    ("Our approach beats plain fine-tuning on every split.", "fine-tuning"),
])
def test_entities_routine_training_step_the_paper_takes_is_kept(nlp, abstract, present):
    assert name_key(present) in {name_key(n) for n in entities_of(nlp, abstract)}


@pytest.mark.parametrize("title, abstract, name, entity_type", [
    ("Zorblat: A Large Language Model for Geology", "We train Zorblat on rock descriptions.", "Zorblat", "Model"),
    (TITLE, "We introduce Vendrix, a 13B open multilingual language model for law.", "Vendrix", "Model"),
    (TITLE, "We design a dedicated metric, GRQ, to score the plans.", "GRQ", "Metric"),
    (TITLE, "Quillfeather writes better text, measured by PLX on held-out books.", "PLX", "Metric"),
])
def test_entities_appositions_in_titles_and_before_names_give_the_type(nlp, title, abstract, name, entity_type):
    entities = entities_of(nlp, abstract, title=title)
    assert name in entities, list(entities)
    assert entities[name].type == entity_type


@pytest.mark.parametrize("sentence, name", [
    ("For robust perception, our agent features a Spatio-Temporal Fusion Mapping module to build a map.",
     "Spatio-Temporal Fusion Mapping"),
    ("The planner relies on a Memory-Driven Target Grounding component for precise masks.",
     "Memory-Driven Target Grounding"),
])
def test_entities_capitalised_component_names_are_methods(nlp, sentence, name):
    entities = entities_of(nlp, sentence)
    assert name in entities, list(entities)
    assert entities[name].type == "Method"


@pytest.mark.parametrize("sentence, absent, name, entity_type", [
    ("The renderer gains 1.2 dB in PSNR over the baseline.", "dB", "PSNR", "Metric"),
    ("Quillfeather cuts static VRAM by half during speculative decoding.", "VRAM", "speculative decoding", "Method"),
    ("The BM25 index takes 12 GB on disk, and GB is all we count.", "GB", "BM25", "Method"),
])
def test_entities_units_and_hardware_are_not_names(nlp, sentence, absent, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert absent not in entities, list(entities)
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, absent, name, entity_type", [
    ("Quillfeather adds minimal overhead to speculative decoding.", "minimal overhead", "speculative decoding", "Method"),
    ("It relies on large-scale training of the encoder with LoRA.", "large-scale training", "LoRA", "Method"),
    ("The scheduler improves operational efficiency and latency in practice.", "operational efficiency", "latency", "Metric"),
])
def test_entities_mined_phrases_opening_with_a_generic_modifier_are_descriptions(nlp, sentence, absent, name, entity_type):
    entities = entities_of(nlp, sentence)
    assert absent not in entities, list(entities)
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, name", [
    ("The agent is tested on college-level scientific reasoning.", "scientific reasoning"),
    ("We study community-specific content moderation on forums.", "content moderation"),
    ("It replaces memory-intensive spherical harmonics with a lighter basis.", "spherical harmonics"),
])
def test_entities_hyphened_kind_words_do_not_open_a_name(nlp, sentence, name):
    entities = entities_of(nlp, sentence)
    assert name in entities, list(entities)


@pytest.mark.parametrize("title, name", [
    # a title-cased title is cut at its function words, not by the parser's reading of title case
    ("Quillfeather: Fast Unsupervised Glacier Boundary Segmentation for Polar Imagery",
     "Unsupervised Glacier Boundary Segmentation"),
    # a hyphened word opening a phrase stays whole
    ("Quillfeather: Better Answers via prior-Retrieval Evidence Fusion", "prior-Retrieval Evidence Fusion"),
    # a phrase of many hyphened parts counts its words, not its tokens
    ("Quillfeather: Knowledge-Guided Holistic Ward Scene Modeling", "Knowledge-Guided Holistic Ward Scene Modeling"),
])
def test_entities_title_cased_titles_give_whole_phrases(nlp, title, name):
    entities = entities_of(nlp, "We study the problem in depth.", title=title)
    assert name in entities, list(entities)


@pytest.mark.parametrize("title, fragment, name, entity_type", [
    ("Quillfeather: Steering Data Generation to Target Rare Classes", "Steering Data Generation", "Quillfeather", "Method"),
    ("GPT-4 Enhanced Scene Grounding for Harbour Robots", "GPT-4 Enhanced Scene Grounding", "GPT-4", "Model"),
])
def test_entities_title_phrases_drop_opening_verbs_and_name_participles(nlp, title, fragment, name, entity_type):
    entities = entities_of(nlp, "We study the problem in depth.", title=title)
    assert fragment not in entities, list(entities)
    assert_typed(entities, name, entity_type)


@pytest.mark.parametrize("sentence, kept, name, entity_type", [
    ("The generated captions balance quality and diversity in image captioning.", False, "image captioning", "Task"),
    ("Agents trained with PPO act with precision in cluttered rooms.", False, "PPO", "Method"),
    ("Trained with PPO, the planner shows remarkable robustness in new scenes.", False, "PPO", "Method"),
    ("Our sampler raises diversity by 12% over the baseline.", True, "diversity", "Metric"),
    ("We compare the systems in terms of robustness.", True, "robustness", "Metric"),
])
def test_entities_quality_words_are_metrics_only_where_measured(nlp, sentence, kept, name, entity_type):
    entities = entities_of(nlp, sentence)
    found = {name.lower() for name, e in entities.items() if e.type == "Metric"}
    assert bool(found & {"diversity", "precision", "robustness"}) == kept, list(entities)
    assert_typed(entities, name, entity_type)


def test_entities_words_of_a_longer_proper_name_are_no_entities(nlp):
    entities = entities_of(nlp, "All runs of BERT use the Marten Holloway supercomputer of the Northfield Institute.")
    assert not {"Marten", "Holloway", "Northfield"} & set(entities), list(entities)
    assert_typed(entities, "BERT", "Model")


def test_entities_a_hyphened_participle_opening_a_phrase_goes_whole(nlp):
    entities = entities_of(nlp, "The well-known tree-based attention helps, and fine-tuned heads help more.")
    assert "tree-based attention" in entities, list(entities)
    assert not any(name.startswith(("well", "known")) for name in entities), list(entities)


def test_entities_a_gerund_task_is_not_the_umbrella_its_key_shares(nlp):
    entities = entities_of(nlp, "We revisit the classic language modeling objective for protein design.")
    assert "language modeling" in entities, list(entities)
    assert entities["language modeling"].type == "Task"


def test_entities_a_modified_acronym_task_is_one_phrase(nlp):
    entities = entities_of(nlp, "The agent improves open-domain QA by a wide margin.")
    assert "open-domain QA" in entities, list(entities)


@pytest.mark.parametrize("sentence, metric", [
    ("The rollout brought a 4.2% increase in basket size for shoppers.", "basket size"),
    ("The cache gives a 35% peak VRAM reduction on long prompts.", "peak VRAM"),
    ("The planner delivers 41% battery energy savings per mission.", "battery energy savings"),
])
def test_entities_what_a_measured_change_is_in_is_a_metric(nlp, sentence, metric):
    entities = entities_of(nlp, sentence)
    assert metric in entities, list(entities)
    assert entities[metric].type == "Metric"


def test_entities_list_items_the_parser_reads_as_modifiers_are_kept(nlp):
    entities = entities_of(nlp, "It handles several tasks, notably image captioning, visual question answering and parsing, "
                                "word sense disambiguation.")
    assert {"image captioning", "parsing"} <= set(entities), list(entities)


def test_entities_symbols_of_a_formula_are_no_names(nlp):
    entities = entities_of(nlp, "Each LoRA weight is factored as W = QZ with a shared basis.")
    assert "QZ" not in entities, list(entities)
    assert_typed(entities, "LoRA", "Method")


def test_entities_an_organisation_and_its_abbreviation_are_no_entities(nlp):
    entities = entities_of(nlp, "Models are trained with LoRA on the machines of NRGX (Northern Research Computing Centre) "
                                "in winter.")
    assert "NRGX" not in entities and not any("Centre" in name for name in entities), list(entities)
    assert_typed(entities, "LoRA", "Method")


@pytest.mark.parametrize("title, word, name, entity_type", [
    ("Small Parsers Can Be Gardeners Too: A Study of Tree Pruning", "Gardeners", "Tree Pruning", "Method"),
    ("A Survey of Multi-Layer Attention Models for Machine Translation", "Multi-Layer", "Machine Translation", "Task"),
])
def test_entities_capitalised_title_words_outside_a_name_part_are_no_names(nlp, title, word, name, entity_type):
    entities = entities_of(nlp, "We study the problem in depth.", title=title)
    assert word not in entities, list(entities)
    assert_typed(entities, name, entity_type)


def test_entities_a_waved_away_procedure_is_no_entity_even_when_mined(nlp):
    entities = entities_of(nlp, "Many deployed systems still require fine-tuning to reach usable quality in machine translation.")
    assert not any("fine-tun" in name.lower() for name in entities), list(entities)
    assert_typed(entities, "machine translation", "Task")


def test_entities_a_graded_plural_of_corpora_is_no_dataset(nlp):
    entities = entities_of(nlp, "Retrieval slows down in large-scale corpora of product pages.")
    assert not any("corpora" in name for name in entities), list(entities)
    assert_typed(entities, "Retrieval", "Task")


def test_entities_learned_span_keeps_no_full_stop_of_the_text_end(nlp):
    from spacy.tokens import Span

    with nlp.select_pipes(enable=[p for p in nlp.pipe_names if not p.startswith("kg_") or p == "kg_title_boundary"]):
        doc = nlp("A Study of Sums\n\nWe evaluate on MMLU and GSM8K.")
    at = {t.text: t.i for t in doc}
    # the recogniser reads "GSM8K." as one token; kg_entities splits the full stop off inside the span
    doc.ents = [Span(doc, at["MMLU"], at["MMLU"] + 1, "Dataset"), Span(doc, at["GSM8K."], len(doc), "Dataset")]
    doc = nlp.get_pipe("kg_entities")(doc)
    assert {(s.text, s.label_, s._.kg_name) for s in doc.spans["kg_entities"]} == {
        ("MMLU", "Dataset", "MMLU"), ("GSM8K", "Dataset", "GSM8K")}


def test_entities_names_wrapped_in_tex_markup_are_read_as_bare(nlp):
    """"\\textbf{Quillfeather}" names Quillfeather: the command and its braces are no part of the name."""
    abstract = r"We present \textbf{Quillfeather}, which outperforms \emph{GPT-4} and \textsc{Llama-3.1-8B} on MMLU."
    text = Paper(id="t", title=TITLE, abstract=abstract).text
    entities = entities_of(nlp, abstract)
    for name in ("Quillfeather", "GPT-4", "Llama-3.1-8B"):
        assert name in entities, list(entities)
        assert all(text[m.start:m.end] == name for m in entities[name].mentions)
    assert len(entities["Quillfeather"].mentions) == 2
