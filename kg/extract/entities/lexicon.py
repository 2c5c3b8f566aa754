"""kg's tables as the entity rules read them: names, terms, head words, stop phrases, families.

Cased names (GPT-4, SAM) and lower-cased terms (speculative decoding) are two
lexicons: "SAM" is a model, "sam" is not. Every table lives in
``kg/extract/tables/`` (``kg.tables``).
"""
from __future__ import annotations

import re
import unicodedata

from spacy.language import Language
from spacy.matcher import PhraseMatcher

from kg.abbreviations import name_words
from kg.extract.roles import RoleCues
from kg.tables import load_table, table_rows

INFLECTION = re.compile(r"(?:ing|ed|es|e)$")


def name_key(text: str) -> str:
    """The form two mentions of one entity share: case, punctuation, a plural "s" and, in a phrase that is
    no name, its inflection ignored ("Federated Learning" in a title is "federated learning" in the text)."""
    text = unicodedata.normalize("NFKC", text)
    words = text.replace("-", " ").split()
    phrase = not any(c.isdigit() for c in text) and any(w[1:] for w in words) and all(
        w[1:].islower() or not w[1:] for w in words)
    joined = "".join(name_words(text.lower()))
    if phrase and len(joined) > 5:
        # "fine-tune", "fine-tuned", "fine-tuning" are one entity, and "embeddings" is "embedding"
        joined = INFLECTION.sub("", joined[:-1] if joined.endswith("ings") else joined)
    if len(joined) > 3 and joined.endswith("s") and not joined.endswith("ss"):
        joined = joined[:-1]
    return joined


