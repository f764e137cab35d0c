"""What the article enumerates, read from its own structure: lists (with the line that introduces
them) and sections split into several sub-sections ("The Four Differences That Actually Matter").

A question that asks for an enumeration ("what are the four differences", "name everything the
three share") is answered with every item, each cited; the items become the list that "the second
one" in a follow-up points at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from langchain_core.documents import Document

from assistant.claims import Claim, unit_claims
from assistant.conversation import Item
from assistant.index import Index
from assistant.language import Language
from assistant.relevance import OPENS_WITH
from assistant.text import STOPWORDS, heading_label, paths_above, stem_words, words
from assistant.topics import ASPECT_PATTERNS, DISCIPLINES, LANGUAGE, lexical_form, topic_of

LONG_ITEM = 220  # characters; a longer list item is shown by its first sentence
TOP_K = 5        # retrieved chunks whose sections may hold the enumeration asked for
SIDE_BY_SIDE = 6  # chunks of a sub-section searched for each discipline's line of a comparison
# stopwords a heading's words keep: "The Four Differences" is about differences
_COMPARING = frozenset(w for w in STOPWORDS if LANGUAGE.comparison.search(w))


@dataclass(frozen=True)
class Enumeration:
    """A list or a section of sub-sections: its heading path, its intro, its items in order."""

    section: str
    intro: Claim | None
    items: tuple[tuple[Item, tuple[Claim, ...]], ...]
    chunks: frozenset[str] = frozenset()  # a list's chunk and its intro's chunk

    def claims(self) -> list[Claim]:
        """The answer: the intro, then each item's claims."""
        return ([self.intro] if self.intro else []) + [c for _, said in self.items for c in said]

    def listed(self) -> list[Item]:
        return [item for item, _ in self.items]

    def holds(self, doc: Document) -> bool:
        """The chunk is part of it: the list or its intro, or a chunk of its sub-sections."""
        if self.chunks:
            return doc.id in self.chunks
        section = doc.metadata["section"]
        return section == self.section or section.startswith(self.section + " > ")


class Enumerations(list):
    """An index's enumerations, in order, with lookups made on first use for `pick`: by heading
    word, by the number of items, and by the chunks each holds (at 100k chunks there are 27k
    enumerations, and scanning them all took ~0.15 s per list question)."""

    @cached_property
    def _lookups(self) -> tuple[dict, dict, dict, dict]:
        by_word, by_count, by_chunk, by_section = {}, {}, {}, {}
        for position, enumeration in enumerate(self):
            for word in _heading_words(enumeration.section):
                by_word.setdefault(word, []).append(position)
            by_count.setdefault(len(enumeration.items), []).append(position)
            for chunk in enumeration.chunks:
                by_chunk.setdefault(chunk, []).append(position)
            if not enumeration.chunks:
                by_section.setdefault(enumeration.section, []).append(position)
        return by_word, by_count, by_chunk, by_section

    def near(self, words: frozenset[str], count: int | None, docs: list[Document]
             ) -> list[Enumeration]:
        """In order, every enumeration whose heading has one of `words`, with `count` items, or
        that holds one of `docs`: all that `pick` could choose."""
        by_word, by_count, by_chunk, by_section = self._lookups
        found = {p for word in words for p in by_word.get(word, ())}
        found.update(by_count.get(count, ()))
        for doc in docs:
            found.update(by_chunk.get(doc.id, ()))
            for path in paths_above(doc.metadata["section"]):
                found.update(by_section.get(path, ()))
        return [self[p] for p in sorted(found)]


def enumerations(index: Index) -> Enumerations:
    """Every list (a long one is stored as one chunk per item: those are joined again) and every
    section with two or more sub-sections of `index`."""
    runs: list[list[Document]] = []
    for doc in sorted(index.documents.values(), key=lambda d: (d.metadata["source"],
                                                              d.metadata.get("order", 0))):
        if doc.metadata.get("kind") != "list":
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and _next_to(last, doc):
            runs[-1].append(doc)
        else:
            runs.append([doc])
    return Enumerations([_list(run, index) for run in runs] + _sections(index))


