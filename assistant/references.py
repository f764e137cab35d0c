"""References back: "he", "they", "that paper", "it", "the second one" resolved against what the
conversation named and listed (assistant/language/lexicon.yaml and entities.yaml).

Pronouns and noun phrases take the most salient earlier mention of a fitting kind (what the last
question named first, then what its answer named); ordinals and "the next one" take an item of
the list the last answer gave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from pydantic import BaseModel

from assistant.conversation import Item, Mention
from assistant.language import Language
from assistant.language.schema import words_pattern
from assistant.topics import DISCIPLINES, LANGUAGE


class Reference(BaseModel):
    """One phrase of the user's that pointed back, and what it was read as."""

    phrase: str
    resolved: str


POSSESSIVES = frozenset({"his", "her", "hers", "its", "their", "theirs"})


@dataclass
class Context:
    """What earlier text offers to point at: mentions, most salient first; the last list."""

    mentions: list[Mention] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item: int | None = None  # the item the last turn was about


@dataclass
class Resolution:
    text: str
    references: list[Reference] = field(default_factory=list)
    item: int | None = None  # 0-based position in Context.items


@cache
def _names(language: Language) -> tuple[re.Pattern, dict[str, Mention]]:
    """One pattern for every name and alias of entities.yaml (longest first), and the mention each
    spelling stands for."""
    spelled = {w.lower(): Mention(name=e.name, kind=e.kind)
               for e in language.entities for w in (e.name, *e.aliases)}
    return words_pattern(list(spelled), possessive=True), spelled


def _found(text: str, language: Language) -> list[tuple[int, Mention]]:
    """Every mention in `text` with where it starts, in order."""
    pattern, spelled = _names(language)
    found = [(m.start(), spelled[m.group(0).lower()]) for m in pattern.finditer(text)]
    found += [(m.start(), Mention(name=name, kind="discipline"))
              for name, discipline in DISCIPLINES.items() for m in discipline.finditer(text)]
    return sorted(found, key=lambda pair: pair[0])


@lru_cache(maxsize=4096)  # the same sentences come back with every question
def _mentions(text: str, language: Language) -> tuple[Mention, ...]:
    first: dict[str, Mention] = {}
    for _, mention in _found(text, language):
        first.setdefault(mention.name, mention)
    return tuple(first.values())


def spelled_out(text: str, language: Language = LANGUAGE) -> str:
    """`text` with each alias of entities.yaml written as a proper name (with a capital, so
    "deployment velocity" stays) replaced by the full name ("the WEF report" -> "the World
    Economic Forum report", "Debois" -> "Patrick Debois")."""
    pattern, spelled = _names(language)

    def full(match: re.Match) -> str:
        written = match.group(0)
        name = spelled[written.lower()].name
        proper = written[:1].isupper() and "'" not in written
        return name if proper and written.lower() != name.lower() else written

    return pattern.sub(full, text)


def spellings_in(text: str, language: Language = LANGUAGE) -> list[str]:
    """The names and aliases of entities.yaml as `text` writes them ("WEF", "Debois")."""
    pattern, _ = _names(language)
    return [m.group(0) for m in pattern.finditer(text)]


def without_titles(text: str, language: Language = LANGUAGE) -> str:
    """`text` with the titles of works and events left out: "3 reasons why DataOps is
    essential ..." names a post, it asks for no three reasons."""
    pattern, spelled = _names(language)
    return pattern.sub(lambda m: " " if spelled[m.group(0).lower()].kind in ("work", "event")
                       else m.group(0), text)


def mentions_in(text: str, language: Language = LANGUAGE) -> list[Mention]:
    """The things `text` names, in the order it first names them (each once)."""
    return list(_mentions(text, language))


@cache
def _kind_cues(language: Language) -> dict[str, re.Pattern]:
    return {kind: words_pattern(cues) for kind, cues in language.lexicon.kind_cues.items()}


