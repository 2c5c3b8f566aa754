from pathlib import Path

import pytest
from samples import named_paper

from kg.resolve import canonical_key, clean_surface, finish, resolve, tally


@pytest.mark.parametrize("names", [
    ("LLaMA-2", "Llama 2", "Llama2", "llama-2", "LLAMA 2"),
    ("large language models", "Large Language Model", "large-language models"),
    ("LLMs", "LLM"),
    ("GSM8K", "the GSM8K benchmark", "GSM8K dataset"),
    ("HumanEval+", "humaneval +", "the HumanEval+ benchmark"),
    ("Llama\u20112\u20137B", "Llama-2-7B", "llama 2 7b"),
    ("fine-tuning", "fine-tuned", "fine-tune", "fine-tunes", "Fine-Tuned", "finetuned", "Finetuned", "finetune"),
    ("instruction tuning", "instruction-tuned", "instruction-tune"),
    ("prompt tuning", "prompt-tuned"), ("prefix-tuning", "prefix-tune"),
])
def test_resolve_same_thing_same_key(names):
    assert len({canonical_key(n) for n in names}) == 1


@pytest.mark.parametrize("a,b", [
    ("GPT-4", "GPT-4o"), ("GPT-4", "GPT-3.5"), ("Qwen2", "Qwen2.5"),
    ("Llama-2-7B", "Llama-2-13B"), ("Llama-2-7B", "Llama-27B"), ("GPT-4", "GPT-4V"),
    ("HumanEval", "HumanEval+"), ("C", "C++"), ("MBPP+", "MBPP++"),
])
def test_resolve_versions_and_sizes_stay_apart(a, b):
    assert canonical_key(a) != canonical_key(b)


@pytest.mark.parametrize("a,b", [
    ("LLM-Tune", "LLM tuning"), ("fortune", "fortuning"), ("auto-tuned", "auto-tuning"),
    ("RL-finetuned", "RL fine-tuning"), ("Llama-2 fine-tuned", "Llama-2 fine-tuning"),
])
def test_resolve_a_kind_of_tunings_verb_names_the_method_only_alone(a, b):
    assert canonical_key(a) != canonical_key(b)  # another word before "tune", a name that goes on, stay apart


def test_resolve_clean_surface_folds_unicode():
    assert clean_surface("3\u00d7 faster \u2013 Llama\u2011 2") == "3x faster - Llama- 2"
    assert clean_surface("\uff27\uff30\uff34-4") == "GPT-4"


def test_resolve_abbreviation_defined_in_one_paper_joins_another():
    a = named_paper("a", ("3D Gaussian Splatting", "Method", ["3DGS"]))
    b = named_paper("b", ("3DGS", "Method", []))
    c = named_paper("c", ("Low-Rank Adaptation", "Method", ["LoRA"]))
    d = named_paper("d", ("LoRA", "Method", []))
    resolution = resolve([a, b, c, d])
    # A name with digits is the usual handle: the long form joins it.
    assert resolution.key_of("a", "3D Gaussian Splatting") == resolution.key_of("b", "3DGS") == "3dgs"
    assert set(resolution.entities["3dgs"].aliases) == {"3D Gaussian Splatting", "3DGS"}
    assert resolution.entities["3dgs"].paper_ids == ("a", "b")
    # Otherwise the abbreviation joins the long form.
    assert resolution.key_of("d", "LoRA") == resolution.key_of("c", "Low-Rank Adaptation") == "lowrankadaptation"


def test_resolve_a_dominant_definition_wins_a_balanced_one_does_not():
    papers = [named_paper(f"p{i}", ("reinforcement learning", "Method", ["RL"])) for i in range(5)]
    papers.append(named_paper("odd", ("representation learning", "Method", ["RL"])))
    papers.append(named_paper("use", ("RL", "Method", [])))
    assert resolve(papers).key_of("use", "RL") == "reinforcementlearning"
    papers += [named_paper(f"q{i}", ("representation learning", "Method", ["RL"])) for i in range(4)]
    assert resolve(papers).key_of("use", "RL") == "rl"


