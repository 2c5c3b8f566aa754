"""One node per real thing: canonical keys, abbreviations, model families, merging.

Resolution is a pure function of the set of extractions (their order does not
matter), so building A then B gives the same graph as building A and B at once,
and every step is a dictionary look-up by key: near-linear in the mentions.

- A *key* is a slug of a name that ignores case, hyphens, spaces, plural
  endings, Unicode variants and a generic tail ("benchmark", "dataset"), but
  never a digit: "Llama 2" and "LLaMA-2" meet, "Qwen2" and "Qwen2.5" do not.
- An abbreviation defined in any paper ("3D Gaussian Splatting (3DGS)") joins
  its long form everywhere, unless papers define it with different long forms.
- Model names are parsed into family, version, size and variant, and a variant
  links to its family with VARIANT_OF ("Llama-2-7B-chat" -> "Llama 2" -> "Llama").
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping

from kg.abbreviations import ACRONYM_PLURAL, abbreviates, looks_like_abbreviation
from kg.tables import load_table
from kg.records import ENTITY_TYPES, Extraction, majority_type

GENERIC_TAILS = frozenset({"benchmark", "dataset", "corpus", "suite"})
MAX_KEY_LENGTH = 80
DOMINANT_DEFINITION = 0.8
FAMILIES_TABLE = "model_families.txt"
MODEL_PARTS = ("family", "version", "size", "variant")  # what a model's name says of it (ResolvedEntity)
# Names recur across papers (a corpus of 8,000 writes 313,000 names, most of them many times), so the two
# functions every name passes through remember this many recent answers.
NAMES_CACHED = 1 << 17

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")
_PLUS_TAIL = re.compile(r"\++(?=(?:\s+(?:%s))*\s*$)" % "|".join(sorted(GENERIC_TAILS)), re.IGNORECASE)
_WORD = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
_SIZE = re.compile(r"^(?:\d+x)?\d+(?:\.\d+)?[bmkt]$", re.IGNORECASE)
_VERSION = re.compile(r"^v?\d+(?:\.\d+)*[a-z]?$", re.IGNORECASE)
_GLUED_VERSION = re.compile(r"^([^\W\d_]{2,}?)(v?\d[\w.]*)$")


@lru_cache(maxsize=NAMES_CACHED)
def clean_surface(name: str) -> str:
    """A surface form with Unicode variants folded and spacing collapsed; case kept."""
    text = unicodedata.normalize("NFKC", name).translate(_DASHES).replace("\u00d7", "x")
    return " ".join(text.split()).strip(" .,;:")


_TUNINGS = ("fine", "instruction", "prompt", "prefix")  # the kinds of tuning whose verbs name the method
_TUNED = re.compile(r"^(%s)tune[ds]?$" % "|".join(_TUNINGS))


def _tuning(words: list[str]) -> list[str]:
    """A kind of tuning's verb, when it is the whole name, as its noun: "fine-tuned" and "fine-tune" name
    fine-tuning. A name that goes on ("RL-finetuned", "Llama-2 fine-tuned") or another word before "tune"
    ("LLM-Tune") is left alone."""
    found = _TUNED.match("".join(words)) if len(words) <= 2 else None
    return [f"{found.group(1)}tuning"] if found else words


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


@lru_cache(maxsize=NAMES_CACHED)
def canonical_key(name: str) -> str:
    """The slug that identifies a thing, whatever its spelling or type.

    Separators between words go ("fine-tuning" is ``finetuning``, "LLaMA-2" is
    ``llama2``) except between two numbers, so digits never merge across one
    ("Llama-2-7B" is ``llama2-7b``, "Llama-27B" is ``llama27b``). The plural of a common noun
    is folded ("large language models"), and so is a kind of tuning's verb, alone ("fine-tuned"
    and "fine-tune" are ``finetuning``); a single proper name is left alone ("Atlas"). Letters
    of any script are kept, so look-alikes stay apart. A trailing "+" names another thing
    ("HumanEval+" extends HumanEval's tests, "C++" is not C) and stays.
    """
    surface = ACRONYM_PLURAL.sub("", clean_surface(name))
    words = _WORD.findall(_LETTER_DIGIT.sub(" ", surface.casefold()))
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    while len(words) > 1 and words[-1] in GENERIC_TAILS:
        words.pop()
    if words and (len(words) > 1 or surface.islower()):
        words[-1] = _singular(words[-1])
    words = _tuning(words)
    key = words[0] if words else ""
    for word in words[1:]:
        key += ("-" if key[-1].isdigit() and word[0].isdigit() else "") + word
    plus = _PLUS_TAIL.search(surface)
    if key and plus:
        key += plus.group()
    if len(key) > MAX_KEY_LENGTH:
        key = key[:MAX_KEY_LENGTH - 9].rstrip("-") + "-" + hashlib.sha1(key.encode()).hexdigest()[:8]
    return key


@lru_cache(maxsize=1)
def known_families() -> dict[str, str]:
    """Family key -> display name, from the extractor's table of model families.

    Where the table spells a family several ways ("LLaMA", "Llama"), the one
    with the fewest capitals is shown.
    """
    names: dict[str, str] = {}
    for name in sorted(load_table(FAMILIES_TABLE), key=lambda n: (sum(c.isupper() for c in n), n)):
        names.setdefault(canonical_key(name), name)
    return names


@dataclass(frozen=True)
class ModelName:
    """A model name taken apart: "Qwen2.5-7B-Instruct" is Qwen, 2.5, 7B, Instruct."""

    base: str
    version: str | None
    size: str | None
    variant: str | None

    @property
    def family_chain(self) -> list[tuple[str, str]]:
        """(key, display name) of the families above this name, nearest first."""
        top = (canonical_key(self.base), known_families().get(canonical_key(self.base), self.base))
        if self.version and (self.size or self.variant):
            return [(canonical_key(f"{self.base} {self.version}"), f"{top[1]} {self.version}"), top]
        return [top]


def parse_model_name(name: str) -> ModelName | None:
    """Family, version, size and variant of a model name; None for a bare name."""
    tokens = [t for t in re.split(r"[\s\-_/]+", clean_surface(name)) if t]
    if not tokens:
        return None
    glued = _GLUED_VERSION.match(tokens[0])
    if glued and not _SIZE.match(glued.group(2)):
        tokens[:1] = [glued.group(1), glued.group(2)]
    base_words = []
    while tokens and not re.search(r"\d", tokens[0]):
        base_words.append(tokens.pop(0))
    if not base_words or not tokens and len(base_words) == 1:
        return None
    version = size = None
    variant_words = []
    for token in tokens:
        if size is None and _SIZE.match(token):
            size = token.upper() if token[-1].isalpha() else token
        elif version is None and size is None and not variant_words and _VERSION.match(token):
            version = token
        elif version is None and _VERSION.match(token) and token.lower().startswith("v"):
            version = token
        else:
            variant_words.append(token)
    if version is None and size is None:
        # "BERT-base": a variant word alone makes a family only for a known family.
        if canonical_key(" ".join(base_words[:1])) not in known_families() or len(base_words) > 1:
            return None
        variant_words = base_words[1:] + variant_words
        base_words = base_words[:1]
    return ModelName(" ".join(base_words), version, size, " ".join(variant_words) or None)


@dataclass(frozen=True)
class ResolvedEntity:
    key: str
    name: str
    type: str
    aliases: tuple[str, ...]
    alias_counts: dict[str, int] = field(compare=False)
    type_votes: dict[str, int] = field(compare=False)
    paper_ids: tuple[str, ...] = ()
    alias_keys: tuple[str, ...] = ()  # other keys its names have: old links keep finding it
    family: str | None = None
    version: str | None = None
    size: str | None = None
    variant: str | None = None


@dataclass(frozen=True)
class Resolution:
    entities: Mapping[str, ResolvedEntity]
    keys: Mapping[tuple[str, str], str]  # (paper id, surface form) -> key
    variant_of: tuple[tuple[str, str], ...] = ()  # (variant key, family key)

    def key_of(self, paper_id: str, name: str | None) -> str | None:
        if not name:
            return None
        key = self.keys.get((paper_id, clean_surface(name)))
        if key is None:
            key = canonical_key(name)
        return key if key in self.entities else None


def _stem(key: str) -> str:
    return re.sub(r"(ing|ed|es|e|s)$", "", key)


def _long_form(forms: list[str]) -> str:
    """The form an entity is keyed by: its name, or the long form its name abbreviates."""
    name = forms[0]
    if looks_like_abbreviation(name):
        for form in sorted(forms[1:], key=len, reverse=True):
            if not looks_like_abbreviation(form) and abbreviates(name, canonical_key(form)):
                return form
    return name


def _same_thing(form: str, form_key: str, key: str) -> bool:
    return (form_key == key or _stem(form_key) == _stem(key)
            or (looks_like_abbreviation(form) and abbreviates(form, key)))


@dataclass
class MentionTally:
    """What the papers say about names, summed: the mergeable half of resolution.

    Keys here are *raw* keys (each name's own slug); ``finish`` folds an
    abbreviation's key into its long form's once the whole corpus is summed.
    Merging is commutative and associative, so tallies of partitions can be
    reduced in any order (threads, processes, a Dask cluster) to the same result.
    """

    definitions: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    surfaces: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    votes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    papers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, extraction: Extraction) -> MentionTally:
        pid = extraction.paper.id
        for entity in extraction.entities:
            forms = [f for f in dict.fromkeys((entity.name, *entity.aliases)) if canonical_key(f)]
            if not forms:
                continue
            key = canonical_key(_long_form(forms))
            for form in forms:
                form_key = canonical_key(form)
                if form_key != key and looks_like_abbreviation(form) and abbreviates(form, key):
                    self.definitions[form_key][key] += 1
                # A variant the paper grouped under the entity ("LLM-3D" under "LLM")
                # is a thing of its own; spellings, inflections and abbreviations are not.
                own_key = key if _same_thing(form, form_key, key) else form_key
                self._count(pid, form, own_key, entity)
        return self

    def _count(self, pid: str, form: str, key: str, entity) -> None:
        surface = clean_surface(form)
        new_for_paper = pid not in self.papers[key]
        self.keys[(pid, surface)] = key
        self.surfaces[key][surface] += max(1, sum(m.text == form for m in entity.mentions))
        if new_for_paper:
            self.votes[key][entity.type] += 1
            self.papers[key].add(pid)

    def merge(self, other: MentionTally) -> MentionTally:
        for key, values in other.papers.items():
            self.papers[key] |= values
        for mine, theirs in ((self.definitions, other.definitions), (self.surfaces, other.surfaces),
                             (self.votes, other.votes)):
            for key, counts in theirs.items():
                mine[key].update(counts)
        self.keys.update(other.keys)
        return self

    def subtract(self, other: MentionTally) -> MentionTally:
        """Takes away ``other``, the tally of papers this one counted: ``merge``'s inverse, so a tally without
        some papers is the tally of the others."""
        for key, values in other.papers.items():
            self.papers[key] -= values
            if not self.papers[key]:
                del self.papers[key]
        for mine, theirs in ((self.definitions, other.definitions), (self.surfaces, other.surfaces),
                             (self.votes, other.votes)):
            for key, counts in theirs.items():
                left = mine[key]
                left.subtract(counts)
                for name in [name for name, count in left.items() if count <= 0]:
                    del left[name]
                if not left:
                    del mine[key]
        for where in other.keys:
            self.keys.pop(where, None)
        return self


def tally(extractions: Iterable[Extraction]) -> MentionTally:
    result = MentionTally()
    for extraction in extractions:
        result.add(extraction)
    return result


def _abbreviation_targets(definitions: dict[str, Counter]) -> dict[str, str]:
    """Raw key -> the key it folds into, for each abbreviation the corpus defines one way.

    "One way" is at least DOMINANT_DEFINITION of the papers that define it, so a
    rare second reading does not block the common one, while an abbreviation used
    for two things alike ("GS": Gaussian splatting, grid search) stays apart.
    A name with digits ("GPT-4o", "3DGS") is the thing's usual handle, so its
    long form folds into it; otherwise the abbreviation folds into the long form.
    """
    target: dict[str, str] = {}
    for abbr, longs in sorted(definitions.items()):
        (long_key, count), = longs.most_common(1)
        if count < DOMINANT_DEFINITION * sum(longs.values()) or long_key == abbr:
            continue
        if any(c.isdigit() for c in abbr):
            target.setdefault(long_key, abbr)
        else:
            target[abbr] = long_key
    return {k: v for k, v in target.items() if v not in target}


def _redirects(targets: Mapping[str, str], merges: Mapping[str, str]) -> dict[str, str]:
    """Raw key -> the key it resolves to, for every raw key that moves: a user's alias to its name's
    (``merges``: raw key -> raw key, whatever the corpus says), an abbreviation to its long form's or back
    (``targets``). Every other raw key resolves to itself."""
    moved = {}
    for key in {*targets, *merges}:
        moved[key] = merges[key] if key in merges else merges.get(targets[key], targets[key])
    return moved


def _members(redirects: Mapping[str, str]) -> dict[str, list[str]]:
    """Resolved key -> the other raw keys that resolve to it."""
    members = defaultdict(list)
    for key, target in redirects.items():
        if key != target:
            members[target].append(key)
    return members


def _resolved(key: str, raw_keys: list[str], t: MentionTally, user_names: Mapping[str, str]) -> ResolvedEntity | None:
    """The entity of ``key`` from the raw keys that resolve to it; None when no paper names it."""
    live = [raw for raw in raw_keys if raw in t.votes]
    if not live:
        return None
    counts, votes, papers = Counter(), Counter(), set()
    for raw in live:
        counts.update(t.surfaces[raw])
        votes.update(t.votes[raw])
        papers |= t.papers[raw]
    return ResolvedEntity(
        key=key,
        name=user_names[key] if user_names.get(key) in counts else min(counts, key=lambda s: (-counts[s], s)),
        type=majority_type(votes),
        aliases=tuple(sorted(counts)),
        alias_counts=dict(sorted(counts.items())),
        type_votes={k: votes[k] for k in ENTITY_TYPES if votes[k]},
        paper_ids=tuple(sorted(papers)),
        alias_keys=tuple(sorted({canonical_key(s) for s in counts} - {key})),
    )


def _parse_family(entity: ResolvedEntity) -> tuple[ModelName, list[tuple[str, str]]] | None:
    """A model or method name's parts and the families above it, nearest first; None for a bare name."""
    if entity.type not in ("Model", "Method"):
        return None
    parsed = parse_model_name(entity.name)
    return None if parsed is None else (parsed, parsed.family_chain)


def _is_variant(key: str, top_key: str, base: Mapping[str, ResolvedEntity]) -> bool:
    """Whether a name whose family is ``top_key`` links to it: a known family, or a model or method of the
    corpus, never itself."""
    known = top_key in known_families() or (top_key in base and base[top_key].type in ("Model", "Method"))
    return known and top_key != key


def _family_steps(key: str, chain: list[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """(child, family key, family name) up a variant's chain: "Llama-2-7B" -> "Llama 2" -> "Llama"."""
    child = key
    for family_key, family_name in chain:
        if family_key != child:
            yield child, family_key, family_name
            child = family_key


class _Families:
    """Model names taken apart (``parse_model_name``) and linked to their families with VARIANT_OF; a family
    the corpus never names is an entity of its own, made from the first of its variants in key order.

    ``refresh`` redoes the names it is given and those whose family they are, so an update costs what it
    changes. ``to_data`` is what has to be kept for the next update; the rest follows from it.
    """

    def __init__(self, parsed: dict | None = None, variants: Iterable[str] = (), added: dict | None = None):
        self.parsed: dict[str, tuple[ModelName, list[tuple[str, str]]]] = parsed or {}  # model or method key ->
        self.by_top: dict[str, set[str]] = defaultdict(set)  # family key -> parsed keys under it
        for key, (_, chain) in self.parsed.items():
            self.by_top[chain[-1][0]].add(key)
        self.variants: set[str] = set()  # the parsed keys that link to their families
        self.creators: dict[str, set[str]] = defaultdict(set)  # family key -> the variants whose chain holds it
        self.links: Counter = Counter()  # (child, family) -> variants linking through it
        for key in variants:
            self._enlist(key)
        self.added: dict[str, ResolvedEntity] = added or {}  # family the corpus never names -> its entity
        self._made: dict[str, ResolvedEntity] = {}  # variant key -> its entity, told its parts

    def to_data(self) -> dict:
        return {"parsed": {key: [[p.base, p.version, p.size, p.variant], chain]
                           for key, (p, chain) in sorted(self.parsed.items())},
                "variants": sorted(self.variants),
                "added": {key: _entity_data(entity) for key, entity in sorted(self.added.items())}}

    @classmethod
    def from_data(cls, data: dict) -> _Families:
        parsed = {key: (ModelName(*parts), [tuple(step) for step in chain])
                  for key, (parts, chain) in data["parsed"].items()}
        return cls(parsed, data["variants"], {key: _entity_from(value) for key, value in data["added"].items()})

    def entity(self, key: str, base: Mapping[str, ResolvedEntity]) -> ResolvedEntity | None:
        if key in self.variants:
            if key not in self._made:
                parsed, chain = self.parsed[key]
                self._made[key] = ResolvedEntity(**{**base[key].__dict__, "family": chain[-1][0],
                                                    "version": parsed.version, "size": parsed.size,
                                                    "variant": parsed.variant})
            return self._made[key]
        return base[key] if key in base else self.added.get(key)

    def refresh(self, keys: Iterable[str], base: Mapping[str, ResolvedEntity],
                before: Callable[[str], None] = lambda key: None) -> set[str]:
        """Redoes ``keys``, whose base entities changed, appeared or went; ``before`` is told each key whose
        entity may change, before it does. The keys whose entity may have changed."""
        keys = set(keys)
        review = set(keys)
        for key in keys:
            review |= self.by_top.get(key, set())
        families = set(keys)
        for key in sorted(review):
            families.update(family_key for _, family_key, _ in self._steps(key))
            before(key)
            self._retire(key)
            if key in keys:
                self._parse(key, base)
            if key in self.parsed and _is_variant(key, self.parsed[key][1][-1][0], base):
                self._enlist(key)
                families.update(family_key for _, family_key, _ in self._steps(key))
        for family_key in families - review:
            before(family_key)
        for family_key in families:
            self._make_family(family_key, base)
        return review | families

    def _parse(self, key: str, base: Mapping[str, ResolvedEntity]) -> None:
        old = self.parsed.pop(key, None)
        if old is not None:
            self.by_top[old[1][-1][0]].discard(key)
        found = _parse_family(base[key]) if key in base else None
        if found is not None:
            self.parsed[key] = found
            self.by_top[found[1][-1][0]].add(key)

    def _steps(self, key: str) -> Iterator[tuple[str, str, str]]:
        if key in self.variants:
            yield from _family_steps(key, self.parsed[key][1])

    def _retire(self, key: str) -> None:
        for child, family_key, _ in self._steps(key):
            self.creators[family_key].discard(key)
            if not self.creators[family_key]:
                del self.creators[family_key]
            self.links[child, family_key] -= 1
            if not self.links[child, family_key]:
                del self.links[child, family_key]
        self.variants.discard(key)
        self._made.pop(key, None)

    def _enlist(self, key: str) -> None:
        self.variants.add(key)
        for child, family_key, _ in self._steps(key):
            self.creators[family_key].add(key)
            self.links[child, family_key] += 1

    def _make_family(self, family_key: str, base: Mapping[str, ResolvedEntity]) -> None:
        creators = self.creators.get(family_key)
        if family_key in base or not creators:
            self.added.pop(family_key, None)
            return
        first = min(creators)
        name = next(name for _, key, name in self._steps(first) if key == family_key)
        top_key = self.parsed[first][1][-1][0]
        family = ResolvedEntity(key=family_key, name=name, type=base[first].type, aliases=(), alias_counts={},
                                type_votes={}, family=top_key if family_key != top_key else None)
        if self.added.get(family_key) != family:
            self.added[family_key] = family

    def variant_of(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.links))


def _entity_data(entity: ResolvedEntity) -> dict:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in entity.__dict__.items()}


def _entity_from(data: dict) -> ResolvedEntity:
    return ResolvedEntity(**{name: tuple(value) if isinstance(value, list) else value for name, value in data.items()})


class _Entities(Mapping):
    """Every entity of a resolution: the corpus's, its variants told their parts, and the families added."""

    def __init__(self, base: Mapping[str, ResolvedEntity], families: _Families):
        self._base, self._families = base, families

    def __getitem__(self, key: str) -> ResolvedEntity:
        entity = self._families.entity(key, self._base)
        if entity is None:
            raise KeyError(key)
        return entity

    def __contains__(self, key: object) -> bool:
        return key in self._base or key in self._families.added

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._base, *self._families.added}))

    def __len__(self) -> int:
        return len(self._base) + len(self._families.added)


