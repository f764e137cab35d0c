"""What happens on the page: ask and stream, start over, rate an answer, the `/chat` API.

Handlers return `Screen`s (named page updates) rather than Gradio objects, so they read as the
behaviour they implement; `ui.app` maps each Screen onto the components.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.schema import Answer
from ingest.errors import OpsAssistantError
from ui import render, saved, shape
from ui.export import session_folder, write_export
from ui.loader import AssistantSource, Problem, Unavailable, explain

log = logging.getLogger("ops_assistant.ui")

SKIP: Any = object()  # "leave this part of the page as it is"
WORDS_PER_PIECE = 3
STREAM_DELAY_S = 0.02  # at most this between pieces: reads as typing,
STREAM_BUDGET_S = 0.4  # and a whole answer streams in at most about this long


@dataclass
class Screen:
    """One update of the page; a field left as SKIP is not changed."""

    textbox: Any = SKIP
    chat: Any = SKIP
    turns: Any = SKIP
    sources: Any = SKIP
    follow_ups: Any = SKIP  # list[str]: the suggestion buttons (empty hides them)
    welcome: Any = SKIP  # bool: the empty-chat starters
    download: Any = SKIP  # Path | None: the Markdown export
    problem: Any = SKIP  # str: HTML of the problem banner ("" hides it)
    busy: Any = SKIP  # bool: an answer is on its way (Send shows it and waits)
    saved: Any = SKIP  # dict: what the browser keeps (ui.saved.to_browser)


def pieces(text: str, words: int = WORDS_PER_PIECE) -> Iterator[str]:
    """Growing prefixes of `text`, a few words longer each time, ending with the whole text."""
    tokens = re.findall(r"\s*\S+", text)
    for end in range(words, len(tokens), words):
        yield "".join(tokens[:end])
    yield text


class ChatEvents:
    """The page's behaviour over one shared Assistant; `session` is Gradio's per-browser id."""

    def __init__(self, source: AssistantSource, export_dir: Path, delay_s: float = STREAM_DELAY_S):
        self.source = source
        self.limit = source.settings.max_question_chars
        self.export_dir = export_dir
        self.delay_s = delay_s

    def respond(self, message: str, turns: list[Answer], session: str) -> Iterator[Screen]:
        """Show the question at once, then stream the cited answer, then its sources and offers."""
        if not isinstance(message, str) or not message.strip():
            yield Screen()
            return
        shown = render.chat_messages(turns, self.limit)
        question = {"role": "user", "content": render.question_html(message, self.limit)}
        pending = {"role": "assistant", "content": render.pending_html()}
        yield Screen(textbox="", welcome=False, follow_ups=[], chat=shown + [question, pending],
                     busy=True)
        try:
            assistant = self.source.get()
            saved.resume(assistant, turns, session)
            answer = assistant.ask(message, session=session)
        except Exception as error:
            yield self._failed(error, shown + [question], message)
            return
        turn = len(turns)
        for piece in self._paced(shape.own_words(answer)):
            bubble = render.answer_html(answer, turn, shown=piece)
            yield Screen(chat=shown + [question, {"role": "assistant", "content": bubble}])
        turns = turns + [answer]
        offers = answer.suggestions or assistant.follow_ups(session)  # an answer's own come first
        yield replace(self._conversation(turns, offers, session), problem="", busy=False)

    def _conversation(self, turns: list[Answer], offers: list[str], session: str) -> Screen:
        """The page showing `turns` finished, with `offers` as buttons, kept by the browser."""
        latest = turns[-1] if turns else None
        return Screen(chat=render.chat_messages(turns, self.limit), turns=turns,
                      sources=render.sources_panel(latest, len(turns) - 1), follow_ups=offers,
                      welcome=not turns, download=write_export(turns, self.export_dir, session),
                      saved=saved.to_browser(turns, offers))

    def _failed(self, error: Exception, chat: list[dict], message: str) -> Screen:
        problem = self._problem(error)
        html = render.problem_html(problem.what, problem.fix)
        return Screen(chat=chat + [{"role": "assistant", "content": html}], textbox=message,
                      problem=html, busy=False)

    def _problem(self, error: Exception) -> Problem:
        """What to tell the user; the server log gets the error too (an unexpected one with its
        traceback)."""
        if isinstance(error, Unavailable):
            return error.problem
        log.warning("answering failed: %s", error,
                    exc_info=not isinstance(error, OpsAssistantError))
        return explain(error, self.source.settings)

    def new_chat(self, session: str) -> Screen:
        """Forget this session's conversation (here and in the Assistant) and show the welcome."""
        if self.source.loaded is not None:
            self.source.loaded.reset(session)
        return Screen(textbox="", chat=[], turns=[], sources=render.sources_panel(None),
                      follow_ups=[], welcome=True, download=None, saved=saved.EMPTY)

    def rate(self, turns: list[Answer], index: Any, liked: Any) -> str | None:
        """Log a thumbs up/down (or its withdrawal) on the answer at chat message `index`."""
        position = index[0] if isinstance(index, (list, tuple)) else index
        if not isinstance(position, int) or position % 2 == 0 or position // 2 >= len(turns):
            return None  # not one of this session's answers
        if self.source.loaded is None:
            return None
        helpful = liked if isinstance(liked, bool) else None  # "" when a rating is taken back
        self.source.loaded.record_feedback(turns[position // 2], helpful=helpful)
        return "Thanks, your rating was saved." if helpful is not None else "Rating removed."

    def check(self) -> Screen:
        """On 'Try again': show what stops the Assistant, or hide the banner."""
        problem = self.source.problem()
        return Screen(problem=render.problem_html(problem.what, problem.fix) if problem else "")

    def restore(self, kept: Any, session: str) -> Screen:
        """On page load: what stops the Assistant, if anything, and the conversation the browser
        kept, if any (its context comes back with the next question: `saved.resume`)."""
        turns, offers = saved.from_browser(kept)
        screen = self.check()
        if not turns:
            return screen
        return replace(self._conversation(turns, offers, session), problem=screen.problem)

    def api_chat(self, message: str, session: str) -> Iterator[str]:
        """The answer text streaming in, then the complete answer with its numbered sources."""
        try:
            answer = self.source.get().ask(message, session=session)
        except Exception as error:  # e.g. the Chroma server stopped: say so, not a bare failure
            problem = self._problem(error)
            raise gr.Error(f"{problem.what} How to fix: {problem.fix}") from None
        yield from self._paced(answer.answer)
        yield render.plain_answer(answer)

    def _paced(self, text: str) -> Iterator[str]:
        """`pieces` of `text`, a short pause between them (none before the first)."""
        steps = list(pieces(text))
        delay = min(self.delay_s, STREAM_BUDGET_S / len(steps))
        for number, piece in enumerate(steps):
            if number:
                time.sleep(delay)
            yield piece

    def forget(self, session: str) -> None:
        """The browser tab closed: drop its conversation and its export file."""
        if self.source.loaded is not None:
            self.source.loaded.reset(session)
        shutil.rmtree(session_folder(self.export_dir, session), ignore_errors=True)
