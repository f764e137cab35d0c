"""A message in pieces: its clauses (each question of it apart), its slang spelt out, a name it
addresses left out, and the language it is written in."""

from __future__ import annotations

import re

from assistant.language import Language
from assistant.references import mentions_in
from assistant.text import STOPWORDS, words
from assistant.topics import LANGUAGE


def content_words(text: str) -> list[str]:
    """The words of `text` that are not function words or numbers."""
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


def normalized(text: str, language: Language) -> str:
    """The text with chat slang spelt out and a name it addresses ("..., José?") left out."""
    for vocative in language.vocatives:
        match = vocative.search(text)
        if match and not mentions_in(match.group(1), language):
            before, after = text[:match.start()].rstrip(), text[match.end():].lstrip()
            text = f"{before}{' ' if before and after[:1].isalnum() else ''}{after}"
    slang = language.lexicon.slang
    return language.slang.sub(lambda m: slang[m.group(0).lower()], text)


def split_clauses(text: str) -> list[str]:
    """Sentences, and within them each question joined by "and"/a comma ("who coined devops,
    and who coined dataops?" is two); a choice that leans on the clause before it ("argo or flux,
    which is better?") stays with it, but not after a statement about oneself ("I do data science
    in R, which one should I learn?")."""
    starts = "|".join(LANGUAGE.lexicon.question_words)
    joint = re.compile(rf"(?:,\s*(?:and|or|but|also|plus)?|\s+(?:and|also|plus))\s+(?=(?:{starts})\b)",
                       re.I)
    clauses = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text.strip()):
        pieces = [c.strip(" ,") for c in joint.split(sentence) if c.strip(" ,")]
        for number, piece in enumerate(pieces):
            if number and chooses(piece) and not LANGUAGE.first_person.search(pieces[number - 1]):
                clauses[-1] = f"{clauses[-1]}, {piece}"
            elif number and leads_in(pieces[number - 1]):
                clauses[-1] = f"{clauses[-1]}, {piece}"
            else:
                clauses.append(piece)
    return _joined_fillers(clauses) or [text]


def leads_in(piece: str) -> bool:
    """A few words before a question that only frame it ("apart from devops, where ..."): no
    question of their own, no role the user gives."""
    return (len(piece.split()) <= 3 and not asks(piece)
            and not any(pattern.search(piece) for pattern, _ in LANGUAGE.background_names))


def _joined_fillers(clauses: list[str]) -> list[str]:
    """A clause of filler words only ("Also,", "So") belongs to the one after it."""
    joined: list[str] = []
    for clause in reversed(clauses):
        if joined and not content_words(clause) and not clause.rstrip().endswith("?"):
            joined[-1] = f"{clause} {joined[-1]}"
        else:
            joined.append(clause)
    return joined[::-1]


def asks(clause: str) -> bool:
    """The clause is a question: a question mark, or a question word first."""
    starts = LANGUAGE.lexicon.question_words
    first = (words(clause) or [""])[0]
    return clause.rstrip().endswith("?") or first in starts


def chooses(clause: str) -> bool:
    """"which is better?", "which one?": a choice among what the clause before named."""
    return bool(re.match(r"which\b", clause, re.I)) and len(content_words(clause)) <= 1


def other_language(text: str, is_english_word, language: Language = LANGUAGE) -> str | None:
    """The language a message is written in when it is not English (its function words), else
    None. A message with English words and a name or two ("DataOps, José?") is English."""
    tokens = [w.strip("¿¡") for w in words(text)]
    english = sum(w in STOPWORDS or is_english_word(w) for w in tokens)
    best, count = None, 0
    for name, function_words in language.lexicon.languages.items():
        hits = sum(w in function_words and w not in STOPWORDS for w in tokens)
        if hits > count:
            best, count = name, hits
    return best if count >= 2 and count > english / 2 else None
