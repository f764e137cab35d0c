"""Turns a question and a session into a cited Answer: `Assistant.load().ask(question, session)`.

The names are imported on first use (PEP 562), so commands that never answer a question, such as
`ops-assistant ingest`, start without loading the retrieval stack.
"""

from importlib import import_module

__all__ = ["Answer", "Assistant", "Citation"]
_HOMES = {"Assistant": "assistant.assistant", "Answer": "assistant.schema",
          "Citation": "assistant.schema"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
