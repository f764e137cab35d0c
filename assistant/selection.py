"""Which of the scored sentences an answer uses, and which one leads: the sentence that answers
what was asked first (a person for "who", a date for "when", the ranking for "which pays most"),
what the previous answer said left out, a sentence about each discipline of a comparison, then
the lead's related sentences and others that come close, within the length the question asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.claims import Claim, unit_claims
from assistant.context import SHORT_PARAGRAPH, Needs, needs_antecedent, stands
from assistant.filler import by_cues
from assistant.language.schema import compiled
from assistant.relevance import (DEFINITION, PATTERNS, answers_kind, asked_kinds, ranking_direction,
                                 ranking_score)
from assistant.text import stems
from assistant.topics import ANAPHOR, DISCIPLINES, LANGUAGE, Topic, subject_of

if TYPE_CHECKING:
    from assistant.understanding import Part

CONCLUSION = compiled(LANGUAGE.lexicon.conclusions)
DISCIPLINE_STEMS = {s for name in DISCIPLINES for s in stems(name)}
STANDING = 0.85  # a lead that stands on its own may score this much less than the best sentence
NEAR = 0.55  # a sentence of the lead's own chunk joins the answer above this share of its score
FAR = 0.8    # a sentence from elsewhere must come this close to the lead
DETAIL_REACH = 0.65  # ... or this close, when the question asks for detail
ASKED_EXACTLY = 0.6  # share of the question's words: a sentence it asks about, even if filler
RELATED = 0.4  # a sentence of a short lead paragraph joins the answer above this share
RELEVANT = 0.4  # a sentence scoring below this share of the best one (filler too) is off the point
COMPARED = 0.5  # a comparison's best sentence about each discipline, above this share of the lead


@dataclass(frozen=True)
class Budget:
    sentences: int
    chars: int
    reach: float = FAR  # how close to the lead a sentence from elsewhere must come


def budget_for(question: str) -> Budget:
    """About five sentences and 600 characters; one or two when the question asks for a short
    answer ("in one sentence", "briefly"), more when it asks for detail."""
    if PATTERNS["one_sentence"].search(question):
        return Budget(1, 400)
    if PATTERNS["briefly"].search(question):
        return Budget(2, 400)
    if asks_more(question):
        return Budget(8, 1200, DETAIL_REACH)
    return Budget(5, 600)


def asks_more(question: str) -> bool:
    """The question asks for more detail ("tell me more", "in more detail")."""
    return bool(PATTERNS["more_detail"].search(question))


def admissible(candidates: list[Claim], needs: Needs) -> list[Claim]:
    """The candidates an answer may use, best first: usable, standing where they are and on the
    point (within RELEVANT of the best, filler included); filler the question asks about word for
    word may lead."""
    floor = RELEVANT * candidates[0].score if candidates else 0.0
    usable = [c for c in candidates if needs.usable(c) and stands(c, needs) and c.score >= floor]
    exact = next((c for c in candidates if _asked_exactly(c) and stands(c, needs)
                  and not by_cues(c.text)), None)  # "look like this" shares words, says nothing
    if exact is not None and (not usable or exact.score > usable[0].score):
        usable.insert(0, exact)
    return usable


def best_and_rest(usable: list[Claim], part: Part, said: frozenset[str]) -> tuple[Claim, list[Claim]]:
    """The sentence that answers best, and the sentences an answer may use beside it (what the
    previous answer said left out)."""
    kinds = asked_kinds(part.standalone)
    direction = ranking_direction(part.standalone) if part.ranking else None
    fresh = _unsaid(usable, said, part.text, kinds)
    best = _lead(usable, direction, part.topic, kinds)
    if best.text in said and kinds and not answers(best, kinds) and fresh:
        best = _lead(fresh, direction, part.topic, kinds)  # "When?" wants the date, not a repeat
    return best, fresh if best in fresh else [best] + fresh


def compare(chosen: list[Claim], ranked: list[Claim], best: Claim, part: Part, budget: Budget) -> None:
    """For a comparison, the sentence most squarely about each discipline not yet covered."""
    defining = (bool(LANGUAGE.comparison.search(part.standalone))
                and not set(part.topic.aspects) - {"definition"})
    for name in part.topic.disciplines:
        if any(_aboutness(c, name, defining) <= 1 for c in chosen):
            continue
        about = [(_aboutness(c, name, defining), -c.score, i, c) for i, c in enumerate(ranked)
                 if c.score >= COMPARED * best.score and _aboutness(c, name, defining) < 3]
        if about:
            _add(chosen, min(about)[3], budget)


def fill(chosen: list[Claim], ranked: list[Claim], lead: Claim, best: Claim, budget: Budget) -> None:
    """The rest of the answer: the lead's own related sentences (a short paragraph reads as one
    point and comes along whole), then sentences from elsewhere that come close to the best."""
    near = [c for c in ranked if c.doc.id == lead.doc.id and c.score >= NEAR * best.score]
    whole = len(lead.doc.page_content) <= SHORT_PARAGRAPH and budget.sentences > 2
    if whole:
        for claim in [c for c in ranked if c.doc.id == lead.doc.id and c.score >= RELATED * best.score]:
            _add(chosen, claim, Budget(len(near) + len(chosen), 10_000))
    allowed = budget.sentences + (len(chosen) - 1 if whole else 0)
    for claim in ranked:
        if (claim in near or claim.score >= budget.reach * best.score) and len(chosen) < allowed:
            _add(chosen, claim, budget)


def _lead(ranked: list[Claim], direction: str | None, topic: Topic,
          kinds: frozenset[str]) -> Claim:
    """The best sentence, unless it is a conclusion ("That's why ..."), opens its paragraph with a
    pronoun for something the paragraph before said, does not hold what the
    question asks for (who: a person, when: a date, yes/no: a verdict) or, for a question about
    a ranking, does not state that ranking: then the best sentence that states its point on its
    own and holds that, if it comes close."""
    top = ranked[0]

    def fits(claim: Claim) -> bool:
        ranks = ranking_score(claim.text, direction, topic) > 0 if direction else True
        return ranks and (not kinds or answers(claim, kinds))

    opens_on_nothing = top.unit == 0 and bool(PATTERNS["opens_with_pronoun"].match(top.text))
    if not CONCLUSION.match(top.text) and not opens_on_nothing and fits(top):
        return top
    standing = next((c for c in ranked if fits(c) and not (
        ANAPHOR.match(c.text) and needs_antecedent(c, topic))), top)
    return standing if standing.score >= STANDING * top.score else top


def _unsaid(usable: list[Claim], said: frozenset[str], question: str,
            kinds: frozenset[str]) -> list[Claim]:
    """What the previous answer said is not said again (but for the sentence that answers best,
    added by the caller), nor for a sentence holding words the follow-up asks about ("which CI tools?" after a list of them) or what it asks for ("When?":
    the date)."""
    asked = set(stems(question)) - DISCIPLINE_STEMS
    return [c for c in usable if c.text not in said or asked & set(stems(c.text))
            or (kinds and answers(c, kinds))]


def _asked_exactly(claim: Claim) -> bool:
    """The sentence holds most of the question's words, two or more."""
    return claim.overlap >= ASKED_EXACTLY and claim.asked_words >= 2 and standalone(claim.text)


