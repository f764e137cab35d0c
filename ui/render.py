"""Answers as HTML for the chat and the sources panel, and as plain text for the `/chat` API.

Every piece of corpus text and user input goes through `html.escape` here and nowhere is raw
text concatenated into markup: a question or a corpus file holding `<script>` must show those
characters, never run them. Messages are single HTML blocks without blank lines, so the chat's
Markdown renderer passes them through untouched (no Markdown or LaTeX inside user text).
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote, urlparse

from assistant.schema import Answer, Citation
from ui import shape

MARKER = re.compile(r"\[(\d+)\]")


def text_html(text: str) -> str:
    """Text shown exactly as typed: escaped, line breaks kept."""
    return escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def safe_url(url: str) -> str:
    """The URL if it is a plain web link; anything else (javascript:, data:, ...) is dropped."""
    return url if urlparse(url).scheme in ("http", "https") else ""


def source_id(turn: int, n: int) -> str:
    """The page-wide id of source n of a turn, which its [n] markers point at."""
    return f"src-{turn}-{n}"


def quote_link(citation: Citation) -> str:
    """Link to the article at the quoted passage (a text fragment of its first words); for a
    source without a URL (a user's own file), its file name."""
    url = safe_url(citation.url)
    if not url:  # a user's own file: its name
        return f'<span class="source-file">{text_html(citation.source)}</span>'
    start = " ".join(citation.quote.split()[:8])
    href = f"{url.split('#')[0]}#:~:text={quote(start, safe='')}"
    return (f'<a class="article-link" href="{escape(href)}" target="_blank" rel="noopener">'
            f"Open in the article</a>")


def question_html(question: str, limit: int) -> str:
    """The user's message; text past `limit` characters is cut, with a notice."""
    shown = text_html(question[:limit])
    if len(question) > limit:
        shown += (f'<div class="notice">Your message was cut to its first {limit:,} characters '
                  f"({len(question):,} were sent).</div>")
    return f'<div class="question">{shown}</div>'


def _marked(text: str, turn: int, numbers: set[int]) -> str:
    def link(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="cite" href="#{source_id(turn, n)}" title="Source {n}">[{n}]</a>'

    return MARKER.sub(link, text_html(text))


def lines_html(text: str, turn: int, numbers: set[int]) -> str:
    """Answer text as markup: each plain line a paragraph, consecutive "- " lines one list;
    `[n]` markers with a source link to that turn's source n."""
    parts = []
    for is_list, lines in shape.line_groups(text):
        marked = [_marked(line, turn, numbers) for line in lines]
        parts.append("<ul>" + "".join(f"<li>{m}</li>" for m in marked) + "</ul>" if is_list
                     else f"<p>{marked[0]}</p>")
    return "".join(parts)


def source_details(citation: Citation, turn: int) -> str:
    """One numbered source under an answer: section path; opening it shows quote and link."""
    return (f'<details class="source" id="{source_id(turn, citation.n)}">'
            f'<summary><span class="n">[{citation.n}]</span> '
            f"{text_html(citation.place)}</summary>"
            f'<blockquote class="quote">{text_html(citation.quote)}</blockquote>'
            f"{quote_link(citation)}</details>")


def answer_html(answer: Answer, turn: int, shown: str | None = None) -> str:
    """An answer bubble; `shown` is the part of its own words streamed so far (no sources,
    no "Read as" until it is complete, when the bubble gets the class `complete`)."""
    complete = shown is None
    text = shape.own_words(answer) if complete else shown
    body = lines_html(text, turn, {c.n for c in answer.citations})
    kind = "answer" + (" abstained" if answer.abstained else "") + (" complete" if complete else "")
    parts = [f'<div class="{kind}">']
    if answer.abstained:
        parts.append('<div class="badge">Not covered by the article</div>')
    elif answer.recommendation:
        parts.append(f'<div class="badge recommendation">Recommended: '
                     f"{text_html(answer.recommendation)}</div>")
    parts.append(f'<div class="text">{body}</div>')
    if complete and answer.citations:
        parts.append('<div class="sources">'
                     + "".join(source_details(c, turn) for c in answer.citations) + "</div>")
    read_as = shape.read_as(answer) if complete else None
    if read_as:
        parts.append('<details class="read-as"><summary>Read as</summary>'
                     f"<span>{text_html(read_as)}</span></details>")
    return "".join(parts) + "</div>"


def pending_html() -> str:
    """The bubble shown while the Assistant is answering, before the first words arrive."""
    return '<div class="answer pending"><span class="dots">Looking in the article…</span></div>'


def _with_code(text: str) -> str:
    """Escaped text with `command` spans shown as code."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", text_html(text))


def problem_html(what: str, fix: str) -> str:
    """What went wrong and how to fix it, instead of a stack trace."""
    return (f'<div class="problem"><div class="badge error">Can\'t answer right now</div>'
            f"<div>{_with_code(what)}</div><div><b>How to fix:</b> {_with_code(fix)}</div></div>")


def _panel_empty(answer: Answer) -> str:
    if answer.abstained:
        why = "No sources: the article does not answer this, so nothing is quoted."
    elif shape.asks_back(answer):
        why = ("Nothing quoted yet: this reply asks you a question. The passages behind the "
               "answer to it will appear here.")
    else:
        why = "Nothing quoted: this reply is the assistant's own words, not the article's."
    return f'<div class="panel-empty">{why}</div>'


def sources_panel(answer: Answer | None, turn: int = 0) -> str:
    """The passages behind the latest answer (turn `turn`, counted from 0): the question they
    answer, then per source its section, verbatim quote and article link."""
    if answer is None:
        return '<div class="panel-empty">The passages behind each answer appear here.</div>'
    heading = (f'<div class="panel-for">For your question: '
               f"<q>{text_html(shape.short_title(answer.question))}</q></div>")
    if not answer.citations:
        return heading + _panel_empty(answer)
    cards = []
    for c in answer.citations:
        cards.append(
            f'<div class="source-card" id="panel-{source_id(turn, c.n)}">'
            f'<div class="section"><span class="n">[{c.n}]</span> {text_html(c.place)}</div>'
            f'<blockquote class="quote">{text_html(c.quote)}</blockquote>'
            f'<div class="meta">{quote_link(c)}</div>'
            "</div>")
    return heading + "".join(cards)


def chat_messages(turns: list[Answer], limit: int) -> list[dict]:
    """The chat window's messages for the finished turns: question, then answer."""
    messages = []
    for turn, answer in enumerate(turns):
        messages.append({"role": "user", "content": question_html(answer.question, limit)})
        messages.append({"role": "assistant", "content": answer_html(answer, turn)})
    return messages


def plain_answer(answer: Answer) -> str:
    """The answer as text, its lines and "- " list lines as they are, with its numbered sources
    under it (what `/chat` returns)."""
    if not answer.citations:
        return answer.answer
    lines = [answer.answer, "", "Sources:"]
    for c in answer.citations:
        link = f" <{c.url}>" if c.url else ""
        lines.append(f'[{c.n}] {c.place} ({c.source}): "{c.quote}"{link}')
    return "\n".join(lines)
