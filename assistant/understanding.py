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

from assistant.conversation import Conversation, Item
from assistant.language import OTHER_ROLE, Act, Language
from assistant.language.schema import words_pattern
from assistant.nlu import Prediction
from assistant.references import Context, Reference, mentions_in, resolve_item, resolve_mentions
from assistant.text import STOPWORDS, words
from assistant.topics import LANGUAGE, Topic, aspect_words, topic_of

MIN_CONFIDENCE = 0.5   # below this, a clause is taken for a question and scope decides
MIN_OUT_OF_SCOPE = 0.6  # a decline without looking needs a surer verdict
MIN_BACKGROUND = 0.45   # a background read from a description among 15 (other roles included)
SHORT = 3              # content words; a part this short leans on the conversation
RECENT = 4             # turns; "the second one" points at a list given this recently
ARTICLE_KINDS = {"person", "group", "work", "event", "discipline"}  # what only the article knows
ACT_ORDER = (Act.learning_path, Act.question, Act.background, Act.about_assistant,
             Act.out_of_scope, Act.small_talk)


class Part(BaseModel):
    """One question of a message, as it stands on its own."""

    text: str
    resolved: str  # the text with its references replaced (what the classifier reads)
    standalone: str  # and with the conversation's topic carried over where it leans on it
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
    ranking: bool = False
    enumeration: bool = False

    @property
    def topic(self) -> Topic:
        return Topic(self.disciplines, self.aspects)


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
    def topic(self) -> Topic:
        disciplines = tuple(dict.fromkeys(d for p in self.questions for d in p.disciplines))
        aspects = tuple(dict.fromkeys(a for p in self.questions for a in p.aspects))
        return Topic(disciplines, aspects)


class Reader:
    """What understanding needs besides the text: the language data, the classifiers (as
    functions from texts to predictions) and the corpus speller."""

    def __init__(self, intents: Callable[[list[str]], list[Prediction]],
                 backgrounds: Callable[[list[str]], list[Prediction]],
                 fix_spelling: Callable[[str], str], is_english_word: Callable[[str], bool],
                 headings: list[str] = (), language: Language = LANGUAGE):
        self.intents, self.backgrounds = intents, backgrounds
        self.fix_spelling, self.is_english_word = fix_spelling, is_english_word
        self.headings = [set(_content(h)) for h in dict.fromkeys(headings)]
        self.language = language

    def names_a_heading(self, text: str) -> bool:
        """Two or more of the text's words make up most of a heading of the index ("the notes for
        the assistant" when a document is headed "Notes for the assistant")."""
        asked = set(_content(text))
        return len(asked) >= 2 and any(asked <= h and len(asked) * 2 >= len(h) for h in self.headings)


def understand(text: str, conversation: Conversation, reader: Reader) -> Understanding:
    """Understand `text` (already cleaned) as a turn of `conversation`."""
    language = reader.language
    foreign = other_language(text, reader)
    if foreign:
        return Understanding(text=text, act=Act.other_language, intent="other_language",
                             language=foreign)
    clauses = split_clauses(normalized(text, language))
    parts = _parts(clauses, conversation, reader)
    predictions = [_sure(p, part.resolved, reader)
                   for p, part in zip(reader.intents([p.resolved for p in parts]), parts)]
    acts = [language.act_of(p.label) for p in predictions]
    act = next(a for a in ACT_ORDER if a in acts)
    chosen = predictions[acts.index(act)]
    background = find_background(clauses, acts, conversation, reader)
    named = _named_background(" ".join(clauses), language)
    parts = [part.model_copy(update={"act": a, "intent": p.label})
             for part, p, a in zip(parts, predictions, acts)]
    return Understanding(text=text, act=act, intent=chosen.label, confidence=chosen.confidence,
                         background=background, named_background=named, parts=parts)


def _sure(prediction: Prediction, clause: str, reader: Reader) -> Prediction:
    """The classifier's verdict, checked against exact cues. A question for scope to judge:
    a doubtful verdict; chatter or a request that names a discipline or starts like a follow-up
    ("and after that?", "what about monitoring?"); a "general knowledge" question about someone
    or something the article names; a statement of background without "I"/"my" or a role name;
    a text without one English word ("qwertyuiop"); a question "about the assistant" that names
    something unknown ("what is LLMOps?")."""
    language = reader.language
    act = language.act_of(prediction.label)
    if act is Act.question:
        return prediction
    doubtful = prediction.confidence < (MIN_OUT_OF_SCOPE if act is Act.out_of_scope
                                        else MIN_CONFIDENCE)
    leaning = bool(topic_of(clause).disciplines or language.follow_up_start.search(clause))
    chatter = act in (Act.small_talk, Act.about_assistant) and leaning
    named = (prediction.label == "general_knowledge" and any(
        m.kind in ARTICLE_KINDS for m in mentions_in(clause, language))
        or act in (Act.about_assistant, Act.out_of_scope) and reader.names_a_heading(clause))
    selfless = act is Act.background and not (language.first_person.search(clause)
                                              or _named_background(clause, language))
    tokens = words(clause)
    gibberish = not any(w in STOPWORDS or reader.is_english_word(w) for w in tokens)
    unknown = act is Act.about_assistant and not all(  # "what is LLMOps": not about the assistant
        w in STOPWORDS or reader.is_english_word(w) for w in tokens)
    if doubtful or chatter or named or selfless or gibberish or unknown:
        return Prediction("ask_article", prediction.confidence)
    return prediction


