"""The optional LLM answerer: any LangChain chat model, limited to the retrieved passages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from importlib import resources

from typing import TYPE_CHECKING

from langchain_core.documents import Document

from assistant.citations import citation_of
from ingest.errors import OpsAssistantError

if TYPE_CHECKING:  # chat models load only when one is configured: ~0.4 s of imports otherwise
    from langchain_core.language_models import BaseChatModel

PROMPT = resources.files("assistant.prompts").joinpath("answer.txt").read_text(encoding="utf-8")


class LLMConfigError(OpsAssistantError):
    """OPS_ASSISTANT_LLM names a model that cannot be loaded here."""


class LLMFailed(Exception):
    """The chat model errored or timed out; the caller falls back to the grounded composer."""


def load_chat_model(spec: str, base_url: str | None) -> BaseChatModel:
    """A chat model from an init_chat_model spec such as 'ollama:llama3.2' or 'openai:gpt-4o'.

    The provider's package (langchain-ollama, langchain-openai, ...) must be installed; a missing
    one or an unknown provider is a configuration error with one clear message.
    """
    from langchain.chat_models import init_chat_model

    kwargs = {"base_url": base_url} if base_url else {}
    try:
        return init_chat_model(spec, **kwargs)
    except (ImportError, ValueError) as error:
        reason = str(error).strip().splitlines()[0]
        raise LLMConfigError(f"cannot use OPS_ASSISTANT_LLM={spec!r}: {reason}") from None


def passages_text(docs: list[Document]) -> str:
    return "\n\n".join(f"[{i}] ({doc.metadata['section']}) {doc.page_content}"
                       for i, doc in enumerate(docs, 1))


def llm_answer(model: BaseChatModel, question: str, docs: list[Document], timeout_s: float):
    """Ask the model; return its text and one Citation per passage (verification prunes them)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    docs = [doc for doc in docs if doc.metadata.get("kind") != "editorial_note"]
    messages = [SystemMessage(PROMPT.format(passages=passages_text(docs))),
                HumanMessage(question)]
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        reply = pool.submit(model.invoke, messages).result(timeout=timeout_s)
    except FutureTimeout:
        raise LLMFailed(f"no answer within {timeout_s:g} s") from None
    except Exception as error:  # any provider error means: fall back
        raise LLMFailed(f"{type(error).__name__}: {error}") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    citations = [citation_of(doc, i, doc.page_content, float(doc.metadata.get("dense", 0.0)))
                 for i, doc in enumerate(docs, 1)]
    return str(reply.content), citations
