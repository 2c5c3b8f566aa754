"""Grouping the chosen mentions into entities: one name, one type, every mention.

Abbreviations and name variants ("Llama-2" of "Llama") join the entity they refer
to; a paper's umbrella terms (LLMs) join their class; a lower-case term that ends
another of the paper's terms joins it; mentions of a routine procedure the paper
does not itself take are dropped. Each entity's type is the one its mentions'
evidence weighs most for.
"""
from __future__ import annotations

import re
from collections import defaultdict

from spacy.tokens import Doc, Span

from kg.abbreviations import abbreviates, letters_of, looks_like_abbreviation, name_words
from kg.extract.entities.candidates import WEIGHT, Candidate, well_formed
from kg.extract.entities.lexicon import Lexicon, name_key
from kg.extract.entities.phrases import measured
from kg.records import majority_type

VARIANT = re.compile(r"^(?P<base>[A-Za-z][A-Za-z]*[A-Za-z])[-_ ](?=[\w.\-]*\d)[\w.\-]+$")


def own_start(lexicon: Lexicon, doc: Doc, title_end: int) -> int:
    """First token of the first sentence where the paper speaks of its own work ("we", "this paper")."""
    for sent in doc.sents:
        if sent.start_char < title_end:
            continue  # "A Test Paper": the title's words are no cue
        words = [t.lower_ for t in sent]
        if any(tuple(words[i:i + len(m)]) == m for m in lexicon.own_markers for i in range(len(words))):
            return sent.start
    return len(doc)


def applied_procedure(lexicon: Lexicon, doc: Doc, cand: Candidate, own: int, title_end: int) -> bool:
    """Whether a mention of a routine training step ("fine-tuning") is one the paper itself takes.

    Not when it only modifies a noun ("pre-training tokens", "fine-tuning data"),
    is waved away ("without further fine-tuning", "require fine-tuning") or
    sits in the background, before the paper first speaks of its own work (``own``;
    the title speaks of it).
    """
    if cand.start < own and doc[cand.start].idx >= title_end:
        return False
    # The parser often misreads "fine-tune" (an "amod" of the next noun), so the modifier test is
    # on words: a noun right after it that no "on" follows ("fine-tuning X on Y" applies it).
    after = doc[cand.end:min(len(doc), cand.end + 5)]
    if after and after[0].pos_ in ("NOUN", "PROPN") and after[0].lower_ not in lexicon.generic_heads and not any(
            t.lower_ == "on" for t in after):
        return False
    before = {t.lower_ for t in doc[max(0, cand.start - 3):cand.start]}
    return not before & lexicon.procedure_dismissers


def merge_modified_terms(groups: dict[str, list[tuple[Candidate, str]]], limit: int = 400) -> None:
    """Fold "speech recognition" into "automatic speech recognition" when a paper names both.

    A lower-case term that ends another of the paper's terms (word for word)
    is the same entity said more briefly; names (capitalised, with digits)
    are left alone.
    """
    if len(groups) > limit:
        return
    words = {key: tuple(name_words(members[0][1].lower())) for key, members in groups.items()}
    # The shorter one may be title-cased ("Gaussian Splatting" in a title, "3D Gaussian
    # Splatting (3DGS)" in the text), but not a name of its own ("GPT-4", "BERT").
    shorter = {key: w for key, w in words.items() if not groups[key][0][0].name and all(
        word[1:].islower() and word.isalpha() for word in groups[key][0][1].replace("-", " ").split())}
    for short_key, short in sorted(shorter.items(), key=lambda item: len(item[1])):
        short_type = groups[short_key][0][0].type if short_key in groups else None
        longer = [key for key, w in words.items() if len(w) > len(short) and w[-len(short):] == short
                  and key in groups and key != short_key and groups[key][0][0].type == short_type]
        if len(longer) == 1 and short_key in groups:
            groups[longer[0]].extend(groups.pop(short_key))


