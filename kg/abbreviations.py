"""Abbreviations and their long forms ("Low-Rank Adaptation (LoRA)"): what looks like one, and which words
it abbreviates. Plain functions over strings, for the resolver and the lexicon miner (no spaCy needed)."""
from __future__ import annotations

import re

ACRONYM_PLURAL = re.compile(r"(?<=[A-Z0-9])s\b")  # "LLMs", "GPUs": the plural of an acronym
NAME_WORD = re.compile(r"[A-Za-z0-9]+")


def looks_like_abbreviation(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return 1 < len(name) <= 12 and " " not in name and sum(c.isupper() for c in letters) >= 2


def letters_of(abbreviation: str) -> str:
    """An abbreviation's letters and digits, lower case, without its plural: "DMs" -> "dm", "LR-QAT" -> "lrqat"."""
    return "".join(c for c in ACRONYM_PLURAL.sub("", abbreviation).casefold() if c.isalnum())


def name_words(name: str) -> list[str]:
    """A name's words, split at anything but letters and digits.

    >>> name_words("LR-QAT (v2.1)")
    ['LR', 'QAT', 'v2', '1']
    """
    return NAME_WORD.findall(name)


def abbreviates(abbreviation: str, long_key: str) -> bool:
    """Whether the abbreviation's letters start the long form and appear in it in order."""
    letters = letters_of(abbreviation)
    if not letters or not long_key or letters[0] != long_key[0]:
        return False
    position = 0
    for letter in letters:
        position = long_key.find(letter, position) + 1
        if position == 0:
            return False
    return True


def long_form_start(letters: str, text: str) -> int | None:
    """Where the long form of an abbreviation spelt ``letters`` starts in the ``text`` before it, or None.

    Schwartz & Hearst (2003): the letters are found in order going back from the end of ``text``, the first
    one at the start of a word. Both are lower case.

    >>> long_form_start("lora", "we use low-rank adaptation")
    7
    >>> long_form_start("xyz", "we use low-rank adaptation") is None
    True
    """
    s, i = len(letters) - 1, len(text) - 1
    while s >= 0:
        letter = letters[s]
        while i >= 0 and (text[i] != letter or (s == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        s -= 1
        i -= 1
    return i + 1
