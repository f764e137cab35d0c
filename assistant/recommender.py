"""The article's "Which 'Ops' should you learn first?" framework as conversation logic.

The recommender reads a turn's Understanding. It remembers the background a user states about
themself, and replies itself when the turn asks what to learn, states a background, or follows
up on its last recommendation ("Why?", "And after that?", "How long does it take?"). Its answers
quote the framework's sentences (assistant/language/framework.yaml), so they are cited like any
other. A follow-up that needs retrieval (tools, pay, demand) comes back as a question about the
recommended discipline, for the assistant to answer through the chain; the recommender never
calls the chain itself.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.citations import Line, check_lines, render, text_of
from assistant.claims import Claim, unit_claims
from assistant.clauses import content_words
from assistant.conversation import Conversation, Item
from assistant.index import Index
from assistant.language import OTHER_ROLE, Act, Language, problems
from assistant.language.schema import Background, Path, compiled
from assistant.schema import Answer
from assistant.topics import LANGUAGE
from assistant.understanding import Part, Understanding

log = logging.getLogger("ops_assistant.recommender")
SHORT = 8  # words; a follow-up on a recommendation is a short question
PERSONAL = 6  # content words at most in a follow-up about the user's own case
# A question about these is about the article, not about the recommendation.
OTHER_ASPECTS = {"tools", "salary", "demand", "testing", "versioning", "monitoring", "pipeline",
                 "artifact", "overlap"}


@dataclass
class Recommendation:
    """The recommender's reply: an answer of its own, or a question for the chain (then
    `discipline` is the recommendation the chain's answer carries)."""

    answer: Answer | None = None
    question: str | None = None
    discipline: str | None = None
    items: list[Item] = field(default_factory=list)  # the profiles listed, for "the second one"


