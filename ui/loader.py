"""The Assistant behind the page, and what to tell a person when it cannot be loaded.

The page is served even when the index is missing or the Chroma server is down: it says what is
wrong and how to fix it, and loads the Assistant as soon as the problem is fixed (no restart).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from assistant import Assistant
from ingest.errors import (IndexDamaged, IndexMissing, ModelIntegrityError, OpsAssistantError,
                           StoreUnavailable)
from ingest.settings import Settings

log = logging.getLogger("ops_assistant.ui")


@dataclass(frozen=True)
class Problem:
    """Why the assistant cannot answer, in words a user can act on."""

    what: str
    fix: str


class Unavailable(Exception):
    """The Assistant could not be loaded; carries the Problem to show."""

    def __init__(self, problem: Problem):
        super().__init__(problem.what)
        self.problem = problem


def explain(error: Exception, settings: Settings) -> Problem:
    """Turn a failure into what happened and how to fix it."""
    if isinstance(error, IndexDamaged):
        return Problem(f"The index cannot be read ({error}).",
                       f"Delete {settings.chroma_dir}, run `ops-assistant ingest`, then press "
                       "'Try again'.")
    if isinstance(error, IndexMissing):
        return Problem(f"No index has been built yet ({error}).",
                       "Run `ops-assistant ingest` (or `bash scripts/run.sh`), then press "
                       "'Try again' or send your question again.")
    if isinstance(error, StoreUnavailable):
        return Problem(f"The index is on a Chroma server that does not answer ({error}).",
                       f"Start the server at {settings.chroma_url} (`chroma run --path DIR "
                       "--port PORT`), or unset OPS_ASSISTANT_CHROMA_URL to use the embedded "
                       "index; then press 'Try again'.")
    if isinstance(error, ModelIntegrityError):
        return Problem(str(error), "Reinstall with `bash scripts/setup.sh`, then restart the UI.")
    if isinstance(error, OpsAssistantError):
        return Problem(str(error), "See the message above; `ops-assistant status` shows the index.")
    where = f"the Chroma server at {settings.chroma_url}" if settings.chroma_url else "the index"
    return Problem(f"Reading {where} failed ({type(error).__name__}; details in the server log).",
                   f"Check that {where} is available (`ops-assistant status`), then try again.")


class AssistantSource:
    """Holds the shared Assistant; loads it on first use and again after a failed attempt."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None):
        self.settings = settings
        self._assistant = assistant
        self._lock = threading.Lock()

    def get(self) -> Assistant:
        """The Assistant, loading it if needed; raises Unavailable with the reason and the fix."""
        with self._lock:
            if self._assistant is None:
                try:
                    self._assistant = Assistant.load(self.settings)
                except Exception as error:
                    log.warning("assistant unavailable: %s", error, exc_info=not isinstance(
                        error, OpsAssistantError))
                    raise Unavailable(explain(error, self.settings)) from error
            return self._assistant

    def problem(self) -> Problem | None:
        """None when the Assistant is ready, else what stops it (tries to load once more)."""
        try:
            self.get()
        except Unavailable as unavailable:
            return unavailable.problem
        return None

    @property
    def loaded(self) -> Assistant | None:
        """The Assistant if it is loaded, without trying to load it (for resets and ratings)."""
        return self._assistant
