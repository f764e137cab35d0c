"""Small text tools shared by retrieval, rewriting and composing: tokens, stems, sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer

from assistant import language
from ingest.units import SENTENCE_END, sentences, units  # noqa: F401 (a chunk's units are the index's)

if TYPE_CHECKING:
    from langchain_core.documents import Document

# Letters of any script (José, Zürich, naïve) and digits; $205,958, 20%, contractions kept whole:
# a word starts with a letter, digit or $ and ends with one or %. `words` reads "_" and "/" as spaces.
WORD = re.compile(r"[\w$][\w$+.,%'’-]*[\w%]|[\w$]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
MARKUP = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\ud800-\udfff]")
NUMBERING = re.compile(r"^\s*(?:\d+[.)]|Q\d+:)\s*", re.I)
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")  # zero-width: inside words, not spaces

STOPWORDS = language.load().stopwords  # function words and chat filler (lexicon.yaml)


def clean(text: str) -> str:
    """Drop control and zero-width characters and fold white space; keeps all visible text."""
    text = INVISIBLE.sub("", CONTROL.sub(" ", text))
    return " ".join(unicodedata.normalize("NFC", text).split())


@lru_cache(maxsize=16384)  # every candidate sentence, for every question
def same_text(text: str) -> str:
    """What two copies of one sentence or passage share however they are spaced or cased: the
    key under which the answerer keeps one of them (a file ingested twice, a copy of it)."""
    return clean(text).casefold()


def distinct(docs: list[Document]) -> list[Document]:
    """`docs` in order without a chunk whose text an earlier one has (two copies of one file)."""
    kept: dict[str, Document] = {}
    for doc in docs:
        kept.setdefault(same_text(doc.page_content), doc)
    return list(kept.values())


def printable(text: str) -> str:
    """`text` as it can be echoed back in JSON: a lone surrogate becomes U+FFFD."""
    return SURROGATE.sub("\ufffd", text)


def without_markup(text: str) -> str:
    """The words of a question with HTML tags taken out: markup is never what it asks about."""
    return " ".join(MARKUP.sub(" ", text).split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens; keeps $205,958, 20%, CI/CD parts and contractions whole."""
    return list(map(str.lower, WORD.findall(text.replace("/", " ").replace("_", " "))))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stems(text: str) -> list[str]:
    """Stemmed content words (stopwords removed), the unit of lexical matching."""
    return list(_stems(text))


@lru_cache(maxsize=16384)
def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem_words(words(text)))


def stem_words(tokens: list[str], keep: frozenset[str] = frozenset()) -> list[str]:
    """`stems` of text already split into `words` (and of the stopwords in `keep`)."""
    return _stemmer().stemWords([w for w in tokens if w not in STOPWORDS or w in keep])


def stem_many(word_lists: list[list[str]]) -> list[list[str]]:
    """`stem_words` of each of many word lists, stemming each distinct word once (2x faster over a
    100k-chunk index, whose chunks share most of their words)."""
    vocabulary = list({w for found in word_lists for w in found} - STOPWORDS)
    stem_of = dict(zip(vocabulary, _stemmer().stemWords(vocabulary)))
    return [[stem_of[w] for w in found if w in stem_of] for found in word_lists]


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


def paths_above(heading_path: str) -> list[str]:
    """A heading path and every path it lies under: "A > B > C" -> ["A", "A > B", "A > B > C"]."""
    parts = heading_path.split(" > ")
    return [" > ".join(parts[:end]) for end in range(1, len(parts) + 1)]


def heading_label(section: str) -> str:
    """The last heading of a heading path without its numbering ("2. ", "Q1: ")."""
    return NUMBERING.sub("", section.rsplit(" > ", 1)[-1])
