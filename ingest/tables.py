"""Tables as text the index can cite: a list with one item per row, each cell after its column's
name ("- Role: DataOps engineer; Median base pay: $118,500; Responses: 64"), so that a row
answers a question on its own. HTML tables (BeautifulSoup, here) and Markdown pipe tables
(ingest/markdown.py) both become such a list."""

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

    Merged cells (colspan, rowspan) are repeated into every column and row they span. The
    header is the leading rows whose cells are all <th> (in <thead> or not); a column's name
    joins its header cells top to bottom, each once ("Pay" over "Median" names the column
    "Pay Median"). Rows of a table nested in a cell belong to that cell's text.
    """
    grid, heads = _grid([tr for tr in table.find_all("tr") if tr.find_parent("table") is table])
    depth = next((i for i, head in enumerate(heads) if not head), len(heads))
    depth = depth if depth < len(grid) or not grid else 0  # all <th>: a table without a header
    header = [" ".join(dict.fromkeys(row[c] for row in grid[:depth] if c < len(row) and row[c]))
              for c in range(max(map(len, grid), default=0))] if depth else []
    caption = _cell_text(table.caption) if table.caption else ""
    items = row_items(header, grid[depth:])
    return "\n\n".join(part for part in (caption, items) if part)


def _grid(rows) -> tuple[list[list[str]], list[bool]]:
    """The rows' cell texts with each merged cell repeated where it spans, and for each row
    whether all its cells are header cells."""
    grid: list[list[str]] = []
    heads: list[bool] = []
    spanning: dict[tuple[int, int], str] = {}  # (row, column) -> text from a rowspan above
    for r, tr in enumerate(rows):
        cells = tr.find_all(["th", "td"], recursive=False)
        row, column = [], 0
        for cell in cells:
            while (r, column) in spanning:
                row.append(spanning.pop((r, column)))
                column += 1
            text, width, height = _cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan")
            for c in range(column, column + width):
                row.append(text)
                spanning.update({(r + below, c): text for below in range(1, height)})
            column += width
        while (r, column) in spanning:
            row.append(spanning.pop((r, column)))
            column += 1
        grid.append(row)
        heads.append(bool(cells) and all(cell.name == "th" for cell in cells))
    return grid, heads


def _span(cell, attribute: str) -> int:
    """A cell's colspan or rowspan, 1 when absent or not a number (at most 100)."""
    try:
        return max(1, min(100, int(cell.get(attribute, 1))))
    except (TypeError, ValueError):
        return 1
