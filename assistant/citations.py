"""Claims to answer text with [n] markers and typed Citations; and the check that every marker
is backed by its quoted passage."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.schema import Citation
from assistant.text import stems

if TYPE_CHECKING:  # at run time only attributes are read; importing compose loads the index stack
    from assistant.compose import Claim

MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORT = 0.6  # share of a sentence's content words its quote must contain


def quote_for(text: str, claims: list[Claim]) -> str:
    """The verbatim span of `text` from the first to the last claimed sentence."""
    spans = [(text.find(c.text), text.find(c.text) + len(c.text)) for c in claims]
    spans = [s for s in spans if s[0] >= 0]
    if not spans:
        return text
    return text[min(s for s, _ in spans): max(e for _, e in spans)]


def render(claims: list[Claim], lead: str = "") -> tuple[list[str], list[Citation]]:
    """Answer sentences where each claim carries [n], and one Citation per quoted chunk."""
    numbers: dict[str, int] = {}
    for claim in claims:
        numbers.setdefault(claim.doc.id, len(numbers) + 1)
    parts = [lead] if lead else []
    parts += [f"{claim.text} [{numbers[claim.doc.id]}]" for claim in claims]
    citations = []
    for doc_id, n in numbers.items():
        own = [c for c in claims if c.doc.id == doc_id]
        doc = own[0].doc
        citations.append(Citation(
            n=n, chunk_id=doc_id, source=doc.metadata["source"], title=doc.metadata["title"],
            section=doc.metadata["section"], quote=quote_for(doc.page_content, own),
            url=doc.metadata.get("url", ""), score=round(max(c.score for c in own), 4),
        ))
    return parts, citations


def supported(sentence: str, quote: str) -> bool:
    """True when the quote holds the sentence verbatim or most of its content words."""
    plain = " ".join(sentence.split()).strip()
    if plain and plain in " ".join(quote.split()):
        return True
    words = set(stems(plain))
    return bool(words) and len(words & set(stems(quote))) / len(words) >= SUPPORT


def verify(sentences: list[str], citations: list[Citation], uncited_ok: tuple[str, ...] = ()):
    """Drop sentences whose markers are unsupported, and markers with no citation; renumber.

    `uncited_ok` are the answerer's own notices, which cite nothing and are kept as they are.
    """
    by_n = {c.n: c for c in citations}
    kept, order = [], {}
    for sentence in sentences:
        plain = MARKERS.sub("", sentence).strip()
        if sentence.strip() in uncited_ok or plain in uncited_ok:
            kept.append(plain)
            continue
        good = [n for m in MARKERS.findall(sentence) for n in map(int, m.split(","))
                if n in by_n and supported(plain, by_n[n].quote)]
        if good:
            marks = "".join(f" [{order.setdefault(n, len(order) + 1)}]" for n in dict.fromkeys(good))
            kept.append(plain + marks)
    renumbered = [by_n[old].model_copy(update={"n": new}) for old, new in order.items()]
    return " ".join(kept), renumbered


def split_answer(text: str) -> list[str]:
    """Sentences of an LLM's answer, each with the markers that follow it."""
    pieces = re.split(r"(?<=\])\s+(?=[^\s\[])|(?<=[.!?])\s+(?=[^\s\[])", text.strip())
    return [p for p in pieces if p.strip()]
