"""Whether the article can answer a question, and whether it asks for the page's absent tables.

Judged on the question's own words first: a name the article never mentions, words it never
uses, or nothing close to it in the index. Words about ranking ("fewest", "most") are never taken
for names, nor is a name the question addresses ("..., José?"), which the understanding step
already left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from langchain_core.documents import Document

from assistant.language import Language
from assistant.references import mentions_in, spellings_in
from assistant.replies import reason
from assistant.spelling import Speller
from assistant.text import STOPWORDS, words
from assistant.topics import LANGUAGE, Topic, disciplines_in

SHORT_QUESTION = 6  # content words
ARTICLE_KINDS = {"person", "group", "work", "event"}  # a question about one is about the article
IDENTITIES = {"person", "group", "organization"}  # what answers "who founded ..."
MIN_DENSE = 0.35    # below this cosine to every sentence, the question is about something else...
FULL_COVER = 0.9    # ...unless one chunk holds (nearly) all of its words, as names often are
WEAK_DENSE = 0.40   # and below this cosine, a question whose words no chunk holds a third of
WEAK_COVER = 0.34   # is about something else too ("can I leave early on Fridays?")
MISSING = LANGUAGE.missing


ABSENT = ("table", "diagram")  # what a source's editorial note can say its text lacks


@dataclass(frozen=True)
class Verdict:
    """`reason` is set when the article cannot answer; `notice` when a table or diagram is asked
    about that the text lacks, `lacks` saying which ("table" or "diagram")."""

    reason: str | None = None
    notice: str | None = None
    lacks: str | None = None


def judge(question: str, topic: Topic, speller: Speller, best_dense: float, coverage: float,
          language: Language = LANGUAGE) -> Verdict:
    """Decide from the words of the question and how close the index came to it.

    `best_dense` is the best cosine of a retrieved sentence; `coverage` the largest idf-weighted
    share of the question's words that one retrieved chunk holds.
    """
    why = out_of_scope(question, speller, best_dense, coverage, language)
    if why:
        return Verdict(reason=why)
    return _missing_content(question, topic, language)


def out_of_scope(question: str, speller: Speller, best_dense: float, coverage: float,
                 language: Language = LANGUAGE) -> str | None:
    content = [w for w in words(question) if w not in STOPWORDS and not w.isdigit()]
    ranking = {w for w in content if language.ranking.fullmatch(w)}
    cues = {w for w in content if any(p.search(w) for p in language.aspect_patterns.values())}
    cues |= _cue_phrases(question, language)
    named = set(words(" ".join(spellings_in(question, language))))  # "WEF" is an alias
    named |= set(words(" ".join(m.group(0) for m in language.the_article.finditer(question))))
    unknown = set(speller.unknown(question)) & set(content) - ranking - named - cues
    known = [w for w in content if w not in unknown]
    compares = bool(language.comparison.search(question))  # what the article is: a comparison
    if not content and not compares:
        return reason("no_words", language)
    if not known and not compares:
        return reason("unknown_words", language)
    originals = {w.lower(): w for w in re.findall(r"[^\W\d_]+", question)}
    originals |= {w: language.products[w] for w in unknown if w in language.products}
    specific = [originals.get(w, w) for w in sorted(unknown) if w in language.products
                or _names_a_thing(originals.get(w, w), speller, short=len(content) <= SHORT_QUESTION)]
    if specific and not (MISSING["table"].search(question) or MISSING["diagram"].search(question)):
        return reason("unknown_name", language, names=", ".join(specific))
    asks_about_named = any(m.kind in ARTICLE_KINDS for m in mentions_in(question, language))
    weak = best_dense < WEAK_DENSE and coverage < WEAK_COVER
    # the article's words only, asking for an aspect ("which of the three is the oldest?")
    articles_own = bool(cues) and not unknown
    if (best_dense < MIN_DENSE and coverage < FULL_COVER or weak) and not (asks_about_named
                                                                         or articles_own):
        return reason("off_topic", language)
    return None


def _cue_phrases(question: str, language: Language) -> set[str]:
    """The words of a short phrase that names an aspect as a whole ("main takeaway", "bottom
    line"), which alone would not ("main")."""
    spans = [m.group(0) for p in language.aspect_patterns.values() for m in p.finditer(question)]
    return {w for span in spans if len(words(span)) <= 3 for w in words(span)}


def unnamed_products(text: str, speller: Speller, language: Language = LANGUAGE) -> list[str]:
    """The tools and vendors `text` names that the article never does ("terraform" -> "Terraform")."""
    return [language.products[w] for w in dict.fromkeys(speller.unknown(text))
            if w in language.products]


def foreign(text: str, speller: Speller, best_dense: float, coverage: float,
            language: Language = LANGUAGE) -> str | None:
    """Why a follow-up is out of scope on its own words ("whats the weather in paris" after a
    question about the three disciplines), judged as a fresh question would be (`best_dense`,
    `coverage`: of its own words, against what was retrieved for it); None when it has no words
    of its own ("When?") and so leans on the chat."""
    content = [w for w in words(text) if w not in STOPWORDS and not w.isdigit()]
    return out_of_scope(text, speller, best_dense, coverage, language) if content else None


def _names_a_thing(word: str, speller: Speller, short: bool) -> bool:
    """An unknown word that is a name (Kubeflow, SRE, Germany) rather than plain English.

    A capitalised rare word is a name. In a short question a lowercase one is too ("what is
    kubeflow"), unless it is an English word ("buzzwords") or one misspelt ("chek"); in a long
    question a lowercase rare word is more often a detail than the subject.
    """
    if not speller.is_specific(word):
        return False
    if word[:1].isupper() or word.isupper():
        return len(word) >= 3
    lower = word.lower()
    english = bool(speller.english.known([lower])) or speller.is_typo(lower)
    return short and len(word) >= 4 and not english


def _counted_noun(phrase: str) -> str:
    """What 'how many ...' counts: the first plural before a function word ("DevOps jobs are"
    -> "jobs"), else the first word ("people attended" -> "people")."""
    head = []
    for word in phrase.split():
        if word.lower() in STOPWORDS:
            break
        head.append(word)
    head = head or phrase.split()[:1]
    plurals = [w for w in head if w.lower().endswith("s") and not disciplines_in(w)]
    return plurals[0] if plurals else head[0]


def missing_answer_type(question: str, sentences: list[str], language: Language = LANGUAGE
                        ) -> str | None:
    """A 'how many X' needs a count next to X, a 'how much does it cost' needs a price, a
    'who is the CEO of X' or 'who founded X' a person, group or organization (and for an office,
    the answer must name it: a person alone is not "the CEO")."""
    text = " ".join(sentences)
    role, deed = MISSING["who_role"].search(question), MISSING["who_deed"].search(question)
    wanted = {"person"} if role else IDENTITIES if deed else set()
    named = deed and MISSING["proper_name"].search(text)  # a name a user's file gives
    if wanted and not named and not any(m.kind in wanted for m in mentions_in(text, language)):
        return reason("no_person", language)
    office = MISSING["office"].search(role.group(0)) if role else None
    if office and not re.search(rf"\b{re.escape(office.group(0))}", text, re.I):
        return reason("no_person", language)  # a person, but nowhere called its CEO
    many = MISSING["how_many"].search(question)
    if many:
        counted = _counted_noun(many.group(1))
        noun = re.escape(counted.lower().rstrip("s"))
        count = language.lexicon.missing["count"]
        before = count + r"(?:\s+[\w-]+){0,3}?\s+" + noun  # "1.3 million new AI-related jobs"
        in_cell = noun + r"s?\s*:\s*" + count  # a table row's cell: "Max nodes: 8"
        if not re.search(f"{before}|{in_cell}", text, re.I):
            return reason("no_count", language, noun=counted)
    if MISSING["how_much_cost"].search(question) and not MISSING["price"].search(text):
        return reason("no_price", language)
    return None


def _missing_content(question: str, topic: Topic, language: Language) -> Verdict:
    notices = language.replies.notices
    asks_figure = ("salary" in topic.aspects and "sources" not in topic.aspects
                   and MISSING["salary_figure"].search(question))  # not "where are the numbers from"
    # the text's one figure is the senior MLOps base salary; any other level or role has none
    senior_mlops = topic.disciplines == ("MLOps",) and not MISSING["other_level"].search(question)
    if asks_figure and not senior_mlops:
        return Verdict(notice=notices["figure"], lacks="table")
    if MISSING["diagram"].search(question) and "pipeline" in topic.aspects:
        return Verdict(notice=notices["diagram"], lacks="diagram")
    if MISSING["table"].search(question):
        return Verdict(notice=notices["table"], lacks="table")
    if topic.aspects == ("tools",) and MISSING["tool_list"].search(question):
        return Verdict(notice=notices["tools"], lacks="table")
    return Verdict()


def lacking_sources(documents: Iterable[Document]) -> dict[str, frozenset[str]]:
    """"table" / "diagram" -> the sources whose own text says it lacks one: an editorial note
    (a chunk of kind "editorial_note") about a table or diagram of the original page."""
    found: dict[str, set[str]] = {kind: set() for kind in ABSENT}
    for doc in documents:
        if doc.metadata.get("kind") == "editorial_note":
            for kind in ABSENT:
                if MISSING[kind].search(doc.page_content):
                    found[kind].add(doc.metadata["source"])
    return {kind: frozenset(sources) for kind, sources in found.items()}


def from_source(verdict: Verdict, sources: Iterable[str], lacking: dict[str, frozenset[str]]
                ) -> Verdict:
    """`verdict` without its notice unless every one of `sources` (those of the best passage, or
    of the sentences an answer quotes) says it lacks that table or diagram: a user's file that
    holds the table is not the article, whose page lost it."""
    absent = lacking.get(verdict.lacks or "", frozenset())
    if not verdict.notice or all(source in absent for source in sources):
        return verdict
    return replace(verdict, notice=None, lacks=None)
