"""What a follow-up leans on and how it is read as a question of its own: a request for another
length ("shorter please"), a question word with only the kind of answer it wants ("what
city?"), the disciplines and aspects it leaves out (taken from the previous question), and the
plain question shown as "Read as"."""

from __future__ import annotations

import re

from assistant.clauses import content_words
from assistant.language import Language
from assistant.references import mentions_in
from assistant.relevance import asked_kinds
from assistant.text import STOPWORDS, words
from assistant.topics import DISCIPLINES, LANGUAGE, NAME_WORDS, Topic, aspect_words, topic_of

SHORT = 3  # content words; a part this short leans on the conversation


def leans_on_context(text: str, topic: Topic, language: Language) -> bool:
    """A part that starts like a follow-up ("and for MLOps?") or is too short to name its
    subject ("When?", "Why is that?") leans on what came before; one that names an aspect of a
    discipline, or two disciplines or more ("the difference between DevOps and MLOps"), or the
    article itself ("summarize the article"), does not."""
    content = [w for w in words(text) if w not in STOPWORDS]
    if language.follow_up_start.search(text):
        return True
    if language.the_article.search(text):
        return False
    named = [m for m in mentions_in(text, language) if m.kind != "discipline"]
    whole = topic.disciplines and (topic.aspects or len(topic.disciplines) > 1)
    return len(content) <= SHORT and not named and not whole


def compares_unnamed(text: str, topic: Topic, language: Language) -> bool:
    """A short comparison that names at most one of the things compared and no aspect ("what
    are the key differences?", "how does MLOps compare?"): the article's own, of all three."""
    named = [m for m in mentions_in(text, language) if m.kind != "discipline"]
    aspect = set(topic.aspects) - {"definition"}  # "how does monitoring differ for dataops?"
    return (len(topic.disciplines) < 2 and not named and not aspect
            and bool(language.comparison.search(text))
            and len([w for w in words(text) if w not in STOPWORDS]) <= SHORT)


def spelled_three(text: str, language: Language) -> str | None:
    """A comparison of "the three" that names none of them, with their names in place of "the
    three" ("the differences between DevOps, DataOps and MLOps"): retrieval would read "three"
    as the overlap's heading. None for any other text."""
    if not (language.comparison.search(text) and language.all_three.search(text)) or any(
            pattern.search(text) for pattern in DISCIPLINES.values()):
        return None
    return language.all_three.sub(_names(tuple(DISCIPLINES)), text, count=1)


def the_three(text: str, topic: Topic) -> tuple[str, Topic]:
    """`text` and `topic` about all three disciplines (see `compares_unnamed`)."""
    three = tuple(DISCIPLINES)
    return f"{text.rstrip('?. ')} ({_names(three)})?", Topic(three, topic.aspects)


REQUEST_WORDS = set(LANGUAGE.lexicon.length_request_words)
NAMING_WORDS = set(LANGUAGE.lexicon.naming_request_words)
TYPE_ONLY = re.compile(r"\W*(?:what|which|whose)\s+\w+\W*", re.I)
ANSWER_KINDS = {"place", "date", "person", "group", "organization", "event"}
LENGTH = re.compile("|".join(LANGUAGE.lexicon.composer[k] for k in ("one_sentence", "briefly",
                                                                      "more_detail")), re.I)


def with_length_requests(clauses: list[str]) -> list[str]:
    """A clause that only asks for a length ("answer briefly", "in one sentence pls") joined to
    the question before it, which it is about, instead of being a question of its own."""
    joined: list[str] = []
    for clause in clauses:
        if joined and LENGTH.search(clause) and not _beyond_length(clause):
            joined[-1] = f"{joined[-1]} {clause}"
        else:
            joined.append(clause)
    return joined


def only_named(text: str, topic: Topic) -> bool:
    """Nothing asked but the disciplines' names ("devops?", "give me mlops in one line pls"):
    a question of what they are."""
    rest = set(words(LENGTH.sub(" ", text))) - NAMING_WORDS - NAME_WORDS
    return bool(topic.disciplines) and not topic.aspects and not rest