def normalized(text: str, language: Language) -> str:
    """The text with chat slang spelt out and a name it addresses ("..., José?") left out."""
    for vocative in language.vocatives:
        match = vocative.search(text)
        if match and not mentions_in(match.group(1), language):
            text = (text[:match.start(1)] + text[match.end(1):]).strip(" ,")
    slang = language.lexicon.slang
    return language.slang.sub(lambda m: slang[m.group(0).lower()], text)


def split_clauses(text: str) -> list[str]:
    """Sentences, and within them each question joined by "and"/a comma ("who coined devops,
    and who coined dataops?" is two); a choice that leans on the clause before it ("argo or flux,
    which is better?") stays with it."""
    starts = "|".join(LANGUAGE.lexicon.question_words)
    joint = re.compile(rf"(?:,\s*(?:and|or|but|also|plus)?|\s+(?:and|also|plus))\s+(?=(?:{starts})\b)",
                       re.I)
    clauses = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text.strip()):
        pieces = [c.strip(" ,") for c in joint.split(sentence) if c.strip(" ,")]
        for piece in pieces:
            if clauses and piece is not pieces[0] and _chooses(piece):
                clauses[-1] = f"{clauses[-1]}, {piece}"
            else:
                clauses.append(piece)
    return _joined_fillers(clauses) or [text]


def _joined_fillers(clauses: list[str]) -> list[str]:
    """A clause of filler words only ("Also,", "So") belongs to the one after it."""
    joined: list[str] = []
    for clause in reversed(clauses):
        if joined and not _content(clause) and not clause.rstrip().endswith("?"):
            joined[-1] = f"{clause} {joined[-1]}"
        else:
            joined.append(clause)
    return joined[::-1]


def _asks(clause: str) -> bool:
    """The clause is a question: a question mark, or a question word first."""
    starts = LANGUAGE.lexicon.question_words
    first = (words(clause) or [""])[0]
    return clause.rstrip().endswith("?") or first in starts


def _chooses(clause: str) -> bool:
    """"which is better?", "which one?": a choice among what the clause before named."""
    return bool(re.match(r"which\b", clause, re.I)) and len(_content(clause)) <= 1


def other_language(text: str, reader: Reader) -> str | None:
    """The language a message is written in when it is not English (its function words), else
    None. A message with English words and a name or two ("DataOps, José?") is English."""
    tokens = [w.strip("¿¡") for w in words(text)]
    english = sum(w in STOPWORDS or reader.is_english_word(w) for w in tokens)
    best, count = None, 0
    for name, function_words in reader.language.lexicon.languages.items():
        hits = sum(w in function_words and w not in STOPWORDS for w in tokens)
        if hits > count:
            best, count = name, hits
    return best if count >= 2 and count > english / 2 else None


def find_background(clauses: list[str], acts: list[Act], conversation: Conversation,
                    reader: Reader) -> str | None:
    """The background the user states about themself: the last role name they give (not one they
    negate), else the closest background to how they describe themself, else a role nobody
    listed ("I'm a nurse"). A clause is about the user when it is a statement about oneself, says
    "I"/"my", is a fragment beside a learning-path request ("SRE for 4 years, ..."), or answers
    the recommender's question; a role named in another question is someone else's."""
    language = reader.language
    asks_path = Act.learning_path in acts
    own = [c for c, a in zip(clauses, acts)
           if a is Act.background or language.first_person.search(c) or conversation.asked_background
           or (asks_path and a is not Act.learning_path and not _asks(c))
           or (len(c.split()) <= 4 and _named_background(c, language))]
    text = " ".join(own)
    if not text:
        return None
    named = _named_background(text, language)
    if named and not language.backgrounds[named].weak:
        return named
    own_statements = [c for c, a in zip(clauses, acts) if a is Act.background]
    described = own_statements + [c for c, a in zip(clauses, acts)
                                  if asks_path and a not in (Act.learning_path, Act.background)
                                  and not _asks(c)]
    for clause, prediction in zip(described, reader.backgrounds(described) if described else []):
        about_self = language.first_person.search(clause) or clause in own_statements
        if prediction.label == OTHER_ROLE and about_self:
            return named or _other_role(text, language) or OTHER_ROLE
        if prediction.label != OTHER_ROLE and prediction.confidence >= MIN_BACKGROUND:
            return prediction.label
    return named or _other_role(text, language)


