"""All configuration of ops-assistant, read from OPS_ASSISTANT_* environment variables.

One Settings class for the whole tool (ingest, assistant, ui) so that every knob is documented
in one place; it lives in `ingest` because that is the bottom layer every other package imports.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT_DIR = Path(__file__).resolve().parent.parent
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Settings(BaseSettings):
    """Typed settings; every field can be set as OPS_ASSISTANT_<FIELD NAME>."""

    model_config = SettingsConfigDict(env_prefix="OPS_ASSISTANT_", extra="ignore")

    data_dir: Path = Field(
        CHECKOUT_DIR / ".data",
        description="Folder holding the embedded Chroma index, feedback log and other state.",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port). Unset: embedded Chroma in data_dir.",
    )
    collection: str = Field(
        "ops-assistant",
        description="Base name of the Chroma collections; each build gets its own versioned name.",
    )
    corpus_dir: Path = Field(
        CHECKOUT_DIR / "corpus", description="What `ingest` reads when no path is given."
    )
    max_file_bytes: int = Field(
        2_000_000, description="Files larger than this are skipped by ingest, with a message."
    )
    max_chunk_chars: int = Field(
        600, description="Paragraphs longer than this are split between sentences."
    )
    embed_batch_size: int = Field(64, description="Texts per call to the embedding model.")
    onnx_dir: Path = Field(
        CHECKOUT_DIR / ".models",
        description="Where models derived from the bundled weights are kept: its ONNX export (made "
                    "by scripts/setup.sh or the first ingest from the verified weights, checked "
                    "before every load) and the language classifiers trained over it.",
    )
    model_sha256: str = Field(
        MODEL_SHA256,
        description="Expected sha256 of the bundled model.safetensors; a mismatch is refused.",
    )
    llm: str | None = Field(
        None,
        description="Optional LangChain chat model spec for init_chat_model, e.g. 'ollama:llama3.2'.",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL for the LLM, e.g. an OpenAI-compatible server."
    )
    llm_timeout_s: float = Field(20.0, description="Seconds before the LLM answerer gives up.")
    max_question_chars: int = Field(
        2000, description="Longer questions are cut to this length, with a notice."
    )
    host: str = Field("127.0.0.1", description="Address the chat UI binds to.")
    port: int = Field(7860, description="Port of the chat UI.")
    auth: str | None = Field(None, description="'user:password' to require a login in the UI.")
    ui_concurrency: int = Field(
        32, ge=1,
        description="Answers the chat UI streams at once, per event (Gradio's "
                    "default_concurrency_limit); later ones wait in its queue, showing nothing. "
                    "An answer holds its slot ~0.4 s, mostly asleep between streamed pieces, so "
                    "a low limit caps throughput at about limit / 0.42 s (scripts/bench_load.py).",
    )

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value:
            parsed = urlparse(value)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError(f"expected http://host:port, got {value!r}")
        return value or None

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def index_location(self) -> str:
        """Where the index lives, for messages: the server URL or the embedded folder."""
        return self.chroma_url or str(self.chroma_dir)
