"""The kg_relations component: relations between entities stated in one sentence.

Every relation comes from one sentence (its evidence) and one cue in it: a verb
("X uses Y", "X outperforms Y"), a preposition that attaches an entity to a
clause ("... on GSM8K", "... for machine translation"), a compound ("Y-based X")
or, for the title, the "Name: description" shape. The head of a relation is
the entity the cue's clause is about: its subject, the noun a relative clause
or participle hangs on, or the paper's proposed entity when the subject is
"we", "our method" or "it". VARIANT_OF comes from the names alone.

The cue words are data: ``tables/relation_cues.json``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.doc import ENTITY_SPANS, MAX_WALK, entity_types
from kg.tables import cue_table
from kg.records import Relation, title_end

ACTORS = frozenset({"Method", "Model"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
OBJECTS = frozenset({"dobj", "attr", "oprd", "dative", "pobj"})
# Dependencies that stay inside one noun phrase (or a list of them) when we
# collect the entities a verb takes as its objects.
NP_INNER = frozenset({"conj", "appos", "compound", "amod", "nmod", "poss", "pobj", "npadvmod", "dobj", "nummod", "oprd"})
CLAUSE_LINKS = frozenset({
    "advcl", "xcomp", "conj", "pcomp", "prep", "pobj", "acl", "relcl", "ccomp", "advmod", "dobj", "agent",
    "nsubj", "nsubjpass", "appos", "npadvmod", "attr", "oprd", "dative", "compound", "amod", "nummod", "acomp",
})
KIND_PREPS = frozenset({"including", "like"})  # "Y including X", "Y like X"; "Y such as X" is read apart
EXAMPLE_WORDS = frozenset({"e.g.", "e.g", "eg"})  # "Y (e.g., X)"
NAMING_VERBS = frozenset({"call", "name", "dub", "term", "coin"})
RESULTS = "<results>"
# A name that extends another by a version, size or release suffix is a variant of it.
VARIANT_SUFFIX = re.compile(
    r"^[-. _/]?(?:v?\d[\w.]*|\d+(?:\.\d+)?[bmk]\b|(?:instruct|chat|base|lite|large|small|mini|pro|turbo|max|plus|xl)(?=$|[-. _]?\d|-))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RelationCues:
    """The cue words of ``tables/relation_cues.json``, as sets for look-ups."""

    uses_verbs: dict[str, list[str]]  # verb -> the prepositions that introduce what it uses
    self_verbs: frozenset[str]
    uses_preps: frozenset[str]
    title_uses_preps: frozenset[str]
    outperforms_verbs: frozenset[str]
    training_verbs: frozenset[str]
    comparison_words: frozenset[str]
    comparatives: frozenset[str]
    comparative_preps: frozenset[str]
    gain_nouns: frozenset[str]
    gain_preps: frozenset[str]
    evaluation_preps: frozenset[str]
    evaluation_words: frozenset[str]
    application_preps: frozenset[str]
    application_verbs: frozenset[str]
    task_preps: frozenset[str]
    task_verbs: frozenset[str]
    negative_verbs: frozenset[str]
    hedges: frozenset[str]
    self_nouns: frozenset[str]
    result_nouns: frozenset[str]
    such_as: frozenset[str]
    uses_prep_only: frozenset[str]
    uses_nouns: frozenset[str]
    other_work: frozenset[str]
    task_list_verbs: frozenset[str]
    transparent_nouns: frozenset[str]
    part_nouns: frozenset[str]
    used_by_verbs: frozenset[str]

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> RelationCues:
        return cue_table(cls, "relation_cues.json")


@dataclass
class _PaperView:
    """What the rules need to know about one doc: mentions by token, types, the proposed entity."""

    doc: Doc
    text: str  # doc.text, which spaCy joins from the tokens at each access
    mention_at: dict[int, Span]
    types: dict[str, str]
    proposed: str | None
    cues: RelationCues
    first_at: dict[str, int] = field(default_factory=dict)
    benchmark: str | None = None  # the one dataset the paper proposes
    found: dict[tuple[str, str, str], Relation] = field(default_factory=dict)

    def entity(self, token: Token) -> str | None:
        span = self.mention_at.get(token.i)
        return span._.kg_name or span.text if span is not None else None

    def add(self, head: str | None, rel_type: str, tail: str | None, sent: Span) -> None:
        if not head or not tail or head == tail or head == RESULTS or tail == RESULTS:
            return
        if not types_fit(rel_type, self.types.get(head), self.types.get(tail)):
            return
        key = (head, rel_type, tail)
        if key in self.found:
            return
        start, end = sentence_bounds(sent)
        self.found[key] = Relation(head=head, type=rel_type, tail=tail, evidence=self.text[start:end], start=start,
                                   end=end)


def types_fit(rel_type: str, head: str | None, tail: str | None) -> bool:
    if rel_type == "USES":
        return head in ACTORS and tail in {"Method", "Model", "Dataset"}
    if rel_type == "EVALUATED_ON":
        return head in ACTORS and tail == "Dataset"
    if rel_type == "OUTPERFORMS":
        return head in ACTORS and tail in ACTORS
    if rel_type == "APPLIED_TO":
        return head == "Method" and tail in ACTORS
    if rel_type == "ADDRESSES":
        return head in {"Method", "Model", "Dataset"} and tail == "Task"
    if rel_type == "VARIANT_OF":
        return head in ACTORS and tail in ACTORS
    return False


def sentence_bounds(sent: Span) -> tuple[int, int]:
    text = sent.text
    start = sent.start_char + (len(text) - len(text.lstrip()))
    end = sent.end_char - (len(text) - len(text.rstrip()))
    return start, max(start, end)


@Language.factory("kg_relations", default_config={"max_sentence_tokens": 200})
class RelationFinder:
    """Finds USES, EVALUATED_ON, OUTPERFORMS, APPLIED_TO, ADDRESSES and VARIANT_OF relations."""

    def __init__(self, nlp: Language, name: str, max_sentence_tokens: int = 200):
        self.name = name
        self.max_sentence_tokens = max_sentence_tokens

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(ENTITY_SPANS, [])) if ENTITY_SPANS in doc.spans else []
        if not spans:
            doc._.kg_relations = []
            return doc
        view = _view(doc, spans)
        sents = list(doc.sents) if doc.has_annotation("DEP") else []
        for index, sent in enumerate(sents):
            if len(sent) > self.max_sentence_tokens or sent.text.rstrip().endswith("?"):
                continue
            if index == 0:
                _title_relations(view, sent)
            _sentence_relations(view, sent, title=index == 0)
        _variant_relations(view, spans)
        for head, rel_type, tail in list(view.found):
            if rel_type == "VARIANT_OF":
                view.found.pop((head, "USES", tail), None)  # a kind of Y, not a user of it
        doc._.kg_relations = list(view.found.values())
        return doc


def _view(doc: Doc, spans: list[Span]) -> _PaperView:
    mention_at: dict[int, Span] = {}
    for span in spans:
        for i in range(span.start, span.end):
            mention_at.setdefault(i, span)
    best_type = entity_types(spans)
    first_at: dict[str, int] = {}  # first mention in the abstract
    text = doc.text
    abstract_start = title_end(text)
    for span in spans:
        if span.start_char > abstract_start:
            first_at.setdefault(span._.kg_name or span.text, span.start)
    roles = doc._.kg_roles or {}
    proposed_data = [n for n, role in roles.items() if role == "proposed" and best_type.get(n) == "Dataset"]
    return _PaperView(doc, text, mention_at, best_type, main_proposed(doc, spans, best_type),
                      RelationCues.load(), first_at, proposed_data[0] if len(proposed_data) == 1 else None)


def main_proposed(doc: Doc, spans: list[Span], types: dict[str, str]) -> str | None:
    """The entity "we", "our method" and "it" stand for: the proposed entity the title names, else the most mentioned."""
    roles = doc._.kg_roles or {}
    text = doc.text  # joined from the tokens at each access
    title_stop = title_end(text)
    colon = text.find(":", 0, title_stop)
    candidates = {name for name, role in roles.items() if role == "proposed" and types.get(name) in {"Method", "Model", "Dataset"}}
    if not roles and colon > 0:
        candidates = {s._.kg_name or s.text for s in spans if s.end_char <= colon}
    if not candidates:
        return None
    score: dict[str, tuple[int, int, int, int]] = {}
    for span in spans:
        name = span._.kg_name or span.text
        if name not in candidates:
            continue
        named_first = int(span.end_char <= (colon if colon > 0 else title_stop))
        in_title = int(span.end_char <= title_stop)
        old = score.get(name, (0, 0, 0, -span.start_char))
        score[name] = (max(old[0], named_first), max(old[1], in_title), old[2] + 1, old[3])
    return max(score, key=score.get) if score else None


def _sentence_relations(view: _PaperView, sent: Span, title: bool = False) -> None:
    """The relations one sentence states. A title is a noun phrase more often than a
    clause, so there only clauses with a subject count (``_title_relations`` reads the rest)."""
    cues = view.cues
    lemmas = {t.lemma_.lower() for t in sent}
    compares = bool(lemmas & (cues.outperforms_verbs | cues.comparison_words))
    evaluates = bool(lemmas & cues.evaluation_words)
    for token in sent:
        lemma = token.lemma_.lower()
        if token.pos_ in ("VERB", "AUX") and not _negated(token, cues):
            if not title and lemma in cues.uses_verbs and not _hyphen_based(token):
                _uses_frame(view, sent, token, cues.uses_verbs[lemma])
            elif not title and lemma in cues.self_verbs:
                _self_frame(view, sent, token)
            if lemma in cues.outperforms_verbs:
                for tail in _objects(view, token, ()):
                    view.add(_agent(view, token), "OUTPERFORMS", tail, sent)
            if token.i in view.mention_at:
                _method_verb(view, sent, token)
        comparative = lemma in cues.comparatives or token.lower_ in cues.comparatives
        if comparative or lemma in cues.gain_nouns:
            preps = cues.comparative_preps if comparative else cues.gain_preps
            for tail in _prep_objects(view, token, preps):
                view.add(_agent(view, token), "OUTPERFORMS", tail, sent)
        if lemma in cues.uses_nouns and token.pos_ == "NOUN" and not title:
            head = _agent(view, token) or _implied_agent(view, sent, token)
            for tail in _prep_objects(view, token, ("of",)):
                view.add(head, "USES", tail, sent)
        if token.lower_ in cues.uses_preps and token.dep_ == "prep" and not title:
            _via(view, sent, token)
        if token.tag_ == "VBN" and token.dep_ == "acl" and lemma in cues.used_by_verbs and not _negated(token, cues):
            _used_by(view, sent, token)
        if lemma == "base" and _hyphen_based(token):
            _hyphen_uses(view, sent, token)
    if not title:
        _colon_parts(view, sent)
        _kind_relations(view, sent)
    for span in _mentions_in(view, sent):
        kind = span.label_
        if kind == "Dataset" and evaluates:
            _dataset_relations(view, sent, span)
        elif kind == "Model" and not compares:
            _model_relations(view, sent, span)
        elif kind == "Task":
            _task_relations(view, sent, span, title)


def _colon_parts(view: _PaperView, sent: Span) -> None:
    """"We propose X with two designs: A, which ..., and B" and "we implement a three-stage
    scheme: starting with A, then B": the listed parts are parts of the proposed entity."""
    main = view.proposed
    colon = next((t for t in sent if t.text == ":" and t.i > sent.start + 2), None)
    if main is None or colon is None:
        return
    cues = view.cues
    before = view.doc[sent.start:colon.i]
    about_main = any(
        (t.lemma_.lower() in cues.self_verbs and not _negated(t, cues)
         and any(c.dep_ == "nsubj" and c.lower_ == "we" for c in t.children))
        or view.entity(t) == main for t in before)
    if not about_main or not any(t.lemma_.lower() in cues.part_nouns for t in before):
        return
    end = next((t.i for t in view.doc[colon.i + 1:sent.end] if t.text in (":", ";")), sent.end)
    for span in _mentions_in(view, view.doc[colon.i + 1:end]):
        name = span._.kg_name or span.text
        if span.label_ not in ACTORS or name == main:
            continue
        inside = [a for a in span.root.ancestors if a.i > colon.i + 1 and a.dep_ in ("relcl", "ccomp", "advcl") and a.pos_ in ("VERB", "AUX")]
        if not inside:
            view.add(main, "USES", name, sent)


