"""The typed answer that travels from the chain to the CLI, the JSON and the UI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Discipline = Literal["DevOps", "DataOps", "MLOps"]


class Citation(BaseModel):
    """One numbered source: the verbatim corpus text behind the sentences marked [n]."""

    n: int
    chunk_id: str
    source: str
    title: str
    section: str
    quote: str
    url: str
    score: float
    page: int | None = None  # a PDF's page the quote starts on
    also_in: list[str] = Field(default_factory=list)  # other files with the same text

    @property
    def place(self) -> str:
        """Where the quote is: its heading path, and its page when the section does not say it."""
        if self.page is None or self.section == f"page {self.page}":
            return self.section
        return f"{self.section}, page {self.page}"


class Answer(BaseModel):
    """One turn's answer. `model_dump_json()` gives exactly the documented JSON keys."""

    session: str
    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    recommendation: Discipline | None = None
    abstained: bool = False
    rewritten_query: str = ""
    latency_ms: float = 0.0
    suggestions: list[str] = Field(
        default_factory=list, exclude=True,
        description="Questions the article can answer, offered as buttons; not part of the JSON.",
    )
