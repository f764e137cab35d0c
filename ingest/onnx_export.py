"""Exporting the verified MiniLM to ONNX, once: the only part of the tool that needs PyTorch.

The export is PyTorch's own `torch.onnx.export` of SentenceTransformer's whole forward pass,
transformer, mean pooling and normalisation together, so that ONNX Runtime gives the finished
sentence vector and nothing is pooled by hand. ONNX Runtime's transformer optimizer then fuses
each layer's attention, skip + layer norm and GELU into single kernels (one query: ~3 ms instead
of ~5 on two cores, same vectors to a cosine of 0.9999999). It recognises the attention of the
TorchScript exporter's graph with the model's plain ("eager") attention, so that is what is
exported; the torch.export-based exporter's graph is left unfused.

`python -m ingest.onnx_export` makes the export if it is missing or does not match its record
(scripts/setup.sh runs it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "sentence_embedding"
OPSET = 17
FORMAT = "fused-bert"  # an export of another format (an older version's) is made again


def export_model(weights_folder: Path, target: Path) -> dict:
    """Export the model in `weights_folder` (already verified) into a new folder under `target`,
    named by the export's hash: the ONNX graph, its weights as external data (ONNX Runtime maps
    that file instead of copying the weights out of the graph: ~60 MiB less peak memory, half the
    load time) and a copy of the tokenizer. Returns the record (folder, files and their sha256),
    which the caller writes last."""
    from ingest.embedding import file_sha256

    target.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target, prefix=".export-"))
    try:
        _export(weights_folder, scratch / "model.onnx")
        shutil.copyfile(weights_folder / "tokenizer.json", scratch / "tokenizer.json")
        files = {path.name: file_sha256(path) for path in sorted(scratch.iterdir())}
        folder = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
        if (target / folder).exists():
            shutil.rmtree(target / folder)
        os.replace(scratch, target / folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    config = json.loads((weights_folder / "sentence_bert_config.json").read_text())
    return {"folder": folder, "files": files, "max_tokens": config["max_seq_length"],
            "opset": OPSET, "format": FORMAT}


def _export(weights_folder: Path, onnx_file: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    class Encoder(torch.nn.Module):
        """SentenceTransformer's forward with positional inputs, as the exporter needs them."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            features = {"input_ids": input_ids, "attention_mask": attention_mask,
                        "token_type_ids": token_type_ids}
            return self.model(features)[OUTPUT]

    model = SentenceTransformer(str(weights_folder), device="cpu",
                                model_kwargs={"attn_implementation": "eager"}).eval()
    example = model.preprocess(["an example sentence", "a second, longer example sentence"])
    plain = onnx_file.with_name("plain.onnx")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(model).eval(), tuple(example[name] for name in INPUTS), str(plain),
            dynamo=False, opset_version=OPSET, input_names=list(INPUTS), output_names=[OUTPUT],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in INPUTS})
    _fuse(plain, onnx_file, model[0].auto_model.config)
    plain.unlink()


def _fuse(plain: Path, onnx_file: Path, config) -> None:
    """Fuse the BERT layers of `plain` with ONNX Runtime's transformer optimizer and save the
    result as `onnx_file` with its weights as external data."""
    from onnxruntime.transformers.optimizer import optimize_model

    logging.getLogger("onnxruntime.transformers").setLevel(logging.ERROR)
    fused = optimize_model(str(plain), model_type="bert", num_heads=config.num_attention_heads,
                           hidden_size=config.hidden_size, opt_level=0)
    fused.save_model_to_file(str(onnx_file), use_external_data_format=True)


def main() -> None:
    """Entry point of `python -m ingest.onnx_export`: make the export if it is not there."""
    from ingest.embedding import ensure_export
    from ingest.settings import Settings

    settings = Settings()
    ensure_export(settings.model_sha256, settings.onnx_dir)


if __name__ == "__main__":
    main()
