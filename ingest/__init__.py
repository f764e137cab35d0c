"""Turns corpus files into a checked, versioned Chroma index (see `run_ingest`)."""
