"""Relations learned from our labels: every ordered pair of a paper's entities, scored.

A third of the relations in our labels join entities that never share a sentence
("We propose X. ... on GSM8K"), and the rules read one sentence at a time. The
scorer reads the whole paper: for each ordered pair (head, tail) of entities it
describes the pair with a few dozen sparse features (types, roles, the rules'
verdict, the words and dependency path between the closest co-occurring mentions,
what governs each entity where it stands alone, the verbs of the sentence that first
names the tail) and a linear softmax (``kg.learn.linear``) over "no relation" and the
relation types picks one. Trained by ``scripts/train_scorers.py``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from kg.records import RELATION_TYPES, title_end, title_lead

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

NO_RELATION = "-"
OUTCOMES = (NO_RELATION, *RELATION_TYPES)
WEIGHTS_FILE = Path(__file__).resolve().parent / "relations.json.gz"
SUBJECT_WORDS = frozenset({"we", "our", "it", "this", "its", "they", "these"})
MAX_BETWEEN = 12  # tokens between two mentions beyond which the words between say little


@dataclass(frozen=True)
class PaperEntity:
    """One entity of a paper as the scorer sees it: its name, type, role and mentions, the first token
    of each mention's sentence (``Span.sent`` finds it anew at each call), whether it is the name the
    title leads with (``title_lead``), and the verbs of the sentence that first names it."""

    name: str
    type: str
    role: str
    mentions: tuple[Span, ...]
    in_title: bool
    sentences: tuple[int, ...]
    leads_title: bool
    first_verbs: tuple[str, ...]


def paper_entities(doc: Doc, spans: Iterable[Span], types: dict[str, str], roles: dict[str, str]) -> list[PaperEntity]:
    """The paper's entities in order of first mention, from its ``kg_entities`` spans."""
    mentions: dict[str, list[Span]] = {}
    for span in spans:
        mentions.setdefault(span._.kg_name or span.text, []).append(span)
    text = doc.text  # joined from the tokens at each access
    title_stop, lead = title_end(text), title_lead(text)
    return [PaperEntity(name, types[name], roles.get(name, "mentioned"), tuple(found),
                        any(s.end_char <= title_stop for s in found), tuple(s.sent.start for s in found),
                        lead is not None and any(s.text == lead for s in found), _verbs(found[0].sent))
            for name, found in mentions.items()]


def _verbs(sentence: Span) -> tuple[str, ...]:
    return tuple(sorted({w.lemma_.lower() for w in sentence if w.pos_ == "VERB" and not w.is_stop}))


def bucket(n: int) -> str:
    return str(n) if n < 4 else "4-7" if n < 8 else "8+"


def _root(span: Span) -> Token:
    return span.root


def governors(token: Token, depth: int = 2) -> list[str]:
    """The lemmas above a mention: "on" then "evaluate" for "evaluated on GSM8K"."""
    out = []
    while depth and token.head.i != token.i:
        token = token.head
        out.append(token.lemma_.lower())
        depth -= 1
    return out


def clause_subject(token: Token) -> str:
    """The subject word of the clause a mention stands in ("we", "it", ...), or ""."""
    while True:
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                word = child.lower_
                if word in SUBJECT_WORDS:
                    return word
                for grand in child.children:
                    if grand.dep_ == "poss" and grand.lower_ in SUBJECT_WORDS:
                        return grand.lower_
                return "noun"
        if token.head.i == token.i:
            return ""
        token = token.head