def without_length(text: str) -> str:
    """`text` less a request for its answer's length ("devops in one sentence" -> "devops"): the
    request says how long, not what about; `text` itself when nothing else is asked."""
    return re.sub(r"\s+", " ", LENGTH.sub(" ", text)).strip() if _beyond_length(text) else text


def own_words(text: str) -> list[str]:
    """The content words of a follow-up, less a request for length ("in one sentence",
    "briefly", "in detail"), which asks the previous question again; a question word with only
    the kind of answer it wants ("what city?", "which year?") asks the previous question too."""
    found = content_words(LENGTH.sub(" ", text))
    if len(found) == 1 and TYPE_ONLY.fullmatch(text) and asked_kinds(text) <= ANSWER_KINDS:
        return []
    return found


def asks_again(text: str) -> bool:
    """A follow-up that only asks for the last answer shorter or longer ("shorter please", "can
    you explain that in more detail?", "tell me more")."""
    return bool(LENGTH.search(text)) and not _beyond_length(text)


def _beyond_length(text: str) -> bool:
    """`text` asks something besides its answer's length (words other than a length request)."""
    return bool(set(content_words(LENGTH.sub(" ", text))) - REQUEST_WORDS)


def plain_question(text: str, own: Topic, carried: Topic, asked: str) -> str:
    """A follow-up as a plain standalone question: "what about mlops?" after "Why does DataOps
    exist?" is "Why does MLOps exist?" (the previous question with the disciplines swapped); a
    question that leaves its disciplines out gets them ("What tools, in DataOps?"). Aspects are
    never spelled out here: the retrieval words stay in `standalone`."""
    asked_names = topic_of(asked).disciplines if asked else ()
    content = [w for w in content_words(text) if not any(
        DISCIPLINES[n].fullmatch(w) for n in own.disciplines)]
    if asked and not own_words(text):  # "Why?", "When?", "in one sentence": about the previous question
        return f"{text.strip()[:1].upper()}{text.strip()[1:]} — {asked}"
    if own.disciplines and not content and len(asked_names) == len(own.disciplines):
        swapped = asked
        for old, new in zip(asked_names, own.disciplines):
            swapped = DISCIPLINES[old].sub(new, swapped)
        return swapped if swapped != asked else text
    templated = re.match(r"(.+), in [\w ,]+\?$", asked or "")
    if own.disciplines and not content and templated:  # "Versioning, in DevOps and MLOps?"
        return f"{templated.group(1)}, in {_names(own.disciplines)}?"
    if carried.disciplines and not own.disciplines:
        bare = re.sub(r"^(?:and|so|but|also|ok(?:ay)?|then)\W+", "", text.rstrip("?. "), flags=re.I)
        return f"{bare[:1].upper()}{bare[1:]}, in {_names(carried.disciplines)}?"
    return text


def _names(disciplines: tuple[str, ...]) -> str:
    return " and ".join(disciplines) if len(disciplines) < 3 else "DevOps, DataOps and MLOps"


def carried_over(text: str, topic: Topic, previous: Topic, asked: str) -> tuple[str, Topic]:
    """The part with the disciplines and aspects it leaves out taken from the previous question
    (`previous`, `asked`): an aspect it names replaces the previous one, but one asked of an
    area ("tools") stays. With nothing of that kind to take and no words of its own ("what's
    the example they give?"), the previous question itself comes along."""
    disciplines = topic.disciplines or previous.disciplines
    kept = [a for a in previous.aspects if a not in topic.aspects
            and LANGUAGE.lexicon.aspects[a].carries]
    aspects = (topic.aspects + tuple(kept)) if topic.aspects else previous.aspects
    standalone = text
    if disciplines and not topic.disciplines:
        standalone = f"{text.rstrip('?. ')} ({_names(disciplines)})?"
    added = tuple(a for a in aspects if a not in topic.aspects)
    if added:
        standalone = f"{standalone} {aspect_words(added)}"
    if asked and not own_words(text):
        standalone = f"{text.rstrip('?. ')} ({asked.rstrip('?. ')})?"
    return standalone, Topic(disciplines, aspects)
