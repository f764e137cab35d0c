"""A PDF's text as Markdown, page by page (pypdf): under the headings of its outline (bookmarks)
when it has one, else under a heading "page N" per page; the first Markdown line of each page
is kept so every chunk can name its page."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

BULLETS = ("•", "◦", "▪", "‣", "●")


@dataclass(frozen=True)
class PdfText:
    """`markdown` of the whole PDF; `page_lines[i]` is the 1-based line where page i+1 starts."""

    markdown: str
    page_lines: tuple[int, ...]
    title: str


def pdf_text(raw: bytes) -> PdfText | str:
    """The PDF's text, or in a few words why it has none to index (encrypted, damaged, or pages
    that are images: a scan needs OCR first)."""
    from pypdf import PdfReader  # imported here: only PDF files need it
    from pypdf.errors import PdfReadError

    # pypdf logs what it repairs ("EOF marker not found"): the ingest report says it once
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            return "an encrypted PDF; save a copy without a password to index it"
        pages = [page.extract_text() or "" for page in reader.pages]
        headings = _outline(reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        return f"not a readable PDF ({error})"
    if not any(text.strip() for text in pages):
        return (f"no text in its {len(pages)} page{'s' * (len(pages) != 1)} (a scan? its pages "
                "are images; run OCR on it first)")
    title = str((reader.metadata or {}).get("/Title") or "").strip()
    return _markdown(pages, headings, title)


def _outline(reader) -> dict[int, list[tuple[int, str]]]:
    """The outline's entries by the page they start on (0-based), each as (depth, title)."""
    found: dict[int, list[tuple[int, str]]] = {}

    def walk(entries, depth: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
                continue
            page = reader.get_destination_page_number(entry)
            title = " ".join(str(entry.title or "").split())
            if page is not None and title:
                found.setdefault(page, []).append((depth, title))

    walk(reader.outline, 1)
    return found


def _markdown(pages: list[str], headings: dict[int, list[tuple[int, str]]], title: str) -> PdfText:
    lines: list[str] = []
    starts = []
    for number, text in enumerate(pages):
        starts.append(len(lines) + 1)
        names = headings.get(number, []) if headings else [(1, f"page {number + 1}")]
        for depth, name in names:
            lines += [f"{'#' * min(depth, 6)} {name}", ""]
        titles = {name for _, name in names}  # printed on the page too: a heading, not text
        lines += [_line(line) for line in text.splitlines()
                  if " ".join(line.split()) not in titles] + [""]
    return PdfText(markdown="\n".join(lines), page_lines=tuple(starts), title=title)


def _line(line: str) -> str:
    """A line of page text as Markdown: a bullet glyph becomes a list item."""
    stripped = line.strip()
    for bullet in BULLETS:
        if stripped.startswith(bullet):
            return "- " + stripped[len(bullet):].strip()
    return stripped
