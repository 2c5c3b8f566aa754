"""kg_roles: what each entity is to the paper. Sentences written for these tests."""
from __future__ import annotations

import pytest

from kg.extract import group_entities
from kg.records import Paper


def roles_of(nlp, abstract: str, title: str = "A Study of Things") -> dict[str, str]:
    doc = nlp(Paper(id="t", title=title, abstract=abstract).text)
    return {e.name: e.role for e in group_entities(doc)}


def test_roles_title_name_before_colon_is_proposed(nlp):
    roles = roles_of(nlp, "Brindle speeds up decoding.", title="Brindle: Faster Decoding with Heads")
    assert roles["Brindle"] == "proposed"


@pytest.mark.parametrize("abstract, name", [
    ("In this paper, we propose Tarnwick, a method for retrieval.", "Tarnwick"),
    ("We introduce Velloq-Bench to measure planning.", "Velloq-Bench"),
    ("Our recipe, called Stormleaf, trains adapters.", "Stormleaf"),
    ("Gorsemix, a novel framework for routing, is described.", "Gorsemix"),
    ("Our Hexwell Router (HR) model routes queries.", "Hexwell Router"),
])
def test_roles_proposed_cues(nlp, abstract, name):
    assert roles_of(nlp, abstract)[name] == "proposed"


@pytest.mark.parametrize("abstract, name", [
    ("We present Tarnwick. Tarnwick outperforms GPT-4o on every split.", "GPT-4o"),
    ("We present Tarnwick. Compared with LLaMA-2, Tarnwick is faster.", "LLaMA-2"),
    ("We present Tarnwick, which is more accurate than BERT.", "BERT"),
])
def test_roles_compared_cues(nlp, abstract, name):
    assert roles_of(nlp, abstract)[name] == "compared"


@pytest.mark.parametrize("abstract, name, role", [
    ("We train our probe using LoRA on GSM8K.", "LoRA", "used"),
    ("We train our probe using LoRA on GSM8K.", "GSM8K", "used"),
    ("Speculative decoding is popular. We study caches instead.", "Speculative decoding", "mentioned"),
])
def test_roles_used_and_background(nlp, abstract, name, role):
    assert roles_of(nlp, abstract)[name] == role


def test_roles_each_entity_has_the_role_the_paper_gives_it(nlp):
    """The baseline beaten is compared; the dataset it is beaten on and the metric are used, not compared."""
    roles = roles_of(nlp, "We propose Hollow. It beats BERT on SQuAD with F1.", title="Hollow: A Name")
    assert roles == {"Hollow": "proposed", "BERT": "compared", "SQuAD": "used", "F1": "used"}


@pytest.mark.parametrize("abstract, proposed, not_proposed", [
    ("We propose Tarnwick, which combines LoRA with speculative decoding.", "Tarnwick", "LoRA"),
    ("Here we propose a speculative decoding method, Tarnwick, for fast inference.", "Tarnwick", "speculative decoding"),
    ("We present a speculative decoding method called Tarnwick.", "Tarnwick", "speculative decoding"),
])
def test_roles_only_the_first_object_of_propose_is_proposed(nlp, abstract, proposed, not_proposed):
    """What the proposed entity builds on, or the kind of method it is, is used."""
    roles = roles_of(nlp, abstract)
    assert roles[proposed] == "proposed"
    assert roles[not_proposed] == "used", roles



@pytest.mark.parametrize("title, name", [
    ("GPT-4 Enhanced Lane Grounding for Driving: A Study", "GPT-4"),
    ("Teaching LLMs to Plan: A Study", "LLMs"),
])
def test_roles_title_words_not_ending_at_the_colon_are_not_proposed(nlp, title, name):
    """Only a name that is the whole lead of the title is proposed there; these two are used."""
    roles = roles_of(nlp, "We use GPT-4 and LLMs to label lanes.", title=title)
    assert roles.get(name) == "used", roles