class _Before(Mapping):
    """A mapping as it was before an update: ``old`` (key -> value, None where there was none) over the
    mapping now."""

    def __init__(self, now: Mapping, old: Mapping):
        self._now, self._old = now, old

    def __getitem__(self, key):
        value = self._old[key] if key in self._old else self._now[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self):
        return iter(sorted({*(k for k in self._now if k not in self._old), *(k for k, v in self._old.items() if v)}))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Keys(Mapping):
    """(paper id, surface) -> resolved key: each paper's raw keys, redirected."""

    def __init__(self, raw: Mapping[tuple[str, str], str], redirects: Mapping[str, str]):
        self._raw, self._redirects = raw, redirects

    def __getitem__(self, where: tuple[str, str]) -> str:
        key = self._raw[where]
        return self._redirects.get(key, key)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


@dataclass
class ResolutionChange:
    """What an update of a resolution changed (``ResolutionState.update``). ``before`` holds until the next
    update."""

    before: Resolution
    after: Resolution
    entities: set[str]  # keys whose entity appeared, went or changed
    moved: set[str]  # ids of papers that stayed, a name of which resolves to another key now


def _same(a: ResolvedEntity | None, b: ResolvedEntity | None) -> bool:
    """Equal in every field, the counts too (which ResolvedEntity's == leaves out)."""
    return a is b or (a is not None and b is not None and a == b and a.alias_counts == b.alias_counts
                      and a.type_votes == b.type_votes)


