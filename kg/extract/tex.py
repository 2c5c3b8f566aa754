"""TeX markup that abstracts carry around names: "we present \\textbf{4DGS-1K}", "\\emph{Medusa}".

The command and its brace are set apart from the word they wrap, for the tokenizer and for the rules'
name candidates alike, so a wrapped name is read as it is read bare.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.util import compile_prefix_regex

TEX_WRAPPERS = ("textbf", "textit", "textsc", "texttt", "textrm", "textsf", "text", "emph", "underline",
                "mathrm", "mathbf", "mathit", "mathsf", "mathtt")
TEX_WRAPPER = re.compile(r"\\(?:%s)\{" % "|".join(TEX_WRAPPERS))


def split_tex_wrappers(nlp: Language) -> Language:
    """``nlp`` with its tokenizer splitting a TeX wrapper (TEX_WRAPPERS) from the word it wraps, as a prefix."""
    nlp.tokenizer.prefix_search = compile_prefix_regex([TEX_WRAPPER.pattern, *nlp.Defaults.prefixes]).search
    return nlp