def _next_to(before: Document, doc: Document) -> bool:
    same = all(before.metadata[k] == doc.metadata[k] for k in ("source", "section"))
    return same and doc.metadata.get("position", 0) == before.metadata.get("position", 0) + 1


def _list(run: list[Document], index: Index) -> Enumeration:
    claims = [c for doc in run for c in unit_claims(doc) if c.item]
    items = []
    for key in dict.fromkeys(c.item for c in claims):
        said = [c for c in claims if c.item == key]
        if sum(len(c.text) for c in said) > LONG_ITEM:
            said = said[:1]
        items.append((Item(label=said[0].text.rstrip(".")), tuple(said)))
    intro = _intro(run[0], index)
    chunks = frozenset({doc.id for doc in run} | ({intro.doc.id} if intro else set()))
    return Enumeration(run[0].metadata["section"], intro, tuple(items), chunks)


def _intro(doc: Document, index: Index) -> Claim | None:
    """The sentence ending in ':' just before a list, as a claim of the list's chunk or of the
    chunk before it."""
    own = unit_claims(doc)
    first = next((i for i, c in enumerate(own) if c.item), 0)
    if first and own[first - 1].text.endswith(":"):
        return own[first - 1]
    if index.list_intro(doc) is None:
        return None
    position = doc.metadata.get("position", 0) - 1
    before = next(o for o in index.neighbours(doc, radius=1) if o.metadata.get("position") == position)
    return unit_claims(before)[-1]


def _sections(index: Index) -> list[Enumeration]:
    children: dict[str, dict[str, None]] = {}  # parent -> its sub-section paths, in order
    for doc in index.documents.values():
        path = doc.metadata["section"]
        parent, _, _ = path.rpartition(" > ")
        if parent:
            children.setdefault(parent, {})[path] = None
    found = []
    for parent, paths in children.items():
        if len(paths) >= 2:
            items = [_subsection(path, index) for path in paths]
            found.append(Enumeration(parent, None, tuple(i for i in items if i)))
    return found


def _subsection(path: str, index: Index) -> tuple[Item, tuple[Claim, ...]] | None:
    """A sub-section as an item: its heading as the label, its first sentence as what it says."""
    docs = [d for d in index.section(path) if d.metadata.get("kind") != "editorial_note"]
    if not docs:
        return None
    label = heading_label(path)
    first = unit_claims(docs[0])[0]
    said = [first, *_side_by_side(first, docs)]
    return Item(label=label, section=path), tuple(replace(c, label=label, item=path) for c in said)


def _side_by_side(first: Claim, docs: list[Document]) -> list[Claim]:
    """When a sub-section opens with one discipline ("DevOps testing answers ...") and goes on
    to the others the same way, the first sentence opening with each of the others: the item
    says the comparison, not only its DevOps half."""
    opens = _opens_with(first.text)
    if len(opens) != 1:
        return []
    found: dict[str, Claim] = {}
    for doc in docs[:SIDE_BY_SIDE]:
        for claim in unit_claims(doc):
            for name in _opens_with(claim.text) - opens:
                found.setdefault(name, claim)
    return [found[name] for name in DISCIPLINES if name in found]


def _opens_with(text: str) -> set[str]:
    return {name for name, pattern in OPENS_WITH.items() if pattern.match(text)}


def asked_count(text: str, language: Language = LANGUAGE) -> int | None:
    """The number of things a question asks for ("the four differences"), not "the three"
    disciplines."""
    text = language.all_three.sub(" ", text)
    for word in re.findall(r"[^\W_]+", text.lower()):
        if word.isdigit() and 1 < int(word) < 20:
            return int(word)
        if word in language.lexicon.numbers:
            return language.lexicon.numbers[word]
    return None


