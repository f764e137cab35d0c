"""The `ops-assistant` command: one entry point over the ingest and assistant commands."""

from __future__ import annotations

import os

import typer

from assistant.cli import (ask_command, bench_command, chat_command, check_language_command,
                           eval_command)
from assistant.dialogs_cli import app as dialogs_app
from ingest.cli import ingest_command, status_command
from ui.serve import ui_command

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="A cited-answer assistant over 'DevOps vs DataOps vs MLOps'.")
app.command("ingest")(ingest_command)
app.command("status")(status_command)
app.command("ask")(ask_command)
app.command("chat")(chat_command)
app.command("eval")(eval_command)
app.command("bench")(bench_command)
app.command("check-language")(check_language_command)
app.add_typer(dialogs_app, name="dialogs")
app.command("ui")(ui_command)


def main() -> None:
    app(prog_name="ops-assistant")
