"""Structure-aware chunking: Markdown sections into small, citable LangChain Documents."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

from ingest.loaders import SourceFile

# An ATX heading; its text may be empty ("##"), which checks.file_problems reports.
HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
EDITORIAL = "> **Editorial note:**"
PATH_SEPARATOR = " > "


@dataclass
class Section:
    """The blocks (paragraphs, lists) directly under one heading path."""

    path: tuple[str, ...]
    blocks: list[str] = field(default_factory=list)


def parse_sections(markdown: str) -> list[Section]:
    """Split Markdown into sections by heading, and section text into blank-line blocks.

    Written by hand: LangChain's MarkdownHeaderTextSplitter drops blank lines, which are what
    tell paragraphs and lists apart.
    """
    sections = [Section(path=())]
    lines: list[str] = []
    in_fence = False

    def close_block() -> None:
        if lines:
            sections[-1].blocks.append("\n".join(lines).strip())
            lines.clear()

    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match:
            close_block()
            level = len(match.group(1))
            parent = sections[-1].path[: level - 1]
            sections.append(Section(path=parent + (match.group(2) or "",)))
        elif line.strip() or in_fence:
            lines.append(line.rstrip())
        else:
            close_block()
    close_block()
    return [s for s in sections if s.path or s.blocks]


def _is_list(block: str) -> bool:
    return all(LIST_ITEM.match(line) for line in block.splitlines())


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
        documents = []
        for section in parse_sections(file.markdown):
            path = section.path or (file.title,)
            heading_path = PATH_SEPARATOR.join(path)
            texts = [piece for block in section.blocks for piece in self.pieces(block)]
            for position, text in enumerate(texts):
                document = self._document(file, heading_path, position, text)
                document.metadata["order"] = len(documents)
                documents.append(document)
        return documents

    def _document(self, file: SourceFile, heading_path: str, position: int, text: str) -> Document:
        content_hash = hashlib.sha256(text.encode()).hexdigest()[:16]
        key = f"{file.source}\n{heading_path}\n{content_hash}"
        chunk_id = hashlib.sha256(key.encode()).hexdigest()[:24]
        kind = "editorial_note" if text.startswith(EDITORIAL) else (
            "list" if _is_list(text) else "text")
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
