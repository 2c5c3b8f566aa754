"""kg.abbreviations: what looks like an abbreviation, and the long form it abbreviates."""
import doctest

import pytest

import kg.abbreviations
from kg.abbreviations import abbreviates, long_form_start, looks_like_abbreviation


@pytest.mark.parametrize("letters, text, long_form", [
    ("lora", "we adapt it with low-rank adaptation", "low-rank adaptation"),
    ("mmlu", "accuracy on massive multitask language understanding", "massive multitask language understanding"),
    ("gan", "a generative adversarial network", "generative adversarial network"),
    ("rl", "reinforcement learning", "reinforcement learning"),
])
def test_abbreviations_long_form_starts_at_the_word_of_the_first_letter(letters, text, long_form):
    assert text[long_form_start(letters, text):] == long_form


@pytest.mark.parametrize("letters, text", [("xyz", "low-rank adaptation"), ("lora", "adaptation"), ("ab", "")])
def test_abbreviations_long_form_missing_letters_is_none(letters, text):
    assert long_form_start(letters, text) is None


def test_abbreviations_first_letter_must_start_a_word():
    # "a" of "ada" is inside "data": the long form starts at the word "a...", found further back
    assert long_form_start("ad", "a big data") == 0
    assert long_form_start("bd", "abig data") is None


@pytest.mark.parametrize("name, expected", [("LoRA", True), ("GPT-4", True), ("Medusa", False), ("LLMs", True), ("Attention", False),
                                            ("A", False), ("two words", False)])
def test_abbreviations_looks_like_abbreviation(name, expected):
    assert looks_like_abbreviation(name) is expected


@pytest.mark.parametrize("abbreviation, long_key, expected", [
    ("LoRA", "lowrankadaptation", True), ("LLMs", "largelanguagemodel", True), ("RAG", "lowrankadaptation", False),
])
def test_abbreviations_abbreviates(abbreviation, long_key, expected):
    assert abbreviates(abbreviation, long_key) is expected


def test_abbreviations_docstring_examples_run():
    result = doctest.testmod(kg.abbreviations)
    assert result.failed == 0 and result.attempted > 0
