"""Small text tools shared by retrieval, rewriting and composing: tokens, stems, sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from ingest.units import sentences  # noqa: F401 (a chunk's units are the index's: ingest/units.py)

WORD = re.compile(r"[a-z0-9$][a-z0-9$+.,%'’-]*[a-z0-9%]|[a-z0-9$]", re.IGNORECASE)
SURROGATE = re.compile(r"[\ud800-\udfff]")
MARKUP = re.compile(r"</?[A-Za-z!][^<>]{0,300}>")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\ud800-\udfff]")
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")  # zero-width: inside words, not spaces

# Function words and chat filler: never evidence that a passage answers the question.
STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each few for from further had hadn't has hasn't have haven't having he her here
hers herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself just
let's me more most mustn't my myself no nor not now of off on once only or other ought our ours
ourselves out over own same shan't she should shouldn't so some such than that that's the their
theirs them themselves then there there's these they they're this those through to too under until
up very was wasn't we we're were weren't what what's when where which while who who's whom why
will with won't would wouldn't you you're your yours yourself yourselves u ur im whats hows pls
please tell explain describe say says said know mean means meaning really actually article text
thing things kind one ones someone something anything like vs versus v diff difference differences
compare compared comparison between does do did give gives get gets got go goes make makes us
well also much many lot lots way ways use used using according thanks thank hi hello hey ok okay
mention mentions mentioned example examples author page give gave name names list
""".split())


def clean(text: str) -> str:
    """Drop control and zero-width characters and fold white space; keeps all visible text."""
    text = INVISIBLE.sub("", CONTROL.sub(" ", text))
    return " ".join(unicodedata.normalize("NFC", text).split())


def printable(text: str) -> str:
    """`text` as it can be echoed back in JSON: a lone surrogate becomes U+FFFD."""
    return SURROGATE.sub("\ufffd", text)


def without_markup(text: str) -> str:
    """The words of a question with HTML tags taken out: markup is never what it asks about."""
    return " ".join(MARKUP.sub(" ", text).split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens; keeps $205,958, 20%, CI/CD parts and contractions whole."""
    return [w.lower().strip(".,'’") for w in WORD.findall(text.replace("/", " "))]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stems(text: str) -> list[str]:
    """Stemmed content words (stopwords removed), the unit of lexical matching."""
    return stem_words(words(text))


def stem_words(tokens: list[str]) -> list[str]:
    """`stems` of text already split into `words`."""
    return _stemmer().stemWords([w for w in tokens if w not in STOPWORDS])


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())