def pick(text: str, docs: list[Document], found: Enumerations) -> Enumeration | None:
    """The enumeration a list question asks for: one whose heading shares the question's words
    or that holds one of the top retrieved chunks; of those, one with the asked number of items,
    then the one sharing the most words, then the best placed."""
    top = docs[:TOP_K]
    count = asked_count(text)
    asked = _heading_words(lexical_form(text)) - _count_words(count)
    aimed = _aimed(text, top)
    ranked = []
    for enumeration in found.near(asked, count, top):
        ranks = [rank for rank, doc in enumerate(top) if enumeration.holds(doc)]
        shared = len(asked & _heading_words(enumeration.section))
        counted = count is not None and len(enumeration.items) == count
        placed_only = not (shared or counted)
        if placed_only and aimed is not None and not enumeration.holds(aimed):
            continue  # "list the references": the Sources sentence, not the list beside it
        if shared or counted or (ranks and ranks[0] < 2):
            placed = ranks[0] if ranks else TOP_K
            ranked.append(((count is not None and not counted, -shared, placed), enumeration))
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def counted_list(text: str, found: list[Enumeration], index: Index, language: Language = LANGUAGE
                 ) -> Enumeration | None:
    """For "how many differences are there": the one enumeration whose heading gives that count
    ("The Four Differences That Actually Matter"), whose items answer it, led by the sentence
    that counts them (`with_count`); else None."""
    many = re.search(language.lexicon.missing["how_many"], text, re.I)
    if many is None:
        return None
    number = "|".join([*language.lexicon.numbers, r"\d+"])
    nouns = [w.rstrip("s") for w in words(many.group(1)) if w not in STOPWORDS or w in _COMPARING]
    if not nouns:
        return None
    counts = re.compile(rf"\b(?:{number})\s+(?:\w+\s+)?(?:{'|'.join(map(re.escape, nouns[:3]))})s?\b",
                        re.I)
    headed = [e for e in found if counts.search(heading_label(e.section))]
    return with_count(headed[0], index, language) if len({e.section for e in headed}) == 1 else None


def with_count(enumeration: Enumeration, index: Index, language: Language = LANGUAGE
               ) -> Enumeration:
    """`enumeration` led by the sentence of its own section that gives its number of items
    ("These four points tell you why it matters."), when there is one: the answer to "how many"."""
    numbers = language.lexicon.numbers
    for doc in index.section(enumeration.section):
        if doc.metadata["section"] != enumeration.section or doc.metadata.get("kind") == "editorial_note":
            continue
        for claim in unit_claims(doc):
            said = [numbers.get(w, int(w) if w.isdigit() else None) for w in words(claim.text)]
            if len(enumeration.items) in said:
                return replace(enumeration, intro=claim)
    return enumeration


def _aimed(text: str, docs: list[Document]) -> Document | None:
    """The first of `docs` under a heading that names what the question asks about ("list the
    references": the chunk headed Sources), or None."""
    patterns = [ASPECT_PATTERNS[a] for a in topic_of(text).aspects
                if a not in ("definition", "history")]
    return next((doc for doc in docs if any(p.search(heading_label(doc.metadata["section"]))
                                            for p in patterns)), None)


def named_list(text: str, found: list[Enumeration]) -> list[Item]:
    """The items of the list whose heading holds the noun after a position ("the 2nd difference":
    The Four Differences That Actually Matter), for "the second ..." with no list in the
    conversation; none unless exactly one heading holds it."""
    nouns = _heading_words(" ".join(n for n in LANGUAGE.lexicon.ordinal_nouns
                                    if re.search(rf"\b{n}s?\b", text, re.I)))
    named = [e for e in found if nouns & _heading_words(heading_label(e.section))]
    return named[0].listed() if len(named) == 1 else []


@lru_cache(maxsize=65536)  # every heading, for every list question: 27k of them at 100k chunks
def _heading_words(text: str) -> frozenset[str]:
    """The stems a list question shares with a heading, comparison words kept ("the 4 big
    differences": "The Four Differences That Actually Matter", not the FAQ's four items)."""
    return frozenset(stem_words(words(text.replace("-", " ")), keep=_COMPARING))


def _count_words(count: int | None) -> set[str]:
    """The words of an asked count, which `asked_count` compares, not the heading's words ("the
    4 things they share" is not The Four Differences)."""
    if count is None:
        return set()
    return set(stem_words([str(count), *(w for w, n in LANGUAGE.lexicon.numbers.items() if n == count)]))

