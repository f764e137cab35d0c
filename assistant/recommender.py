"""The article's "Which 'Ops' should you learn first?" framework as explicit conversation logic.

The recommender sees every turn before retrieval. It remembers a background the user states
about themself, and answers a turn itself when the turn asks what to learn, states a background
(or changes it), or follows up on its last recommendation ("Why?", "And after that?", "How long
does it take?"). Its answers quote the article's own sentences as Claims, so they are cited like
any other answer. Follow-ups that need retrieval (tools, pay, demand) become a standalone question
about the recommended discipline, answered by the normal chain. Everything else goes to the chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.citations import render, verify
from assistant.compose import Claim
from assistant.followup import Conversation
from assistant.index import Index
from assistant.profiles import (AFTER, ASKS, COMPARES, FIRST_PERSON, HOW_LONG, MARKET, NEGATED,
                                PROFILES, QUESTIONISH, ROLE, UNSUPPORTED, VAGUE_ROLES, WHY,
                                Profile, Unsupported, generic)
from assistant.schema import Answer
from assistant.spelling import Speller
from assistant.suggest import BACKGROUNDS
from assistant.text import sentences
from assistant.topics import Topic, topic_of

Background = Profile | Unsupported
PATTERNS = [(re.compile(p, re.I), b) for b in PROFILES + UNSUPPORTED for p in b.patterns]

# A question about these is a question about the article, not a request for a path.
OTHER_ASPECTS = {"tools", "salary", "demand", "testing", "versioning", "monitoring", "pipeline",
                 "artifact", "overlap"}
RETRIEVED = {"tools": "Which tools belong to the {} toolchain?", "salary": "What does {} pay?",
             "demand": "Is there demand for {} jobs?"}
CLARIFY_QUERY = "Which Ops should I learn first? (background not given)"
CLARIFY = ("The article's answer depends on where you start.",
           "Which fits you best: already a software engineer, already a data engineer, already a "
           "data scientist, or coming in fresh with no specialty yet?")
SHORT = 8  # words; a recommendation follow-up is a short question
CLAUSE = 300  # characters; a longer clause is not a request for a path (and would be slow to scan)


@dataclass
class Reply:
    """What the recommender makes of a turn: an answer of its own, or a question for the chain."""

    answer: Answer | None = None
    query: str | None = None
    discipline: str | None = None


class Recommender:
    """Finds backgrounds and recommendation follow-ups in a conversation and answers them."""

    def __init__(self, index: Index, speller: Speller):
        self.speller = speller
        self.profiles = {p.key: p for p in PROFILES}
        self.unsupported = {u.key: u for u in UNSUPPORTED}
        self.claims = _locate([s for p in PROFILES for step in p.steps
                               for s in step.says + step.why] + list(MARKET), index)
        self.enabled = self.claims is not None

    def respond(self, request: dict, chain) -> dict | None:
        """The chain's output state for this turn, or None when the normal chain should answer.

        `request` is the chain's input (question, text, lead, conversation); a follow-up that
        needs retrieval goes through `chain` with its standalone question as the text.
        """
        reply = self.reply(request["question"], request["text"], request["conversation"])
        if reply is None:
            return None
        if reply.query:
            state = chain.invoke({**request, "text": reply.query})
            answer = state["answer"]
            discipline = None if answer.abstained else reply.discipline
            return {**state, "answer": answer.model_copy(update={"recommendation": discipline})}
        answer = reply.answer
        if request["lead"]:
            answer = answer.model_copy(update={"answer": f"{request['lead']} {answer.answer}"})
        return {"answer": answer, "resolved": (answer.rewritten_query, turn_topic(reply))}

    def reply(self, question: str, text: str, conversation: Conversation) -> Reply | None:
        """The recommender's reply to this turn, or None when the normal chain should answer."""
        if not self.enabled:
            return None
        text = self.speller.fix(text.replace("’", "'"))
        found = self.background_in(text)
        if found and FIRST_PERSON.search(text):
            conversation.background = found.key
        context = _context(conversation)
        follow = context and not found and self._follow_up(question, text, conversation, context)
        if follow:
            return follow
        asks = asks_recommendation(text)
        role = None if found else _role(text)
        if role and (asks or _pending(conversation)):
            found = generic(role)
        statement = not QUESTIONISH.search(text) or (context and not _about_else(text))
        if asks or (found and statement):
            return self._recommend(question, text, conversation, found)
        return None

    def background_in(self, text: str) -> Background | None:
        """The background the text states last (later statements win), skipping negated ones."""
        matches = [(m.start(), m.end(), background) for pattern, background in PATTERNS
                   for m in pattern.finditer(text)
                   if not NEGATED.search(text[max(0, m.start() - 30):m.start()])]
        inner = [m for m in matches if any(o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0]
                                           for o in matches)]
        kept = [m for m in matches if m not in inner]
        return max(kept, key=lambda m: m[0])[2] if kept else None

    def remembered(self, conversation: Conversation) -> Background | None:
        key = conversation.background
        if key is None:
            return None
        return self.profiles.get(key) or self.unsupported.get(key) or generic(key)

    def _profile(self, background: Background) -> Profile:
        return background if isinstance(background, Profile) else self.profiles[background.closest]

    def _recommend(self, question, text, conversation, found: Background | None) -> Reply:
        background = found or self.remembered(conversation)
        if background is None:
            answer = Answer(session="", question=question, answer=" ".join(CLARIFY),
                            rewritten_query=CLARIFY_QUERY, suggestions=list(BACKGROUNDS.values()))
            return Reply(answer=answer)
        conversation.background = background.key
        profile = self._profile(background)
        index = _start(profile, background, text)
        step = profile.steps[index]
        notices = _framing(background, profile, remembered=found is None)
        if index and isinstance(background, Profile):
            notices.append(f"Here is the article's step after {profile.steps[index - 1].discipline}.")
        query = f"Which Ops should {background.someone} learn first?"
        return self._answer(question, query, conversation, step.discipline, notices, step.says)

    def _follow_up(self, question, text, conversation, discipline: str) -> Reply | None:
        if len(text.split()) > SHORT:
            return None
        topic = _asked(text)
        if set(topic.disciplines) - {discipline}:
            return WHY.search(text) and self._why(question, conversation, discipline)
        aspects = set(topic.aspects) & set(RETRIEVED)
        if aspects and not COMPARES.search(text):
            template = RETRIEVED[next(a for a in RETRIEVED if a in aspects)]
            return Reply(query=template.format(discipline), discipline=discipline)
        if HOW_LONG.search(text):
            return self._how_long(question, conversation, discipline)
        if AFTER.search(text):
            return self._after(question, conversation, discipline)
        if WHY.search(text) and not set(topic.aspects) & OTHER_ASPECTS:
            return self._why(question, conversation, discipline)
        return None

    def _path(self, conversation: Conversation, discipline: str) -> tuple[Background, Profile, int]:
        background = self.remembered(conversation)
        profile = self._profile(background)
        index = next((i for i, s in enumerate(profile.steps) if s.discipline == discipline), 0)
        return background, profile, index

    def _why(self, question, conversation, discipline) -> Reply:
        background, profile, index = self._path(conversation, discipline)
        notices = [f"Here is the article's reasoning for {profile.someone}."]
        if isinstance(background, Unsupported):
            notices = [f"The article does not cover {background.someone}; here is its reasoning "
                       f"for the closest profile, {profile.someone}."]
        query = f"Why should {background.someone} learn {discipline}?"
        return self._answer(question, query, conversation, discipline, notices,
                            profile.steps[index].why)

    def _after(self, question, conversation, discipline) -> Reply:
        background, profile, index = self._path(conversation, discipline)
        query = f"What should {background.someone} learn after {discipline}?"
        if index + 1 < len(profile.steps):
            step = profile.steps[index + 1]
            notices = [f"Here is the article's next step for {profile.someone}."]
            return self._answer(question, query, conversation, step.discipline, notices, step.says)
        notices = [f"The article names no step after {discipline} for {profile.someone}.",
                   "Here is what it says about going further."]
        return self._answer(question, query, conversation, discipline, notices, MARKET)

    def _how_long(self, question, conversation, discipline) -> Reply:
        background, profile, index = self._path(conversation, discipline)
        notices = [f"The article does not say how long it takes to learn {discipline}: it gives "
                   "no timeline.", f"Here is what it does say about this step for {profile.someone}."]
        query = f"How long does it take {background.someone} to learn {discipline}?"
        return self._answer(question, query, conversation, discipline, notices,
                            profile.steps[index].why)

    def _answer(self, question, query, conversation, discipline, notices, texts) -> Reply:
        """A cited answer from the article's sentences `texts`, framed by uncited `notices`."""
        parts, citations = render([self.claims[t] for t in texts])
        text, cited = verify(notices + parts, citations, tuple(notices))
        conversation.recommendation = discipline
        answer = Answer(session="", question=question, answer=text, citations=cited,
                        recommendation=discipline, rewritten_query=query)
        return Reply(answer=answer, discipline=discipline)