@cache
def _pronouns(language: Language) -> list[tuple[re.Pattern, tuple[str, ...]]]:
    """(pattern, kinds it may stand for), noun phrases first so "the paper" wins over "the"."""
    refs = language.lexicon.references
    kinds = language.lexicon.kinds_for
    phrases = [(words_pattern(words), tuple(kinds[kind])) for kind, words in refs["phrases"].items()]
    pronouns = [(words_pattern(refs[kind]), tuple(kinds[kind]))
                for kind in ("person", "group", "thing")]
    return phrases + pronouns


@cache
def _ordinal(language: Language) -> re.Pattern:
    words = {w: n for n, ws in language.lexicon.ordinals.items() for w in ws}
    words |= {w: rel for rel, ws in language.lexicon.relative_ordinals.items() for w in ws}
    nouns = "|".join(map(re.escape, language.lexicon.ordinal_nouns))
    names = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"\bthe\s+({names})(?:\s+(?:{nouns})s?\b|(?=\s*(?:[?!.,;:]|$)))|"
                      rf"\b(number (?:one|two|three|four|five|\d))\b|"
                      rf"^\W*({names})\s+(?:{nouns})s?\b", re.I)  # "2nd one pls"


def _ordinal_value(word: str, language: Language) -> int | str | None:
    word = word.lower()
    for n, words in language.lexicon.ordinals.items():
        if word in words:
            return n
    for relative, words in language.lexicon.relative_ordinals.items():
        if word in words:
            return relative
    return None


def points_at_item(text: str, language: Language = LANGUAGE) -> bool:
    """The text names a position in a list ("the second one", "the last difference")."""
    return bool(_ordinal(language).search(text))


def resolve_item(text: str, context: Context, language: Language = LANGUAGE) -> Resolution | None:
    """"the second one", "the last one", "the next one" as the item of the last list."""
    match = _ordinal(language).search(text)
    if not match or not context.items:
        return None
    value = _ordinal_value(match.group(1) or match.group(2) or match.group(3), language)
    if value == "next" or value == "previous":
        if context.item is None:
            return None
        position = context.item + (1 if value == "next" else -1)
    elif isinstance(value, int):
        position = value - 1 if value > 0 else len(context.items) + value
    else:
        return None
    if not 0 <= position < len(context.items):
        return None
    label = context.items[position].label
    text = text[:match.start()] + f"“{label}”" + text[match.end():]
    return Resolution(text, [Reference(phrase=match.group(0), resolved=label)], position)


def resolve_mentions(text: str, context: Context, language: Language = LANGUAGE) -> Resolution:
    """Pronouns and pointing noun phrases replaced by the earlier mention they stand for."""
    own = {m.name for m in mentions_in(text, language)}
    shielded = [m.span() for m in language.the_article.finditer(text)]
    spans: list[tuple[int, int, Mention]] = []
    used: set[str] = set()
    cued = {kind for kind, cues in _kind_cues(language).items() if cues.search(text)}
    named_here = [(start, mention.kind) for start, mention in _found(text, language)]
    for pattern, kinds in _pronouns(language):
        for match in pattern.finditer(text):
            if any(start < match.start() and kind in kinds for start, kind in named_here):
                continue  # "where does DataOps get its ideas": its own subject
            if any(s <= match.start() < e or match.start() <= s < match.end()
                   for s, e in shielded + [(a, b) for a, b, _ in spans]):
                continue
            fitting = [m for m in context.mentions if m.kind in kinds
                       and m.name not in used and m.name not in own]
            fitting.sort(key=lambda m: m.kind not in cued)  # "its authors": a work first
            target = fitting[0] if fitting else None
            if target is not None:
                used.add(target.name)
                spans.append((match.start(), match.end(), target))
    references, pieces, end = [], [], 0
    for start, stop, target in sorted(spans, key=lambda span: span[0]):
        word = text[start:stop]
        possessive = word.lower() in POSSESSIVES
        pieces += [text[end:start], f"{target.name}'s" if possessive else target.name]
        references.append(Reference(phrase=word, resolved=target.name))
        end = stop
    return Resolution("".join(pieces) + text[end:], references)
