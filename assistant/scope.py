"""Whether the article can answer a question, and whether it asks for the page's absent tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.spelling import Speller
from assistant.text import STOPWORDS, words
from assistant.topics import Topic, disciplines_in

HOW_TO = re.compile(
    r"^\s*(?:how (?:do|can|should|would|could) (?:i|you|u|we|one)|how to|steps to)\s+"
    r"(?:configure|install|set ?up|write|deploy|build|create|run|implement|fix|debug|migrate|"
    r"upgrade|bake|cook|make|code|program|automate|integrate|connect)\b", re.I)
SALARY_FIGURE = re.compile(r"\baverage|\bmedian|\btypical|\bhow much|\bfigure|\bnumbers?\b|dollars|"
                           r"\$|\brange\b|\bexact|\bper year|\ba year\b|\bannual|\bsalary\W*$|"
                           r"\bwhat(?:'s| is| are) the\b.*\bsalar", re.I)
OTHER_LEVEL = re.compile(r"\b(?:entry|junior|mid|graduate|starting|intern|lead|principal)\b", re.I)
TABLE = re.compile(r"\btables?\b|\bcolumns?\b|\brows?\b|\bcharts?\b|\b(?:8|eight) dimensions\b", re.I)
DIAGRAM = re.compile(r"\bdiagrams?\b|\bfigures? of\b|\bimages?\b|\bpictures?\b|\bstages\b", re.I)
SHORT_QUESTION = 6  # content words
MIN_DENSE = 0.35    # below this cosine to every sentence, the question is about something else...
FULL_COVER = 0.9    # ...unless one chunk holds (nearly) all of its words, as names often are
HOW_MANY = re.compile(r"\bhow many ((?:[\w-]+\s*){1,3})", re.I)
HOW_MUCH = re.compile(r"\bhow much\b.*\b(?:cost|price|fee)|\b(?:cost|price|fee)s?\b.*\bhow much\b", re.I)
COUNT = r"(?<![\w$])(?!(?:19|20)\d\d\b)\d[\d,.]*\+?(?: million| thousand| billion|%)?"


@dataclass(frozen=True)
class Verdict:
    """`reason` is set when the article cannot answer; `notice` when a table is asked about."""

    reason: str | None = None
    notice: str | None = None
    notice_section: str | None = None


FIGURE_NOTICE = ("The article's text gives no such figure: the salary table of the original page "
                 "is not part of this text.")
TABLE_NOTICE = ("That table is not in the article's text: the original page showed it, but this "
                "text does not include it.")
DIAGRAM_NOTICE = ("That diagram is not in the article's text: the original page showed it, but "
                  "this text does not include it.")


def judge(question: str, topic: Topic, speller: Speller, best_dense: float,
          coverage: float) -> Verdict:
    """Decide from the words of the question and how close the index came to it.

    `best_dense` is the best cosine of a retrieved sentence; `coverage` the largest idf-weighted
    share of the question's words that one retrieved chunk holds.
    """
    reason = _out_of_scope(question, topic, speller, best_dense, coverage)
    if reason:
        return Verdict(reason=reason)
    return _missing_content(question, topic)


def _out_of_scope(question: str, topic: Topic, speller: Speller, best_dense: float,
                  coverage: float) -> str | None:
    content = [w for w in words(question) if w not in STOPWORDS and not w.isdigit()]
    unknown = set(speller.unknown(question)) & set(content)
    known = [w for w in content if w not in unknown]
    if not content:
        return "that is not a question about the article"
    if not known:
        return "none of its words appear in the article"
    originals = {w.lower(): w for w in re.findall(r"[A-Za-z]+", question)}
    specific = [originals.get(w, w) for w in sorted(unknown) if _names_a_thing(
        originals.get(w, w), speller, short=len(content) <= SHORT_QUESTION)]
    if specific and not (TABLE.search(question) or DIAGRAM.search(question)):
        return f"the article does not mention {', '.join(specific)}"
    if HOW_TO.search(question) and not topic.disciplines:
        return "the article does not give step-by-step instructions"
    if best_dense < MIN_DENSE and coverage < FULL_COVER:
        return "the article does not talk about that"
    return None


def _names_a_thing(word: str, speller: Speller, short: bool) -> bool:
    """An unknown word that is a name (Kubeflow, SRE, Germany) rather than plain English.

    In a long question a lowercase rare word ("uptime") is more often a detail than the subject,
    so there only capitalised names count.
    """
    if not speller.is_specific(word):
        return False
    capitalised = word[:1].isupper() or word.isupper()
    return (capitalised and (len(word) >= 3)) or (short and len(word) >= 4)


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


def missing_answer_type(question: str, sentences: list[str]) -> str | None:
    """A 'how many X' needs a count next to X, a 'how much does it cost' needs a price."""
    text = " ".join(sentences)
    many = HOW_MANY.search(question)
    if many:
        counted = _counted_noun(many.group(1))
        noun = re.escape(counted.lower().rstrip("s"))
        if not re.search(COUNT + r"(?:\s+[\w-]+){0,3}?\s+" + noun, text, re.I):
            return f"the article gives no count of {counted}"
    if HOW_MUCH.search(question) and "$" not in text:
        return "the article gives no price"
    return None


def _missing_content(question: str, topic: Topic) -> Verdict:
    asks_figure = "salary" in topic.aspects and SALARY_FIGURE.search(question)
    # the text's one figure is the senior MLOps base salary; any other level or role has none
    senior_mlops = topic.disciplines == ("MLOps",) and not OTHER_LEVEL.search(question)
    if asks_figure and not senior_mlops:
        return Verdict(notice=FIGURE_NOTICE, notice_section="Career and Salary Comparison (2026)")
    if DIAGRAM.search(question) and "pipeline" in topic.aspects:
        return Verdict(notice=DIAGRAM_NOTICE, notice_section="A Concrete Workflow Comparison")
    if TABLE.search(question):
        section = ("Tool Ecosystems Compared" if "tools" in topic.aspects or
                   re.search(r"\btool", question, re.I) else "The Master Comparison")
        return Verdict(notice=TABLE_NOTICE, notice_section=section)
    return Verdict()
