"""The Gradio chat page over the Assistant: `AssistantUI(assistant).launch()`.

Like smolagents' GradioUI, this is only presentation: every answer, suggestion and rating goes
through the Assistant's public methods; the page never touches Chroma or the index.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from assistant import Assistant
from assistant.suggest import BACKGROUNDS, EXAMPLES, LEARN_FIRST
from ingest.settings import Settings
from ui import render, saved, script, style
from ui.events import SKIP, ChatEvents, Screen
from ui.loader import AssistantSource

TITLE = "Ops assistant"
SEND, ANSWERING = "Send", "Answering…"
FOLLOW_UPS = 4  # button slots: an answer may offer up to four (e.g. the four backgrounds)
QUESTION_LABEL = "Your question about DevOps, DataOps or MLOps"
WELCOME = ("## Ask about DevOps, DataOps and MLOps\n"
           "Every answer is built from the article *DevOps vs DataOps vs MLOps*, and each "
           "sentence carries a numbered source you can open.")


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """'user:password' as the (user, password) pair Gradio's login expects; None when unset."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("OPS_ASSISTANT_AUTH must look like user:password")
    return user, password


class AssistantUI:
    """A chat page for one shared Assistant; each browser session has its own conversation."""

    def __init__(self, assistant: Assistant | None = None, settings: Settings | None = None):
        self.settings = settings or (assistant.settings if assistant else Settings())
        self.source = AssistantSource(self.settings, assistant)
        self._exports = tempfile.TemporaryDirectory(prefix="ops-assistant-ui-")
        self.events = ChatEvents(self.source, Path(self._exports.name))
        self.blocks: gr.Blocks | None = None

    def build(self) -> gr.Blocks:
        """Lay out the page and wire its events (once; later calls return the same Blocks)."""
        if self.blocks is None:
            with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
                self._layout()
                self._wire(blocks)
            self.blocks = blocks
        return self.blocks

    def _layout(self) -> None:
        gr.Markdown(f"# {TITLE}\nCited answers from *DevOps vs DataOps vs MLOps*.", elem_id="title")
        with gr.Row(equal_height=True):
            self.problem = gr.HTML("", elem_id="problem", scale=6, visible=False)
            self.retry = gr.Button("Try again", visible=False, size="sm", scale=0, min_width=110,
                                   elem_id="retry")
        self.turns = gr.State([])
        self.kept = gr.BrowserState(saved.EMPTY, storage_key=saved.STORAGE_KEY, secret=saved.SECRET)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                self._chat_column()
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("## Sources", elem_id="sources-title")
                self.sources = gr.HTML(render.sources_panel(None), elem_id="sources")

    def _chat_column(self) -> None:
        self.chat = gr.Chatbot(
            elem_id="chat", height=460, show_label=False, placeholder=WELCOME,
            latex_delimiters=[], buttons=[], layout="bubble", autoscroll=False,
            feedback_options=("Like", "Dislike"), group_consecutive_messages=False)
        with gr.Column(elem_id="welcome") as self.welcome:
            gr.Markdown("Try one of these:", elem_classes="hint")
            with gr.Row():
                self.examples = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
            gr.Markdown(f"**{LEARN_FIRST}** Tell me where you're coming from:", elem_classes="hint")
            with gr.Row(elem_id="backgrounds"):
                self.backgrounds = {label: gr.Button(label, size="sm") for label in BACKGROUNDS}
        with gr.Column(visible=False, elem_id="follow-ups") as self.follow_up_box:
            gr.Markdown("You could also ask:", elem_classes="hint")
            with gr.Row():
                self.follow_ups = [gr.Button("", size="sm", variant="secondary")
                                   for _ in range(FOLLOW_UPS)]
        with gr.Row(equal_height=True, elem_id="ask-row"):
            self.textbox = gr.Textbox(
                label=QUESTION_LABEL, show_label=False, scale=8, lines=1, max_lines=6,
                autofocus=True, container=False, placeholder="Ask a question…",
                elem_id="question")
            self.send = gr.Button(SEND, variant="primary", scale=1, min_width=110, elem_id="send")
        with gr.Row(elem_id="chat-actions"):
            self.new_chat = gr.Button("New chat", size="sm", elem_id="new-chat")
            self.download = gr.DownloadButton("Export as Markdown", value=None, size="sm",
                                              interactive=False, elem_id="export")

    def _outputs(self) -> list:
        return [self.textbox, self.chat, self.turns, self.sources, self.follow_up_box,
                *self.follow_ups, self.welcome, self.download, self.problem, self.retry,
                self.send, self.kept]

    def _apply(self, screen: Screen) -> tuple:
        """One Screen as updates of `_outputs()`, in order; SKIP leaves a component alone."""
        keep = gr.skip()
        offers = screen.follow_ups
        follow_ups = ([keep] * FOLLOW_UPS if offers is SKIP else
                      [gr.update(value=q, visible=True) for q in offers[:FOLLOW_UPS]]
                      + [gr.update(visible=False)] * (FOLLOW_UPS - len(offers[:FOLLOW_UPS])))
        download = (keep if screen.download is SKIP else
                    gr.update(value=screen.download, interactive=screen.download is not None))
        problem = keep if screen.problem is SKIP else screen.problem
        return (
            keep if screen.textbox is SKIP else screen.textbox,
            keep if screen.chat is SKIP else screen.chat,
            keep if screen.turns is SKIP else screen.turns,
            keep if screen.sources is SKIP else screen.sources,
            keep if offers is SKIP else gr.update(visible=bool(offers)),
            *follow_ups,
            keep if screen.welcome is SKIP else gr.update(visible=screen.welcome),
            download,
            keep if problem is keep else gr.update(value=problem, visible=bool(problem)),
            keep if problem is keep else gr.update(visible=bool(problem)),
            keep if screen.busy is SKIP else gr.update(value=ANSWERING if screen.busy else SEND,
                                                       interactive=not screen.busy),
            keep if screen.saved is SKIP else screen.saved,
        )

    def _respond(self, message: str, turns: list, request: gr.Request):
        for screen in self.events.respond(message, turns, request.session_hash):
            yield self._apply(screen)

    def _asker(self, question: str):
        """A handler that asks the fixed `question` (the background quick replies)."""
        def ask(turns: list, request: gr.Request):
            yield from self._respond(question, turns, request)
        return ask

    def _new_chat(self, request: gr.Request) -> tuple:
        return self._apply(self.events.new_chat(request.session_hash))

    def _check(self) -> tuple:
        return self._apply(self.events.check())

    def _restore(self, kept, request: gr.Request) -> tuple:
        return self._apply(self.events.restore(kept, request.session_hash))

    def _forget(self, request: gr.Request) -> None:
        self.events.forget(request.session_hash)

    def _rate(self, turns: list, data: gr.LikeData) -> None:
        thanks = self.events.rate(turns, data.index, data.liked)
        if thanks:
            gr.Info(thanks, duration=3)

    def _api_chat(self, message: str, request: gr.Request) -> Iterator[str]:
        """Ask one question in this client's conversation; streams the answer text, and ends
        with the complete answer followed by its numbered sources (section, quote, URL)."""
        yield from self.events.api_chat(message, request.session_hash)

    def _wire(self, blocks: gr.Blocks) -> None:
        outputs, private = self._outputs(), {"api_visibility": "private", "show_progress": "hidden"}
        # A question sent while an answer is on its way is asked right after it, not dropped.
        gr.on([self.textbox.submit, self.send.click], self._respond,
              [self.textbox, self.turns], outputs, trigger_mode="always_last", **private)
        for button in [*self.examples, *self.follow_ups]:
            button.click(self._respond, [button, self.turns], outputs, **private)
        for label, button in self.backgrounds.items():
            button.click(self._asker(BACKGROUNDS[label]), [self.turns], outputs, **private)
        gr.on([self.new_chat.click, self.chat.clear], self._new_chat, None, outputs, **private)
        self.chat.like(self._rate, [self.turns], None, **private)
        blocks.load(self._restore, [self.kept], outputs, **private)
        self.retry.click(self._check, None, outputs, **private)
        blocks.unload(self._forget)
        gr.api(self._api_chat, api_name="chat")

    def launch(self, **kwargs):
        """Serve the page: loopback and port from Settings, no share link, optional login."""
        options = {"server_name": self.settings.host, "server_port": self.settings.port,
                   "share": False, "auth": parse_auth(self.settings.auth),
                   "auth_message": "Log in to use the ops assistant.", "ssr_mode": False,
                   "theme": style.theme(), "css": style.CSS, "head": script.HEAD,
                   "show_error": False, "footer_links": ["api"], "run_history": False,
                   **kwargs}
        blocks = self.build()
        # No max_size: the queue holds at most a question or two per session anyway, and a
        # full one refuses questions outright (gradio_client's streaming iterator then never
        # returns). Concurrency: docs/ui.md and scripts/bench_load.py.
        blocks.queue(default_concurrency_limit=self.settings.ui_concurrency)
        return blocks.launch(**options)

    def close(self) -> None:
        """Stop serving and delete the export files."""
        if self.blocks is not None:
            self.blocks.close()
        self._exports.cleanup()
