"""Claims to answer lines with [n] markers and typed Citations; the check that every marker is
backed by its quoted passage; and the answer text those lines make (list items on lines of their
own)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.schema import Citation
from assistant.text import stems

if TYPE_CHECKING:  # at run time only attributes are read; importing compose loads the index stack
    from assistant.claims import Claim

MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORT = 0.6  # share of a sentence's content words its quote must contain


@dataclass(frozen=True)
class Line:
    """One sentence of an answer. `cites` are citation numbers (none: the answerer's own words,
    kept as they are). Sentences of one list item share its `item` key: the item goes on a line
    of its own after "- " and its `label` (the heading it stands for); only `text` is checked
    against the quotes."""

    text: str
    cites: tuple[int, ...] = ()
    label: str = ""
    item: str = ""


def quote_for(text: str, claims: list[Claim]) -> str:
    """The verbatim span of `text` from the first to the last claimed sentence."""
    spans = [(text.find(c.text), text.find(c.text) + len(c.text)) for c in claims]
    spans = [s for s in spans if s[0] >= 0]
    if not spans:
        return text
    return text[min(s for s, _ in spans): max(e for _, e in spans)]


def render(pieces: Sequence[Claim | str]) -> tuple[list[Line], list[Citation]]:
    """A Line per piece, in order: a claim cites its chunk, a string is the answerer's own
    notice; one Citation per chunk, quoting the span of it the claims use."""
    claims = [p for p in pieces if not isinstance(p, str)]
    numbers: dict[str, int] = {}
    for claim in claims:
        numbers.setdefault(claim.doc.id, len(numbers) + 1)
    lines = [Line(p) if isinstance(p, str) else Line(p.text, (numbers[p.doc.id],), p.label, p.item)
             for p in pieces if p]
    citations = []
    for doc_id, n in numbers.items():
        own = [c for c in claims if c.doc.id == doc_id]
        doc = own[0].doc
        citations.append(Citation(
            n=n, chunk_id=doc_id, source=doc.metadata["source"], title=doc.metadata["title"],
            section=doc.metadata["section"], quote=quote_for(doc.page_content, own),
            url=doc.metadata.get("url", ""), score=round(max(c.score for c in own), 4),
        ))
    return lines, citations


def supported(sentence: str, quote: str) -> bool:
    """True when the quote holds the sentence verbatim or most of its content words."""
    plain = " ".join(sentence.split()).strip()
    if plain and plain in " ".join(quote.split()):
        return True
    words = set(stems(plain))
    return bool(words) and len(words & set(stems(quote))) / len(words) >= SUPPORT


def check_lines(lines: list[Line], citations: list[Citation]) -> tuple[list[Line], list[Citation]]:
    """Keep each cited line's supported markers (dropping a line left with none) and the
    answerer's own lines; renumber citations by first use."""
    by_n = {c.n: c for c in citations}
    kept, order = [], {}
    for line in lines:
        if not line.cites:
            kept.append(line)
            continue
        good = [n for n in dict.fromkeys(line.cites) if n in by_n and supported(line.text, by_n[n].quote)]
        if good:
            kept.append(replace(line, cites=tuple(order.setdefault(n, len(order) + 1) for n in good)))
    return kept, [by_n[old].model_copy(update={"n": new}) for old, new in order.items()]


def text_of(lines: list[Line]) -> str:
    """The answer text: sentences run on in paragraphs, each list item on a line of its own
    (when the answer shows two items or more: one alone reads as a sentence)."""
    if len({line.item for line in lines if line.item}) < 2:
        lines = [replace(line, item="") for line in lines]
    out = ""
    for previous, line in zip([None, *lines], lines):
        shown = line.text + "".join(f" [{n}]" for n in line.cites)
        same_item = previous is not None and line.item and previous.item == line.item
        if line.item and not same_item:
            shown = f"- {line.label}: {shown}" if line.label else f"- {shown}"
        breaks = (line.item and not same_item) or (previous is not None and previous.item
                                                    and not line.item)
        out += ("\n" if breaks and out else " " if out else "") + shown
    return out


def verify(sentences: list[str], citations: list[Citation], uncited_ok: tuple[str, ...] = ()):
    """An LLM's sentences (each with its markers) checked against their citations: unsupported
    markers and sentences without a supported marker are dropped, and the answerer's own
    `uncited_ok` notices kept. Returns the answer text and the citations used, renumbered."""
    lines = []
    for sentence in sentences:
        plain = MARKERS.sub("", sentence).strip()
        if sentence.strip() in uncited_ok or plain in uncited_ok:
            lines.append(Line(plain))
        else:
            cites = tuple(int(n) for m in MARKERS.findall(sentence) for n in m.split(","))
            if cites:
                lines.append(Line(plain, cites))
    kept, cited = check_lines(lines, citations)
    return text_of(kept), cited


def split_answer(text: str) -> list[str]:
    """Sentences of an LLM's answer, each with the markers that follow it."""
    pieces = re.split(r"(?<=\])\s+(?=[^\s\[])|(?<=[.!?])\s+(?=[^\s\[])", text.strip())
    return [p for p in pieces if p.strip()]
