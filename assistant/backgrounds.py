"""Who the user says they are: a background of backgrounds.yaml, read from the role names they
give and from how they describe their work, or a role the framework does not list."""

from __future__ import annotations

import re

from assistant.clauses import asks, content_words
from assistant.conversation import Conversation
from assistant.language import OTHER_ROLE, Act, Language
from assistant.topics import LANGUAGE, NAME_WORDS, disciplines_in

MIN_BACKGROUND = 0.45   # a background read from a description among 15 (other roles included)


def find_background(clauses: list[str], acts: list[Act], conversation: Conversation,
                    classify, language: Language = LANGUAGE) -> str | None:
    """The background the user states about themself: the last role name they give (not one they
    negate), else the closest background to how they describe themself, else a role nobody
    listed ("I'm a nurse"). A clause is about the user when it is a statement about oneself, says
    "I"/"my", is a fragment beside a learning-path request ("SRE for 4 years, ..."), or answers
    the recommender's question; a role named in another question is someone else's.
    `classify` maps self-descriptions to background Predictions (assistant/nlu.py)."""
    asks_path = Act.learning_path in acts
    kept = [i for i, clause in enumerate(clauses) if not offers_choice(clause)]
    clauses, acts = [clauses[i] for i in kept], [acts[i] for i in kept]
    own = [c for c, a in zip(clauses, acts)
           if a is Act.background or language.first_person.search(c) or conversation.asked_background
           or (asks_path and a is not Act.learning_path and not asks(c))
           or (len(c.split()) <= 4 and named_background(c, language))]
    text = " ".join(own)
    if not text:
        return None
    named = named_background(text, language)
    if named and not language.backgrounds[named].weak:
        return named
    own_statements = [c for c, a in zip(clauses, acts) if a is Act.background]
    described = own_statements + [c for c, a in zip(clauses, acts)
                                  if asks_path and a not in (Act.learning_path, Act.background)
                                  and not asks(c)]
    readings = classify([without_others_roles(c, language) for c in described]) if described else []
    for clause, prediction in zip(described, readings):
        about_self = language.first_person.search(clause) or clause in own_statements
        if prediction.label == OTHER_ROLE and about_self:
            return named or other_role(text, language) or OTHER_ROLE
        if prediction.label != OTHER_ROLE and prediction.confidence >= MIN_BACKGROUND:
            return prediction.label
    return named or other_role(text, language)


def offers_choice(clause: str) -> bool:
    """"devops, dataops or mlops?": the options a question chooses among, not the user's role."""
    return len(disciplines_in(clause)) >= 2 and all(w in NAME_WORDS for w in content_words(clause))


def named_background(text: str, language: Language = LANGUAGE) -> str | None:
    """The last role name the text gives ("data engineer"), skipping negated ones and other
    people's ("my wife is a data scientist"); the longest where two overlap ("ml engineer" over
    "engineer")."""
    negation = re.compile(language.lexicon.negation, re.I)
    found = [(m.start(), m.end(), key) for pattern, key in language.background_names
             for m in pattern.finditer(text)
             if not negation.search(text[max(0, m.start() - 30):m.start()])
             and not _someone_elses(text, m.start(), language)]
    longest = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0]
                                           for o in found)]
    return max(longest)[2] if longest else None


def _someone_elses(text: str, start: int, language: Language) -> bool:
    """The role name at `start` is another person's ("my wife is a ...", "we hired two ...")."""
    return bool(re.search(language.lexicon.others_role, text[max(0, start - 40):start], re.I))


def without_others_roles(text: str, language: Language = LANGUAGE) -> str:
    """`text` with other people's role names left out, for the background classifier."""
    spans = [m.span() for pattern, _ in language.background_names for m in pattern.finditer(text)
             if _someone_elses(text, m.start(), language)]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "them" + text[end:]
    return text


def other_role(text: str, language: Language) -> str | None:
    """A role the backgrounds do not list, as the user names it ("I'm a nurse": "nurse")."""
    match = re.search(language.lexicon.role_statement, text, re.I)
    if not match or match.group(1).lower().split()[-1] in language.lexicon.vague_roles:
        return None
    return match.group(1).lower()