def asks_recommendation(text: str) -> bool:
    """True when the text asks which discipline to learn (not about tools, pay, tests...);
    words of a stated background ("I build pipelines in Airflow") are not what it asks about."""
    clauses = [c for c in re.split(r"[.?!;\n]", text) if len(c) <= CLAUSE]
    return any(ASKS.search(c) for c in clauses) and not set(_asked(text).aspects) & OTHER_ASPECTS


def _about_else(text: str) -> bool:
    """The text names a discipline or an aspect: it is a question about the article."""
    topic = _asked(text)
    return bool(topic.disciplines or set(topic.aspects) & OTHER_ASPECTS)


def _asked(text: str) -> Topic:
    """The topic of the text once its background phrases are taken out."""
    for pattern, _ in PATTERNS:
        text = pattern.sub(" ", text)
    return topic_of(text)


def turn_topic(reply: Reply) -> Topic:
    """The topic a recommender turn leaves for the next turn's follow-up rewriting."""
    return Topic((reply.discipline,) if reply.discipline else (), ())


def _framing(background: Background, profile: Profile, remembered: bool) -> list[str]:
    """The uncited sentences before the quotes: whose path it is, and for an unsupported
    background, that the article does not cover it and why the closest profile was chosen."""
    if isinstance(background, Profile):
        said = " (going by what you said earlier)" if remembered else ""
        return [f"The article has a path for {profile.someone}{said}."]
    return [f"The article's framework does not cover {background.someone}: it names four "
            "backgrounds (software engineer, data engineer, data scientist, coming in fresh).",
            f"My own reading, not the article's: the closest of the four is {profile.someone}, "
            f"because {background.why}.",
            f"Here is what the article says for {profile.someone}."]


