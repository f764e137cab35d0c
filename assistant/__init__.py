"""Turns a question and a session into a cited Answer: `Assistant.load().ask(question, session)`."""

from assistant.assistant import Assistant
from assistant.schema import Answer, Citation

__all__ = ["Answer", "Assistant", "Citation"]
