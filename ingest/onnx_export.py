"""Exporting the verified MiniLM to ONNX, once: the only part of the tool that needs PyTorch.

The export is PyTorch's own `torch.onnx.export` (the torch.export-based exporter) of
SentenceTransformer's whole forward pass, transformer, mean pooling and normalisation together,
so that ONNX Runtime gives the finished sentence vector and nothing is pooled by hand.

`python -m ingest.onnx_export` makes the export if it is missing or does not match its record
(scripts/setup.sh runs it).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"
OPSET = 18


def export_model(weights_folder: Path, target: Path) -> dict:
    """Export the model in `weights_folder` (already verified) into `target`: the ONNX file, named
    by its hash, and a copy of the tokenizer; returns the record (file names and their sha256),
    which the caller writes last."""
    from ingest.embedding import file_sha256

    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".export-") as scratch:
        onnx_file = Path(scratch) / "model.onnx"
        _export(weights_folder, onnx_file)
        onnx_sha = file_sha256(onnx_file)
        name = f"model-{onnx_sha[:16]}.onnx"
        os.replace(onnx_file, target / name)
    tokenizer = target / "tokenizer.json"
    shutil.copyfile(weights_folder / "tokenizer.json", tokenizer)
    config = json.loads((weights_folder / "sentence_bert_config.json").read_text())
    return {"onnx": name, "onnx_sha256": onnx_sha, "tokenizer_sha256": file_sha256(tokenizer),
            "max_tokens": config["max_seq_length"], "opset": OPSET}


def _export(weights_folder: Path, onnx_file: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # "torchvision is not installed"

    class Encoder(torch.nn.Module):
        """SentenceTransformer's forward with positional inputs, as the exporter needs them."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            features = {"input_ids": input_ids, "attention_mask": attention_mask,
                        "token_type_ids": token_type_ids}
            return self.model(features)[OUTPUT]

    model = SentenceTransformer(str(weights_folder), device="cpu").eval()
    example = model.preprocess(["an example sentence", "a second, longer example sentence"])
    batch, tokens = torch.export.Dim("batch"), torch.export.Dim("tokens", max=512)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            Encoder(model).eval(), tuple(example[name] for name in INPUTS), dynamo=True,
            opset_version=OPSET, input_names=list(INPUTS), output_names=[OUTPUT],
            dynamic_shapes=tuple({0: batch, 1: tokens} for _ in INPUTS), verbose=False)
    program.save(str(onnx_file), external_data=False)


def main() -> None:
    """Entry point of `python -m ingest.onnx_export`: make the export if it is not there."""
    from ingest.embedding import ensure_export
    from ingest.settings import Settings

    settings = Settings()
    ensure_export(settings.model_sha256, settings.onnx_dir)


if __name__ == "__main__":
    main()
