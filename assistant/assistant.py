"""The Assistant: a question and a session in, a cited Answer out.

Each turn is first understood (understanding.py), then routed by its dialogue act: small talk,
questions about the assistant and other languages get our own short reply; requests outside the
article are declined; the recommender takes learning-path requests, backgrounds and follow-ups on
its recommendation; every question about the article goes through the answering chain, one part
at a time, and the parts' answers are joined into one cited answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant import feedback, nlu, replies, suggest
from assistant.answer_text import answer_text
from assistant.answering import Answerer, Ask, PartReply
from assistant.compose import Composer
from assistant.filler import FillerJudge
from assistant.conversation import Conversation, Item, Mention, Turn
from assistant.index import Index, collection_paused
from assistant.language import Act
from assistant.llm import load_chat_model
from assistant.recommender import Recommender
from assistant.references import Context, mentions_in
from assistant.schema import Answer
from assistant.scope import unnamed_products
from assistant.selection import asks_more
from assistant.spelling import Speller
from assistant.structure import named_list
from assistant.text import clean, printable, sentences, without_markup
from assistant.topics import LANGUAGE, Topic, disciplines_in
from assistant.understanding import Part, Reader, Understanding, make_part, understand
from ingest.errors import BuildGone
from ingest.settings import Settings

MAX_SESSIONS = 10_000
STARTERS = LANGUAGE.suggestions.starters


@dataclass
class Outcome:
    """A turn's answer, and what it leaves for the next turn's references."""

    answer: Answer
    topic: Topic
    items: list[Item]
    item: int | None = None
    about_article: bool = True
    asked: str = ""  # the question with its references resolved, before any carry-over
    said: frozenset[str] = frozenset()  # the article's sentences the answer quoted
    standalone: str = ""  # the questions as composed for (rewritten_query is their plain form)


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
        self.classifiers = nlu.load_or_train(LANGUAGE, index.embeddings.embed_documents,
                                             nlu.folder(settings), settings.model_sha256)
        self._use(index)

    def _use(self, index: Index) -> None:
        """Read from `index` from now on: every part built from a build's chunks is rebuilt, and
        swapped in only once all are ready, so a failed re-open leaves the old ones working."""
        speller = Speller(index.word_counts)
        composer = Composer(index, FillerJudge(index, self.classifiers.sentences))
        recommender, answerer = Recommender(index), Answerer(index, composer, speller)
        headings = [h for d in index.documents.values() for h in d.metadata["section"].split(" > ")]
        reader = Reader(self._intents, self._backgrounds, speller.fix,
                        lambda word: bool(speller.english.known([word])), headings,
                        prefetch=index.embeddings.embed_queries, other_files=index.has_files,
                        lists=lambda text: named_list(text, answerer.enumerations))
        self.index, self.speller, self.composer, self.recommender, self.answerer, self.reader = (
            index, speller, composer, recommender, answerer, reader)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.index.embeddings.embed_queries(texts))

    def _intents(self, texts: list[str]):
        return self.classifiers.intents.predict(self._vectors(texts))

    def _backgrounds(self, texts: list[str]):
        return self.classifiers.backgrounds.predict(self._vectors(texts))

    @classmethod
    def load(cls, settings: Settings | None = None) -> "Assistant":
        """Open the index that ingest wrote (embedded folder or Chroma server) and get ready."""
        settings = settings or Settings()
        with collection_paused():
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

    def understand(self, question: str, session: str = "default") -> Understanding:
        """What `ask` would understand `question` as, as the next turn of `session` (nothing is
        answered or remembered)."""
        text, _ = self._prepare(printable(question) if isinstance(question, str) else "")
        return self._understand(text, self.conversation(session))

    def _understand(self, text: str, conversation: Conversation) -> Understanding:
        return understand(without_markup(text) or text, conversation, self.reader)

    def retrieve(self, question: str) -> list:
        """The chunks `ask` retrieves for `question` asked in a fresh session (its first part)."""
        understood = self._understand(clean(question), Conversation())
        part = (understood.questions or [self._part(understood.text, Conversation())])[0]
        return self.answerer.retrieve(Ask(part)).docs

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
                answer = self._decline(question, "", replies.reason("empty"), "", lead)
            else:
                outcome = self._turn(question, text, lead, conversation)
                answer = outcome.answer
                conversation.turns.append(self._remember(text, outcome))
        latency = round((time.perf_counter() - started) * 1000, 2)
        # the session is echoed as it can be written in JSON (a lone surrogate would crash the dump)
        return answer.model_copy(update={"session": printable(session), "latency_ms": latency})

    def _turn(self, question: str, text: str, lead: str, conversation: Conversation) -> Outcome:
        """The turn on the index as the last ingest left it: re-opened first when an ingest
        changed it, and once more when a re-ingest in another process deleted the build while
        this turn was reading it."""
        index = self.index
        if index.outdated():
            self._reopen(stale=index)
            index = self.index
        try:
            return self._route(question, text, lead, conversation)
        except BuildGone:
            self._reopen(stale=index)
            return self._route(question, text, lead, conversation)

    def _reopen(self, stale: Index) -> None:
        """Open the active build, once for all the threads that found `stale` gone."""
        with self._reopening:
            if self.index is stale:
                with collection_paused():
                    self._use(Index.open(self.settings, previous=stale))

    def _prepare(self, question) -> tuple[str, str]:
        """Clean the text and cut it to the length limit; the lead line says when it was cut."""
        text = clean(question if isinstance(question, str) else "")
        limit = self.settings.max_question_chars
        if len(text) <= limit:
            return text, ""
        return text[:limit], LANGUAGE.replies.notices["cut"].format(limit=limit)

    def _route(self, question: str, text: str, lead: str, conversation: Conversation) -> Outcome:
        understood = self._understand(text, conversation)
        empty = Topic((), ())
        if understood.intent == "repeat" and conversation.last and conversation.last.answer:
            return self._again(question, conversation.last)
        if understood.act in (Act.small_talk, Act.about_assistant, Act.other_language):
            offers = self.follow_ups_for(conversation)
            answer = replies.chat_reply(question, understood, offers)
            return Outcome(_led(answer, lead), empty, [], about_article=False)
        if understood.act is Act.out_of_scope:
            unnamed = unnamed_products(text, self.speller)  # the plainer reason for "... terraform ..."
            why = (replies.reason("unknown_name", names=", ".join(unnamed)) if unnamed
                   else replies.reason(understood.intent))
            answer = self._decline(question, understood.text, why, text, lead)
            return Outcome(answer, empty, [], about_article=False)
        recommended = self.recommender.reply(question, understood, conversation)
        if recommended and recommended.answer:
            discipline = recommended.answer.recommendation
            topic = Topic((discipline,) if discipline else (), ())
            quoted = frozenset(s for c in recommended.answer.citations for s in sentences(c.quote))
            return Outcome(_led(recommended.answer, lead), topic, recommended.items, said=quoted)
        parts = understood.questions or [self._part(understood.text, conversation)]
        if recommended and recommended.question:
            parts = [self._part(recommended.question, Conversation())]
        said = conversation.last.said if conversation.last else frozenset()
        outcome = self._answer_parts(question, parts, lead, said)
        if recommended and recommended.question and not outcome.answer.abstained:
            conversation.recommendation = recommended.discipline
            outcome.answer = outcome.answer.model_copy(
                update={"recommendation": recommended.discipline})
            outcome.topic = Topic((recommended.discipline,), ())
        return outcome

    def _again(self, question: str, last: Turn) -> Outcome:
        """The last answer about the article, said again ("say that again")."""
        answer = last.answer.model_copy(update={"question": question})
        return Outcome(answer, last.topic, last.items, item=last.item, said=last.said)

    def _part(self, text: str, conversation: Conversation) -> Part:
        last = conversation.last
        context = Context(mentions=last.mentions, items=last.items, item=last.item) if last else Context()
        return make_part(text, context, last, self.reader)

    def _answer_parts(self, question: str, parts: list[Part], lead: str,
                      said: frozenset[str] = frozenset()) -> Outcome:
        """Each part through the chain, joined into one answer; a part the article does not
        answer is said so in a line of its own, and an answer with no part answered declines.
        A follow-up does not quote again what the previous answer quoted (`said`), and "tell me
        more" quotes what it left out."""
        answered: list[PartReply] = []
        for part in parts:  # a part that only points at a declined one ("..., and how is it ...")
            if answered and answered[-1].declined and part.dangling:
                answered.append(PartReply(part, declined=answered[-1].declined))
            else:
                new_only = part.follow_up and (not part.again or asks_more(part.text))
                ask = Ask(part, _unsaid_item(part, said) if new_only else frozenset())
                answered.append(self.answerer.chain.invoke(ask))
        kept = [r for r in answered if not r.declined]
        standalone = " ".join(p.standalone for p in parts)
        plain = " ".join(p.question or p.standalone for p in parts)
        topic = Topic(tuple(dict.fromkeys(d for p in parts for d in p.disciplines)),
                      tuple(dict.fromkeys(a for p in parts for a in p.aspects)))
        if not kept:
            answer = self._decline(question, plain, answered[0].declined, standalone, lead)
            return Outcome(answer, Topic((), ()), [], about_article=bool(topic.disciplines),
                           standalone=standalone)
        text, citations = self._compose(answered, lead)
        answer = Answer(session="", question=question, answer=text, citations=citations,
                        rewritten_query=plain)
        items = (next((p.listed for p in parts if p.listed), [])  # still going through that list
                 or next((r.items for r in kept if r.items), [])
                 or _discipline_items(" ".join(p.resolved for p in parts)))
        quoted = frozenset(c.text for r in kept for c in r.pieces if not isinstance(c, str))
        more = all(p.again and asks_more(p.text) for p in parts)  # "tell me more" again and again
        return Outcome(answer, topic, items, item=kept[0].part.item_index,
                       asked=" ".join(p.resolved for p in parts), standalone=standalone,
                       said=quoted | said if more else quoted)

    def _decline(self, question: str, query: str, why: str, near: str, lead: str) -> Answer:
        """`replies.decline` for this index (the user's files beside the article, or the article
        missing), offering the questions nearest `near`."""
        return replies.decline(question, query, why, self.suggestions(near), lead,
                               files=self.index.has_files, article=self.recommender.enabled)

    def _compose(self, answered: list[PartReply], lead: str):
        return answer_text(answered, lead, self.index.section_chunks, self.llm,
                           self.settings.llm_timeout_s)

    def _remember(self, text: str, outcome: Outcome) -> Turn:
        answer = outcome.answer
        first = [Mention(name=answer.recommendation, kind="discipline")] if answer.recommendation else []
        named = first + mentions_in(outcome.asked or text) + mentions_in(answer.answer)
        mentions = list({m.name: m for m in named}.values())
        return Turn(question=text, standalone=outcome.standalone or answer.rewritten_query,
                    asked=answer.rewritten_query, topic=outcome.topic,
                    recommendation=answer.recommendation, mentions=mentions, items=outcome.items,
                    item=outcome.item, standalone_question=outcome.about_article,
                    said=outcome.said, answer=answer if outcome.about_article else None)

    def follow_ups_for(self, conversation: Conversation, count: int = 3) -> list[str]:
        return suggest.follow_ups(conversation.turns, count)

    @cached_property
    def _starter_vectors(self) -> np.ndarray:
        """The starters' vectors, embedded when an answer first offers them, not at load."""
        return np.asarray(self.index.embeddings.embed_documents(STARTERS))

    def suggestions(self, query: str, count: int = 3) -> list[str]:
        """Questions the article answers, the closest to `query` first."""
        if not query:
            return STARTERS[:count]
        scores = self._starter_vectors @ self.index.query_vector(query)
        return [STARTERS[i] for i in np.argsort(-scores)[:count]]


def _led(answer: Answer, lead: str) -> Answer:
    """`answer` with the cut notice before it."""
    return answer.model_copy(update={"answer": f"{lead} {answer.answer}"}) if lead else answer


def _discipline_items(standalone: str) -> list[Item]:
    """With no list in the answer, the disciplines a question named (two or more) are what
    "the second one" points at."""
    named = disciplines_in(standalone)
    return [Item(label=name) for name in named] if len(named) >= 2 else []


def _unsaid_item(part: Part, said: frozenset[str]) -> frozenset[str]:
    """What a follow-up must not quote again, less the item it points at ("the last one?"): that
    sentence is what it asks about."""
    if part.item is None:
        return said
    return frozenset(text for text in said if not text.startswith(part.item.label))
