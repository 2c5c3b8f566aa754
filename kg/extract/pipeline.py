"""The spaCy pipeline: a stock English model plus kg's own registered components."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelNotFound
from kg.extract.tex import split_tex_wrappers
from kg.extractor import PipelineConfig, default_model, user_files_stamp
from kg.learn.recogniser import load_recogniser
from kg.records import TITLE_SEPARATOR

# The stock components kg does not read: disabling them makes extraction cheaper
# than the bare model.
UNUSED_COMPONENTS = ("ner",)


@Language.component("kg_title_boundary")
def title_boundary(doc: Doc) -> Doc:
    """The title is its own sentence: start one after the blank line that ends it."""
    for token in doc:
        if token.is_space and TITLE_SEPARATOR in token.text and token.i + 1 < len(doc):
            doc[token.i + 1].is_sent_start = True
            break
    return doc


def load_host(name: str) -> Language:
    """The stock model kg's components (and the recogniser, in training too) run over, tokenizing as kg does."""
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as err:
        raise ModelNotFound(f"cannot load spaCy model {name!r}: {err}") from None
    return split_tex_wrappers(nlp)


def load_pipeline(config: PipelineConfig = PipelineConfig()) -> Language:
    """Load the model (once per process and contents of the user's files) with kg's components added."""
    return _load_pipeline(config, user_files_stamp(config))


@lru_cache(maxsize=4)
def _load_pipeline(config: PipelineConfig, stamp: tuple[str, ...]) -> Language:
    # importing the component modules registers the kg_* factories
    from kg.extract import (claims, entities, entity_scorer, relation_scorer, relations,  # noqa: F401
                            role_scorer, subject_scorer)

    nlp = load_host(config.model or default_model())
    nlp.add_pipe("kg_title_boundary", before="parser")
    if config.recogniser:
        load_recogniser(nlp, Path(config.recogniser))
    settings = {"kg_claims": {"detector": config.claim_weights},
                "kg_entities": {"terms": config.terms, "aliases": config.aliases}}
    for component in config.components:
        nlp.add_pipe(component, config=settings.get(component, {}))
    if config.entity_weights and "kg_entities" in config.components:
        after = "kg_roles" if "kg_roles" in config.components else "kg_entities"
        nlp.add_pipe("kg_entity_scorer", after=after, config={"weights": config.entity_weights})
    if config.role_weights and "kg_roles" in config.components:
        after = "kg_entity_scorer" if "kg_entity_scorer" in nlp.pipe_names else "kg_roles"
        nlp.add_pipe("kg_role_scorer", after=after, config={"weights": config.role_weights})
    if config.relation_weights and "kg_relations" in config.components:
        nlp.add_pipe("kg_relation_scorer", config={"weights": config.relation_weights})
    if config.subject_weights and "kg_claims" in config.components:
        nlp.add_pipe("kg_subject_scorer", config={"weights": config.subject_weights})
    return nlp