class Recommender:
    """Finds backgrounds and recommendation follow-ups in understood turns and answers them."""

    def __init__(self, index: Index, language: Language = LANGUAGE):
        self.language, self.index = language, index
        self.replies = language.replies.recommender
        self.cues = {name: compiled(p) for name, p in language.lexicon.recommender_followups.items()}
        self.problems = problems(language, [d.page_content for d in index.documents.values()],
                                 {d.metadata["section"] for d in index.documents.values()})
        framework = [p for p in self.problems if p.startswith("framework.yaml")]
        self.claims = None if framework else _locate(language.framework.quoted(), index)
        if framework:  # one short line; `ops-assistant check-language` lists every problem
            log.warning("the article is not in the index (or not all of it), so the learn-first "
                        "recommender is off; ingest it with your files: `ops-assistant ingest "
                        "corpus YOUR_FOLDER` (`ops-assistant check-language` lists what is missing)")

    @property
    def enabled(self) -> bool:
        return self.claims is not None

    def reply(self, question: str, understood: Understanding,
              conversation: Conversation) -> Recommendation | None:
        """The recommender's reply to this turn, or None when the chain should answer it."""
        asked = conversation.asked_background
        conversation.asked_background = False
        if understood.background:
            conversation.background = understood.background
        wants = understood.act in (Act.learning_path, Act.background) or (
            asked and understood.background)
        if not self.enabled:
            if understood.act is Act.learning_path:
                return Recommendation(answer=Answer(session="", question=question,
                                                   answer=self.replies["unavailable"]))
            return None
        context = _context(conversation)
        if context and understood.parts:
            follow = self._follow_up(question, understood, conversation, context)
            if follow:
                return follow
        someone_else = self._someone_else(understood)
        if wants or (context and someone_else):
            return self._recommend(question, understood, conversation, someone_else)
        return None

    def _someone_else(self, understood: Understanding) -> str | None:
        """The role the message names when it is not the user's own ("and for a data
        scientist?"); a weak role the user gives beside what they do ("stats grad, i build
        models") is their own, read from what they do."""
        named, own = understood.named_background, understood.background
        weak = named is not None and getattr(self.language.backgrounds.get(named), "weak", False)
        return named if named != own and not (own and weak) else None

    def background(self, key: str | None) -> Background | None:
        """A background by its key; a role nobody listed maps to the framework's fallback."""
        if key is None:
            return None
        known = self.language.backgrounds.get(key)
        if known:
            return known
        other = self.language.other_role
        someone = other.someone if key == OTHER_ROLE else f"{'an' if key[:1] in 'aeiou' else 'a'} {key}"
        return Background(key=key, someone=someone, closest=other.closest, why=other.why)

    def _path(self, background: Background) -> tuple[Background, Path]:
        profile_key = background.closest or background.key
        return self.language.backgrounds[profile_key], self.language.framework.paths[profile_key]

    def _recommend(self, question: str, understood: Understanding, conversation: Conversation,
                   someone_else: str | None = None) -> Recommendation:
        """The path for the user's background, or for `someone_else` the message asks about
        ("why should a data scientist skip DevOps?"), which is not remembered as the user's."""
        key = someone_else or understood.background or conversation.background
        background = self.background(key)
        if background is None:
            return self._framework(question, conversation)
        profile, path = self._path(background)
        index = _start(path, background, understood.text)
        step = path.steps[index]
        remembered = someone_else is None and understood.background is None
        inferred = (someone_else is None and understood.background is not None
                    and understood.named_background != understood.background)
        notices = self._framing(background, profile, remembered=remembered, inferred=inferred)
        if index and background.closest is None:
            notices.append(self.replies["next_step"].format(discipline=path.steps[index - 1].discipline))
        query = f"Which Ops should {background.someone} learn first?"
        conversation.recommended_for = background.key
        return self._answer(question, query, conversation, step.discipline, notices, step.says)

    def _framework(self, question: str, conversation: Conversation) -> Recommendation:
        """No background known: the framework in brief, cited, then which profile fits."""
        claims = [self.claims[s] for path in self.language.framework.paths.values()
                  for s in (path.label, *path.brief)]
        lines, citations = render([self.replies["framework"], *claims], self.index.section_chunks)
        lines, citations = check_lines(lines + [Line(self.replies["clarify"])], citations)
        conversation.asked_background = True
        answer = Answer(session="", question=question, answer=text_of(lines), citations=citations,
                        rewritten_query=self.language.suggestions.learn_first,
                        suggestions=list(self.language.suggestions.backgrounds.values()))
        return Recommendation(answer=answer,
                              items=[Item(label=key) for key in self.language.framework.paths])

    def _framing(self, background: Background, profile: Background, remembered: bool,
                 inferred: bool = False) -> list[str]:
        """Our own words before the quotes: whose path it is (and, when the user described
        themself without naming the role, that this is our reading), and for a background the
        article does not name, that it does not, and why the closest profile was chosen."""
        if background.closest is None:
            earlier = (self.replies["earlier"] if remembered
                       else self.replies["inferred"] if inferred else "")
            return [self.replies["path"].format(someone=profile.someone, earlier=earlier)]
        return [self.replies["unlisted"].format(someone=background.someone),
                self.replies["own_reading"].format(closest=profile.someone, why=background.why),
                self.replies["here_is"].format(closest=profile.someone)]

    def _follow_up(self, question: str, understood: Understanding, conversation: Conversation,
                   discipline: str) -> Recommendation | None:
        part = (understood.questions or understood.parts)[0]  # "thx! and after that?": past the thanks
        text = part.text
        personal = self._personal(part, understood)
        if len(text.split()) > SHORT and not personal:
            return None
        if understood.named_background and not understood.background:  # "and for a data scientist?"
            return self._recommend(question, understood, conversation, understood.named_background)
        if set(part.disciplines) - {discipline}:
            asks_why = self.cues["why"].search(text) or personal  # "so is my work dataops already?"
            return self._why(question, conversation, discipline) if asks_why else None
        asks = [a for a in self.language.replies.recommender_questions if a in part.aspects]
        if asks and not self.cues["compares"].search(text):
            template = self.language.replies.recommender_questions[asks[0]]
            return Recommendation(question=template.format(discipline=discipline),
                                  discipline=discipline)
        if self.cues["how_long"].search(text):
            return self._how_long(question, conversation, discipline)
        if self.cues["after"].search(text):
            return self._after(question, conversation, discipline)
        if (self.cues["why"].search(text) or personal) and not set(part.aspects) & OTHER_ASPECTS:
            return self._why(question, conversation, discipline)
        return None

    def _personal(self, part: Part, understood: Understanding) -> bool:
        """A few words about the user's own case, no new background ("but how will i learn docker
        then", "is what my team does dataops already?"): the recommendation's reasoning answers it."""
        return (bool(self.language.first_person.search(part.text)) and not understood.background
                and len(content_words(part.text)) <= PERSONAL
                and not set(part.aspects) & OTHER_ASPECTS)

    def _step(self, conversation: Conversation, discipline: str
              ) -> tuple[Background, Background, Path, int]:
        background = self.background(conversation.recommended_for or conversation.background)
        profile, path = self._path(background)
        index = next((i for i, s in enumerate(path.steps) if s.discipline == discipline), 0)
        return background, profile, path, index

    def _why(self, question, conversation, discipline) -> Recommendation:
        background, profile, path, index = self._step(conversation, discipline)
        notices = [self.replies["reasoning"].format(someone=profile.someone)]
        if background.closest is not None:
            notices = [self.replies["reasoning_unlisted"].format(someone=background.someone,
                                                                 closest=profile.someone)]
        query = f"Why should {background.someone} learn {discipline}?"
        return self._answer(question, query, conversation, discipline, notices, path.steps[index].why)

    def _after(self, question, conversation, discipline) -> Recommendation:
        background, profile, path, index = self._step(conversation, discipline)
        query = f"What should {background.someone} learn after {discipline}?"
        if index + 1 < len(path.steps):
            step = path.steps[index + 1]
            notices = [self.replies["after"].format(someone=profile.someone)]
            return self._answer(question, query, conversation, step.discipline, notices, step.says)
        notices = [self.replies["no_step_after"].format(discipline=discipline, someone=profile.someone),
                   self.replies["going_further"]]
        return self._answer(question, query, conversation, discipline, notices,
                            self.language.framework.market)

    def _how_long(self, question, conversation, discipline) -> Recommendation:
        background, profile, path, index = self._step(conversation, discipline)
        notices = [self.replies["how_long"].format(discipline=discipline),
                   self.replies["how_long_says"].format(someone=profile.someone)]
        query = f"How long does it take {background.someone} to learn {discipline}?"
        return self._answer(question, query, conversation, discipline, notices, path.steps[index].why)

    def _answer(self, question, query, conversation, discipline, notices, texts) -> Recommendation:
        """A cited answer from the framework's sentences `texts`, framed by uncited `notices`."""
        lines, citations = check_lines(*render([*notices, *(self.claims[t] for t in texts)],
                                                self.index.section_chunks))
        conversation.recommendation = discipline
        answer = Answer(session="", question=question, answer=text_of(lines), citations=citations,
                        recommendation=discipline, rewritten_query=query)
        return Recommendation(answer=answer, discipline=discipline)


