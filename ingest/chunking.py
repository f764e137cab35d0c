"""Structure-aware chunking: Markdown sections into small, citable LangChain Documents."""

from __future__ import annotations

import hashlib
import re
from langchain_core.documents import Document

from ingest.loaders import SourceFile
from ingest.markdown import Section, parse_sections

LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
EDITORIAL = "> **Editorial note:**"
PATH_SEPARATOR = " > "


def _is_list(block: str) -> bool:
    return all(LIST_ITEM.match(line) for line in block.splitlines())


def _has_list(block: str) -> bool:
    return any(LIST_ITEM.match(line) for line in block.splitlines())


def _with_intros(section: Section, limit: int) -> list[tuple[str, str, int]]:
    """The section's blocks with their gaps and first lines, a list joined with the paragraph
    before it when that introduces it (ends in ':') and both fit in `limit` characters: the
    intro is quoted with the items it introduces."""
    joined: list[tuple[str, str, int]] = []
    for block, gap, line in zip(section.blocks, section.gaps, section.lines):
        before = joined[-1][0] if joined else ""
        if (_is_list(block) and before.endswith(":") and not _has_list(before)
                and len(before) + len(gap) + len(block) <= limit):
            intro, intro_gap, intro_line = joined.pop()
            joined.append((intro + gap + block, intro_gap, intro_line))
        else:
            joined.append((block, gap, line))
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

    def lined_pieces(self, block: str, line: int) -> list[tuple[str, int]]:
        """`pieces` with the file line each starts on (a sentence group: its block's line)."""
        pieces = self.pieces(block)
        if len(pieces) == 1 or not _is_list(block):
            return [(piece, line) for piece in pieces]
        return [(piece, line + offset) for offset, piece in enumerate(pieces)]

    def chunk(self, file: SourceFile, sections: list[Section] | None = None) -> list[Document]:
        """The file's chunks in reading order (from `sections`, its Markdown parsed already, if
        given). Each records the source text between it and the chunk before it in its section
        (`gap`), so neighbouring chunks can be quoted as one passage."""
        documents = []
        for section in parse_sections(file.markdown) if sections is None else sections:
            path = section.path or (file.title,)
            heading_path = PATH_SEPARATOR.join(path)
            for position, (text, gap, line) in enumerate(self._gapped(section)):
                document = self._document(file, heading_path, position, text)
                document.metadata.update(order=len(documents), gap=gap, line=line)
                if file.page_lines:
                    document.metadata["page"] = file.page_of(line)
                documents.append(document)
        return documents

    def _gapped(self, section: Section) -> list[tuple[str, str, int]]:
        """Every piece of a section with the text before it (the blank lines before its block,
        or within a block a line break between bullets or a space between sentences) and the
        file line it starts on."""
        found = []
        for block, gap, line in _with_intros(section, self.max_chars):
            pieces = self.lined_pieces(block, line)
            inner = "\n" if _is_list(block) else " "
            found += [(piece, gap if i == 0 else inner, at) for i, (piece, at) in enumerate(pieces)]
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
