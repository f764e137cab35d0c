"""How an answer reads on the page and in the export: its lines and lists, whether its standalone
question is worth showing, its own words without the offers shown as buttons, a short title.

Plain text in, plain text out: escaping is the job of whoever writes the text into markup.
"""

from __future__ import annotations

from assistant.replies import offers_text
from assistant.schema import Answer

LIST_ITEM = "- "
TITLE_CHARS = 80
END_PUNCTUATION = "?!.…;:,"


def line_groups(text: str) -> list[tuple[bool, list[str]]]:
    """The text's non-empty lines in order, as (is_list, lines) groups: consecutive "- " lines
    form one list group (items without their "- "); each other line is a group of its own."""
    groups: list[tuple[bool, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        if line.startswith(LIST_ITEM):
            item = line[len(LIST_ITEM):]
            if groups and groups[-1][0]:
                groups[-1][1].append(item)
            else:
                groups.append((True, [item]))
        else:
            groups.append((False, [line]))
    return groups


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(END_PUNCTUATION + " ")


def read_as(answer: Answer) -> str | None:
    """The standalone question a turn was read as, when it says more than what was typed:
    None when the two differ only in case, spacing or end punctuation (or it is empty)."""
    rewritten = answer.rewritten_query.strip()
    if not rewritten or _normalised(rewritten) == _normalised(answer.question):
        return None
    return rewritten


def own_words(answer: Answer) -> str:
    """The answer text without its closing "You could ask: A / B" when those questions are its
    suggestions, which the page offers as buttons instead (the export and `/chat` keep them)."""
    offers = offers_text(answer.suggestions) if answer.suggestions else ""
    text = answer.answer.rstrip()
    if offers and text.endswith(offers) and len(text) > len(offers):
        return text[: -len(offers)].rstrip()
    return answer.answer


def asks_back(answer: Answer) -> bool:
    """True for a reply that quotes nothing and ends by asking the user something (the
    recommender asking for a background), rather than declining."""
    return not answer.abstained and not answer.citations and own_words(answer).rstrip().endswith("?")


def short_title(question: str, limit: int = TITLE_CHARS) -> str:
    """The question on one line, cut at a word boundary to at most about `limit` characters
    (an ellipsis marks the cut)."""
    flat = " ".join(question.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(END_PUNCTUATION + " ") + "…"


def is_long(question: str, limit: int = TITLE_CHARS) -> bool:
    """True when `short_title` cuts the question, or it has several lines."""
    return len(" ".join(question.split())) > limit or "\n" in question.strip()