def _mentions_in(view: _PaperView, sent: Span) -> list[Span]:
    seen: list[Span] = []
    for i in range(sent.start, sent.end):
        span = view.mention_at.get(i)
        if span is not None and (not seen or seen[-1] is not span):
            seen.append(span)
    return seen


def _negated(token: Token, cues: RelationCues) -> bool:
    """Whether the clause of ``token`` is negated or hedged; a coordinated clause with its own subject
    ("X does not use Y, but it outperforms Z") has its own polarity, not that of the clause before."""
    hedges = cues.hedges
    own_clause = token.dep_ == "conj" and any(c.dep_ in SUBJECTS for c in token.children)
    for t in (token,) if own_clause else (token, token.head):
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in hedges) for c in t.children):
            return True
    return False


def _np_entity(view: _PaperView, token: Token, depth: int = 0) -> str | None:
    """The entity a noun phrase headed by ``token`` refers to, if any."""
    name = view.entity(token)
    if name is not None:
        return name
    if token.dep_ == "appos" and token.head.i in view.mention_at:  # "X, a ... framework that ..."
        return view.entity(token.head)
    lower = token.lower_
    if lower in ("we", "i", "it"):
        return view.proposed
    if token.tag_ in ("WDT", "WP") and token.head.dep_ in ("relcl", "acl") and depth < 3:
        return _np_entity(view, token.head.head, depth + 1)
    for child in token.children:
        if child.dep_ == "appos" and child.i in view.mention_at:
            return view.entity(child)
    for child in token.children:  # "a grader named GradeBot"
        if child.dep_ == "acl" and child.lemma_.lower() in NAMING_VERBS:
            named = [c for c in child.children if c.dep_ in ("oprd", "dobj", "attr") and c.i in view.mention_at]
            if named:
                return view.entity(named[0])
    if token.dep_ == "attr" and depth < 3:  # "FooBench is a benchmark designed to ..."
        subject = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            return _np_entity(view, subject, depth + 1)
    lemma = token.lemma_.lower()
    if lemma in view.cues.self_nouns:
        for child in token.children:
            if child.dep_ in ("compound", "amod", "nmod") and child.i in view.mention_at:
                return view.entity(child)
            if child.dep_ == "prep" and child.lower_ == "of":  # "the architecture of CAVG"
                named = [c for c in child.children if c.dep_ == "pobj" and c.i in view.mention_at]
                if named:
                    return view.entity(named[0])
        if any(c.lower_ in ("our", "this", "proposed") for c in token.children):
            return view.proposed
    if lemma in view.cues.result_nouns:
        return RESULTS
    return None


