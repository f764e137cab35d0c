"""The same text in several files indexed once: one chunk, cited as the first file that has it,
whose metadata lists the others (`also_in`)."""

from __future__ import annotations

import re

from langchain_core.documents import Document

ALSO_IN = "also_in"  # metadata: the other sources of a chunk's text, one per line
NOT_WORDS = re.compile(r"[\W_]+")


def duplicate_key(text: str) -> str:
    """What two near-identical passages share: their letters and digits, case folded (so a
    changed space, a curly quote or a dropped comma makes no difference)."""
    return NOT_WORDS.sub("", text.casefold())


def merge_duplicates(chunks: list[Document]) -> tuple[list[Document], dict[str, str]]:
    """`chunks` (in the order the files were given) without those whose text an earlier file
    already has, which instead list their source under that chunk's `also_in`; and for each
    file that lost chunks so, a note saying how many and to which file.

    Repeats inside one file are left alone: under other headings they read differently.
    """
    first: dict[str, Document] = {}
    kept, merged = [], {}
    for chunk in chunks:
        source = chunk.metadata["source"]
        earlier = first.setdefault(duplicate_key(chunk.page_content), chunk)
        if earlier is chunk or earlier.metadata["source"] == source:
            kept.append(chunk)
            continue
        others = sources_of(earlier)[1:]
        if source not in others:
            earlier.metadata[ALSO_IN] = "\n".join([*others, source])
        merged.setdefault(source, {}).setdefault(earlier.metadata["source"], 0)
        merged[source][earlier.metadata["source"]] += 1
    return kept, {source: _note(counts) for source, counts in merged.items()}


def sources_of(chunk: Document) -> list[str]:
    """Every file that holds `chunk`'s text: its own source first, then `also_in`."""
    also = chunk.metadata.get(ALSO_IN) or ""
    return [chunk.metadata["source"], *also.splitlines()]


def _note(counts: dict[str, int]) -> str:
    parts = [f"{count} passage{'s' * (count != 1)} the same as in {source}"
             for source, count in counts.items()]
    return "; ".join(parts) + ": indexed once, cited as that file"
