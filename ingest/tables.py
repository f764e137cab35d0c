"""Tables as text the index can cite: a list with one item per row, each cell after its column's
name ("- Role: DataOps engineer; Median base pay: $118,500; Responses: 64"), so that a row
answers a question on its own. HTML tables (BeautifulSoup) and Markdown pipe tables
(markdown-it-py) both become such a list."""

from __future__ import annotations

CELL_SEPARATOR = "; "
NAME_SEPARATOR = ": "


def row_items(header: list[str], rows: list[list[str]]) -> str:
    """The rows as a Markdown list, each cell named by its column's header ("" when the table
    has no header row, or for a cell past the last header); empty cells left out."""
    items = []
    for row in rows:
        cells = [f"{name}{NAME_SEPARATOR}{cell}" if name else cell
                 for name, cell in zip(header + [""] * len(row), row) if cell]
        if cells:
            items.append("- " + CELL_SEPARATOR.join(cells))
    return "\n".join(items)


def _cell_text(cell) -> str:
    return " ".join(cell.get_text(" ").split())


def html_table(table) -> str:
    """A BeautifulSoup <table> as a caption line (if any) and a row list ("" if it has no text).

    The header is the table's first row when all its cells are <th> (in <thead> or not); rows
    of a table nested in a cell belong to that cell's text.
    """
    rows = [[_cell_text(cell) for cell in tr.find_all(["th", "td"], recursive=False)]
            for tr in table.find_all("tr") if tr.find_parent("table") is table]
    first = next((tr for tr in table.find_all("tr") if tr.find_parent("table") is table), None)
    has_header = first is not None and not first.find_all("td", recursive=False)
    header, body = (rows[0], rows[1:]) if has_header and rows else ([], rows)
    caption = _cell_text(table.caption) if table.caption else ""
    items = row_items(header, body)
    return "\n\n".join(part for part in (caption, items) if part)


def markdown_tables(markdown: str) -> str:
    """`markdown` with each pipe table replaced by its row list (the lines around it unchanged).

    Fenced code and indented code are left alone, as markdown-it-py parses them as code.
    """
    from markdown_it import MarkdownIt  # imported here: only Markdown files with a '|' need it

    if "|" not in markdown:
        return markdown
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    lines = markdown.splitlines()
    for start, end, text in reversed(list(_tables(tokens))):
        lines[start:end] = text.splitlines()
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")


def _tables(tokens) -> list[tuple[int, int, str]]:
    """(first line, line after the table, row list) of each table in markdown-it `tokens`."""
    found, header, rows, row, span = [], None, [], [], None
    for token in tokens:
        if token.type == "table_open":
            header, rows, span = None, [], token.map
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and span is not None:
            row.append(" ".join(token.content.split()))
        elif token.type == "tr_close" and header is None:
            header = row
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            found.append((span[0], span[1], row_items(header or [], rows)))
            span = None
    return found
