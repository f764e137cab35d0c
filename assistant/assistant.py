"""The Assistant: a question and a session in, a cited Answer out."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import cached_property
from importlib import resources

import numpy as np
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant import feedback, suggest
from assistant.citations import render, split_answer, verify
from assistant.compose import Claim, Composer
from assistant.followup import Conversation, Turn, rewrite
from assistant.index import Index
from assistant.llm import LLMFailed, llm_answer, load_chat_model
from assistant.recommender import Recommender
from assistant.schema import Answer
from assistant.scope import judge, missing_answer_type
from assistant.spelling import Speller
from assistant.text import clean, printable, without_markup
from assistant.topics import aspect_words
from ingest.errors import BuildGone
from ingest.settings import Settings

MAX_SESSIONS = 10_000
SUGGESTIONS = [line.strip() for line in resources.files("assistant.prompts")
               .joinpath("suggestions.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def _widened(query: str, topic) -> str:
    """The query plus the words of its aspects ("in common" -> "overlap shared all three")."""
    return f"{query} {aspect_words(topic.aspects)}".strip()


class Assistant:
    """Answers questions about the article with citations, keeping one Conversation per session.

    Built once (`Assistant.load()`), then shared: `ask` is safe to call from many threads.
    """

    def __init__(self, settings: Settings, index: Index):
        self.settings = settings
        self.llm = load_chat_model(settings.llm, settings.llm_base_url) if settings.llm else None
        self._sessions: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()
        self._reopening = threading.Lock()
        self._use(index)
        self.chain = (RunnablePassthrough.assign(resolved=self._resolve)
                      | RunnablePassthrough.assign(docs=self._retrieve)
                      | RunnableLambda(self._answer))

    def _use(self, index: Index) -> None:
        """Read from `index` from now on: every part built from a build's chunks is rebuilt, and
        swapped in only once all are ready, so a failed re-open leaves the old ones working."""
        speller = Speller(index.word_counts.elements())
        composer, recommender = Composer(index), Recommender(index, speller)
        self.index, self.speller, self.composer, self.recommender = (
            index, speller, composer, recommender)

    @classmethod
    def load(cls, settings: Settings | None = None) -> "Assistant":
        """Open the index that ingest wrote (embedded folder or Chroma server) and get ready."""
        settings = settings or Settings()
        return cls(settings, Index.open(settings))

    def conversation(self, session: str) -> Conversation:
        with self._lock:
            conversation = self._sessions.pop(session, None) or Conversation()
            self._sessions[session] = conversation
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
            return conversation

    def reset(self, session: str) -> None:
        with self._lock:
            self._sessions.pop(session, None)

    def follow_ups(self, session: str, count: int = 3) -> list[str]:
        """Questions to offer after the latest answer, favouring themes `session` has not covered."""
        return suggest.follow_ups(self.conversation(session).turns, count)

    def record_feedback(self, answer: Answer, helpful: bool | None) -> dict:
        """Append a thumbs up/down (None: taken back) on `answer` to the data folder's log."""
        return feedback.record(self.settings.data_dir / feedback.FILE_NAME, answer, helpful)

    def ask(self, question: str, session: str = "default") -> Answer:
        """Answer one turn of `session`; never raises for any text the user can type.

        Raises StoreUnavailable while the Chroma server does not answer (the next call tries
        again, so no restart is needed once it is back).
        """
        started = time.perf_counter()
        question = printable(question) if isinstance(question, str) else ""
        text, lead = self._prepare(question)
        conversation = self.conversation(session)
        with conversation.lock:
            if not text:
                answer, topic = self._abstain(question, "", "the question is empty", lead), None
            else:
                request = {"question": question,
                           "text": text, "lead": lead, "conversation": conversation}
                state = self._run(request)
                answer, topic = state["answer"], state["resolved"][1]
            if topic is not None:
                conversation.turns.append(
                    Turn(text, answer.rewritten_query, topic, answer.recommendation))
        latency = round((time.perf_counter() - started) * 1000, 2)
        # the session is echoed as it can be written in JSON (a lone surrogate would crash the dump)
        return answer.model_copy(update={"session": printable(session), "latency_ms": latency})

    def _run(self, request: dict) -> dict:
        """The turn through the recommender or the chain, on the index as the last ingest left it:
        re-opened first when an ingest changed it, and once more when a re-ingest in another
        process deleted the build while this turn was reading it."""
        index = self.index
        if index.outdated():
            self._reopen(stale=index)
            index = self.index
        try:
            return self.recommender.respond(request, self.chain) or self.chain.invoke(request)
        except BuildGone:
            self._reopen(stale=index)
            return self.recommender.respond(request, self.chain) or self.chain.invoke(request)

    def _reopen(self, stale: Index) -> None:
        """Open the active build, once for all the threads that found `stale` gone."""
        with self._reopening:
            if self.index is stale:
                self._use(Index.open(self.settings, previous=stale))

    def _prepare(self, question) -> tuple[str, str]:
        """Clean the text and cut it to the length limit; the lead line says when it was cut."""
        text = clean(question if isinstance(question, str) else "")
        limit = self.settings.max_question_chars
        if len(text) <= limit:
            return text, ""
        return text[:limit], (f"(Your question was longer than {limit:,} characters; "
                              f"I answered its first {limit:,}.)")

    def _resolve(self, state: dict):
        corrected = self.speller.fix(without_markup(state["text"]) or state["text"])
        return rewrite(corrected, state["conversation"])

    def _retrieve(self, state: dict) -> list[Document]:
        query, topic = state["resolved"]
        widened = _widened(query, topic)
        self.index.embeddings.embed_queries([widened, query])  # the composer scores with `query`
        return self.index.retriever.invoke(widened)

    def _answer(self, state: dict) -> dict:
        query, topic = state["resolved"]
        docs = state["docs"]
        verdict = judge(query, topic, self.speller, self.composer.best_similarity(query, docs),
                        self.composer.coverage(query, docs))
        if verdict.reason:
            answer = self._abstain(state["question"], query, verdict.reason, state["lead"])
            return {**state, "answer": answer}
        lead = " ".join(filter(None, [state["lead"], verdict.notice]))
        text, citations = self._compose(state["text"], query, topic, docs, lead)
        reason = missing_answer_type(query, [c.quote for c in citations])
        if reason and not verdict.notice:
            return {**state, "answer": self._abstain(state["question"], query, reason, state["lead"])}
        answer = Answer(session="", question=state["question"], answer=text, citations=citations,
                        rewritten_query=query)
        return {**state, "answer": answer}

    def _compose(self, text: str, query: str, topic, docs: list[Document], lead: str):
        """LLM answer when one is configured and works, else the grounded composer; verified."""
        notices = (lead,) if lead else ()
        if self.llm is not None:
            try:
                raw, citations = llm_answer(self.llm, query, docs, self.settings.llm_timeout_s)
                answer, cited = verify(([lead] if lead else []) + split_answer(raw), citations,
                                       notices)
                if cited:
                    return answer, cited
                fallback = "(The configured LLM gave no supported answer; composed from the article.)"
            except LLMFailed as error:
                fallback = f"(The configured LLM failed: {error}; composed from the article.)"
            lead, notices = f"{lead} {fallback}".strip(), notices + (fallback,)
        claims: list[Claim] = self.composer.compose(text, query, topic, docs)
        rendered, citations = render(claims, lead)
        return verify(rendered, citations, notices)

    @cached_property
    def _suggestion_vectors(self) -> np.ndarray:
        """The suggestions' vectors, embedded when an answer first offers them, not at load."""
        return np.asarray(self.index.embeddings.embed_documents(SUGGESTIONS))

    def suggestions(self, query: str, count: int = 3) -> list[str]:
        """Questions the article answers, the closest to `query` first."""
        if not query:
            return SUGGESTIONS[:count]
        scores = self._suggestion_vectors @ self.index.query_vector(query)
        return [SUGGESTIONS[i] for i in np.argsort(-scores)[:count]]

    def _abstain(self, question, query: str, reason: str, lead: str) -> Answer:
        offers = self.suggestions(query)
        text = " ".join(filter(None, [
            lead, f"The article doesn't answer that ({reason}).",
            "It compares DevOps, DataOps and MLOps: what each is, where they came from, how they "
            "differ, their tools and pipelines, careers, and which to learn first.",
            "You could ask: " + " / ".join(offers)]))
        return Answer(session="", question=question if isinstance(question, str) else "",
                      answer=text, abstained=True, rewritten_query=query, suggestions=offers)