def _named_background(text: str, language: Language) -> str | None:
    negation = re.compile(language.lexicon.negation, re.I)
    found = [(m.start(), m.end(), key) for pattern, key in language.background_names
             for m in pattern.finditer(text)
             if not negation.search(text[max(0, m.start() - 30):m.start()])]
    longest = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0]
                                           for o in found)]
    return max(longest)[2] if longest else None


def _other_role(text: str, language: Language) -> str | None:
    match = re.search(language.lexicon.role_statement, text, re.I)
    if not match or match.group(1).lower().split()[-1] in language.lexicon.vague_roles:
        return None
    return match.group(1).lower()


def _parts(clauses: list[str], conversation: Conversation, reader: Reader) -> list[Part]:
    """Each clause made to stand on its own; a clause leans on the one before it, the first on
    the conversation."""
    parts: list[Part] = []
    for clause in clauses:
        context, previous = _context(parts, conversation)
        parts.append(make_part(clause, context, previous, reader))
    return parts


def _context(parts: list[Part], conversation: Conversation) -> tuple[Context, Topic | None]:
    """What a clause may point back at: the clause before it, else the last question of the
    conversation (and the last list given, if that question gave none)."""
    if parts:
        last = parts[-1]
        return Context(mentions=mentions_in(last.standalone)), last.topic
    turn = conversation.last
    if turn is None:
        return Context(), None
    listed = next((t for t in reversed(conversation.turns[-RECENT:]) if t.items), None)
    return Context(mentions=turn.mentions, items=listed.items if listed else [],
                   item=turn.item), turn.topic


def make_part(text: str, context: Context, previous: Topic | None, reader: Reader) -> Part:
    """One question made standalone: spelling repaired, references resolved, and the previous
    topic's disciplines and aspects carried over when the question leans on it."""
    language = reader.language
    fixed = reader.fix_spelling(text)
    resolution = resolve_item(fixed, context, language) or resolve_mentions(fixed, context, language)
    topic = topic_of(resolution.text)
    follow_up = bool(resolution.references) or leans_on_context(fixed, topic, language)
    standalone = resolution.text
    if follow_up and previous is not None and resolution.item is None:
        standalone, topic = carried_over(resolution.text, topic, previous)
    item = context.items[resolution.item] if resolution.item is not None else None
    return Part(text=text, resolved=resolution.text, standalone=standalone,
                disciplines=topic.disciplines,
                aspects=topic.aspects, follow_up=follow_up, references=resolution.references,
                item=item, item_index=resolution.item,
                listed=context.items if item is not None else [],
                dangling=bool(pronouns(language).search(resolution.text)),
                ranking=language.asks_ranking(fixed),
                enumeration=bool(language.list_cue.search(fixed)))


@cache
def pronouns(language: Language) -> re.Pattern:
    refs = language.lexicon.references
    return words_pattern([w for kind in ("person", "group", "thing") for w in refs[kind]])


def _content(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]


def leans_on_context(text: str, topic: Topic, language: Language) -> bool:
    """A part that starts like a follow-up ("and for MLOps?") or is too short to name its
    subject ("When?", "Why is that?") leans on what came before."""
    content = [w for w in words(text) if w not in STOPWORDS]
    if language.follow_up_start.search(text):
        return True
    named = [m for m in mentions_in(text, language) if m.kind != "discipline"]
    return len(content) <= SHORT and not named and not (topic.disciplines and topic.aspects)


def carried_over(text: str, topic: Topic, previous: Topic) -> tuple[str, Topic]:
    """The part with the disciplines and aspects it leaves out taken from `previous`."""
    disciplines = topic.disciplines or previous.disciplines
    aspects = topic.aspects or previous.aspects
    standalone = text
    if disciplines and not topic.disciplines:
        names = " and ".join(disciplines) if len(disciplines) < 3 else "DevOps, DataOps and MLOps"
        standalone = f"{text.rstrip('?. ')} ({names})?"
    if aspects and not topic.aspects:
        standalone = f"{standalone} {aspect_words(aspects)}"
    return standalone, Topic(disciplines, aspects)