def _agent(view: _PaperView, token: Token) -> str | None:
    """The entity the clause around ``token`` is about: its subject, or what it modifies."""
    for t, subject in _climb(token):
        if subject is not None:
            who = _np_entity(view, subject)
            return _reported(view, t) if who == RESULTS else who
        if t.dep_ in ("relcl", "acl") and t.pos_ in ("VERB", "AUX"):
            who = _np_entity(view, t.head)
            return _reported(view, t.head.head) if who == RESULTS else who
        if t.dep_ not in CLAUSE_LINKS:
            return None
    return None


def _subject(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in SUBJECTS), None)


def _climb(token: Token) -> Iterator[tuple[Token, Token | None]]:
    """``token`` and the heads above it up to the root (at most MAX_WALK of them), each with its subject."""
    t = token
    for _ in range(MAX_WALK):
        yield t, _subject(t)
        if t.head is t:
            return
        t = t.head


def _nearest_subject(token: Token) -> Token | None:
    """The subject of ``token``'s clause or of the nearest clause above it."""
    return next((subject for _, subject in _climb(token) if subject is not None), None)


def _reported(view: _PaperView, verb: Token) -> str | None:
    """"Experiments show that X ...": X, else the proposed entity."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            subject = _subject(child)
            if subject is not None:
                who = _np_entity(view, subject)
                if who and who != RESULTS:
                    return who
    return view.proposed


def _collect(view: _PaperView, roots: list[Token], preps: tuple[str, ...] = ("of",)) -> list[str]:
    """Entities in the noun phrases under ``roots``, without entering clauses hung on them."""
    names: list[str] = []
    such_as = view.cues.such_as | frozenset(preps)
    stack = list(roots)
    seen = 0
    while stack and seen < 200:
        t = stack.pop()
        seen += 1
        name = view.entity(t)
        if name is not None and name not in names:
            names.append(name)
        for child in t.children:
            if name is not None and view.entity(child) == name:
                continue
            if name is not None and child.dep_ in ("compound", "amod", "nmod", "poss", "npadvmod"):
                continue  # "LLM-generated text called CIs": the CIs, not the LLM
            if child.dep_ in NP_INNER and not _hyphen_based(child):
                stack.append(child)
            elif child.dep_ == "prep" and child.lower_ in such_as:
                stack.append(child)
            elif child.dep_ == "amod" and not _hyphen_based(child):
                stack.append(child)
            elif child.dep_ == "acl" and child.lemma_.lower() in NAMING_VERBS:
                stack.append(child)
    return names


def _objects(view: _PaperView, verb: Token, preps, inner: tuple[str, ...] = ("of",)) -> list[str]:
    roots = [c for c in verb.children if c.dep_ in OBJECTS]
    for child in verb.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in preps:
            roots.extend(c for c in child.children if c.dep_ in ("pobj", "pcomp"))
    return _collect(view, roots, inner)


def _prep_objects(view: _PaperView, token: Token, preps) -> list[str]:
    roots = []
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            roots.extend(c for c in child.children if c.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ == "compared":  # "better ... compared to X"
            for grand in child.children:
                roots.extend(c for c in grand.children if c.dep_ == "pobj")
    return _collect(view, roots)


def _uses_frame(view: _PaperView, sent: Span, verb: Token, preps: list[str]) -> None:
    """"X uses Y", "Using Y, X ...", "X, which is built on Y", "integrating Y into X"."""
    if verb.lemma_.lower() in view.cues.uses_prep_only:
        tails = _prep_objects(view, verb, preps) + _collect(view, [
            c for a in verb.children if a.dep_ == "agent" and "by" in preps for c in a.children if c.dep_ == "pobj"],
            ("of", "with"))
    else:
        tails = _objects(view, verb, preps, ("of", "with"))
    into = [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "into"]
    head = _agent(view, verb) or _implied_agent(view, sent, verb)
    for prep in into:
        targets = _collect(view, [c for c in prep.children if c.dep_ == "pobj"])
        if targets:
            head = targets[0]
            tails = [t for t in tails if t not in targets]
    # "Experiments using GPT-J ...", "We achieve ... using a Llama-2-7B model": the set-up of an evaluation.
    setup = _agent_is_results(view, verb) or (
        verb.tag_ == "VBG" and verb.dep_ in ("advcl", "acl") and _subject_word(verb) == "we")
    for tail in tails:
        rel = "APPLIED_TO" if setup and view.types.get(tail) == "Model" else "USES"
        view.add(head, rel, tail, sent)


def _subject_word(token: Token) -> str | None:
    """The lower-cased head word of the nearest subject above ``token``."""
    subject = _nearest_subject(token)
    return subject.lower_ if subject is not None else None


def _implied_agent(view: _PaperView, sent: Span, token: Token) -> str | None:
    """The proposed entity, for a sentence that describes it without naming a subject
    ("Specifically, each matrix is decomposed via ...", "This is enhanced by ..."):
    only after the paper has named it, and not when the subject is other work."""
    if view.proposed is None or view.first_at.get(view.proposed, len(view.doc)) > sent.start:
        return None
    subject = _nearest_subject(token)
    if subject is not None and (_np_entity(view, subject) is not None
                                or any(w.lower_ in view.cues.other_work for w in subject.subtree)):
        return None
    return view.proposed


def _agent_is_results(view: _PaperView, token: Token) -> bool:
    for t, subject in _climb(token):
        if subject is not None:
            return _np_entity(view, subject) == RESULTS
        if t.dep_ in ("relcl", "acl"):
            return _np_entity(view, t.head) == RESULTS
    return False


def _self_frame(view: _PaperView, sent: Span, verb: Token) -> None:
    """"We propose/introduce Y" in a paper about X: Y is a part of X."""
    subject = _subject(verb)
    if subject is None or subject.lower_ != "we" or view.proposed is None:
        return
    roots = [c for c in verb.children if c.dep_ in OBJECTS and view.entity(c) != view.proposed]
    for tail in _collect(view, roots):
        if view.types.get(tail) == "Method":
            view.add(view.proposed, "USES", tail, sent)


def _method_verb(view: _PaperView, sent: Span, verb: Token) -> None:
    """A verb that names a method: "we fine-tune ...", "Llama 3 can be finetuned"."""
    method = view.entity(verb)
    if view.types.get(method) != "Method":
        return
    subject = _subject(verb)
    if subject is None:
        return
    if subject.dep_ == "nsubj" and subject.lower_ == "we":
        view.add(view.proposed, "USES", method, sent)
        for tail in _objects(view, verb, ("with", "via", "using")):
            if view.types.get(tail) == "Method":
                view.add(method, "USES", tail, sent)
    elif subject.dep_ == "nsubjpass":
        named = _collect(view, [subject]) or [_np_entity(view, subject)]
        models = [n for n in named if view.types.get(n) == "Model"]
        for model in models:
            view.add(method, "APPLIED_TO", model, sent)
        if not models:
            view.add(named[0], "USES", method, sent)


def _via(view: _PaperView, sent: Span, prep: Token) -> None:
    """"preference distillation via DPO", "trained through RLHF"."""
    tails = _collect(view, [c for c in prep.children if c.dep_ == "pobj"])
    anchor = prep.head
    named_object = next((c for c in anchor.children if c.dep_ == "dobj" and c.i in view.mention_at), None)
    if anchor.i in view.mention_at:
        head = view.entity(anchor)
    elif named_object is not None:  # "we introduce X via Y"
        head = view.entity(named_object)
    else:
        head = _agent(view, anchor) or _implied_agent(view, sent, anchor)
    for tail in tails:
        view.add(head, "USES", tail, sent)


def _used_by(view: _PaperView, sent: Span, participle: Token) -> None:
    """"Multi-Head Latent Attention, deployed in DeepSeek-V2 and GLM-5": the models use it."""
    method = view.entity(participle.head)
    if method is None or view.types.get(method) != "Method":
        return
    roots = [c for p in participle.children if p.dep_ in ("prep", "agent") and p.lower_ in ("in", "by")
             for c in p.children if c.dep_ == "pobj"]
    for user in _collect(view, roots):
        view.add(user, "USES", method, sent)


def _hyphen_based(token: Token) -> bool:
    """The "based" of "LLM-based": a hyphen glues it to the name before."""
    return token.lower_ == "based" and token.i >= 2 and token.nbor(-1).text == "-" and not token.nbor(-1).whitespace_


def _hyphen_uses(view: _PaperView, sent: Span, based: Token) -> None:
    """"Y-based X" and "Y-based models like X1 and X2": X uses Y."""
    base_name = view.entity(based.nbor(-2))
    if base_name is None or based.i in view.mention_at:
        return
    noun = based.head
    while noun.dep_ == "compound" and noun.head is not noun and noun.i not in view.mention_at:
        noun = noun.head
    such_as = view.cues.such_as
    heads = []
    for child in noun.children:
        if child.dep_ in ("prep", "acl") and child.lower_ in such_as:
            heads.extend(_collect(view, [c for c in child.children if c.dep_ in ("pobj", "dobj", "prep")]))
    if not heads:
        named = view.entity(noun) if noun.i in view.mention_at else _np_entity(view, noun)
        if named and named != RESULTS:
            heads.append(named)
    for head in heads:
        view.add(head, "USES", base_name, sent)


def _governor(view: _PaperView, span: Span) -> tuple[str, Token] | None:
    """How a mention attaches to its clause: ("prep word", its head) or (dependency, head)."""
    t = span.root
    such_as = view.cues.such_as
    for _ in range(8):
        while t.dep_ in ("conj", "appos") and t.head is not t:
            t = t.head
        if t.dep_ == "pobj":
            prep = t.head
            if prep.lower_ in such_as and prep.head is not prep:
                t = prep.head if prep.head.lower_ != "such" else prep.head.head
                continue
            if prep.lower_ == "of" and prep.head.lemma_.lower() in view.cues.transparent_nouns:
                t = prep.head  # "the field of NLP"
                continue
            return prep.lower_, prep.head
        if t.dep_ in ("compound", "amod", "nmod") and t.head.i not in view.mention_at:
            t = t.head  # "the ALFRED benchmark", "spatial reasoning abilities"
            continue
        if t.dep_ in ("dobj", "nsubjpass", "attr", "oprd"):
            return t.dep_, t.head
        return None
    return None


def _dataset_relations(view: _PaperView, sent: Span, span: Span) -> None:
    """"X achieves ... on GSM8K", "experiments on GSM8K show that X", "evaluated on GSM8K"."""
    found = _governor(view, span)
    if found is None:
        return
    how, anchor = found
    cues = view.cues
    if anchor.lemma_.lower() in cues.training_verbs:
        return  # "trained on The Pile" is where it learnt, not where it was evaluated
    if how in cues.evaluation_preps or (how == "dobj" and anchor.lemma_.lower() in cues.evaluation_words):
        head = _agent(view, anchor) or _implied_agent(view, sent, anchor)
        view.add(head, "EVALUATED_ON", span._.kg_name or span.text, sent)


def _model_relations(view: _PaperView, sent: Span, span: Span) -> None:
    """A method applied to a model ("for Llama-3 models", "using GPT-J"), or a model benchmarked on a proposed dataset."""
    found = _governor(view, span)
    if found is None:
        return
    how, anchor = found
    cues = view.cues
    lemma = anchor.lemma_.lower()
    if not (how in cues.application_preps or (how == "dobj" and lemma in cues.application_verbs)):
        return
    if lemma in cues.uses_verbs and lemma != "apply":
        return
    head = _agent(view, anchor)
    model = span._.kg_name or span.text
    if lemma in ("evaluate", "benchmark", "test", "assess") and _subject_word(anchor) == "we" and view.benchmark:
        view.add(model, "EVALUATED_ON", view.benchmark, sent)  # a paper introducing a benchmark tests models on it
    elif view.types.get(head) == "Dataset" and lemma in ("evaluate", "benchmark", "test", "assess"):
        view.add(model, "EVALUATED_ON", head, sent)
    else:
        view.add(head, "APPLIED_TO", model, sent)


def _task_relations(view: _PaperView, sent: Span, span: Span, title: bool = False) -> None:
    """"X for machine translation", "X tackles Y", "a benchmark designed to evaluate the spatial reasoning of ...",
    and a task named in a sentence whose main clause is about the proposed entity ("We apply X to ... tasks (T1, T2)")."""
    cues = view.cues
    found = _governor(view, span)
    head = None
    if found is not None:
        how, anchor = found
        lemma = anchor.lemma_.lower()
        if lemma in cues.negative_verbs or _negated(anchor, cues):
            return
        if title and not any(c.dep_ in SUBJECTS for c in anchor.children):
            return
        if how in cues.task_preps and anchor.i in view.mention_at:
            head = view.entity(anchor)
        elif how in cues.task_preps or how in ("dobj", "nsubjpass", "attr", "oprd"):
            head = _agent(view, anchor)
            if how == "dobj" and lemma not in cues.task_verbs and head != view.proposed:
                head = None
    if head is None and not title and span.root.dep_ not in SUBJECTS:
        root = sent.root
        if root.lemma_.lower() in cues.task_list_verbs and not _negated(root, cues):
            who = _agent(view, root)
            head = who if who == view.proposed else None
    view.add(head, "ADDRESSES", span._.kg_name or span.text, sent)


def _kind_relations(view: _PaperView, sent: Span) -> None:
    """Kinds of a named class (DECISIONS 16): "PEFT methods such as LoRA", "detectors, including GPTZero",
    "attacks like HaPLa", "PEFT methods (e.g., LoRA)", "FlowSpec, a speculative decoding framework" and "a
    retrieval-augmented generation framework, ATRI": each kind is a VARIANT_OF the class, and does not use it."""
    for token in sent:
        kinds: list[str] = []
        if token.dep_ == "prep" and (token.lower_ in KIND_PREPS or token.lower_ == "as" and token.i > sent.start
                                     and token.nbor(-1).lower_ == "such"):
            noun = token.head if token.head.lower_ != "such" else token.head.head
            kinds = _collect(view, [c for c in token.children if c.dep_ == "pobj"], ())
            kinds = [kind for kind in kinds if view.types.get(kind) != "Model"]  # "LLMs such as GPT-4": an instance
        elif token.lower_ in EXAMPLE_WORDS and token.i - 2 >= sent.start and token.nbor(-1).text == "(":
            noun = token.nbor(-2)
            close = next((t.i for t in sent if t.i > token.i and t.text == ")"), sent.end)
            kinds = [s._.kg_name or s.text for s in _mentions_in(view, sent.doc[token.i + 1:close])
                     if view.types.get(s._.kg_name or s.text) != "Model"]
        elif token.dep_ == "appos" and (token.i in view.mention_at) != (token.head.i in view.mention_at):
            named, noun = (token, token.head) if token.i in view.mention_at else (token.head, token)
            if noun.pos_ != "NOUN" or not any(c.lower_ in ("a", "an") for c in noun.children):
                continue
            kinds = [view.entity(named)]  # "X, a Y framework" and "a Y framework, X"
        for kind in kinds:
            family = _class_entity(view, noun)
            view.add(kind, "VARIANT_OF", family, sent)