class _Base(Mapping):
    """Resolved key -> its entity as the tally says, before model families: made when first asked for, and
    again once an update has changed it (``forget``)."""

    def __init__(self, t: MentionTally, redirects: Mapping[str, str], user_names: Mapping[str, str]):
        self._t, self._user_names, self._made = t, user_names, {}
        self.redirect(redirects)

    def redirect(self, redirects: Mapping[str, str]) -> None:
        self._redirects, self._members = redirects, _members(redirects)

    def forget(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._made.pop(key, None)

    def __getitem__(self, key: str) -> ResolvedEntity:
        if key not in self._made:
            own = [key] if self._redirects.get(key, key) == key else []
            self._made[key] = _resolved(key, own + self._members.get(key, []), self._t, self._user_names)
        entity = self._made[key]
        if entity is None:
            raise KeyError(key)
        return entity

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({self._redirects.get(key, key) for key in self._t.votes}))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class ResolutionState:
    """A corpus's resolution and what it was made of, so that adding and removing papers redoes only what
    they change: the same resolution as ``finish`` of the whole tally, at the cost of the change.

    The tally is the state's own: ``update`` changes it in place, and the resolutions it gives are views
    of the state, good until the next update. ``families`` is the state of the model families when it was
    kept (``_Families.to_data``), else they are worked out from the tally.
    """

    def __init__(self, t: MentionTally, user_aliases: Mapping[str, str] | None = None, families: dict | None = None):
        user_aliases = user_aliases or {}
        self.tally = t
        self.user_names = {canonical_key(name): name for name in user_aliases.values()}
        self.merges = {canonical_key(a): canonical_key(n) for a, n in user_aliases.items()}
        self.redirects = _redirects(_abbreviation_targets(t.definitions), self.merges)
        self.base = _Base(t, self.redirects, self.user_names)
        if families is None:
            self.families = _Families()
            self.families.refresh(self.base, self.base)
        else:
            self.families = _Families.from_data(families)
        self.resolution = self._resolution()

    def _resolution(self) -> Resolution:
        return Resolution(entities=_Entities(self.base, self.families), keys=_Keys(self.tally.keys, self.redirects),
                          variant_of=self.families.variant_of())

    def update(self, added: MentionTally, removed: MentionTally) -> ResolutionChange:
        """The resolution with the papers of ``added`` (tallied apart) and without those of ``removed`` (the
        tally they had when added)."""
        t, old_redirects, before_links = self.tally, self.redirects, self.resolution.variant_of
        entities = _Entities(self.base, self.families)
        touched = set(added.votes) | set(removed.votes)
        definitions = MentionTally(definitions=defaultdict(Counter, {k: Counter(v) for k, v in t.definitions.items()}))
        definitions.subtract(removed).merge(added)
        self.redirects = _redirects(_abbreviation_targets(definitions.definitions), self.merges)
        moved_raw = {key for key in old_redirects.keys() | self.redirects.keys()
                     if old_redirects.get(key, key) != self.redirects.get(key, key)}
        finals = {redirects.get(key, key) for key in touched | moved_raw
                  for redirects in (old_redirects, self.redirects)}
        old = {key: entities.get(key) for key in finals}  # made from the tally before it changes
        t.subtract(removed).merge(added)
        self.base.redirect(self.redirects)
        self.base.forget(finals)
        maybe = self.families.refresh(finals, self.base, lambda key: old.setdefault(key, entities.get(key)))
        changed = {key for key in maybe | finals if not _same(old.get(key), entities.get(key))}
        new = {pid for pid, _ in added.keys}
        moved = set().union(*(t.papers.get(key, ()) for key in moved_raw)) - new
        before_keys = _Keys(_KeysBefore(t.keys, removed.keys, new | {pid for pid, _ in removed.keys}), old_redirects)
        before = Resolution(entities=_Before(entities, old), keys=before_keys, variant_of=before_links)
        self.resolution = self._resolution()
        return ResolutionChange(before, self.resolution, changed, moved)


class _KeysBefore(Mapping):
    """Raw keys as they were: the removed papers' from their tally, the others' as now."""

    def __init__(self, now: Mapping, removed: Mapping, replaced: set[str]):
        self._now, self._removed, self._replaced = now, removed, replaced

    def __getitem__(self, where):
        return self._removed[where] if where[0] in self._replaced else self._now[where]

    def __iter__(self):
        yield from (where for where in self._now if where[0] not in self._replaced)
        yield from self._removed

    def __len__(self) -> int:
        return sum(1 for _ in self)


def finish(t: MentionTally, user_aliases: Mapping[str, str] | None = None) -> Resolution:
    """The resolution of a whole corpus's tally; ``user_aliases`` (alias -> name, ``kg.terms``) are one entity
    under the user's name."""
    return ResolutionState(t, user_aliases).resolution


def resolve(extractions: Iterable[Extraction]) -> Resolution:
    return finish(tally(extractions))
