"""`ops-assistant ui` and `python -m ui`: load the Assistant and serve the chat page."""

from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

import typer

from ingest.cli import expected_errors, load_settings

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def ui_command(
    host: Annotated[str | None, typer.Option(
        help="Address to bind (default OPS_ASSISTANT_HOST or 127.0.0.1; 0.0.0.0 exposes it).",
    )] = None,
    port: Annotated[int | None, typer.Option(
        help="Port to serve on (default OPS_ASSISTANT_PORT or 7860).")] = None,
) -> None:
    """Serve the chat UI in the browser; set OPS_ASSISTANT_AUTH=user:password to require a login."""
    with expected_errors():
        settings = load_settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=updates)
    from ui.app import AssistantUI, parse_auth

    try:
        parse_auth(settings.auth)
    except ValueError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(2) from None
    ui = AssistantUI(settings=settings)
    # The index is read while the page is built and its server starts (they overlap on two
    # cores); "Serving" is printed once both are done, so the first question is answered at once.
    with ThreadPoolExecutor(1) as pool:
        loading = pool.submit(ui.source.problem)
        ui.launch(quiet=True, prevent_thread_lock=True)
        problem = loading.result()
    if problem:
        typer.echo(f"Warning: {problem.what}\n  How to fix: {problem.fix}\n"
                   "  The page will say so until it is fixed.", err=True)
    typer.echo(f"Serving the chat UI at http://{settings.host}:{settings.port}", err=True)
    ui.blocks.block_thread()


def serve_in_background(settings):
    """The real UI in this process on a free loopback port, for the benchmark and screenshot
    scripts; returns it and its URL, or exits with what is wrong and how to fix it."""
    from ui.app import AssistantUI

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": port, "auth": None})
    ui = AssistantUI(settings=settings)
    problem = ui.source.problem()
    if problem:
        raise SystemExit(f"{problem.what}\nHow to fix: {problem.fix}")
    ui.launch(prevent_thread_lock=True, quiet=True)
    return ui, f"http://127.0.0.1:{port}/"


def main() -> None:
    """Entry point of `python -m ui`."""
    typer.run(ui_command)
