"""The parts' replies of one message joined into its answer text and numbered citations: the
configured LLM's words when it gives a supported answer, else the article's own sentences;
verified against the passages either way."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant import replies
from assistant.answering import PartReply
from assistant.citations import check_lines, render, split_answer, text_of, verify
from assistant.llm import LLMFailed, llm_answer
from assistant.schema import Citation
from assistant.text import same_text
from assistant.topics import LANGUAGE

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# declines of a part with no words the article uses: noise beside an answered part, left unsaid
JUNK = {replies.reason("no_words"), replies.reason("unknown_words")}


def answer_text(answered: list[PartReply], lead: str, section_chunks: Callable,
                llm: BaseChatModel | None = None, timeout_s: float = 0.0
                ) -> tuple[str, list[Citation]]:
    """The text and citations of an answer made of `answered` (one reply per part), after
    `lead` (a notice, or ""); `section_chunks` gives a citation's passage its section's chunks."""
    notices = [lead] if lead else []
    if llm is not None:
        notices += [p for r in answered for p in r.pieces if isinstance(p, str)]
        docs = list({d.id: d for r in answered for d in r.docs}.values())
        query = " ".join(r.part.standalone for r in answered if not r.declined)
        try:
            raw, citations = llm_answer(llm, query, docs, timeout_s)
            text, cited = verify(notices + split_answer(raw), citations, tuple(notices))
            if cited:
                return text, cited
            fallback = LANGUAGE.replies.notices["llm_unsupported"]
        except LLMFailed as error:
            fallback = LANGUAGE.replies.notices["llm_failed"].format(error=error)
        notices.append(fallback)
    said = notices + [LANGUAGE.replies.notices["part_declined"].format(reason=r.declined)
                      for r in answered if r.declined and r.declined not in JUNK]
    said += [p for r in answered for p in r.pieces if isinstance(p, str)]
    claims = list({same_text(c.text): c for r in answered for c in r.pieces
                   if not isinstance(c, str)}.values())  # two parts (or files) may hold one sentence
    lines, citations = check_lines(*render(list(dict.fromkeys(said)) + claims, section_chunks))
    return text_of(lines), citations
