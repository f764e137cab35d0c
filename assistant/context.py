"""What a chosen sentence leans on, added before it, and the order an answer is read in.

"It's binary." needs the sentence before it, a list item its intro line, "Already a data
scientist?" the advice after it, a paragraph opening "That shared foundation ..." the short
paragraph or list before it. What the question itself names needs no antecedent: "The term was
coined ..." answers "Who coined DataOps?" as it stands. A bare "No." from the article comes only
before the answer to a yes/no question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from langchain_core.documents import Document

from assistant.claims import Claim, unit_claims
from assistant.index import Index
from assistant.relevance import PATTERNS
from assistant.text import heading_label, same_text, stems
from assistant.topics import ANAPHOR, Topic, disciplines_in, first_named, subject_of

STANDS_OUT = 0.85  # an item scoring below this share of the lead's does not go before it
SHORT_PARAGRAPH = 420  # characters; a paragraph before "That ..." this short comes along whole
LABELLED = re.compile(r"^[^:.!?]{1,40}:\s")  # "Primary unit of work: data."


@dataclass(frozen=True)
class Needs:
    """What decides the context an answer needs and its order: the question's topic, whether it
    asks yes or no, what the previous answer said (not said again), which sentences may be used,
    and whether it points at one thing (one discipline, a ranking, a person or date...)."""

    topic: Topic
    yes_no: bool
    said: frozenset[str]
    usable: Callable[[Claim], bool]
    pointed: bool = False


def with_context(chosen: list[Claim], lead: Claim, chars: int, index: Index, needs: Needs
                 ) -> list[Claim]:
    """`chosen` with what each sentence leans on inserted before it (after it, for a label's
    answer), tagged `context_for` the sentence it serves; while the chosen sentences (context
    not counted: a sentence comes with what it needs or not at all) are past 1.25 x `chars`,
    the lowest ranked is dropped with its context, but for the lead."""
    result = list(chosen)
    for claim in chosen:
        for context, before in _leans_on(claim, lead, index, needs):
            if context.text not in needs.said:
                _insert(result, replace(context, context_for=key(claim)), before)
    for claim in reversed(chosen):
        if sum(len(c.text) + 5 for c in result if not c.context_for) <= chars * 1.25:
            break
        kept = next((c for c in result if key(c) == key(claim)), None)
        if claim is not lead and kept is not None and not kept.context_for:
            result = [c for c in result if key(c) != key(claim) and c.context_for != key(claim)]
    return result


def ordered(claims: list[Claim], lead: Claim, needs: Needs) -> list[Claim]:
    """The lead and what it leans on first, then the sentences of its paragraph that point back
    at it, then the rest of the lead's section (for a list item: its list, after its intro),
    then the others; each in the article's order. A list's intro is kept only when two items or
    more are shown, or an item that is no sentence alone; its items keep the article's order
    unless the question points at one thing (`Needs.pointed`) or the lead item answers far better
    than the others (then it comes first)."""
    items = {c.item for c in claims if c.item}
    fragment = any(c.item and not c.text.endswith((".", "!", "?")) for c in claims)
    claims = [c for c in claims if not (_is_intro(c) and len(items) < 2 and not fragment)]

    def place(claim: Claim):
        meta, lead_meta = claim.doc.metadata, lead.doc.metadata
        other_file = meta["source"] != lead_meta["source"]
        own = not other_file and meta["section"] == lead_meta["section"]
        return (claim.doc.id != lead.doc.id, not own, other_file, meta["source"],
                meta.get("order", 0), claim.unit)

    leaning = sorted((c for c in claims if c.context_for == key(lead)), key=place)
    if lead.item:  # a list: its intro, the item that answers, then the others in order
        first = sorted((c for c in claims if _intro_of(c, lead) or c in leaning), key=place)
        items = [c for c in claims if c.item and c is not lead]
        stands_out = all(c.score < STANDS_OUT * lead.score for c in items)
        if not needs.pointed and not stands_out:
            return first + sorted((c for c in claims if c not in first), key=place)
        rest = sorted((c for c in claims if c is not lead and c not in first),
                      key=lambda c: (c.item != lead.item, place(c)))
        opening = [c for c in rest if c.item == lead.item and c.doc.id == lead.doc.id
                   and c.unit < lead.unit]  # its bullet reads in order: "DevOps is ... Over 17,000 ..."
        return first + opening + [lead] + [c for c in rest if c not in opening]
    after = [c for c in leaning if c.doc.id == lead.doc.id and c.unit > lead.unit]  # a label's answer
    rest = sorted((c for c in claims if c is not lead and c.context_for != key(lead)), key=place)
    chain = _reading_on(lead, rest, needs)
    return ([c for c in leaning if c not in after] + [lead] + after + chain
            + [c for c in rest if c not in chain])


def _reading_on(lead: Claim, rest: list[Claim], needs: Needs) -> list[Claim]:
    """The sentences right after the lead in its paragraph that point back at it ("A model can
    be broken ... Catching it requires ..."): they follow it at once, before anything else."""
    own = unit_claims(lead.doc)
    chosen = {c.unit: c for c in rest if c.doc.id == lead.doc.id}
    chain, unit = [], lead.unit + 1
    while unit in chosen and refers_back(chosen[unit], own[:unit], needs):
        chain.append(chosen[unit])
        unit += 1
    return chain


def _is_intro(claim: Claim) -> bool:
    return bool(claim.context_for) and not claim.item and claim.text.endswith(":")


def _intro_of(claim: Claim, item: Claim) -> bool:
    """`claim` is the intro of the list `item` is in (not of another passage's list)."""
    return _is_intro(claim) and (claim.doc.id == item.doc.id
                                 or claim.context_for.startswith(item.doc.id))


def key(claim: Claim) -> str:
    return f"{claim.doc.id}:{claim.unit}"


def _leans_on(claim: Claim, lead: Claim, index: Index, needs: Needs
              ) -> list[tuple[Claim, Claim | None]]:
    """(context, the claim it goes before; None: after) pairs for one chosen claim."""
    own = unit_claims(claim.doc, claim.score)
    previous = own[claim.unit - 1] if claim.unit > 0 else None
    following = own[claim.unit + 1] if claim.unit + 1 < len(own) else None
    found = []
    if claim is lead and needs.yes_no and PATTERNS["bare_verdict"].match(own[0].text):
        found.append((own[0], claim))  # "No." leads the answer to "Is MLOps just DevOps ...?"
    intro = _own_intro(own, claim) or _split_list_intro(claim, index)
    subject_line = _subject_line(own, claim, needs)
    if intro is not None:
        found.append((intro, claim))
    elif subject_line is not None:
        found.append((subject_line, claim))  # "DataOps is ..." before "Primary unit of work: data."
    elif previous and previous.text.endswith("?"):
        found.append((previous, claim))  # "Already a data scientist?" before its advice
    elif previous and (names_back(claim) or leans_back(claim) and needs_antecedent(claim, needs.topic)):
        found.append((previous, claim))
    elif previous is None:
        found += [(c, claim) for c in _preceding(claim, index, needs)]
    if following and claim.text.endswith("?") and ":" in claim.text:
        found.append((following, None))
    return found


def _subject_line(own: list[Claim], claim: Claim, needs: Needs) -> Claim | None:
    """For a sentence of a paragraph about one discipline that reads only as about it without
    naming it (a label, "Primary unit of work: data.", or a pointer back, "The term was coined
    ...", "It draws from ..."), the paragraph's first sentence naming it, unless the question is
    about that discipline alone: beside another discipline it would read as about that one."""
    subject = subject_of(claim.doc.page_content)
    if not subject or claim.unit == 0 or claim.item or subject in disciplines_in(claim.text):
        return None
    if not (LABELLED.match(claim.text) or leans_back(claim)):
        return None
    if needs.topic.disciplines == (subject,):
        return None
    return own[0] if subject in disciplines_in(own[0].text) else None


def anchor(lead: Claim, needs: Needs) -> Claim:
    """Where the answer starts: for a yes/no question answered by a passage that opens with the
    article's "No." or "Yes.", the sentence giving its reason; for a lead that points back at
    the sentence before it ("It's binary."), that sentence (and so on back, while the sentence
    before can be said here)."""
    own = unit_claims(lead.doc, lead.score)
    if needs.yes_no and len(own) > 1 and PATTERNS["bare_verdict"].match(own[0].text):
        return own[1]
    while (lead.unit > 0 and refers_back(lead, own[:lead.unit], needs)
           and needs.usable(own[lead.unit - 1]) and stands(own[lead.unit - 1], needs)):
        lead = own[lead.unit - 1]
    return lead


def refers_back(claim: Claim, before: list[Claim], needs: Needs) -> bool:
    """The sentence reads only after the sentences `before` it in its chunk: it opens with a
    pronoun ("It was born ..."), names what came before ("that assumption"), opens with "The" and
    a word said before ("The test passes ..." after "... testing ..."), or points back at a
    subject the question does not name."""
    if PATTERNS["opens_with_pronoun"].match(claim.text) or names_back(claim):
        return True
    definite = re.match(r"the (\w+)", claim.text, re.I)
    if definite and set(stems(definite.group(1))) & {s for c in before for s in stems(c.text)}:
        return True
    return leans_back(claim) and needs_antecedent(claim, needs.topic)


def leans_back(claim: Claim) -> bool:
    """The sentence points back at the one before it ("It's ...", "Catching it ...", "... fix
    that.")."""
    return _leans_back(claim.text)


def names_back(claim: Claim) -> bool:
    """The sentence names what the sentence before said ("that assumption", "... were not
    designed to fix that."): knowing the subject does not make it read on its own."""
    return _names_back(claim.text)


@lru_cache(maxsize=16384)  # every candidate sentence, for every question
def _leans_back(sentence: str) -> bool:
    return bool(ANAPHOR.match(sentence) or PATTERNS["acts_on_pointer"].match(sentence)
                or PATTERNS["points_back"].search(sentence))


@lru_cache(maxsize=16384)
def _names_back(sentence: str) -> bool:
    return bool(PATTERNS["names_back"].search(sentence) or PATTERNS["points_back"].search(sentence))


def stands(claim: Claim, needs: Needs) -> bool:
    """The sentence can be said here: what it points back at is in its own chunk (a passage's
    first sentence naming "that assumption" does not stand) and is neither filler nor a bare
    "No." or "Yes." the question did not ask for (unless the question names what it is about)."""
    if claim.unit == 0:
        return not names_back(claim)
    if not names_back(claim) and (not leans_back(claim) or not needs_antecedent(claim, needs.topic)):
        return True
    antecedent = unit_claims(claim.doc)[claim.unit - 1]
    if PATTERNS["bare_verdict"].match(antecedent.text):  # a yes or no to its own heading's question
        return needs.yes_no and not needs_antecedent(claim, needs.topic)
    if antecedent.text.endswith((":", "?")):
        return True
    return needs.usable(antecedent) and stands(antecedent, needs)  # the whole chain must stand


def needs_antecedent(claim: Claim, topic: Topic) -> bool:
    """'It ...' needs the sentence before it, unless the question names what the passage is
    about: the discipline it opens with, or the one a question heading asks about ("Is MLOps
    just DevOps ...?")."""
    subject = subject_of(claim.doc.page_content)
    heading = heading_label(claim.doc.metadata["section"])
    if subject is None and heading.endswith("?"):
        subject = first_named(heading)
    return not (subject and subject in topic.disciplines)


def _own_intro(own: list[Claim], claim: Claim) -> Claim | None:
    """For a list item, the line ending in ':' that opens its list in the same chunk."""
    if not claim.item:
        return None
    first = next(i for i, c in enumerate(own) if c.item)
    intro = own[first - 1] if first > 0 else None
    return intro if intro is not None and intro.text.endswith(":") and intro is not claim else None


def _split_list_intro(claim: Claim, index: Index) -> Claim | None:
    """For an item of a list stored one item per chunk, the line ending in ':' before the list."""
    doc = claim.doc
    if not claim.item or doc.metadata.get("kind") != "list":
        return None
    before = _chunk_before(doc, index)
    while before is not None and _is_list(before) and not index.list_intro(doc):
        doc, before = before, _chunk_before(before, index)
    if before is None or not index.list_intro(doc):
        return None
    return unit_claims(before, claim.score)[-1]


def _preceding(claim: Claim, index: Index, needs: Needs) -> list[Claim]:
    """For a chunk's first sentence: its list's intro line in the chunk before, or, when it opens
    with 'That ...', the short paragraph (or list) before it that it refers to."""
    doc = claim.doc
    before = _chunk_before(doc, index)
    if before is None:
        return []
    if leans_back(claim) and needs_antecedent(claim, needs.topic):
        if len(before.page_content) > SHORT_PARAGRAPH * (2 if _is_list(before) else 1):
            return []
        units = unit_claims(before, claim.score)
        intro = next((_own_intro(units, c) for c in units if c.item), None)
        return [c for c in units if c.item or c is intro or needs.usable(c)]
    return []


def _chunk_before(doc: Document, index: Index) -> Document | None:
    position = doc.metadata.get("position", 0) - 1
    before = [o for o in index.neighbours(doc, radius=1) if o.metadata.get("position") == position]
    if not before or before[0].metadata.get("kind") == "editorial_note":
        return None
    return before[0]


def _is_list(doc: Document) -> bool:
    return doc.metadata.get("kind") == "list"


def _insert(result: list[Claim], claim: Claim, before: Claim | None) -> None:
    """Put context `claim` before `before` (at the end for None); a sentence chosen already
    becomes the context, moved before the sentence it serves if it came after it."""
    same = next((c for c in result if c.doc.id == claim.doc.id and c.unit == claim.unit
                 or same_text(c.text) == same_text(claim.text)), None)
    if same is not None:
        if before is None or before not in result or same.context_for \
                or result.index(same) < result.index(before):
            return
        result.remove(same)
        claim = replace(same, context_for=claim.context_for)
    result.insert(result.index(before) if before in result else len(result), claim)