def _class_entity(view: _PaperView, noun: Token) -> str | None:
    """The entity a class noun names: its own mention, or that of the words before it ("PEFT methods")."""
    if noun.i in view.mention_at:
        return view.entity(noun)
    modifiers = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i
                 and c.i in view.mention_at and not _hyphen_based(c)]
    return view.entity(modifiers[-1]) if modifiers else None


def _title_relations(view: _PaperView, title: Span) -> None:
    """"Name: ... for Task ... via Method": the named (proposed) entity addresses the task, uses the method."""
    main = view.proposed
    if main is None or not _title_names(view, title, main):
        return
    after_cue = False
    uses_preps = view.cues.title_uses_preps
    for span in _mentions_in(view, title):
        name = span._.kg_name or span.text
        if name == main:
            continue
        after_cue = after_cue or any(t.lower_ in uses_preps for t in view.doc[title.start:span.start])
        if span.label_ == "Task":
            view.add(main, "ADDRESSES", name, title)
        elif after_cue and span.label_ in ("Method", "Model", "Dataset"):
            view.add(main, "USES", name, title)


def _title_names(view: _PaperView, title: Span, main: str) -> bool:
    """Whether a "Name: description" title is about ``main``: when ``main`` is named before
    the colon it must be (nearly) all of it ("Medusa: ...", not "GPT-4 Enhanced Grounding: ...",
    "Augmenting LLMs with Knowledge: ...")."""
    colon = next((t for t in title if t.text == ":"), None)
    if colon is None:
        return True
    head = view.doc[title.start:colon.i]
    named = [s for s in _mentions_in(view, head) if (s._.kg_name or s.text) == main]
    if not named:
        return True
    size = len(head.text.strip())
    return any(len(s.text) * 2 >= size for s in named)


def _variant_relations(view: _PaperView, spans: list[Span]) -> None:
    """"Llama-3.2-3B-Instruct" is a variant of "Llama-3" when both are named in the paper."""
    first: dict[str, Span] = {}
    for span in spans:
        first.setdefault(span._.kg_name or span.text, span)
    names = [n for n in first if view.types.get(n) in ACTORS]
    for variant in names:
        for family in names:
            if variant == family or len(variant) <= len(family):
                continue
            for stem in {family, family.split("/")[0]}:
                at = variant.lower().find(stem.lower())
                if len(stem) < 3 or at < 0 or (at > 0 and variant[at - 1] not in " -_"):
                    continue
                if VARIANT_SUFFIX.match(variant[at + len(stem):]):
                    span = first[variant]
                    view.add(variant, "VARIANT_OF", family, span.sent)
                    break
