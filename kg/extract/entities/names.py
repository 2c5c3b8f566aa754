"""Name candidates: name-shaped words (GPT-4, LoRA, Spec-Bench, Medusa), extended by version words.

A name has digits, inner capitals, an acronym's capitals or hyphened capitals, or
is a capitalised word that is no common word; it is not an author of a citation,
a symbol of a formula or a word of a person's, place's or institution's name.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from kg.extract.doc import starts_sentence
from kg.extract.entities.candidates import Candidate
from kg.extract.entities.lexicon import Lexicon, name_key
from kg.extract.tex import TEX_WRAPPER

NAME_SHAPE = re.compile(
    r"^(?=.{2,60}$)(?=.*[A-Za-z])(?:"
    r"[A-Za-z][A-Za-z0-9]*[-.]?\d[\w.\-/$^{}]*"     # GPT-4, T5, Llama-2-7B, SST-2
    r"|\d[A-Za-z0-9]*[A-Z][\w\-]*"                  # 3DGS, 4D-OR
    r"|[A-Z][a-z]*[A-Z][\w\-/$^{}]*"                # LoRA, BERT, ModernBERT, MEGS$^{2}$
    r"|[a-z]+[A-Z][\w\-]*"                          # mBERT, vLLM
    r"|[A-Z][a-z]+(?:-[A-Z0-9][\w]*)+"              # Spec-Bench, Botany-Bot
    r")$"
)
WORD = re.compile(r"\S+")
LEADING = "([{\"'\u201c\u2018<*"
TRAILING = ")]}\"'\u201d\u2019,.;:!?>*"
PARAM_SIZE = re.compile(r"(?:^|[-_ ])\d+(?:\.\d+)?[BbMmKk](?:$|[-_ ])|-(?:Instruct|Chat|Base)\b")
VERSION_WORD = re.compile(r"^(?:\d+(?:\.\d+)*[A-Za-z]?|v\d[\w.]*|Pro|Ultra|Large|Mini|Flash|Turbo|Instruct|Chat|Base|Lite|"
                          r"XL|XXL|Plus|Max|Nano|Opus|Sonnet|Haiku|large|base|small|medium|tiny)$")
# "LLM-based", "GPT-4-generated": a name turned into a modifier.
MODIFIER_SUFFIX = re.compile(
    r"-(?:based|driven|generated|powered|assisted|guided|aware|enhanced|specific|free|level|like|style|"
    r"centric|augmented|friendly|only|wise|scale|shot|agnostic|oriented|intensive|efficient|related|"
    r"induced|conditioned|compatible|ready|native|tuned|trained|sized|scaled|class|grade|type|as|of|"
    r"generation|style|inspired|dependent|independent|informed|integrated)$",
    re.I,
)
WORD_PREFIXES = frozenset({"multi", "non", "cross", "self", "semi", "pre", "post", "inter", "intra", "co", "sub", "super",
                           "meta", "bi", "tri", "uni", "anti", "auto", "de", "re", "over", "under", "out", "counter"})
MODIFIED_NOUN = re.compile(r" (?!(?:and|or|but|with|for|the|to|in|on|is|are|was|were|has|have|had|by|as|at|from|"
                           r"that|which|than|into|over|across|achieves?|shows?|reaches|outperforms?)\b)[a-z]{3,}")
BRACKET = re.compile(r" ?\(([^()]{1,100})\)")
TITLE_CASED_NOUN = re.compile(r" [A-Z][a-z]{2,}")
QUANTITY = re.compile(r"^\d+(?:\.\d+)?[A-Za-z]{1,2}$")
TITLE_COMPOUND = re.compile(r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)+$")
FUNCTION_POS = frozenset({"ADV", "SCONJ", "CCONJ", "ADP", "DET", "PRON", "AUX", "VERB", "PART", "INTJ"})
YEAR = re.compile(r"\b(?:19|20)\d\d[a-z]?\b")


def split_glued_periods(doc: Doc) -> None:
    """Split a sentence's full stop from a name the tokenizer left it on ("GSM8K.")."""
    glued = [t for t in doc if len(t.text) > 2 and t.text.endswith(".") and t.text[-2].isalnum()
             and NAME_SHAPE.match(t.text[:-1]) and "." not in t.text[:-1]]
    if not glued:
        return
    with doc.retokenize() as retokenizer:
        for token in glued:
            head = token.head if token.head.i != token.i else (token, 0)
            retokenizer.split(token, [token.text[:-1], "."], heads=[head, (token, 0)],
                              attrs={"POS": [token.pos_, "PUNCT"], "TAG": [token.tag_, "."],
                                     "DEP": [token.dep_, "punct"]})


