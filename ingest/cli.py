"""`ingest` and `status` commands; `python -m ingest` runs this app on its own."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ingest.errors import OpsAssistantError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Build and inspect the ops-assistant index.")


@contextmanager
def expected_errors(as_json: bool = False):
    """Turn an expected failure into one line on stderr and its exit code, and with `as_json`
    also into {"error": ...} on stdout, where the command's JSON would have been; others still
    raise."""
    try:
        yield
    except OpsAssistantError as error:
        _fail(f"{error}", error.exit_code, as_json)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        _fail(f"invalid setting {where}: {first['msg']}", 2, as_json)


def _fail(message: str, code: int, as_json: bool):
    typer.echo(f"Error: {message}", err=True)
    if as_json:
        typer.echo(json.dumps({"error": message}))
    raise typer.Exit(code) from None


def load_settings():
    from ingest.settings import Settings

    return Settings()


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Chunk and embed the corpus into Chroma; only new or changed chunks are embedded."""
    from ingest.receipt import unchanged_by_receipt

    with expected_errors(as_json):
        settings = load_settings()
        paths = paths or [settings.corpus_dir]
        report = unchanged_by_receipt(paths, settings)
        if report is None:
            from ingest.pipeline import run_ingest  # imports Chroma and the embedding stack

            report = run_ingest(paths, settings,
                                show_progress=not (quiet or as_json) and sys.stderr.isatty())
    for skipped in report.skipped:
        typer.echo(f"skipped {skipped}", err=True)
    if report.dropped:
        typer.echo(f"removed from the index: {', '.join(report.dropped)} (no longer in the paths "
                   "given; to keep files, ingest all their paths together: `ops-assistant ingest "
                   "PATH PATH ...`)", err=True)
    if as_json:
        typer.echo(report.model_dump_json())
    elif not quiet:
        for line in file_lines(report):
            typer.echo(line)
        typer.echo(
            f"Ingested {len(report.files)} file(s) into {report.index}: {report.chunks} chunks, "
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged ({report.embedded} embedded) in {report.seconds:.2f}s"
        )


def file_lines(report) -> list[str]:
    """A line per indexed file (chunks, and the codec when it was not UTF-8), its notes under it."""
    lines = []
    for file in report.per_file:
        read_as = f", read as {file.encoding} (not UTF-8)" if file.source in report.encodings else ""
        lines.append(f"  {file.source}: {file.chunks} chunk{'s' * (file.chunks != 1)}{read_as}")
        lines += [f"    note: {note}" for note in file.notes]
    return lines


@app.command("status")
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Where the index lives, its model and size, and whether it is stale against the corpus."""
    from ingest.status import index_status

    with expected_errors(as_json):
        status = index_status(load_settings())
    if as_json:
        typer.echo(status.model_dump_json())
        return
    for label, value in [
        ("index", f"{status.index} ({status.mode})"),
        ("collection", status.collection or "-"),
        ("chunks", status.chunks),
        ("built at", status.built_at or "-"),
        ("corpus", ", ".join(status.corpus_paths)),
        ("corpus hash", status.corpus_hash or "-"),
        ("model", status.model),
        ("model sha256", status.model_sha256 + ("" if status.model_ok else "  (NOT the expected weights)")),
        ("onnx export", status.onnx_export if status.onnx_export != "ok" else "ok (sha256 as recorded)"),
        ("stale", f"{'yes' if status.stale else 'no'} ({status.reason})"),
    ]:
        typer.echo(f"{label:>13}: {value}")
