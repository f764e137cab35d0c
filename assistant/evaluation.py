"""`ops-assistant eval`: answer quality on the golden set, against the textbook RAG baseline."""

from __future__ import annotations

import re
import statistics
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel

from assistant.citations import MARKERS, passage_from
from assistant.schema import Answer

if TYPE_CHECKING:  # the eval command loads it; importing it here would slow every command's start
    from assistant.assistant import Assistant

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden" / "questions.yaml"
# Questions and dialogs written as people write them, by someone who saw neither the code nor the
# other sets: one part to tune on, one sealed part run once to check (README, "Quality").
REAL = GOLDEN.parent.parent / "real"
REAL_PHRASING = {"real phrasing (tuning)": REAL / "tuning.yaml",
                 "real phrasing (sealed)": REAL / "sealed.yaml",
                 "real phrasing, second set (tuning)": REAL / "tuning2.yaml",
                 "real phrasing, second set (sealed)": REAL / "sealed2.yaml",
                 "real phrasing, third set (sealed)": REAL / "sealed3.yaml"}


class GoldenQuestion(BaseModel):
    id: str
    question: str
    category: str
    key_facts: list[str | list[str]]
    section: str | None
    answerable: bool


class DialogScores(BaseModel):
    """Turns of scripted dialogs answered right (every expectation of the turn met)."""

    name: str
    dialogs: int
    turns: int
    turns_right: float
    by_tag: dict[str, float]
    misses: list[str] = []


class Scores(BaseModel):
    """What `eval` prints; the test suite asserts the targets on these."""

    questions: int
    key_fact_hit: float
    questions_fully_hit: float
    citations_valid: float
    abstention_accuracy: float
    recall_at_5: float
    mrr: float
    median_answer_chars: float
    baseline_context_key_fact_hit: float | None = None
    baseline_median_context_chars: float | None = None
    misses: list[str] = []
    real_phrasing: list[DialogScores] = []


def evaluate_dialogs(assistant: Assistant, name: str, path: Path) -> DialogScores:
    """Play every dialog of `path` (the scripted-dialog format) and count the turns right,
    overall and by the dialogs' tags."""
    from assistant.dialogs import load_file, run_dialog

    dialogs = load_file(path).dialogs
    right, by_tag, misses = [], {}, []
    for dialog in dialogs:
        for turn in run_dialog(assistant, dialog).turns:
            right.append(turn.passed)
            for tag in dialog.tags:
                by_tag.setdefault(tag, []).append(turn.passed)
            if not turn.passed:
                misses.append(f"{dialog.name} turn {turn.number}: {turn.user[:70]!r}")
    return DialogScores(name=name, dialogs=len(dialogs), turns=len(right), turns_right=_share(right),
                        by_tag={tag: _share(flags) for tag, flags in sorted(by_tag.items())},
                        misses=misses)


def load_golden(path: Path = GOLDEN) -> list[GoldenQuestion]:
    return [GoldenQuestion(**item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def plain_text(text: str) -> str:
    """Answer text without its [n] markers, white space folded, lower case: what facts are
    looked for in."""
    return " ".join(MARKERS.sub("", text).split()).lower()


def fact_hits(text: str, facts: list[str | list[str]]) -> list[bool]:
    """For each key fact, whether `text` holds it (or one of its alternatives), any case."""
    plain = plain_text(text)
    return [any(alt.lower() in plain for alt in ([f] if isinstance(f, str) else f)) for f in facts]


def citations_valid(answer: Answer, passages: dict[str, str]) -> bool:
    """Every marker has its citation, and every quote is verbatim text of its passage, starting
    in its chunk (`passages`: chunk id -> the text a citation of it may quote)."""
    numbers = {int(n) for m in MARKERS.findall(answer.answer) for n in m.split(",")}
    cited = {c.n for c in answer.citations}
    quotes_ok = all(c.quote and c.quote in passages.get(c.chunk_id, "") for c in answer.citations)
    return numbers == cited and quotes_ok


def section_ranks(assistant: Assistant, question: GoldenQuestion, k: int = 5) -> int | None:
    """Rank of the first retrieved chunk in the expected section, retrieving as `ask` does."""
    docs = assistant.retrieve(question.question)
    for rank, doc in enumerate(docs[:k], 1):
        if doc.metadata["section"].startswith(question.section):
            return rank
    return None


def evaluate(assistant: Assistant, golden: list[GoldenQuestion], baseline: bool = True) -> Scores:
    """Ask every golden question in a fresh session and score the answers."""
    index = assistant.index
    texts = {doc_id: passage_from(doc, index.section_chunks) for doc_id, doc in index.documents.items()}
    hits, full, valid, abstain_ok, lengths, ranks, misses = [], [], [], [], [], [], []
    for item in golden:
        answer = assistant.ask(item.question, session=f"eval-{uuid.uuid4().hex}")
        abstain_ok.append(answer.abstained != item.answerable)
        valid.append(citations_valid(answer, texts))
        if not item.answerable:
            if not answer.abstained:
                misses.append(f"{item.id}: answered instead of abstaining")
            continue
        if answer.abstained:
            misses.append(f"{item.id}: abstained: {answer.answer[:90]}")
        found = fact_hits(answer.answer, item.key_facts)
        hits += found
        full.append(all(found))
        lengths.append(len(answer.answer))
        ranks.append(section_ranks(assistant, item))
        if not all(found):
            missing = [f for f, ok in zip(item.key_facts, found) if not ok]
            misses.append(f"{item.id}: missing {missing}")
    scores = Scores(
        questions=len(golden),
        key_fact_hit=_share(hits), questions_fully_hit=_share(full),
        citations_valid=_share(valid), abstention_accuracy=_share(abstain_ok),
        recall_at_5=_share([r is not None for r in ranks]),
        mrr=round(statistics.fmean([1 / r if r else 0.0 for r in ranks]), 4) if ranks else 0.0,
        median_answer_chars=statistics.median(lengths) if lengths else 0.0,
        misses=misses,
    )
    if baseline:
        scores = scores.model_copy(update=_baseline(assistant, golden))
    return scores


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def _baseline(assistant: Assistant, golden: list[GoldenQuestion]) -> dict:
    """The textbook recipe: RecursiveCharacterTextSplitter(1000, 200) and dense top-4 in Chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.loaders import load_files

    files, _ = load_files([assistant.settings.corpus_dir], assistant.settings.max_file_bytes)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.create_documents([f.markdown for f in files])
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_documents(chunks, assistant.index.embeddings, client=client,
                                  collection_name=f"baseline-{uuid.uuid4().hex[:8]}")
    retriever = store.as_retriever(search_kwargs={"k": 4})
    hits, lengths = [], []
    for item in (g for g in golden if g.answerable):
        context = "\n".join(doc.page_content for doc in retriever.invoke(item.question))
        hits += fact_hits(context, [f for f in item.key_facts if not _is_notice(f)])
        lengths.append(len(context))
    client.delete_collection(store._collection.name)
    return {"baseline_context_key_fact_hit": _share(hits),
            "baseline_median_context_chars": statistics.median(lengths)}


def _is_notice(fact) -> bool:
    return isinstance(fact, str) and bool(re.fullmatch(r"no such figure|not in the article's text", fact))
