"""The assistant's language knowledge as package data: `load()` reads and checks the YAML files
beside this module and returns one `Language`.

- intents.yaml: dialogue acts and intents with example messages (the classifier's training data)
- backgrounds.yaml: who a user may be, with role names and self-descriptions
- framework.yaml: the article's learn-first framework, quoted verbatim
- lexicon.yaml: exact patterns (names, references, ordinals, ranking words, slang, languages)
- entities.yaml: the people, works, events and tools the article names
- replies.yaml: the assistant's own words; suggestions.yaml: the questions it offers
- sentences.yaml: sentences that state something and sentences that only frame the text
  (filler), the training data of the composer's filler classifier

Code holds the mechanism; every phrase lives here once. `problems(language, texts)` checks the
data against an index (`ops-assistant check-language`).
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property, lru_cache
from importlib import resources

import yaml
from pydantic import ValidationError

from assistant.language.schema import (MIN_BACKGROUND_PHRASES, Act, Background, Backgrounds,
                                       Entities, Framework, Intents, LanguageDataError, Lexicon,
                                       Replies, Sentences, Suggestions, compiled, phrase,
                                       words_pattern)

__all__ = ["CONTENT", "FILLER", "OTHER_ROLE", "Act", "Language", "LanguageDataError", "load", "problems"]

FILES = {"intents": Intents, "backgrounds": Backgrounds, "framework": Framework,
         "lexicon": Lexicon, "entities": Entities, "replies": Replies, "suggestions": Suggestions,
         "sentences": Sentences}
TRAINING_FILES = ("intents", "backgrounds", "sentences")
FILLER, CONTENT = "filler", "content"
OTHER_ROLE = "other role"
# libyaml's parser: the same safe loading, about 10x faster (0.1 s of every cold start)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _lexicon_pattern(field: str) -> cached_property:
    """A property of Language: the lexicon's list of patterns `field`, compiled into one
    pattern on first use."""
    return cached_property(lambda language: compiled(getattr(language.lexicon, field)))


class Language:
    """All language data, validated, with its patterns compiled on first use."""

    def __init__(self, raw: dict[str, str]):
        self.raw = raw
        data = {name: _parse(name, model, raw[name]) for name, model in FILES.items()}
        self.intents = data["intents"].intents
        self.backgrounds: dict[str, Background] = data["backgrounds"].all
        self.other_role = data["backgrounds"].other_role
        self.framework: Framework = data["framework"]
        self.lexicon: Lexicon = data["lexicon"]
        self.entities = data["entities"].entities
        self.replies: Replies = data["replies"]
        self.suggestions: Suggestions = data["suggestions"]
        self.sentences: Sentences = data["sentences"]
        _check_labels(self)

    @cached_property
    def training_digest(self) -> str:
        """Changes whenever the classifier's training data changes."""
        text = "\n".join(self.raw[name] for name in TRAINING_FILES)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def intent_examples(self) -> list[tuple[str, str]]:
        """(intent, example) pairs the intent classifier trains on: intents.yaml's, and every
        background's self-descriptions as statements of background."""
        pairs = [(name, str(e)) for name, i in self.intents.items() for e in i.examples]
        statement = next(n for n, i in self.intents.items() if i.act is Act.background)
        pairs += [(statement, e) for b in self.backgrounds.values() for e in b.examples]
        return pairs + [(statement, e) for e in self.other_role.examples]

    def background_examples(self) -> list[tuple[str, str]]:
        """(background, phrase) pairs the background classifier trains on; OTHER_ROLE labels
        roles the framework does not list."""
        pairs = [(key, p) for key, b in self.backgrounds.items() for p in b.phrases]
        return pairs + [(OTHER_ROLE, e) for e in self.other_role.examples]

    def sentence_examples(self) -> list[tuple[str, str]]:
        """(FILLER or CONTENT, sentence) pairs the composer's filler classifier trains on."""
        pairs = [(FILLER, e) for examples in self.sentences.filler.values() for e in examples]
        return pairs + [(CONTENT, e) for e in self.sentences.content]

    def act_of(self, intent: str) -> Act:
        return self.intents[intent].act

    @cached_property
    def discipline_patterns(self) -> dict[str, re.Pattern]:
        return {name: compiled(p) for name, p in self.lexicon.disciplines.items()}

    @cached_property
    def object_patterns(self) -> dict[str, re.Pattern]:
        """What each discipline keeps running ("data pipeline": DataOps), by discipline."""
        return {name: compiled(p) for name, p in self.lexicon.discipline_objects.items()}

    all_three = _lexicon_pattern("all_three")
    comparison = _lexicon_pattern("comparison")

    @cached_property
    def aspect_patterns(self) -> dict[str, re.Pattern]:
        return {name: re.compile(a.pattern, re.I) for name, a in self.lexicon.aspects.items()}

    @cached_property
    def ranking(self) -> re.Pattern:
        """Any word about ranking, top or bottom."""
        return words_pattern([w for ws in self.lexicon.ranking.values() for w in ws])

    def asks_ranking(self, question: str) -> bool:
        """The question asks about a ranking ("pays the most"), not "tell me more"."""
        return bool(self.ranking.search(self.not_ranking.sub(" ", question)))

    @cached_property
    def not_ranking(self) -> re.Pattern:
        return compiled(self.lexicon.not_ranking)

    @cached_property
    def ranking_by_direction(self) -> dict[str, re.Pattern]:
        return {direction: words_pattern(ws) for direction, ws in self.lexicon.ranking.items()}

    list_cue = _lexicon_pattern("list_cues")

    @cached_property
    def first_person(self) -> re.Pattern:
        return words_pattern(self.lexicon.first_person)

    @cached_property
    def second_person(self) -> re.Pattern:
        return words_pattern(self.lexicon.second_person)

    follow_up_start = _lexicon_pattern("follow_up_start")
    asks_direction = _lexicon_pattern("asks_direction")
    transition = _lexicon_pattern("transition")
    addressed = _lexicon_pattern("addressed")
    information_question = _lexicon_pattern("information_question")
    self_question = _lexicon_pattern("self_question")
    the_other = _lexicon_pattern("the_other")

    @cached_property
    def missing(self) -> dict[str, re.Pattern]:
        """The lexicon's `missing` patterns compiled, case-insensitive: what the article's text
        lacks (its tables, diagrams) and what an answer must hold (a count, a price, a name)."""
        return {name: re.compile(pattern, re.I) for name, pattern in self.lexicon.missing.items()}

    @cached_property
    def stopwords(self) -> frozenset[str]:
        return frozenset(self.lexicon.stopwords.split())

    @cached_property
    def the_article(self) -> re.Pattern:
        """Phrases that name the article itself ("this article", "the author of the page")."""
        return words_pattern(self.lexicon.not_references)

    @cached_property
    def products(self) -> dict[str, str]:
        """The gazetteer of tools and vendors: lowercase name -> its usual spelling."""
        return {name.lower(): name for name in self.lexicon.products}

    @cached_property
    def chat_words(self) -> frozenset[str]:
        """Every word of the small-talk examples ("thx", "kk", "lol"): chat, though no dictionary
        lists it."""
        return frozenset(word.strip(".,!?'") for intent in self.intents.values()
                         if intent.act is Act.small_talk
                         for example in intent.examples for word in str(example).lower().split())

    @cached_property
    def synonyms(self) -> list[tuple[re.Pattern, str]]:
        return [(re.compile(p, re.I), replacement) for p, replacement in self.lexicon.lexical_synonyms]

    @cached_property
    def slang(self) -> re.Pattern:
        return words_pattern(list(self.lexicon.slang))

    @cached_property
    def vocatives(self) -> list[re.Pattern]:
        return [re.compile(p) for p in self.lexicon.vocative]

    @cached_property
    def background_names(self) -> list[tuple[re.Pattern, str]]:
        """Each background's role names as one whole-word pattern (plural allowed)."""
        return [(re.compile(words_pattern(b.names).pattern.replace(r")(?![\w'’])", r")s?(?![\w'’])"),
                            re.I), key) for key, b in self.backgrounds.items() if b.names]


