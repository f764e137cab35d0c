"""A claim: one sentence of an answer and the chunk it is quoted from."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.text import units


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and the chunk it is quoted from."""

    text: str
    doc: Document
    unit: int = 0
    score: float = 0.0
    context_for: str | None = None  # id of the chunk whose sentence this one introduces
    label: str = ""  # shown before a list item: the heading it stands for
    item: str = ""  # the list item it belongs to ("" for a paragraph's sentence)
    overlap: float = 0.0  # idf-weighted share of the question's words the sentence holds
    asked_words: int = 0  # how many of the question's words (stems) it holds


def unit_claims(doc: Document, score: float = 0.0) -> list[Claim]:
    """Every citable unit of a chunk as a Claim; the sentences of one bullet share its item key."""
    return [Claim(text, doc, i, score, item=f"{doc.id}:{bullet}" if bullet is not None else "")
            for i, (text, bullet) in enumerate(units(doc.page_content))]
