"""Structure-aware chunking: Markdown sections into small, citable LangChain Documents."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from ingest.loaders import SourceFile

# An ATX heading; one without words ("##") is ignored, and checks.heading_notes says so.
HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
EDITORIAL = "> **Editorial note:**"
PATH_SEPARATOR = " > "


@dataclass
class Section:
    """The blocks (paragraphs, lists) directly under one heading path, each with the blank
    lines before it (`gaps`, as text: "\n\n" for one blank line; "" for the first block)."""

    path: tuple[str, ...]
    blocks: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    bare: int = 0  # heading lines without words ("###") in it, which open no section


def parse_sections(markdown: str) -> list[Section]:
    """Split Markdown into sections by heading, and section text into blank-line blocks; a
    heading without words ends a block but leaves its text in the section it is in.

    Written by hand: LangChain's MarkdownHeaderTextSplitter drops blank lines, which are what
    tell paragraphs and lists apart.
    """
    sections = [Section(path=())]
    lines: list[str] = []
    in_fence = False
    blanks = 0  # blank lines since the last block of the section

    def close_block() -> None:
        if lines:
            section = sections[-1]
            section.gaps.append("\n" * (blanks + 1) if section.blocks else "")
            section.blocks.append("\n".join(lines).strip())
            lines.clear()

    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and not match.group(2):
            close_block()
            sections[-1].bare, blanks = sections[-1].bare + 1, 0
        elif match:
            close_block()
            level = len(match.group(1))
            parent = sections[-1].path[: level - 1]
            sections.append(Section(path=parent + (match.group(2),)))
        elif line.strip() or in_fence:
            lines.append(line.rstrip())
        else:
            if lines:
                close_block()
                blanks = 0
            blanks += 1
    close_block()
    return [s for s in sections if s.path or s.blocks or s.bare]


def _is_list(block: str) -> bool:
    return all(LIST_ITEM.match(line) for line in block.splitlines())


def _has_list(block: str) -> bool:
    return any(LIST_ITEM.match(line) for line in block.splitlines())


def _with_intros(section: Section, limit: int) -> list[tuple[str, str]]:
    """The section's blocks and their gaps, a list joined with the paragraph before it when that
    introduces it (ends in ':') and both fit in `limit` characters: the intro is quoted with
    the items it introduces."""
    joined: list[tuple[str, str]] = []
    for block, gap in zip(section.blocks, section.gaps):
        before = joined[-1][0] if joined else ""
        if (_is_list(block) and before.endswith(":") and not _has_list(before)
                and len(before) + len(gap) + len(block) <= limit):
            intro, intro_gap = joined.pop()
            joined.append((intro + gap + block, intro_gap))
        else:
            joined.append((block, gap))
    return joined


class Chunker:
    """Turns SourceFiles into Documents with stable ids and the metadata citations need."""

    def __init__(self, max_chars: int = 600):
        from langchain_text_splitters import RecursiveCharacterTextSplitter  # ~0.2 s: when chunking

        self.max_chars = max_chars
        self.sentence_splitter = RecursiveCharacterTextSplitter(
            chunk_size=max_chars,
            chunk_overlap=0,
            separators=[r"(?<=[.!?])\s+", r"(?<=[,;:])\s+", r"\s+"],
            is_separator_regex=True,
            # "end" keeps the spaces with the text before them: with False, LangChain joins
            # merged pieces with the separator's regex source, writing "\\s+" into chunks.
            keep_separator="end",
        )

    def pieces(self, block: str) -> list[str]:
        """A block as citable pieces: whole if small, else bullets apart or sentences grouped."""
        if len(block) <= self.max_chars:
            return [block]
        if _is_list(block):
            return block.splitlines()
        return self.sentence_splitter.split_text(" ".join(block.split()))

    def chunk(self, file: SourceFile) -> list[Document]:
        """The file's chunks in reading order. Each records the source text between it and the
        chunk before it in its section (`gap`), so neighbouring chunks can be quoted as one
        passage."""
        documents = []
        for section in parse_sections(file.markdown):
            path = section.path or (file.title,)
            heading_path = PATH_SEPARATOR.join(path)
            for position, (text, gap) in enumerate(self._gapped(section)):
                document = self._document(file, heading_path, position, text)
                document.metadata["order"] = len(documents)
                document.metadata["gap"] = gap
                documents.append(document)
        return documents

    def _gapped(self, section: Section) -> list[tuple[str, str]]:
        """Every piece of a section with the text before it: the blank lines before its block,
        or within a block a line break (between bullets) or a space (between sentences)."""
        found = []
        for block, gap in _with_intros(section, self.max_chars):
            pieces = self.pieces(block)
            inner = "\n" if _is_list(block) else " "
            found += [(piece, gap if i == 0 else inner) for i, piece in enumerate(pieces)]
        return found

    def _document(self, file: SourceFile, heading_path: str, position: int, text: str) -> Document:
        content_hash = hashlib.sha256(text.encode()).hexdigest()[:16]
        key = f"{file.source}\n{heading_path}\n{content_hash}"
        chunk_id = hashlib.sha256(key.encode()).hexdigest()[:24]
        kind = "editorial_note" if text.startswith(EDITORIAL) else (
            "list" if _has_list(text) else "text")
        return Document(
            id=chunk_id,
            page_content=text,
            metadata={
                "chunk_id": chunk_id,
                "source": file.source,
                "title": file.title,
                "url": file.url,
                "section": heading_path,
                "position": position,
                "hash": content_hash,
                "kind": kind,
            },
        )


def embedding_text(document: Document) -> str:
    """What gets embedded and indexed for BM25: the heading path gives a short chunk its topic."""
    return f"{document.metadata['section']}\n{document.page_content}"