class Lexicon:
    """The tables, loaded once per pipeline; ``matcher`` finds the lower-cased terms in a Doc."""

    def __init__(self, nlp: Language, min_term_papers: int):
        heads = load_table("entity_heads.json")
        self.head_with_modifier: dict[str, str] = {}
        self.head_standalone: dict[str, str] = {}
        for entity_type in ("Method", "Dataset", "Task", "Metric"):
            for word in heads[entity_type]["with_modifier"]:
                self.head_with_modifier[word] = entity_type
            for word in heads[entity_type]["standalone"]:
                self.head_standalone[word] = entity_type
        self.generic_heads = frozenset(heads["generic_heads"])
        self.low_precision_heads = frozenset(heads["low_precision_heads"])
        self.procedure_keys = frozenset(name_key(w) for w in heads["procedure_words"])
        self.procedure_dismissers = frozenset(heads["procedure_dismissers"])
        self.own_markers = frozenset(tuple(m.split()) for m in RoleCues.load().own_markers)
        stop_phrases = load_table("stop_phrases.txt")
        self.stop_keys = frozenset(name_key(p) for p in stop_phrases)
        # "language modeling" shares its key with "language model", but only the model is an umbrella term
        self.gerund_stop_keys = frozenset(name_key(p) for p in stop_phrases if p.endswith("ing"))
        # Unit marks after a number ("dB", "FPS", "GB") are no names either.
        units = load_table("claim_units.json")["units"]
        self.stop_names = load_table("stop_names.txt") | {u for u in units if u.isalpha() and not u.islower() and len(u) > 1}
        self.generic_modifiers = load_table("generic_modifiers.txt")
        self.property_metrics = load_table("property_metrics.txt")
        self.organisation_words = load_table("organisation_words.txt")
        self.common_words = frozenset(row[0] for row in table_rows("common_words.tsv"))
        self.gradable = frozenset(row[0] for row in table_rows("gradable_adjectives.tsv"))
        self.families = tuple(sorted((f.lower() for f in load_table("model_families.txt")), key=len, reverse=True))
        self.umbrella: dict[str, str] = {}
        for long_form, short in table_rows("umbrella_classes.tsv"):
            for form in (long_form, short, long_form.replace("-", " "), long_form.replace("multi-modal", "multimodal")):
                self.umbrella[name_key(form)] = name_key(long_form.replace("multi-modal", "multimodal"))
        self.umbrella[name_key("LLM")] = self.umbrella[name_key("LLMs")]
        self.names: dict[str, str] = {}
        self.terms: dict[str, str] = {}
        for name_, entity_type, _ in table_rows("mined_names.tsv"):
            self.names[name_] = entity_type
        for short, entity_type, long_form, _ in table_rows("mined_acronyms.tsv"):
            self.names.setdefault(short, entity_type)
            self.terms.setdefault(long_form, entity_type)
        for term, entity_type, papers in table_rows("mined_terms.tsv"):
            words = term.split()
            # "minimal overhead", "large-scale training", "require fine-tuning": a mined phrase opening
            # with a word that names nothing is a description; the noun chunk, trimmed, speaks for it.
            if int(papers) >= min_term_papers and not self.graded_description(words, entity_type) and (
                    words[0] not in self.generic_modifiers and words[0] not in self.procedure_dismissers):
                self.terms[term] = entity_type
        for term, entity_type in table_rows("curated_terms.tsv"):
            if term.islower() or " " in term:
                self.terms[term.lower()] = entity_type
            if not term.islower():
                self.names[term] = entity_type
        for term in list(self.terms):
            if self.is_stop(term, name_key(term)):
                del self.terms[term]
        for name_ in self.names:
            # "mAP" is a metric, "map" a common word: a cased name's lower-case twin is no term.
            lowered = name_.lower()
            mixed_case = any(c.islower() for c in name_) and any(c.isupper() for c in name_[1:])
            if mixed_case and lowered in self.terms and lowered in self.common_words:
                del self.terms[lowered]
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("TERM", [nlp.make_doc(term) for term in sorted(self.terms) if len(term) > 2])

    def is_stop(self, text: str, key: str) -> bool:
        """Whether a phrase is a stop phrase: "models", "downstream tasks", but not "language modeling"."""
        if key not in self.stop_keys:
            return False
        return not text.lower().endswith("ing") or key in self.gerund_stop_keys

    def is_family(self, text: str) -> bool:
        """Whether a name starts with a model family's name ("Llama-3-8B", "GPT-4o")."""
        lowered = text.lower()
        return any(lowered.startswith(f) and (len(lowered) == len(f) or not lowered[len(f)].isalpha())
                   for f in self.families)

    def type_of(self, text: str) -> str | None:
        """The type kg's tables give a phrase (a mined or curated name or term, an umbrella class), if any."""
        if text in self.names:
            return self.names[text]
        lowered = text.lower()
        if lowered in self.terms:
            return self.terms[lowered]
        if lowered.endswith("s") and lowered[:-1] in self.terms:
            return self.terms[lowered[:-1]]
        if name_key(text) in self.umbrella:
            return "Method"
        return None

    def head_type(self, words: list[str]) -> str | None:
        """The type a phrase's head word gives ("speculative decoding", "success rate"), if any."""
        last = words[-1].lower()
        if len(words) == 1:
            return self.head_standalone.get(last)
        if last in self.generic_heads:
            return None
        return self.head_with_modifier.get(last)

    def without_generic_heads(self, words: list[str]) -> list[str]:
        """The words without their trailing generic heads ("Sink-KV mechanism" -> "Sink-KV"), stopping at a
        phrase kg's tables know ("diffusion model framework" -> "diffusion model")."""
        end = len(words)
        while end > 1 and words[end - 1].lower() in self.generic_heads and not self.type_of(" ".join(words[:end])):
            end -= 1
        return words[:end]

    def graded_description(self, words: list[str], entity_type: str | None) -> bool:
        """Whether a task or metric phrase opens with a word that grades it ("complex reasoning", "minimal overhead")."""
        return entity_type in ("Task", "Metric") and len(words) > 1 and words[0].lower() in self.gradable

    def is_common(self, word: str) -> bool:
        return word.lower() in self.common_words
