"""The learned entity recogniser's network: the host pipeline's own token vectors, word-form
features and our corpus word vectors, encoded over a window of neighbours.

The stock English pipeline's ``tok2vec`` already runs for the tagger and the
parser and leaves its contextual vectors in ``doc.tensor``. The recogniser
reads them (no second encoder to run or ship) and adds hashed embeddings of
each word's form, prefix, suffix and shape, which carry what the tagger's
vectors do not: that "Llama-3" or "GSM8K" look like names; and vectors learned
from the corpus (kg.learn.vectors), which say what kind of thing a word is.
"""
from __future__ import annotations

from typing import Callable

from spacy.ml.models.tok2vec import MaxoutWindowEncoder, MultiHashEmbed, build_Tok2Vec_model
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from kg.learn.vectors import corpus_vectors

HOST_TENSOR_WIDTH = 96  # en_core_web_sm 3.8's tok2vec width


def doc_tensor(width: int) -> Model[list[Doc], list[Floats2d]]:
    """The vectors the host pipeline's tok2vec left on each Doc, as fixed inputs (no gradient flows back)."""
    return Model("kg_doc_tensor", _doc_tensor_forward, dims={"nO": width})


def _doc_tensor_forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Floats2d], Callable]:
    width = model.get_dim("nO")
    out = []
    for doc in docs:
        tensor = doc.tensor
        if tensor.size == 0 or tensor.shape[1] != width:
            out.append(model.ops.alloc2f(len(doc), width))  # a host without that tok2vec: zeros, not a crash
        else:
            out.append(model.ops.asarray2f(tensor))
    return out, lambda d_out: []


@registry.architectures("kg.HostTensorTok2Vec.v1")
def host_tensor_tok2vec(width: int, embed_width: int, rows: list[int], depth: int, vectors_width: int = 0,
                        host_width: int = HOST_TENSOR_WIDTH) -> Model[list[Doc], list[Floats2d]]:
    forms = MultiHashEmbed(width=embed_width, attrs=["NORM", "PREFIX", "SUFFIX", "SHAPE"], rows=rows,
                           include_static_vectors=False)
    features = [doc_tensor(host_width), forms] + ([corpus_vectors(vectors_width)] if vectors_width else [])
    embed = chain(concatenate(*features),
                  with_array(Maxout(width, host_width + embed_width + vectors_width, nP=3, normalize=True)))
    return build_Tok2Vec_model(embed, MaxoutWindowEncoder(width=width, window_size=1, maxout_pieces=3, depth=depth))