def answers(claim: Claim, kinds: frozenset[str]) -> bool:
    """The sentence holds what the question asks for; for a yes/no question, a sentence right
    after the article's bare "No." or "Yes." holds its verdict too."""
    if answers_kind(claim.text, kinds):
        return True
    if "verdict" not in kinds or claim.unit == 0:
        return False
    return bool(PATTERNS["bare_verdict"].match(unit_claims(claim.doc)[claim.unit - 1].text))


def standalone(text: str) -> bool:
    """Labels and bare questions are never an answer on their own."""
    label = text.endswith(":") or (text.endswith("?") and ":" not in text)
    return len(text) >= 10 and not label and "→" not in text


def _aboutness(claim: Claim, name: str, defining: bool) -> int:
    """How squarely a sentence is about one discipline, for a comparison: 0 its definition
    ("DevOps is the ...", when `defining`: the question asks what tells them apart, no aspect in
    particular), 1 about it alone (naming no other, or in a passage that opens with its name),
    2 naming it among others, 3 not about it."""
    subject = subject_of(claim.doc.page_content)
    names = {n for n in DISCIPLINES if DISCIPLINES[n].search(claim.text)}
    if defining and DEFINITION[name].match(claim.text):
        return 0
    if names <= {name} and (name in names or subject == name) and subject in (None, name):
        return 1
    return 2 if name in names else 3


def _length(claims: list[Claim]) -> int:
    return sum(len(c.text) + 5 for c in claims)


def _add(chosen: list[Claim], claim: Claim, budget: Budget) -> None:
    same = any(c.doc.id == claim.doc.id and c.unit == claim.unit for c in chosen)
    if not same and _length(chosen + [claim]) <= budget.chars:
        chosen.append(claim)
