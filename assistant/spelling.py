"""Typo repair against the corpus's own vocabulary: "waht is dataops" -> "what is dataops"."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from spellchecker import SpellChecker

from assistant.text import STOPWORDS, stem

TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # letters of any script; "shouldn't" whole
POSSESSIVE = re.compile(r"['’]s$")
RARE = 4e-7  # English usage frequency under which an unknown word names a specific thing


class Speller:
    """Replaces a misspelt word by the most frequent corpus word one or two edits away.

    A real English word the corpus happens not to use ("founded", "bread") is left alone, so a
    question never changes meaning; pyspellchecker's dictionary tells the two apart.
    """

    def __init__(self, corpus_words: Iterable[str]):
        """`corpus_words`: the corpus's words, or a Counter of them (read as its counts)."""
        counts = Counter({w: n for w, n in Counter(corpus_words).items() if w.isalpha()})
        self.english = SpellChecker()
        self.known = frozenset(counts) | STOPWORDS
        self.known_stems = frozenset(stem(w) for w in counts)
        self.choices = sorted(self.known, key=lambda w: -counts.get(w, 1))

    def fix_word(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < 4 or lower in self.known or self.english.known([lower]):
            return word
        limit = 1 if len(lower) <= 6 else 2
        match = process.extractOne(lower, self.choices, scorer=DamerauLevenshtein.distance,
                                   score_cutoff=limit)
        return match[0] if match else word

    def fix(self, text: str) -> str:
        """`text` with each unknown word replaced by its nearest known spelling, if one is close."""
        return TOKEN.sub(lambda m: self.fix_word(m.group(0)), text)

    def unknown(self, text: str) -> list[str]:
        """Content words of `text` that the corpus never uses (a possessive 's aside)."""
        found = (POSSESSIVE.sub("", m.lower()) for m in TOKEN.findall(text))
        return [w for w in found
                if w not in self.known and stem(w) not in self.known_stems and len(w) > 1]

    def is_typo(self, word: str) -> bool:
        """A misspelt English word ("chek"): one edit from a dictionary word."""
        lower = word.lower()
        return not self.english.known([lower]) and bool(self.english.edit_distance_1(lower)
                                                         & set(self.english.known(
                                                             self.english.edit_distance_1(lower))))

    def is_specific(self, word: str) -> bool:
        """A rare or non-dictionary word: a name or term (Terraform, GitOps), not plain English."""
        return self.english.word_usage_frequency(word.lower()) < RARE
