"""Claims to answer lines with [n] markers and typed Citations; the check that every marker is
backed by its quoted passage; and the answer text those lines make (list items on lines of their
own)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from assistant.schema import Citation
from assistant.text import stems
from ingest.duplicates import sources_of

if TYPE_CHECKING:  # at run time only attributes are read; importing compose loads the index stack
    from assistant.claims import Claim

MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORT = 0.6  # share of a sentence's content words its quote must contain
TERMINAL = re.compile(r"""[.!?:;…]["'”’)\]]*$""")  # how a sentence may end


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


Sections = Callable[[Document], list[Document]]  # a chunk -> every chunk of its section, in order


def find(text: str, sentence: str) -> tuple[int, int] | None:
    """Where `sentence` is in `text`, any white space matching any (a line wrapped in the source
    is a space in the sentence); None if it is not."""
    found = re.search(r"\s+".join(map(re.escape, sentence.split())), text)
    return found.span() if found else None


def quote_for(text: str, claims: list[Claim]) -> str:
    """The verbatim span of `text` from the first to the last claimed sentence."""
    spans = [span for span in (find(text, c.text) for c in claims) if span]
    if not spans:
        return text
    return text[min(s for s, _ in spans): max(e for _, e in spans)]


def render(pieces: Sequence[Claim | str], sections: Sections | None = None
           ) -> tuple[list[Line], list[Citation]]:
    """A Line per piece, in order: a claim cites its passage, a string is the answerer's own
    notice. One Citation per passage, quoting the span of it the claims use: a passage is a
    chunk, or with `sections`, neighbouring chunks of one section (the text between them
    included, as the source has it), so one section is not listed twice for one answer."""
    claims = [p for p in pieces if not isinstance(p, str)]
    passage = _passages([c.doc for c in claims], sections)
    numbers: dict[str, int] = {}
    for claim in claims:
        numbers.setdefault(passage[claim.doc.id][0].id, len(numbers) + 1)
    lines = [Line(p) if isinstance(p, str)
             else Line(p.text, (numbers[passage[p.doc.id][0].id],), p.label, p.item)
             for p in pieces if p]
    citations = []
    for first_id, n in numbers.items():
        own = [c for c in claims if passage[c.doc.id][0].id == first_id]
        run = passage[own[0].doc.id]
        doc = run[0]
        citations.append(citation_of(doc, n, _quote(run, own), max(c.score for c in own)))
    return lines, citations


def citation_of(doc: Document, n: int, quote: str, score: float) -> Citation:
    """Source number `n`: `quote` from `doc`, with the chunk's file, title, heading path, URL,
    page (a PDF's) and the other files that hold the same text; `score` rounded to 4 places."""
    meta = doc.metadata
    return Citation(n=n, chunk_id=doc.id, source=meta["source"], title=meta["title"],
                    section=meta["section"], quote=quote, url=meta.get("url", ""),
                    score=round(score, 4), page=meta.get("page"), also_in=sources_of(doc)[1:])


def _passages(docs: list[Document], sections: Sections | None) -> dict[str, tuple[Document, ...]]:
    """Each used chunk's passage: the run of its section's chunks from one used chunk to the
    next, joined while at most one unused chunk lies between them and none is an editorial note
    or lacks its gap."""
    found = {doc.id: (doc,) for doc in docs}
    if sections is None:
        return found
    used = set(found)
    for doc in {d.metadata["section"]: d for d in docs}.values():
        runs: list[list[Document]] = []
        current: list[Document] = []
        skipped: list[Document] = []
        for sibling in sections(doc):
            if not _joinable(sibling):
                current, skipped = [], []
            elif sibling.id in used:
                if current and len(skipped) <= 1:
                    current += skipped + [sibling]
                else:
                    current = [sibling]
                    runs.append(current)
                skipped = []
            elif current:
                skipped.append(sibling)
        found.update({d.id: tuple(run) for run in runs for d in run if d.id in used})
    return found


def passage_from(doc: Document, sections: Sections) -> str:
    """The text a citation of `doc` may quote: `doc` and the chunks after it in its section,
    joined as the source has them, up to the first that cannot be joined."""
    siblings = sections(doc)
    text = doc.page_content
    for sibling in siblings[siblings.index(doc) + 1:] if doc in siblings else []:
        if not _joinable(sibling):
            break
        text += sibling.metadata["gap"] + sibling.page_content
    return text


def _joinable(doc: Document) -> bool:
    return doc.metadata.get("kind") != "editorial_note" and isinstance(doc.metadata.get("gap"), str)


def _quote(run: tuple[Document, ...], claims: list[Claim]) -> str:
    """The verbatim span of a passage from its first to its last claimed sentence."""
    if len(run) == 1:
        return quote_for(run[0].page_content, claims)
    text, offsets = "", {}
    for i, doc in enumerate(run):
        text += doc.metadata["gap"] if i else ""
        offsets[doc.id] = len(text)
        text += doc.page_content
    spans = []
    for claim in claims:
        span = find(claim.doc.page_content, claim.text)
        if span:
            spans.append((offsets[claim.doc.id] + span[0], offsets[claim.doc.id] + span[1]))
    return text[min(s for s, _ in spans): max(e for _, e in spans)] if spans else text


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
    (when the answer shows two items or more, or one under its intro: one alone reads as a
    sentence), and one marker at the end of each run of lines quoting the same passages (a list
    ends its run)."""
    introduced = any(line.text.endswith(":") and following.item
                     for line, following in zip(lines, lines[1:]))
    if len({line.item for line in lines if line.item}) < 2 and not introduced:
        lines = [replace(line, item="") for line in lines]
    out, unended = "", False
    for previous, line, following in zip([None, *lines], lines, [*lines[1:], None]):
        # a list item shown as a sentence has no full stop: it ends its run and its line
        unended_here = not line.item and not TERMINAL.search(line.text)
        ends_run = (following is None or following.cites != line.cites
                    or bool(line.item and not following.item) or unended_here)
        shown = line.text + ("".join(f" [{n}]" for n in line.cites) if ends_run else "")
        same_item = previous is not None and line.item and previous.item == line.item
        if line.item and not same_item:
            shown = f"- {line.label}: {shown}" if line.label else f"- {shown}"
        opens_list = bool(following and following.item and not line.item and line.text.endswith(":"))
        breaks = ((line.item and not same_item) or opens_list or unended
                  or (previous is not None and previous.item and not line.item))
        out += ("\n" if breaks and out else " " if out else "") + shown
        unended = unended_here
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