def test_resolve_a_variant_grouped_under_an_entity_gets_its_own_node():
    paper = named_paper("a", ("Medusa", "Method", ["Medusa-1", "medusas", "MDS"]),
                        ("large language models", "Method", ["LLMs", "LLM-3D"]))
    resolution = resolve([paper])
    assert resolution.key_of("a", "Medusa-1") == "medusa1"
    assert ("medusa1", "medusa") in resolution.variant_of
    assert resolution.key_of("a", "medusas") == resolution.key_of("a", "MDS") == "medusa"
    assert resolution.key_of("a", "LLMs") == "largelanguagemodel"
    assert resolution.key_of("a", "LLM-3D") == "llm3d"


def test_resolve_abbreviation_with_two_long_forms_is_not_merged():
    a = named_paper("a", ("Gaussian Splatting", "Method", ["GS"]))
    b = named_paper("b", ("grid search", "Method", ["GS"]))
    c = named_paper("c", ("GS", "Method", []))
    resolution = resolve([a, b, c])
    assert resolution.key_of("c", "GS") == "gs"
    assert resolution.key_of("a", "GS") == canonical_key("Gaussian Splatting")
    assert resolution.key_of("b", "GS") == canonical_key("grid search")


def test_resolve_majority_type_wins_and_votes_are_kept():
    papers = [named_paper(str(i), ("BERT", "Model" if i < 2 else "Method", [])) for i in range(3)]
    entity = resolve(papers).entities["bert"]
    assert entity.type == "Model"
    assert entity.type_votes == {"Method": 1, "Model": 2}


PAIRS_FILE = Path(__file__).parent / "data" / "resolution_pairs.tsv"


def _pairs():
    rows = [line.split("\t") for line in PAIRS_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("#", "name_a"))]
    return [(a, b, kind == "same", how) for a, b, kind, how in rows]


def _pair_corpus(pairs):
    """Papers that define each abbreviation once, and papers that only use it."""
    extractions = []
    for i, (abbr, long_form, same, how) in enumerate(pairs):
        if how == "abbr" and same:
            extractions.append(named_paper(f"def-{i}", (long_form, "Method", [abbr])))
        extractions.append(named_paper(f"use-{i}", (abbr, "Method", [])))
    extractions.append(named_paper("def-gs-1", ("Gaussian Splatting", "Method", ["GS"])))
    extractions.append(named_paper("def-gs-2", ("grid search", "Method", ["GS"])))
    return resolve(extractions)


def test_resolve_pairs_from_the_corpus_precision_and_recall():
    pairs = _pairs()
    assert len(pairs) >= 60
    resolution = _pair_corpus(pairs)
    tp = fp = fn = 0
    for i, (a, b, same, how) in enumerate(pairs):
        if how == "key":
            predicted = canonical_key(a) == canonical_key(b)
        else:
            predicted = resolution.key_of(f"use-{i}", a) == resolution.key_of(f"def-{i}", b)
        tp += predicted and same
        fp += predicted and not same
        fn += same and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision == 1.0, f"precision {precision:.3f}"
    assert recall >= 0.95, f"recall {recall:.3f}"


def test_resolve_merged_tallies_of_partitions_equal_the_whole():
    papers = [
        named_paper("a", ("3D Gaussian Splatting", "Method", ["3DGS"]), ("LLaMA-2", "Model", [])),
        named_paper("b", ("3DGS", "Method", []), ("Llama 2", "Method", [])),
        named_paper("c", ("Llama-2-7B", "Model", []), ("GSM8K benchmark", "Dataset", [])),
    ]
    whole = resolve(papers)
    for split in (1, 2):
        left, right = tally(papers[:split]), tally(papers[split:])
        assert finish(right.merge(left)) == whole
    assert whole.key_of("b", "3DGS") == whole.key_of("a", "3D Gaussian Splatting") == "3dgs"
    assert ("llama2-7b", "llama2") in whole.variant_of and ("llama2", "llama") in whole.variant_of


@pytest.mark.parametrize("name", ["%%%", "1234", "---", "\u200b", "x" * 500, "Ll\u0430ma"])
def test_resolve_odd_names_do_not_crash_or_merge(name):
    resolution = resolve([named_paper("a", (name, "Method", [])), named_paper("b", ("Llama", "Model", []))])
    assert len(canonical_key(name)) <= 80
    assert resolution.key_of("a", name) != resolution.key_of("b", "Llama")
