"""The kg_roles component: what each entity is to the paper (proposed, compared, used, mentioned).

Reads ``doc.spans["kg_entities"]`` and writes ``doc._.kg_roles`` (entity name ->
role). An entity takes the strongest role any of its mentions earns:

- proposed: a name that is all of the title before its colon ("Medusa: ..."); the object of "we propose /
  introduce / present ..." (the first entity after the verb only: in "we propose
  X, which uses Y" Y is not proposed); "X, a novel ..."; "called / dubbed X"; "our X" for a
  name X ("our CAVG model");
- compared: "outperforms X", "compared to/with X", "than X", "baselines such as X" (not Y in
  "outperforms X on Y");
- used: mentioned in the paper's own sentences (after the first "we" / "this
  paper" / "our"), or applied with "using / based on / on / with X";
- mentioned: background only (named only before the paper says what it does).

Where kg ships its learned scorers, ``kg_role_scorer`` then decides which entities are proposed.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.doc import ENTITY_SPANS
from kg.tables import CueTable

ROLE_RANK = {"mentioned": 0, "used": 1, "compared": 2, "proposed": 3}


@dataclass(frozen=True)
class RoleCues(CueTable):
    """The cue words of ``tables/role_cues.json``, as sets for look-ups (phrases as tuples of words)."""

    propose_verbs: frozenset[str]
    propose_after: frozenset[str]
    novel_words: frozenset[str]
    compare_before: frozenset[tuple[str, ...]]
    use_before: frozenset[tuple[str, ...]]
    compare_breaks: frozenset[str]
    own_markers: frozenset[str]
    descriptor_words: frozenset[str]
    own_name_before: frozenset[str]

    TABLE = "role_cues.json"


@Language.factory("kg_roles", default_config={"window": 12})
class RoleTagger:
    """Gives every entity of ``doc.spans["kg_entities"]`` its role in the paper."""

    def __init__(self, nlp: Language, name: str, window: int):
        self.name = name
        self.window = window
        self.cues = RoleCues.load()

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(ENTITY_SPANS, []))
        roles: dict[str, str] = {}
        own_start = self._own_start(doc)
        title_colon = self._title_colon(doc)
        ends = {span.start: span.end for span in spans}
        covered = frozenset(i for span in spans for i in range(span.start, span.end))
        for span in spans:
            name = span._.kg_name or span.text
            role = self._role(doc, span, own_start, title_colon, ends, covered)
            if name not in roles or ROLE_RANK[role] > ROLE_RANK[roles[name]]:
                roles[name] = role
        doc._.kg_roles = roles
        return doc

    def _own_start(self, doc: Doc) -> int:
        """First token of the first sentence where the paper speaks of its own work."""
        for sent in doc.sents:
            if any(t.lower_ in self.cues.own_markers for t in sent):
                return sent.start
        return 0

    @staticmethod
    def _title_colon(doc: Doc) -> int:
        """Token index of the colon that ends a title's name part, or -1."""
        for token in doc:
            if token.is_space and "\n" in token.text:
                return -1
            if token.text == ":":
                return token.i
        return -1

    def _role(self, doc: Doc, span: Span, own_start: int, title_colon: int, ends: dict[int, int],
              covered: frozenset[int]) -> str:
        if span.end == title_colon and span.start <= 2:
            # "Medusa: ...", not "GPT-4 Enhanced Grounding for Driving: ..." nor "Teaching LLMs to Plan: ..."
            return "proposed"
        sent = span.sent
        before = [t.lower_ for t in doc[max(sent.start, span.start - self.window):span.start]]
        lemmas = [t.lemma_.lower() for t in doc[max(sent.start, span.start - self.window):span.start]]
        if self._proposed(doc, span, before, lemmas, ends, covered):
            return "proposed"
        if self._compared(before) or self._compared(lemmas):
            return "compared"
        use_before = self.cues.use_before
        if self._cue_end(before, use_before, 3) is not None or self._cue_end(lemmas, use_before, 3) is not None:
            return "used"
        if span.start >= own_start or span.label_ in ("Dataset", "Metric"):
            return "used"
        return "mentioned"

    def _proposed(self, doc: Doc, span: Span, before: list[str], lemmas: list[str], ends: dict[int, int],
                  covered: frozenset[int]) -> bool:
        if any(w in self.cues.propose_after for w in before[-2:]):
            return True
        if before[-1:] and before[-1] in self.cues.own_name_before and _name_like(span):
            return True  # "our CAVG model", "our HDR-GS surpasses ...": the paper's own named thing
        # "X, a novel framework ..." / "X is a new benchmark"
        after = [t.lower_ for t in doc[span.end:min(len(doc), span.end + 4)]]
        if after[:1] in ([","], ["is"]) and any(w in self.cues.novel_words for w in after[1:]):
            return True
        if self._describes_next(doc, span, ends):
            return False
        # "we propose / introduce / present X": the verb's object, close enough and with no
        # other verb between
        for k in range(len(lemmas) - 1, -1, -1):
            if lemmas[k] in self.cues.propose_verbs:
                subject = before[max(0, k - 3):k]
                if "we" in subject or "paper" in subject or "work" in subject or "study" in subject:
                    between = doc[span.start - (len(lemmas) - k) + 1:span.start]
                    # a verb inside an entity ("speculative decoding") is no verb of the clause
                    return not any(t.pos_ == "VERB" and t.i not in covered or t.text in (";", ".") or t.lower_ in ("using", "with", "on", "from", "than", "over")
                                   or self._earlier_object(doc, t.i, span, ends) for t in between)
                return False
        return False

    def _describes_next(self, doc: Doc, span: Span, ends: dict[int, int]) -> bool:
        """Whether the span only describes the entity that follows: "a speculative decoding method, Medusa"."""
        for j in range(span.end, min(len(doc), span.end + 4)):
            if j in ends:
                return j > span.end
            token = doc[j]
            if not (token.text == "," or token.lower_ in self.cues.descriptor_words
                    or token.lower_ in self.cues.propose_after):
                return False
        return False

    def _earlier_object(self, doc: Doc, i: int, span: Span, ends: dict[int, int]) -> bool:
        """Whether an entity starting at token ``i`` is an earlier object of the verb than ``span``.

        Not when it only describes ``span``: "a speculative decoding method, Medusa" /
        "a decoding method called Medusa".
        """
        if i not in ends:
            return False
        gap = doc[ends[i]:span.start]
        describing = self.cues.descriptor_words | self.cues.propose_after
        return not all(t.is_punct or t.lower_ in describing for t in gap)

    def _compared(self, words: list[str]) -> bool:
        """Whether a comparison cue governs the mention: "outperforms X", "than X"; not the dataset or
        tool named after a preposition that follows the baseline ("beats BERT on SQuAD")."""
        end = self._cue_end(words, self.cues.compare_before, 4)
        return end is not None and not any(w in self.cues.compare_breaks for w in words[end:])

    @staticmethod
    def _cue_end(words: list[str], cues: frozenset[tuple[str, ...]], slack: int) -> int | None:
        """Where the last cue phrase (of up to three words) ending within ``slack`` words of the end ends."""
        for end in range(len(words), max(0, len(words) - slack), -1):
            for n in (1, 2, 3):
                if n <= end and tuple(words[end - n:end]) in cues:
                    return end
        return None


def _name_like(span: Span) -> bool:
    """A name ("CAVG", "Adaptive Execution Policy") rather than a common term ("our fine-tuning")."""
    return any(t.pos_ == "PROPN" or any(c.isupper() for c in t.text) for t in span)