def merge_generic_heads(lexicon: Lexicon, groups: dict[str, list[tuple[Candidate, str]]]) -> None:
    """Fold "Sink-KV mechanism" into "Sink-KV", "episodic memory framework" into "Episodic Memory" when a paper
    names both: a name carries no generic head (training/DECISIONS.md 18)."""
    for key in list(groups):
        base = name_key(" ".join(lexicon.without_generic_heads(groups[key][0][1].split())))
        if base != key and base in groups:
            groups[base].extend(groups.pop(key))


def spelled_out(words: list[str]) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Each way to read a name as (words before, the initials of two or more words, words after), lower case:
    "Video Large Language Models" is ((), "vllm", ()), (("video",), "llm", ()), ..."""
    lower = [word.casefold() for word in words]
    initial = [word if word[0].isdigit() else word[0] for word in lower]  # "3D Gaussian Splatting" is 3DGS
    return [(tuple(lower[:i]), "".join(initial[i:j]), tuple(lower[j:]))
            for i in range(len(lower)) for j in range(i + 2, len(lower) + 1)]


def abbreviated(text: str, words: list[str]) -> list[tuple[tuple[tuple[str, ...], str, tuple[str, ...]], set[str]]]:
    """Each way a name (``text``, its ``words``) abbreviates a longer one: whole ("KBQA"), or by one of its words
    ("Video LLMs"), as (words before, the abbreviation's letters, words after), lower case, with the
    abbreviation's own words."""
    if looks_like_abbreviation(text):
        return [(((), letters_of(text), ()), set(text.split("-")))]
    lower = [word.casefold() for word in words]
    return [((tuple(lower[:i]), letters_of(word), tuple(lower[i + 1:])), {word})
            for i, word in enumerate(words) if looks_like_abbreviation(word)]


def merge_undefined_abbreviations(groups: dict[str, list[tuple[Candidate, str]]]) -> None:
    """Fold "KBQA" into "Knowledge Base Question Answering" and "Video LLMs" into "Video Large Language Models"
    when a paper names both without defining one by the other: a name whose abbreviation spells the initials of
    words of exactly one of the paper's longer names, the rest of their words the same, is its alias (not "GS"
    of "GS-SLAM", whose word it is)."""
    words = {key: name_words(members[0][1]) for key, members in groups.items()}
    spelling: dict[tuple[tuple[str, ...], str, tuple[str, ...]], list[str]] = defaultdict(list)
    for key, members in groups.items():
        for form in spelled_out(words[key]):
            spelling[form].append(key)
    for key in list(groups):
        longer = {k for form, own in abbreviated(groups[key][0][1], words[key]) for k in spelling.get(form, ())
                  if k in groups and k != key and own.isdisjoint(words[k])}
        if len(longer) == 1:
            groups[longer.pop()].extend(groups.pop(key))


def merge_title_definitions(doc: Doc, groups: dict[str, list[tuple[Candidate, str]]], text: str, lead: str) -> None:
    """Fold "Forest-Based Adaptive Bi-Path LLM-Enhanced Retrieval" into FABLE where the title reads "FABLE:
    Forest-Based Adaptive Bi-Path LLM-Enhanced Retrieval for ...": a title's rewording of the name it leads with
    (``lead``, ``kg.records.title_lead`` of the doc's ``text``) is its alias (training/DECISIONS.md 10) where it
    spells the name, as a bracketed long form would."""
    short_key = name_key(lead)
    if short_key not in groups:
        return
    colon = text.index(":") + 1
    after = colon + len(text[colon:]) - len(text[colon:].lstrip())
    for key in list(groups):
        members = groups[key]
        if key != short_key and any(doc[cand.start].idx == after for cand, _ in members) and len(
                name_words(members[0][1])) >= 2 and abbreviates(lead, key):
            groups[short_key].extend(groups.pop(key))
            return


def group(lexicon: Lexicon, doc: Doc, chosen: list[Candidate], long_forms: list[tuple[Candidate, str, bool]],
          user_names: dict[str, str], user_merges: dict[str, str], title_end: int, doc_text: str,
          lead: str | None) -> list[Span]:
    """The mention spans of the chosen candidates, each labelled with its entity's type and named by it;
    ``doc_text`` is the doc's text, ``lead`` the name its title leads with (``kg.records.title_lead``).

    ``long_forms``: (long form, abbreviation, reversed) of each definition; ``user_names``: name key ->
    the user's name as written; ``user_merges``: an alias's name key -> its user name's key.
    """
    alias_of: dict[str, str] = {}
    canonical: dict[str, str] = dict(user_names)
    for cand, short, reverse in long_forms:
        long_text = doc[cand.start:cand.end].text
        long_key = name_key(long_text)
        if reverse or not well_formed(long_text):
            # "FLUE (French Language Understanding Evaluation)": the name leads, the long form is its alias;
            # so too where the long form is cut out of larger text ("LLM)-based ... (LLM-Cure)")
            canonical.setdefault(name_key(short), short)
            alias_of.setdefault(long_key, name_key(short))
            continue
        canonical.setdefault(long_key, long_text)
        alias_of[name_key(short)] = long_key
        if short.endswith("s"):
            alias_of[name_key(short[:-1])] = long_key
    kept = []
    for cand in chosen:
        text = doc[cand.start:cand.end].text
        key = name_key(text)
        if cand.evidence == "user":
            kept.append((cand, text, key))
            continue
        if not key or key.isdigit() or lexicon.is_stop(text, key) and key not in lexicon.umbrella and key not in alias_of:
            continue
        if not any(c.isalpha() for c in text):
            continue
        if cand.type == "Metric" and (text.lower() in lexicon.property_metrics or cand.evidence in ("head", "weak")) and (
                doc[cand.start].idx >= title_end) and not measured(doc[cand.start].sent):
            continue
        kept.append((cand, text, key))
    keys = {key for _, _, key in kept}
    names_seen = {key for cand, _, key in kept if cand.name}

    def resolve(text: str, key: str) -> str:
        key = alias_of.get(key, key)
        if key in lexicon.umbrella:
            umbrella = lexicon.umbrella[key]
            return umbrella if umbrella in keys or umbrella in canonical else key
        variant = VARIANT.match(text)
        if variant and not lexicon.is_family(variant.group("base")):
            base = name_key(variant.group("base"))
            if base in names_seen and base != key:
                return alias_of.get(base, base)
        return key

    groups: dict[str, list[tuple[Candidate, str]]] = defaultdict(list)
    for cand, text, key in kept:
        if key in user_merges:
            groups[user_merges[key]].append((cand, text))
            continue
        resolved = resolve(text, key)
        if resolved != key and resolved in lexicon.stop_keys and resolved not in lexicon.umbrella.values():
            continue  # "LMs" defined as "language models": an umbrella term after all
        groups[resolved].append((cand, text))
    merge_modified_terms(groups)
    merge_generic_heads(lexicon, groups)
    merge_undefined_abbreviations(groups)
    if lead:
        merge_title_definitions(doc, groups, doc_text, lead)
    own = own_start(lexicon, doc, title_end)
    spans = []
    for key, members in groups.items():
        if len(members) == 1 and members[0][0].evidence == "weak":
            continue  # a phrase typed by a vague head word, said once: too likely a description
        if key in lexicon.procedure_keys and not any(applied_procedure(lexicon, doc, c, own, title_end) for c, _ in members):
            continue  # "without further fine-tuning": a step every paper takes, not this paper's
        scores: dict[str, float] = defaultdict(float)
        for cand, _ in members:
            scores[cand.type] += WEIGHT[cand.evidence]
        entity_type = majority_type(scores)
        name = canonical.get(key)
        if name is None:
            texts = [text for _, text in members if name_key(text) == key] or [members[0][1]]
            texts = [t for t in texts if t.endswith("ing")] or texts
            name = max(texts, key=lambda t: (len(t), -texts.index(t))) if key in lexicon.umbrella.values() else texts[0]
        for cand, _ in members:
            span = Span(doc, cand.start, cand.end, label=entity_type)
            span._.kg_name = name
            spans.append(span)
    return sorted(spans, key=lambda s: (s.start, s.end))