def name_candidates(lexicon: Lexicon, doc: Doc, text: str, title_end: int) -> list[Candidate]:
    """Name-shaped words, extended by version words ("Gemini 2.5 Pro"); untyped (see ``context.name_type``)."""
    out = []
    for match in WORD.finditer(text):
        raw, start = match.group(), match.start()
        wrapper = TEX_WRAPPER.match(raw)
        if wrapper:
            raw, start = raw[wrapper.end():], start + wrapper.end()
        stripped = raw.lstrip(LEADING)
        start += len(raw) - len(stripped)
        stripped = stripped.rstrip(TRAILING)
        if stripped.endswith("'s") or stripped.endswith("\u2019s"):
            stripped = stripped[:-2]
        if stripped.count("(") != stripped.count(")"):
            stripped = stripped.split("(")[0].rstrip(TRAILING)
        end = start + len(stripped)
        if not stripped or MODIFIER_SUFFIX.search(stripped) or (
                stripped in lexicon.stop_names and name_key(stripped) not in lexicon.umbrella):
            continue
        shaped = bool(NAME_SHAPE.match(stripped)) and not QUANTITY.match(stripped)
        if shaped and TITLE_COMPOUND.match(stripped) and (all(
                lexicon.is_common(p) or p.lower() in WORD_PREFIXES for p in stripped.split("-"))
                or MODIFIED_NOUN.match(text, end) or end < title_end and TITLE_CASED_NOUN.match(text, end)):
            shaped = False  # "Visual-Language", "Multi-Modal inputs", a title's "Multi-Modal Models": words, not a name
        if not shaped:
            # A capitalised word that is no common word: Medusa, Whisper, Reddit.
            if not (stripped[:1].isupper() and stripped[1:].islower() and stripped.isalpha()
                    and len(stripped) > 2 and not lexicon.is_common(stripped)):
                if not (stripped in lexicon.names and not stripped.islower()):
                    continue
        span = doc.char_span(start, end, alignment_mode="contract")
        if span is None or span.text != stripped:
            continue
        if span[0].is_sent_start and not shaped and span[0].pos_ in FUNCTION_POS:
            continue
        if is_citation(doc, text, span) or in_formula(doc, span):
            continue
        if start >= title_end and not shaped and in_proper_name(lexicon, doc, span):
            continue
        if start < title_end and not shaped:
            # Capitalised words of a title count only before its colon, in a short name part
            # ("Medusa:"), not in a sentence ("Most Models can be Poets too:").
            if ":" not in text[end:title_end] or ":" in text[:start] or len(text[:text.find(":")].split()) > 4:
                continue
        end_token = span.end
        if lexicon.is_family(stripped) or lexicon.names.get(stripped) == "Model":
            while end_token < len(doc) and VERSION_WORD.match(doc[end_token].text) and not doc[end_token].is_sent_start:
                end_token += 1
        out.append(Candidate(span.start, end_token, "", "", name=True))
    return out


def in_proper_name(lexicon: Lexicon, doc: Doc, span: Span) -> bool:
    """A capitalised word inside a longer proper name ("the Jean Zay supercomputer", "National Centre for ..."):
    a person, place or institution, not a research entity of its own."""
    if span.text in lexicon.names or lexicon.is_family(span.text):
        return False

    def plain_capitalised(i: int) -> bool:
        if not 0 <= i < len(doc):
            return False
        token = doc[i]
        return token.is_alpha and token.text[:1].isupper() and token.text[1:].islower() and not starts_sentence(doc, i)

    return not starts_sentence(doc, span.start) and any(plain_capitalised(i) for i in (span.start - 1, span.end))


def glossed_as_organisation(lexicon: Lexicon, text: str, end: int) -> bool:
    """Whether a name is followed by a bracket that spells out an organisation: "CNRS (French National Centre ...)"."""
    gloss = BRACKET.match(text, end)
    return gloss is not None and any(word in lexicon.organisation_words for word in gloss.group(1).split())


def in_formula(doc: Doc, span: Span) -> bool:
    """A symbol of a formula ("W = AB"), not a name."""
    return any(0 <= i < len(doc) and doc[i].text in ("=", "\u2248", "<", ">", "+", "\u00d7", "*")
               for i in (span.start - 1, span.end))


def is_citation(doc: Doc, text: str, span: Span) -> bool:
    """An author in a citation: "Peters et al.", "(Devlin, 2019)"."""
    if span.end + 1 < len(doc) and doc[span.end].lower_ == "et" and doc[span.end + 1].lower_.startswith("al"):
        return True
    # The item of a citation list that holds the name: "(A and B, 2015; C, 2018)".
    window = text[max(0, span.start_char - 60):span.start_char]
    left = max(window.rfind("("), window.rfind(";"), window.rfind("["))
    if left < 0 or any(c in window[left:] for c in ")]."):
        return False
    tail = text[span.end_char:span.end_char + 60]
    right = min((i for i in (tail.find(")"), tail.find(";"), tail.find("]")) if i >= 0), default=-1)
    return right >= 0 and bool(YEAR.search(window[left:] + tail[:right]))
