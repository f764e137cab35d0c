"""The receipt of the last complete ingest into the embedded store, so that a re-ingest of an
unchanged corpus is told so without opening Chroma (importing it is most of such a run).

The receipt is `DATA_DIR/last-ingest.json`: the active build's name and manifest, and the size of
Chroma's database file at the end of that ingest. Every ingest removes it before it writes and
writes it again once it is done, so a receipt on disk means nothing was written through ingest
since. A database file that is missing, of another size or not SQLite means the index was changed
some other way, and the re-ingest asks Chroma as before. A Chroma server gets no receipt: other
machines may write to it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ingest.loaders import load_files
from ingest.manifest import holds
from ingest.report import IngestReport, unchanged_report_of
from ingest.settings import Settings

NAME = "last-ingest.json"
SQLITE_HEADER = b"SQLite format 3\x00"


def receipt_path(settings: Settings) -> Path:
    return settings.data_dir / NAME


def _database(settings: Settings) -> Path:
    return settings.chroma_dir / "chroma.sqlite3"


def clear_receipt(settings: Settings) -> None:
    """Before an ingest writes: until it finishes, the store may differ from the receipt."""
    receipt_path(settings).unlink(missing_ok=True)


def write_receipt(settings: Settings, build: str, manifest: dict) -> None:
    """After a complete ingest into the embedded store (atomically: a reader sees the old receipt,
    none, or this one)."""
    if settings.chroma_url:
        return
    try:
        size = _database(settings).stat().st_size
    except OSError:  # the folder was deleted under this process's open client: no receipt
        return
    path = receipt_path(settings)
    record = {"build": build, "manifest": manifest, "database_bytes": size}
    scratch = path.with_name(f".{NAME}.{os.getpid()}")
    scratch.write_text(json.dumps(record), encoding="utf-8")
    os.replace(scratch, path)


def receipted_manifest(settings: Settings) -> dict | None:
    """The manifest of the receipt, when there is one and the database file is still the one it
    describes (there, of the same size, SQLite); else None."""
    if settings.chroma_url:
        return None
    try:
        record = json.loads(receipt_path(settings).read_text(encoding="utf-8"))
        database = _database(settings)
        with database.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER or database.stat().st_size != record["database_bytes"]:
            return None
        return record["manifest"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def unchanged_by_receipt(paths: list[Path], settings: Settings) -> IngestReport | None:
    """The report of an ingest of `paths` with nothing to do, when the receipt shows the active
    build was made from exactly these files by this code and settings; else None, and the caller
    runs `ingest.pipeline.run_ingest` (which reads the files again: a few ms per MB, against
    the half second that importing Chroma takes)."""
    started = time.perf_counter()
    files, problems = load_files(paths, settings.max_file_bytes)
    manifest = receipted_manifest(settings)
    if manifest is None or not holds(manifest, paths, files, settings):
        return None
    return unchanged_report_of(settings, manifest, problems, started)
