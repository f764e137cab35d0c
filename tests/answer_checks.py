"""Checks of the answer contract (issue 3), shared by the answer, follow-up, abstention, LLM, CLI
and quality tests. Written against the spec and the corpus file, not against the code's helpers."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ingest.settings import CHECKOUT_DIR

CORPUS_FILE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
ARTICLE_URL = "https://kodekloud.com/blog/mlops-vs-devops-vs-dataops/"
ANSWER_KEYS = {"session", "question", "answer", "citations", "recommendation", "abstained",
               "rewritten_query", "latency_ms"}
CITATION_KEYS = {"n", "chunk_id", "source", "title", "section", "quote", "url", "score", "page",
                 "also_in"}
DISCIPLINES = {"DevOps", "DataOps", "MLOps"}
MARKER_GROUP = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
EDITORIAL = "> **Editorial note:**"


@lru_cache(maxsize=1)
def corpus_text() -> str:
    return CORPUS_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def heading_paths() -> frozenset[str]:
    """Every heading path of the corpus file ("H1 > H2"), read from its `#` lines."""
    paths, stack = set(), []
    for line in corpus_text().splitlines():
        match = re.match(r"^(#{1,6})\s+(.+?)\s*$", line)
        if match:
            level = len(match.group(1))
            stack = stack[: level - 1] + [match.group(2)]
            paths.add(" > ".join(stack))
    return frozenset(paths)


def marker_numbers(text: str) -> list[int]:
    """Every n of every [n] / [n, m] marker in `text`, in order."""
    return [int(n) for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", text)
            for n in re.split(r"\s*,\s*", group)]


def cited_segments(text: str) -> tuple[list[tuple[str, list[int]]], str]:
    """The answer cut at its marker groups: (text before the markers, their numbers) for each
    group, and whatever follows the last group (uncited text)."""
    segments, position = [], 0
    for match in MARKER_GROUP.finditer(text):
        segments.append((text[position:match.start()].strip(), marker_numbers(match.group(0))))
        position = match.end()
    return segments, text[position:].strip()


def answer_json(answer) -> dict:
    return json.loads(answer.model_dump_json())


def check_contract(answer, assistant=None) -> dict:
    """The documented JSON contract of one answer; returns the parsed JSON.

    Exact keys and types; every marker has its citation and every citation is used; each quote is
    verbatim text of its chunk (when `assistant` is given) and of the corpus file; `section` is a
    heading path; `url` is the article's URL. An abstention cites nothing and carries no marker.
    """
    data = answer_json(answer)
    assert set(data) == ANSWER_KEYS, data.keys()
    assert isinstance(data["session"], str) and isinstance(data["question"], str)
    assert isinstance(data["answer"], str) and data["answer"].strip()
    assert isinstance(data["abstained"], bool)
    assert isinstance(data["rewritten_query"], str)
    assert isinstance(data["latency_ms"], (int, float)) and data["latency_ms"] >= 0
    assert data["recommendation"] is None or data["recommendation"] in DISCIPLINES
    numbers = [c["n"] for c in data["citations"]]
    assert numbers == list(range(1, len(numbers) + 1)), numbers
    assert set(marker_numbers(data["answer"])) == set(numbers), (data["answer"], numbers)
    for citation in data["citations"]:
        assert set(citation) == CITATION_KEYS, citation.keys()
        assert isinstance(citation["score"], (int, float))
        assert citation["page"] is None and citation["also_in"] == []  # one Markdown file
        quote = citation["quote"]
        assert quote.strip(), citation
        assert quote in corpus_text(), f"quote not verbatim in the corpus file: {quote[:80]!r}"
        assert EDITORIAL not in quote, "an editorial note is not the article's text"
        if assistant is not None:  # the passage quoted starts in the chunk cited
            assert quote[:30] in assistant.index.documents[citation["chunk_id"]].page_content
        assert citation["section"] in heading_paths(), citation["section"]
        assert citation["url"] == ARTICLE_URL
        assert citation["source"].endswith(CORPUS_FILE.name), citation["source"]
        assert citation["title"] == "DevOps vs DataOps vs MLOps"
    if data["abstained"]:
        assert data["citations"] == [] and marker_numbers(data["answer"]) == []
    return data


def check_grounded(answer, lead_allowed: bool = False) -> list[tuple[str, list[int]]]:
    """Every sentence of a composed answer is cited and quoted verbatim by its citation.

    A marker closes a run of sentences (and list lines) quoted from one passage: each sentence of
    the run must be verbatim in the quote of one of its numbers. Nothing uncited follows the last
    marker. Only the first run may open with uncited sentences (a notice), when `lead_allowed`.
    Returns the cited sentences (without the lead), each with its run's numbers.
    """
    segments, tail = cited_segments(answer.answer)
    assert segments, f"no cited sentence in {answer.answer!r}"
    assert tail == "", f"uncited text after the last marker: {tail!r}"
    quotes = {c.n: c.quote for c in answer.citations}
    sections = {c.n: c.section for c in answer.citations}
    sentences = []
    for i, (run, numbers) in enumerate(segments):
        labels = [sections[n] for n in numbers if n in sections]
        pieces = [piece for line in run.splitlines() if line.strip()
                  for piece in split_sentences(unlisted(line.strip(), labels))]
        supported = [any(folded(piece) in folded(quotes.get(n, "")) for n in numbers) for piece in pieces]
        if i == 0 and lead_allowed:
            while pieces and not supported[0]:
                pieces, supported = pieces[1:], supported[1:]
        assert pieces and all(supported), f"run not verbatim in its quote {numbers}: {run!r}"
        sentences += [(piece, numbers) for piece in pieces]
    return sentences


def folded(text: str) -> str:
    """White space folded: a line wrapped in the Markdown source reads as a space."""
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of one line: cut after . ! ? (and a closing quote) before a capital or a quote."""
    return [s for s in re.split(r'(?<=[.!?])["”]?\s+(?=["“(]?[A-Z$0-9])', text) if s]


def unlisted(sentence: str, sections: list[str]) -> str:
    """A list line's text without its "- " and the label naming its cited sub-section
    ("- Testing isn't the same thing: DevOps testing answers ...")."""
    if not sentence.startswith("- "):
        return sentence
    sentence = sentence[2:]
    for section in sections:
        label = re.sub(r"^\s*(?:\d+[.)]|Q\d+:)\s*", "", section.rsplit(" > ", 1)[-1], flags=re.I)
        if sentence.startswith(label + ": "):
            return sentence[len(label) + 2:]
    return sentence


def first_sentence(answer) -> str:
    """The first cited sentence of a grounded answer, past a list's intro line ('... data:')."""
    return next(s for s, _ in check_grounded(answer) if not s.endswith(":"))


def lead_of(answer) -> str:
    """The uncited text before the first cited sentence of a grounded answer ('' if none)."""
    first, _ = check_grounded(answer, lead_allowed=True)[0]
    head = cited_segments(answer.answer)[0][0][0]
    return head[: head.index(first)].strip()


def plain(text: str) -> str:
    """Answer text without markers, white space folded, lower case: for key-fact checks."""
    return " ".join(MARKER_GROUP.sub("", text).split()).lower()


def has_fact(answer, *alternatives: str) -> bool:
    return any(alt.lower() in plain(answer.answer) for alt in alternatives)
