"""Markdown into sections of citable blocks, from markdown-it-py's tokens (CommonMark, pipe
tables, YAML front matter).

A block keeps its source lines as written, so a quote stays verbatim and a list keeps its
`- ` markers; a pipe table becomes a list with one item per row (ingest/tables.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import yaml

from ingest.tables import row_items

# Block tokens of the top level that hold text to index; headings open sections, and a
# thematic break (`---`) or the front matter holds none.
CONTAINERS = {"paragraph_open", "blockquote_open", "bullet_list_open", "ordered_list_open"}
LEAVES = {"fence", "code_block", "html_block"}


@dataclass
class Section:
    """The blocks (paragraphs, lists) directly under one heading path, each with the blank
    lines before it (`gaps`, as text: "\n\n" for one blank line; "" for the first block) and
    its first line in the file (`lines`, 1-based). `line` is the heading's own line (0 before
    the first heading); `bare` holds the lines of headings without words ("###") in it."""

    path: tuple[str, ...]
    line: int = 0
    blocks: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    bare: list[int] = field(default_factory=list)


@cache
def _parser():
    from markdown_it import MarkdownIt  # ~30 ms: imported when a file is parsed
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def front_matter(markdown: str) -> dict:
    """The leading YAML front matter block as a dict ({} when there is none or it is not a
    YAML mapping)."""
    tokens = _parser().parse(markdown)
    if not tokens or tokens[0].type != "front_matter":
        return {}
    try:
        meta = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


class _Walker:
    """Reads top-level tokens into sections; `end` is the line after the last block."""

    def __init__(self, lines: list[str]):
        self.source = lines
        self.sections = [Section(path=())]
        self.end = 0

    def add(self, start: int, end: int, text: str | None = None) -> None:
        """The block on lines [start, end) (trailing blank lines dropped), or `text` for it."""
        while end > start and not self.source[end - 1].strip():
            end -= 1
        block = text if text is not None else "\n".join(
            line.rstrip() for line in self.source[start:end]).strip()
        if not block:
            return
        section = self.sections[-1]
        section.gaps.append("\n" * (start - self.end + 1) if section.blocks else "")
        section.blocks.append(block)
        section.lines.append(start + 1)
        self.end = end

    def heading(self, level: int, title: str, start: int, end: int) -> None:
        if not title:
            self.sections[-1].bare.append(start + 1)
        else:
            parent = self.sections[-1].path[: level - 1]
            self.sections.append(Section(path=parent + (title,), line=start + 1))
        self.end = end

    def items(self, tokens, start: int, close: int) -> None:
        """A list's items, cut where a blank line parts two of them (a loose list is several
        blocks, as a reader sees separate paragraphs)."""
        run_start = run_end = None
        for token in tokens[start:close]:
            if token.type != "list_item_open" or token.level != tokens[start].level + 1:
                continue
            item_start, item_end = token.map
            if run_start is not None and self._blank_between(run_end, item_start):
                self.add(run_start, run_end)
                run_start = None
            run_start = item_start if run_start is None else run_start
            run_end = item_end
        if run_start is not None:
            self.add(run_start, run_end)

    def _blank_between(self, end: int, start: int) -> bool:
        while end > 0 and not self.source[end - 1].strip():
            end -= 1
        return start > end


def parse_sections(markdown: str) -> list[Section]:
    """Split Markdown into sections by heading (ATX or Setext), and section text into blocks:
    paragraphs, runs of list items, code, quotes, and tables as row lists. A heading without
    words ends a block but leaves its text in the section it is in."""
    tokens = _parser().parse(markdown)
    walker = _Walker(markdown.splitlines())
    index = 0
    while index < len(tokens):
        token = tokens[index]
        close = _closing(tokens, index)
        if token.type == "heading_open":
            walker.heading(int(token.tag[1]), " ".join(tokens[index + 1].content.split()),
                           *token.map)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            walker.items(tokens, index, close)
        elif token.type == "table_open":
            walker.add(*token.map, text=_table_text(tokens[index:close]))
        elif token.type in CONTAINERS or token.type in LEAVES:
            walker.add(*token.map)
        index = close + 1
    return [s for s in walker.sections if s.path or s.blocks or s.bare]


def _closing(tokens, index: int) -> int:
    """The index of the token that closes the block opened at `index` (itself for a leaf)."""
    if tokens[index].nesting != 1:
        return index
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1


def _table_text(tokens) -> str:
    """A pipe table's tokens as a row list, each cell after its column's name."""
    header, rows, row = None, [], []
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(" ".join(token.content.split()))
        elif token.type == "tr_close" and header is None:
            header = row
        elif token.type == "tr_close":
            rows.append(row)
    return row_items(header or [], rows)