def dependency_path(a: Token, b: Token) -> tuple[str, str]:
    """The dependency path from ``a`` up to the lowest common ancestor and down to ``b``, and its lemma."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    ids_b = {t.i for t in up_b}
    lca = next((t for t in up_a if t.i in ids_b), None)
    if lca is None:
        return "none", ""
    left = [t.dep_ for t in up_a[:[t.i for t in up_a].index(lca.i)]]
    right = [t.dep_ for t in up_b[:[t.i for t in up_b].index(lca.i)]]
    return "^".join(left) + "|" + "v".join(reversed(right)), lca.lemma_.lower()


def _closest(head: PaperEntity, tail: PaperEntity) -> tuple[Span, Span] | None:
    """The head and tail mentions nearest each other within one sentence."""
    best, gap = None, None
    for h, h_sentence in zip(head.mentions, head.sentences):
        for t, t_sentence in zip(tail.mentions, tail.sentences):
            if h_sentence != t_sentence or (h.start < t.end and t.start < h.end):
                continue
            d = t.start - h.end if h.start < t.start else h.start - t.end
            if gap is None or d < gap:
                best, gap = (h, t), d
    return best


def _name_features(head: str, tail: str) -> list[str]:
    h, t = head.lower(), tail.lower()
    features = []
    if h.startswith(t) and h != t:
        features.append("name:head-extends-tail")
    if t.startswith(h) and h != t:
        features.append("name:tail-extends-head")
    if t in h and not h.startswith(t):
        features.append("name:head-contains-tail")
    h_words, t_words = re.findall(r"\w+", h), re.findall(r"\w+", t)
    if set(h_words) & set(t_words):
        features.append("name:share-word")
    if h_words and t_words:
        features += [f"head-word:{h_words[-1]}", f"tail-word:{t_words[-1]}"]
    return features


def _tail_sentence(head: PaperEntity, tail: PaperEntity) -> list[str]:
    """What the sentence that first names the tail does, and where it stands from the head's first sentence;
    a third of our relations join entities that share no sentence, where the words between them say nothing."""
    first = tail.sentences[0]
    where = "same" if first in head.sentences else "after" if first > head.sentences[0] else "before"
    return ([f"spread-where:{bucket(len(set(head.sentences)))}:{where}"]
            + [f"tail-verb:{v}:{tail.type}" for v in tail.first_verbs])


def pair_features(head: PaperEntity, tail: PaperEntity, main: str | None,
                  rule_types: frozenset[str], reverse_rule_types: frozenset[str]) -> list[str]:
    """The features of one ordered pair; every feature is a string, weighted per outcome."""
    hr, tr = f"{head.type}.{head.role}", f"{tail.type}.{tail.role}"
    features = ["bias", f"types:{head.type}>{tail.type}", f"roles:{head.role}>{tail.role}", f"tr:{hr}>{tr}"]
    is_main = head.name == main
    names = _name_features(head.name, tail.name)
    if is_main:
        features.append(f"main>{tail.type}")
        features += [f"main>{f}" for f in names if f.startswith("tail-word")]
    if tail.name == main:
        features.append(f"{head.type}>main")
    features += [f"rule:{t}" for t in rule_types] + [f"rule-reversed:{t}" for t in reverse_rule_types]
    features += [f"title:{int(head.in_title)}{int(tail.in_title)}"]
    features += names
    shared = len(set(head.sentences) & set(tail.sentences))
    features.append(f"shared-sents:{bucket(shared)}")
    for gov in governors(_root(tail.mentions[0])):
        features.append(f"tail-gov:{gov}")
        features.append(f"tail-gov:{gov}:{'main' if is_main else head.role}")
    features.append(f"tail-subject:{clause_subject(_root(tail.mentions[0]))}:{'main' if is_main else head.role}")
    for gov in governors(_root(head.mentions[0]), 1):
        features.append(f"head-gov:{gov}")
    features += _tail_sentence(head, tail)
    closest = _closest(head, tail)
    if closest is None:
        return features
    h, t = closest
    order = "ht" if h.start < t.start else "th"
    gap = t.start - h.end if order == "ht" else h.start - t.end
    features += [f"order:{order}", f"gap:{bucket(gap)}:{order}"]
    if gap <= MAX_BETWEEN:
        doc = h.doc
        between = doc[min(h.end, t.end):max(h.start, t.start)]
        words = [w.lemma_.lower() for w in between if not w.is_punct]
        features += [f"between:{w}:{order}" for w in set(words)]
        if len(words) <= 3:
            features.append(f"between-seq:{' '.join(words)}:{order}")
    path, lca = dependency_path(_root(h), _root(t))
    features += [f"path:{path}", f"lca:{lca}:{order}", f"path-lca:{path}:{lca}"]
    return features