def _start(profile: Profile, background: Background, text: str) -> int:
    """Where on the path to start: an unsupported background's own step, or the step after a
    discipline the question says is done ("After DevOps, what next for a software engineer?")."""
    if isinstance(background, Unsupported):
        return background.step
    done = [i for i, s in enumerate(profile.steps) if re.search(rf"\bafter {s.discipline}\b", text, re.I)]
    return min(done[0] + 1, len(profile.steps) - 1) if done else 0


def _context(conversation: Conversation) -> str | None:
    """The recommended discipline while the conversation is still on it: no question about a
    discipline or an aspect (tools, testing, ...) came after the last recommender turn.
    Off-topic, junk and other turns that name neither do not end it."""
    for turn in reversed(conversation.turns):
        if turn.recommendation:
            return conversation.recommendation
        if _about_else(turn.question):
            return None
    return None


def _pending(conversation: Conversation) -> bool:
    """The last turn asked the user for their background."""
    return bool(conversation.turns) and conversation.turns[-1].standalone == CLARIFY_QUERY


def _role(text: str) -> str | None:
    match = ROLE.search(text)
    if not match or match.group(1).lower().split()[-1] in VAGUE_ROLES:
        return None
    return match.group(1)


def _locate(texts: list[str], index: Index) -> dict[str, Claim] | None:
    """Each sentence as a Claim on the chunk that holds it; None if the corpus lacks one."""
    where: dict[str, Claim] = {}
    for doc in index.documents.values():
        for unit, sentence in enumerate(sentences(doc.page_content)):
            where.setdefault(sentence, Claim(sentence, doc, unit, 1.0))
    if not all(t in where for t in texts):
        return None
    return {t: where[t] for t in texts}

