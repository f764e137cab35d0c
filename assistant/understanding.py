"""The understanding step: a message and the conversation in, a typed `Understanding` out.

Every turn is understood before anything is retrieved: its dialogue act (small talk, a question
about the article, a learning-path request, a statement of background, a request outside the
article, a question about the assistant, another language), the background it states, and its
questions ("parts"), each made to stand on its own: references resolved, and the conversation's
disciplines and aspect carried over only when the part leans on it. Routing, scope, the
recommender and the composer read this object; none of them parses the message again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from pydantic import BaseModel, Field

from assistant.backgrounds import find_background, named_background
from assistant.clauses import content_words, normalized, other_language, split_clauses
from assistant.conversation import Conversation, Item, Turn
from assistant.followups import (asks_again, carried_over, compares_unnamed, without_length,
                                 leans_on_context, only_named, plain_question, spelled_three,
                                 the_three, with_length_requests)
from assistant.language import Act, Language
from assistant.language.schema import words_pattern
from assistant.intent_checks import intents_of
from assistant.nlu import Prediction
from assistant.references import (Context, Reference, Resolution, mentions_in, points_at_item,
                                  resolve_item, resolve_mentions, spelled_out, without_titles)
from assistant.text import STOPWORDS, words
from assistant.topics import DISCIPLINES, LANGUAGE, Topic, aspect_words, topic_of

RECENT = 4             # turns; "the second one" points at a list given this recently
ACT_ORDER = (Act.learning_path, Act.question, Act.background, Act.about_assistant,
             Act.out_of_scope, Act.small_talk)


class Part(BaseModel):
    """One question of a message, as it stands on its own."""

    text: str
    resolved: str  # the text with its references replaced (what the classifier reads)
    standalone: str  # and with the conversation's topic carried over where it leans on it
    question: str = ""  # the standalone question as a person would write it (shown as "Read as")
    disciplines: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()
    act: Act = Act.question
    intent: str = "ask_article"
    follow_up: bool = False
    references: list[Reference] = []
    item: Item | None = None
    item_index: int | None = None
    listed: list[Item] = []  # the list `item` is from
    dangling: bool = False  # a pronoun it uses points at nothing said before
    unpointed: bool = False  # a position ("the second one") with no list to take it from
    again: bool = False  # asks the previous question again, only shorter or longer
    ranking: bool = False
    enumeration: bool = False

    @property
    def topic(self) -> Topic:
        return Topic(self.disciplines, self.aspects)

    @property
    def retrieval_query(self) -> str:
        """The standalone question widened by the words of its aspects ("in common" -> "overlap
        shared all three"), as retrieval searches for it; "what is X" of something other than a
        discipline ("what is DVC") is not widened towards the disciplines' definitions."""
        aspects = self.aspects if self.disciplines else tuple(a for a in self.aspects
                                                              if a != "definition")
        return f"{self.standalone} {aspect_words(aspects)}".strip()


class Understanding(BaseModel):
    """What one message does and asks. `parts` are its questions (one for most messages)."""

    text: str
    act: Act
    intent: str
    confidence: float = 1.0
    language: str = "English"
    background: str | None = None  # the user's own: a key of backgrounds.yaml, or a role it lacks
    named_background: str | None = None  # one it names, maybe someone else's ("for a data scientist?")
    parts: list[Part] = Field(default_factory=list)  # every clause, as it stands on its own

    @property
    def questions(self) -> list[Part]:
        """The parts to answer from the article: questions, and requests it may decline."""
        return [p for p in self.parts if p.act in (Act.question, Act.out_of_scope)]

    @property
    def standalone(self) -> str:
        return " ".join(p.standalone for p in self.questions) or self.text

    @property
    def question(self) -> str:
        """The message's questions as plain standalone questions (what "Read as" shows)."""
        return " ".join(p.question or p.standalone for p in self.questions) or self.text

    @property
    def topic(self) -> Topic:
        disciplines = tuple(dict.fromkeys(d for p in self.questions for d in p.disciplines))
        aspects = tuple(dict.fromkeys(a for p in self.questions for a in p.aspects))
        return Topic(disciplines, aspects)


class Reader:
    """What understanding needs besides the text: the language data, the classifiers (as
    functions from texts to predictions), the corpus speller, and `prefetch`, which embeds in one
    model call every text this turn will need (the classifiers', retrieval's and the composer's)."""

    def __init__(self, intents: Callable[[list[str]], list[Prediction]],
                 backgrounds: Callable[[list[str]], list[Prediction]],
                 fix_spelling: Callable[[str], str], is_english_word: Callable[[str], bool],
                 headings: list[str] = (), language: Language = LANGUAGE,
                 prefetch: Callable[[list[str]], object] = lambda texts: None,
                 other_files: bool = False,
                 lists: Callable[[str], list[Item]] = lambda text: []):
        self.intents, self.backgrounds, self.prefetch = intents, backgrounds, prefetch
        self.lists = lists  # the items of the index's list a text names by its heading
        self.other_files = other_files  # the index holds files beside the article
        self.fix_spelling, self.is_english_word = fix_spelling, is_english_word
        self.headings = [set(content_words(h)) for h in dict.fromkeys(headings)]
        self.language = language

    def names_a_heading(self, text: str) -> bool:
        """Two or more of the text's words make up most of a heading of the index ("the notes for
        the assistant" when a document is headed "Notes for the assistant")."""
        asked = set(content_words(text))
        return len(asked) >= 2 and any(asked <= h and len(asked) * 2 >= len(h) for h in self.headings)


def understand(text: str, conversation: Conversation, reader: Reader) -> Understanding:
    """Understand `text` (already cleaned) as a turn of `conversation`."""
    language = reader.language
    foreign = other_language(text, reader.is_english_word, language)
    if foreign:
        return Understanding(text=text, act=Act.other_language, intent="other_language",
                             language=foreign)
    clauses = with_length_requests(split_clauses(normalized(text, language)))
    parts = _parts(clauses, conversation, reader)
    reader.prefetch([p.resolved for p in parts] + [q for p in parts
                                                   for q in (p.retrieval_query, p.standalone)])
    fixed = [part.resolved if part.item is not None else reader.fix_spelling(clause)
             for clause, part in zip(clauses, parts)]  # "im a data engneer"; "the second one"
    predictions = intents_of(parts, fixed, reader)
    acts = [language.act_of(p.label) for p in predictions]
    act = next(a for a in ACT_ORDER if a in acts)
    chosen = predictions[acts.index(act)]
    background = find_background(fixed, acts, conversation, reader.backgrounds, language)
    named = named_background(" ".join(fixed), language)
    parts = [part.model_copy(update={"act": a, "intent": p.label})
             for part, p, a in zip(parts, predictions, acts)]
    return Understanding(text=text, act=act, intent=chosen.label, confidence=chosen.confidence,
                         background=background, named_background=named, parts=parts)


def _parts(clauses: list[str], conversation: Conversation, reader: Reader) -> list[Part]:
    """Each clause made to stand on its own; a clause leans on the one before it, the first on
    the conversation."""
    parts: list[Part] = []
    for clause in clauses:
        context, previous = _context(parts, conversation, reader.language)
        parts.append(make_part(clause, context, previous, reader))
    return parts


def _context(parts: list[Part], conversation: Conversation, language: Language
             ) -> tuple[Context, Part | Turn | None]:
    """What a clause may point back at: the clause before it (unless it is only chat), else the
    last question of the conversation (and the last list given, if that question gave none)."""
    chat = parts and all(w in STOPWORDS or w in language.chat_words for w in words(parts[-1].text))
    if parts and not chat:  # "thx. whats the 2nd one": past the thanks
        last = parts[-1]
        return Context(mentions=mentions_in(last.standalone)), last
    turn = conversation.last
    if turn is None:
        return Context(), None
    listed = next((t for t in reversed(conversation.turns[-RECENT:]) if t.items), None)
    return Context(mentions=turn.mentions, items=listed.items if listed else [],
                   item=turn.item), turn


def _walked_through(previous: Part | Turn | None) -> list[Item]:
    """After a question about one side of one or two disciplines ("testing in devops?", "and
    dataops?"), "the third one" is the third of the three in the article's order (after "what is
    devops?", "the third one" points at nothing)."""
    if (previous is None or len(previous.topic.disciplines) not in (1, 2)
            or not set(previous.topic.aspects) - {"definition"}):
        return []
    return [Item(label=name) for name in DISCIPLINES]


def _the_other(text: str, previous: Part | Turn | None, language: Language
               ) -> Resolution | None:
    """"the other one" after a question about two of the disciplines: the third."""
    match = language.the_other.search(text)
    if match is None or previous is None or len(previous.topic.disciplines) != 2:
        return None
    (other,) = [name for name in DISCIPLINES if name not in previous.topic.disciplines]
    resolved = text[:match.start()] + other + text[match.end():]
    return Resolution(resolved, [Reference(phrase=match.group(0), resolved=other)])


def _ranks_one(text: str, topic: Topic, previous: Part | Turn | None, language: Language) -> bool:
    """A ranking naming no discipline ("which one pays best?") after a question about one
    discipline ranks the three: one alone has no ranking."""
    return (previous is not None and not topic.disciplines and language.asks_ranking(text)
            and len(previous.topic.disciplines) == 1)


def make_part(text: str, context: Context, previous: Part | Turn | None, reader: Reader) -> Part:
    """One question made standalone: spelling repaired, names given in full ("the WEF report"),
    references resolved, and the previous topic's disciplines and aspects carried over when the
    question leans on it."""
    language = reader.language
    fixed = spelled_out(reader.fix_spelling(text), language)
    resolution = resolve_item(fixed, context, language)
    pointing = resolution is None and points_at_item(fixed, language)
    if pointing:  # "the 2nd difference", no list yet
        named = Context(mentions=context.mentions, items=reader.lists(fixed))
        resolution = resolve_item(fixed, named, language)
        context = named if resolution else context
        walked = resolve_item(fixed, Context(items=_walked_through(previous)), language)
        if resolution is None and walked:  # a discipline named by its place: a plain follow-up
            resolution = Resolution(walked.text, walked.references)
    resolution = resolution or _the_other(fixed, previous, language) or resolve_mentions(
        fixed, context, language)
    topic = topic_of(resolution.text)
    again = (previous is not None and asks_again(fixed)
             and not language.the_article.search(fixed))  # "summarize the article": all of it
    follow_up = again or bool(resolution.references) or leans_on_context(fixed, topic, language)
    carries = follow_up and previous is not None and bool(previous.topic.aspects)
    if not carries and only_named(fixed, topic):  # "devops?": what it is; after "pay?", its pay
        topic = Topic(topic.disciplines, ("definition",))
    standalone = question = resolution.text
    if again:  # "shorter please": the last question, at another length
        standalone, topic, question = previous.standalone, previous.topic, _asked(previous)
    elif _ranks_one(resolution.text, topic, previous, language):  # "which one pays best?"
        standalone, topic = the_three(resolution.text, topic)
        question = standalone
    elif follow_up and previous is not None and resolution.item is None:
        own = topic
        standalone, topic = carried_over(resolution.text, topic, previous.topic, previous.standalone)
        question = plain_question(resolution.text, own, topic, _asked(previous))
    unheld = previous is None and _plural_pronoun(language).search(resolution.text)
    if compares_unnamed(resolution.text, topic, language) or (unheld and not topic.disciplines):
        standalone, topic = the_three(standalone, topic)
        question = the_three(resolution.text, topic)[0]
        follow_up = follow_up and previous is not None  # leans on the article, not the chat
    elif spelled_three(standalone, language):
        standalone = question = spelled_three(standalone, language)
    standalone = without_length(standalone)
    item = context.items[resolution.item] if resolution.item is not None else None
    return Part(text=text, resolved=resolution.text, standalone=standalone, question=question,
                disciplines=topic.disciplines,
                aspects=topic.aspects, follow_up=follow_up, references=resolution.references,
                item=item, item_index=resolution.item,
                listed=context.items if item is not None else [],
                dangling=bool(pronouns(language).search(resolution.text)), again=again,
                unpointed=(pointing and resolution.item is None and not resolution.references
                           and len(content_words(fixed)) <= 1),  # "and the 3rd?" alone
                ranking=language.asks_ranking(standalone),
                enumeration=bool(language.list_cue.search(without_titles(fixed, language))))


@cache
def _plural_pronoun(language: Language) -> re.Pattern:
    """"they", "them", "their": with nothing said before, the article's three disciplines."""
    return words_pattern(language.lexicon.references["group"])


@cache
def pronouns(language: Language) -> re.Pattern:
    refs = language.lexicon.references
    return words_pattern([w for kind in ("person", "group", "thing") for w in refs[kind]])


def _asked(previous: Part | Turn) -> str:
    """The previous question as asked, without what an earlier follow-up put before it ("In one
    sentence — What is MLOps?" is "What is MLOps?"), so follow-ups do not pile up."""
    asked = previous.question if isinstance(previous, Part) else previous.asked
    return asked.rsplit(" — ", 1)[-1] if asked else asked
