"""Reading a sentence for relations: which entity a token names, what a clause is about (its agent), what
a verb or preposition takes (its objects), and the paper's view that the cue modules share (``PaperView``)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.doc import MAX_WALK, entity_types
from kg.records import Relation, title_end
from kg.tables import CueTable


ACTORS = frozenset({"Method", "Model"})


SUBJECTS = frozenset({"nsubj", "nsubjpass"})


OBJECTS = frozenset({"dobj", "attr", "oprd", "dative", "pobj"})


# Dependencies that stay inside one noun phrase (or a list of them) when we
# collect the entities a verb takes as its objects.
NP_INNER = frozenset({"conj", "appos", "compound", "amod", "nmod", "poss", "pobj", "npadvmod", "dobj", "nummod",
                      "oprd"})


CLAUSE_LINKS = frozenset({
    "advcl", "xcomp", "conj", "pcomp", "prep", "pobj", "acl", "relcl", "ccomp", "advmod", "dobj", "agent",
    "nsubj", "nsubjpass", "appos", "npadvmod", "attr", "oprd", "dative", "compound", "amod", "nummod", "acomp",
})


NAMING_VERBS = frozenset({"call", "name", "dub", "term", "coin"})


RESULTS = "<results>"


@dataclass(frozen=True)
class RelationCues(CueTable):
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

    TABLE = "relation_cues.json"


@dataclass
class PaperView:
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


def paper_view(doc: Doc, spans: list[Span]) -> PaperView:
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
    return PaperView(doc, text, mention_at, best_type, main_proposed(doc, spans, best_type),
                      RelationCues.load(), first_at, proposed_data[0] if len(proposed_data) == 1 else None)


def main_proposed(doc: Doc, spans: list[Span], types: dict[str, str]) -> str | None:
    """The entity "we", "our method" and "it" stand for: the proposed entity the title names, else the most
    mentioned."""
    roles = doc._.kg_roles or {}
    text = doc.text  # joined from the tokens at each access
    title_stop = title_end(text)
    colon = text.find(":", 0, title_stop)
    candidates = {name for name, role in roles.items()
                  if role == "proposed" and types.get(name) in {"Method", "Model", "Dataset"}}
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


def mentions_in(view: PaperView, sent: Span) -> list[Span]:
    seen: list[Span] = []
    for i in range(sent.start, sent.end):
        span = view.mention_at.get(i)
        if span is not None and (not seen or seen[-1] is not span):
            seen.append(span)
    return seen


def negated(token: Token, cues: RelationCues) -> bool:
    """Whether the clause of ``token`` is negated or hedged; a coordinated clause with its own subject
    ("X does not use Y, but it outperforms Z") has its own polarity, not that of the clause before."""
    hedges = cues.hedges
    own_clause = token.dep_ == "conj" and any(c.dep_ in SUBJECTS for c in token.children)
    for t in (token,) if own_clause else (token, token.head):
        if any(c.dep_ == "neg" or (c.dep_ == "aux" and c.lower_ in hedges) for c in t.children):
            return True
    return False


def np_entity(view: PaperView, token: Token, depth: int = 0) -> str | None:
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
        return np_entity(view, token.head.head, depth + 1)
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
            return np_entity(view, subject, depth + 1)
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


def agent(view: PaperView, token: Token) -> str | None:
    """The entity the clause around ``token`` is about: its subject, or what it modifies."""
    for t, subject in _climb(token):
        if subject is not None:
            who = np_entity(view, subject)
            return _reported(view, t) if who == RESULTS else who
        if t.dep_ in ("relcl", "acl") and t.pos_ in ("VERB", "AUX"):
            who = np_entity(view, t.head)
            return _reported(view, t.head.head) if who == RESULTS else who
        if t.dep_ not in CLAUSE_LINKS:
            return None
    return None


def subject_of(token: Token) -> Token | None:
    return next((c for c in token.children if c.dep_ in SUBJECTS), None)


def _climb(token: Token) -> Iterator[tuple[Token, Token | None]]:
    """``token`` and the heads above it up to the root (at most MAX_WALK of them), each with its subject."""
    t = token
    for _ in range(MAX_WALK):
        yield t, subject_of(t)
        if t.head is t:
            return
        t = t.head


def _nearest_subject(token: Token) -> Token | None:
    """The subject of ``token``'s clause or of the nearest clause above it."""
    return next((subject for _, subject in _climb(token) if subject is not None), None)


def _reported(view: PaperView, verb: Token) -> str | None:
    """"Experiments show that X ...": X, else the proposed entity."""
    for child in verb.children:
        if child.dep_ == "ccomp":
            subject = subject_of(child)
            if subject is not None:
                who = np_entity(view, subject)
                if who and who != RESULTS:
                    return who
    return view.proposed


def collect(view: PaperView, roots: list[Token], preps: tuple[str, ...] = ("of",)) -> list[str]:
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
            if child.dep_ in NP_INNER and not hyphen_based(child):
                stack.append(child)
            elif child.dep_ == "prep" and child.lower_ in such_as:
                stack.append(child)
            elif child.dep_ == "amod" and not hyphen_based(child):
                stack.append(child)
            elif child.dep_ == "acl" and child.lemma_.lower() in NAMING_VERBS:
                stack.append(child)
    return names


def objects(view: PaperView, verb: Token, preps, inner: tuple[str, ...] = ("of",)) -> list[str]:
    roots = [c for c in verb.children if c.dep_ in OBJECTS]
    for child in verb.children:
        if child.dep_ in ("prep", "agent") and child.lower_ in preps:
            roots.extend(c for c in child.children if c.dep_ in ("pobj", "pcomp"))
    return collect(view, roots, inner)


def prep_objects(view: PaperView, token: Token, preps) -> list[str]:
    roots = []
    for child in token.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            roots.extend(c for c in child.children if c.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ == "compared":  # "better ... compared to X"
            for grand in child.children:
                roots.extend(c for c in grand.children if c.dep_ == "pobj")
    return collect(view, roots)


def subject_word(token: Token) -> str | None:
    """The lower-cased head word of the nearest subject above ``token``."""
    subject = _nearest_subject(token)
    return subject.lower_ if subject is not None else None


def implied_agent(view: PaperView, sent: Span, token: Token) -> str | None:
    """The proposed entity, for a sentence that describes it without naming a subject
    ("Specifically, each matrix is decomposed via ...", "This is enhanced by ..."):
    only after the paper has named it, and not when the subject is other work."""
    if view.proposed is None or view.first_at.get(view.proposed, len(view.doc)) > sent.start:
        return None
    subject = _nearest_subject(token)
    if subject is not None and (np_entity(view, subject) is not None
                                or any(w.lower_ in view.cues.other_work for w in subject.subtree)):
        return None
    return view.proposed


def agent_is_results(view: PaperView, token: Token) -> bool:
    for t, subject in _climb(token):
        if subject is not None:
            return np_entity(view, subject) == RESULTS
        if t.dep_ in ("relcl", "acl"):
            return np_entity(view, t.head) == RESULTS
    return False


def hyphen_based(token: Token) -> bool:
    """The "based" of "LLM-based": a hyphen glues it to the name before."""
    return token.lower_ == "based" and token.i >= 2 and token.nbor(-1).text == "-" and not token.nbor(-1).whitespace_


def governor(view: PaperView, span: Span) -> tuple[str, Token] | None:
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