def _start(path: Path, background: Background, text: str) -> int:
    """Where on the path to start: an unlisted background's own step, or the step after a
    discipline the message says is done ("After DevOps, what next for a software engineer?")."""
    if background.closest is not None:
        return background.step
    done = [i for i, s in enumerate(path.steps) if re.search(rf"\bafter {s.discipline}\b", text, re.I)]
    return min(done[0] + 1, len(path.steps) - 1) if done else 0


def _context(conversation: Conversation) -> str | None:
    """The recommended discipline while the conversation is still on it: no question about a
    discipline or an aspect (tools, testing, ...) came after the last recommender turn."""
    for turn in reversed(conversation.turns):
        if turn.recommendation:
            return conversation.recommendation
        if turn.topic.disciplines or set(turn.topic.aspects) & OTHER_ASPECTS:
            return None
    return None


def _locate(texts: list[str], index: Index) -> dict[str, Claim] | None:
    """Each sentence as a Claim on the chunk that holds it; None if the index lacks one."""
    where: dict[str, Claim] = {}
    wanted = set(texts)
    for doc in index.documents.values():
        for claim in unit_claims(doc, 1.0):
            if claim.text in wanted and claim.text not in where:
                where[claim.text] = claim
        if len(where) == len(wanted):  # the first chunk holding each is found: stop reading
            return {t: where[t] for t in texts}
    return None