def _parse(name: str, model, text: str):
    try:
        return model.model_validate(yaml.load(text, Loader=SAFE_LOADER))  # noqa: S506 - safe
    except yaml.YAMLError as error:
        raise LanguageDataError(f"{name}.yaml is not valid YAML: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise LanguageDataError(f"{name}.yaml: {where}: {first['msg']}") from None


def _check_labels(language: Language) -> None:
    """A phrase written twice (under one label or two), a background with too few phrases, or a
    mapping to a profile that does not exist is an error in the data."""
    _check_unique("intent", language.intent_examples())
    _check_unique("background", language.background_examples())
    _check_unique("sentence", language.sentence_examples())
    _check_unique("name", [("products", name) for name in language.lexicon.products])
    profiles = set(language.framework.paths)
    missing = {k for k, b in language.backgrounds.items() if b.closest is None} - profiles
    if missing:
        raise LanguageDataError(f"backgrounds without a framework path: {sorted(missing)}")
    for key, background in language.backgrounds.items():
        if len(background.phrases) < MIN_BACKGROUND_PHRASES:
            raise LanguageDataError(f"background {key!r} has fewer than "
                                    f"{MIN_BACKGROUND_PHRASES} names and examples")
        if background.closest is not None and background.closest not in profiles:
            raise LanguageDataError(f"background {key!r} maps to {background.closest!r}, "
                                    f"which is not a profile of the framework")
    unused = profiles - {k for k, b in language.backgrounds.items() if b.closest is None}
    if unused:
        raise LanguageDataError(f"framework paths without a background: {sorted(unused)}")


def _check_unique(kind: str, labelled: list[tuple[str, str]]) -> None:
    seen: dict[str, str] = {}
    for label, text in labelled:
        key = phrase(str(text))
        if key in seen:
            where = label if seen[key] == label else f"{seen[key]} and {label}"
            raise LanguageDataError(f"{text!r} is written twice ({kind} {where})")
        seen[key] = label


def read_files() -> dict[str, str]:
    folder = resources.files("assistant.language")
    return {name: folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8") for name in FILES}


@lru_cache(maxsize=1)
def load() -> Language:
    """The package's language data; LanguageDataError if a file is malformed."""
    return Language(read_files())


def problems(language: Language, texts: list[str], sections: set[str]) -> list[str]:
    """What in the language data the index does not hold: a quoted framework sentence, the
    framework's section, a named entity. `texts` are the chunks' texts, `sections` their heading
    paths."""
    found = []
    if not any(s == language.framework.section or s.startswith(language.framework.section + " > ")
               for s in sections):
        found.append(f"framework.yaml: section {language.framework.section!r} is not in the index")
    corpus = "\n".join(" ".join(t.split()) for t in texts)
    found += [f"framework.yaml: sentence not in the index: {s!r}"
              for s in language.framework.quoted() if s not in corpus]
    lowered = corpus.lower()
    found += [f"entities.yaml: {e.name!r} is not in the index" for e in language.entities
              if e.name.lower() not in lowered]
    return found
