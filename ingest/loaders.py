"""Find corpus files under the given paths and read them as Markdown text, reporting bad ones."""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.decoding import PDF_TEXT, UTF8, decode
from ingest.errors import MissingPaths
from ingest.markdown import front_matter
from ingest.tables import html_table

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
# Never indexed from an HTML page: code, styling and the chrome around its content. A page's
# site <header> keeps only its headings (_drop_chrome).
NOT_CONTENT = ["script", "style", "noscript", "template", "nav", "footer", "aside"]
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
CHROME_ROLES = ["navigation", "banner", "contentinfo", "complementary", "search"]


@dataclass(frozen=True)
class SourceFile:
    """One readable corpus file; `source` is its stable name (root folder name + relative path)."""

    source: str
    path: Path
    markdown: str
    title: str
    url: str
    sha256: str
    encoding: str = UTF8  # the codec it was read in (a BOM, else UTF-8, else detected)
    page_lines: tuple[int, ...] = ()  # a PDF's: the Markdown line each page starts on

    def page_of(self, line: int) -> int | None:
        """The PDF page (1-based) that Markdown line `line` is on; None for other files."""
        return bisect.bisect_right(self.page_lines, line) if self.page_lines else None


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def discover(paths: list[Path]) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """Expand folders into (source name, file) pairs; never follow a link out of a given folder.
    Raises MissingPaths, before reading anything, when a path does not exist."""
    missing = [str(root) for root in paths if not root.exists()]
    if missing:
        raise MissingPaths(f"no such file or folder: {', '.join(missing)}; nothing was ingested "
                           "and the index is unchanged")
    found, problems = [], []
    for root in paths:
        if root.is_file():
            found.append((root.name, root))
        else:
            base = root.resolve()
            for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
                relative = path.relative_to(root)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if not path.resolve().is_relative_to(base):
                    problems.append(Problem(str(path), "links outside the folder; skipped"))
                    continue
                found.append((f"{root.resolve().name}/{relative.as_posix()}", path))
    return found, problems


def read_file(source: str, path: Path, max_bytes: int) -> SourceFile | Problem:
    """Read one file as Markdown in whatever encoding it is in, or say in a few words why it
    cannot be used (a Problem: unsupported type, too large, binary, empty)."""
    if path.suffix.lower() not in SUFFIXES:
        return Problem(str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                                  f"supported: {', '.join(SUFFIXES)}")
    size = path.stat().st_size
    if size > max_bytes:
        return Problem(str(path), f"{size} bytes is over the {max_bytes}-byte limit")
    raw = path.read_bytes()
    if path.suffix.lower() == ".pdf":
        return _read_pdf(source, path, raw)
    decoded = decode(raw)
    if isinstance(decoded, str):
        return Problem(str(path), decoded)
    text = decoded.text
    if not text.strip():
        return Problem(str(path), "empty file")
    markdown, meta = _to_markdown(path, text)
    if not markdown.strip():
        return Problem(str(path), "no text in it")
    return SourceFile(
        source=source,
        path=path,
        markdown=markdown,
        title=str(meta.get("title") or path.stem),
        url=web_url(meta.get("url")),
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=decoded.encoding,
    )


def _read_pdf(source: str, path: Path, raw: bytes) -> SourceFile | Problem:
    from ingest.pdf import pdf_text

    text = pdf_text(raw)
    if isinstance(text, str):
        return Problem(str(path), text)
    return SourceFile(source=source, path=path, markdown=text.markdown,
                      title=text.title or path.stem, url="",
                      sha256=hashlib.sha256(raw).hexdigest(), encoding=PDF_TEXT,
                      page_lines=text.page_lines)


def web_url(value) -> str:
    """A front-matter URL if it is an http(s) link, else "": citations carry it to every client,
    and a `javascript:` or `data:` URL there would run in any page that shows it as a link."""
    url = str(value or "").strip()
    return url if re.match(r"https?://[^\s]+$", url, re.I) else ""


def _to_markdown(path: Path, text: str) -> tuple[str, dict]:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return html_to_markdown(text)
    if suffix in (".md", ".markdown"):
        return text, front_matter(text)  # the chunker skips the front matter block
    return text, {}


def html_to_markdown(html: str) -> tuple[str, dict]:
    """Keep an HTML page's headings, paragraphs, list items and tables as Markdown blocks (a
    table as one list item per row, each cell after its column's name: ingest/tables.py), and
    nothing of its scripts, styles or page chrome (navigation, site header and footer, asides).

    Written by hand because LangChain's HTML splitters flatten lists and paragraphs into one text.
    """
    from bs4 import BeautifulSoup  # imported here: only HTML files need it

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else ""
    _drop_chrome(soup)
    blocks, previous = [], ""
    for tag in soup.find_all([*HEADINGS, "p", "li", "pre", "blockquote", "table"]):
        if tag.find_parent(["p", "li", "pre", "blockquote", "table"]):
            continue
        text = html_table(tag) if tag.name == "table" else " ".join(tag.get_text(" ").split())
        if not text:
            continue
        if tag.name.startswith("h"):
            blocks.append("#" * int(tag.name[1]) + " " + text)
        elif tag.name == "li" and previous == "li" and tag.find_previous_sibling("li"):
            blocks[-1] += "\n- " + text
        elif tag.name == "li":
            blocks.append("- " + text)
        else:
            blocks.append(text)
        previous = tag.name
    return "\n\n".join(blocks), {"title": title}


def _drop_chrome(soup) -> None:
    """Take scripts, styles and page chrome out of `soup`; of a site header (one outside
    <article> and <main>) only its headings are kept: the page's title is often its <h1>."""
    for tag in soup(NOT_CONTENT) + soup(attrs={"role": CHROME_ROLES}):
        if not tag.decomposed:
            tag.decompose()
    for header in soup("header"):
        if not header.decomposed and not header.find_parent(["article", "main"]):
            for child in header.find_all(True):
                if not child.decomposed and not child.find_parent(HEADINGS) \
                        and child.name not in HEADINGS and not child.find(HEADINGS):
                    child.decompose()


def load_files(paths: list[Path], max_bytes: int) -> tuple[list[SourceFile], list[Problem]]:
    """Every usable file under `paths`, plus one Problem per file that was skipped."""
    found, problems = discover(paths)
    files, seen = [], set()
    for source, path in found:
        if path.resolve() in seen:  # named twice (`ingest docs docs/a.md`): one copy, one source
            continue
        seen.add(path.resolve())
        try:
            result = read_file(source, path, max_bytes)
        except OSError as error:
            result = Problem(str(path), f"cannot be read ({error.strerror})")
        (files if isinstance(result, SourceFile) else problems).append(result)
    return files, problems
