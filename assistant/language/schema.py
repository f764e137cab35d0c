"""The language data's shapes, checked when it is loaded: one pydantic model per YAML file.

A file that does not fit its model, a pattern that does not compile, an intent with too few
examples or one phrase under two labels raises LanguageDataError naming the file and the problem.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.errors import OpsAssistantError

MIN_INTENT_EXAMPLES = 15
MIN_BACKGROUND_PHRASES = 2


class LanguageDataError(OpsAssistantError):
    """The language data (assistant/language/*.yaml) is malformed or does not fit the index."""

    exit_code = 2


class Act(str, Enum):
    """The dialogue act of a message: what it does in the conversation."""

    small_talk = "small_talk"
    about_assistant = "about_assistant"
    question = "question"
    learning_path = "learning_path"
    background = "background"
    out_of_scope = "out_of_scope"
    other_language = "other_language"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def compiled(patterns: list[str]) -> re.Pattern:
    """One case-insensitive pattern matching any of `patterns`."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def words_pattern(words: list[str], possessive: bool = False) -> re.Pattern:
    """Any of `words` (or phrases) as whole words, longest first, case-insensitive; with
    `possessive`, also followed by 's ("Debois's")."""
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    after = r"(?=['’]s\b|[^\w'’]|$)" if possessive else r"(?![\w'’])"
    return re.compile(r"(?<![\w'’])(?:" + "|".join(re.escape(w) for w in ordered) + ")" + after,
                      re.I)


def phrase(text: str) -> str:
    """A phrase as it is compared for duplicates: lower case, words only."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


class Intent(_Data):
    act: Act
    examples: list[str] = Field(min_length=MIN_INTENT_EXAMPLES)
    closing: bool = False  # ends or acknowledges a conversation: never asks for information


class Intents(_Data):
    intents: dict[str, Intent]


class Background(_Data):
    """One background: a profile of the article's framework, or one it does not name (then
    `closest` names the profile it is mapped to, `why` says why in our own words)."""

    key: str = ""
    someone: str
    names: list[str] = []
    examples: list[str] = []
    closest: str | None = None
    step: int = 0
    why: str = ""
    weak: bool = False

    @property
    def phrases(self) -> list[str]:
        return self.names + self.examples


class OtherRole(_Data):
    someone: str
    closest: str
    why: str
    examples: list[str] = Field(min_length=MIN_BACKGROUND_PHRASES)


class Backgrounds(_Data):
    profiles: dict[str, Background]
    unlisted: dict[str, Background]
    other_role: OtherRole

    @property
    def all(self) -> dict[str, Background]:
        return {key: b.model_copy(update={"key": key})
                for key, b in (self.profiles | self.unlisted).items()}


def _flat(items) -> tuple[str, ...]:
    """Sentences, with lists of sentences (YAML anchors of several) spliced in."""
    return tuple(s for item in items for s in ([item] if isinstance(item, str) else item))


class Step(_Data):
    discipline: Literal["DevOps", "DataOps", "MLOps"]
    says: tuple[str, ...]
    why: tuple[str, ...]

    @field_validator("says", "why", mode="before")
    @classmethod
    def _flatten(cls, value):
        return _flat(value)


class Path(_Data):
    label: str
    brief: tuple[str, ...]
    steps: list[Step] = Field(min_length=1)


class Framework(_Data):
    section: str
    sentences: dict[str, str | list[str]]
    paths: dict[str, Path]

    @property
    def market(self) -> tuple[str, ...]:
        return _flat([self.sentences["market"]])

    def quoted(self) -> list[str]:
        """Every article sentence the recommender may quote."""
        quoted = [s for p in self.paths.values() for s in (p.label, *p.brief)] + list(self.market)
        quoted += [s for p in self.paths.values() for step in p.steps for s in step.says + step.why]
        return list(dict.fromkeys(quoted))


class Aspect(_Data):
    pattern: str
    words: str
    carries: bool = False  # kept when a follow-up names another aspect


class Lexicon(_Data):
    disciplines: dict[str, list[str]]
    discipline_objects: dict[str, list[str]]
    all_three: list[str]
    comparison: list[str]
    conclusions: list[str]
    aspects: dict[str, Aspect]
    references: dict[str, list[str] | dict[str, list[str]]]
    not_references: list[str]
    kind_cues: dict[str, list[str]]
    kinds_for: dict[str, list[str]]
    ordinal_nouns: list[str]
    ordinals: dict[int, list[str]]
    relative_ordinals: dict[str, list[str]]
    answer_types: dict[str, list[str]]
    dates: str
    numbers: dict[str, int]
    ranking: dict[Literal["top", "bottom"], list[str]]
    not_ranking: list[str]
    list_cues: list[str]
    follow_up_start: list[str]
    asks_direction: list[str]
    transition: list[str]
    information_question: list[str]
    self_question: list[str]
    the_other: list[str]
    length_request_words: list[str]
    naming_request_words: list[str]
    question_words: list[str]
    recommender_followups: dict[str, list[str]]
    missing: dict[str, str]
    composer: dict[str, str]
    slang: dict[str, str]
    products: list[str]
    first_person: list[str]
    second_person: list[str]
    addressed: list[str]
    negation: str
    others_role: str
    role_statement: str
    vague_roles: list[str]
    vocative: list[str]
    languages: dict[str, list[str]]
    stopwords: str
    lexical_synonyms: list[tuple[str, str]]

    @field_validator("disciplines", "discipline_objects", "aspects", "recommender_followups")
    @classmethod
    def _compile_maps(cls, value):
        for item in value.values():
            for pattern in ([item.pattern] if isinstance(item, Aspect) else item):
                _compiles(pattern)
        return value

    @field_validator("all_three", "comparison", "conclusions", "not_ranking", "list_cues",
                     "follow_up_start", "asks_direction", "transition", "information_question",
                     "self_question", "the_other",
                     "addressed", "vocative")
    @classmethod
    def _compile_lists(cls, value):
        for pattern in value:
            _compiles(pattern)
        return value

    @field_validator("negation", "others_role", "role_statement", "dates")
    @classmethod
    def _compile_one(cls, value):
        _compiles(value)
        return value

    @field_validator("missing", "composer")
    @classmethod
    def _compile_values(cls, value):
        for pattern in value.values():
            _compiles(pattern)
        return value

    @field_validator("products")
    @classmethod
    def _one_word_each(cls, value):
        for name in value:
            if not re.fullmatch(r"[^\W_]+", name):
                raise ValueError(f"product {name!r} is not one word of letters and digits")
        return value

    @field_validator("lexical_synonyms")
    @classmethod
    def _compile_synonyms(cls, value):
        for pattern, _ in value:
            _compiles(pattern)
        return value


def _compiles(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"bad regular expression {pattern!r}: {error}") from None


class Entity(_Data):
    name: str
    kind: Literal["person", "group", "work", "event", "organization", "tool", "place", "term",
                  "discipline"]
    aliases: list[str] = []


class Entities(_Data):
    entities: list[Entity]


class Decline(_Data):
    lead: str
    scope: str
    lead_files: str  # when the index holds the user's own files beside the article
    scope_files: str
    no_article: str  # when the index holds the user's files but not the article
    reasons: dict[str, str]


class Replies(_Data):
    small_talk: dict[str, str]
    suggest_lead: str
    about_assistant: str
    about_article: str
    other_language: str
    decline: Decline
    notices: dict[str, str]
    recommender: dict[str, str]
    recommender_questions: dict[str, str]


class Sentences(_Data):
    filler: dict[str, list[str]]  # kind of filler (setup, transition, ...) -> examples
    content: list[str]


class Suggestions(_Data):
    learn_first: str
    backgrounds: dict[str, str]
    examples: list[str]
    starters: list[str]
    themes: dict[str, list[str]]
    theme_of_aspect: dict[str, str]
    theme_cues: dict[str, str]
