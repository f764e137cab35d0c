"""Intent, background and filler classifiers over MiniLM sentence vectors, applied with numpy.

Trained from the language data (assistant/language/*.yaml) at set-up (`python -m assistant.nlu`,
run by scripts/setup.sh) and kept beside the model's ONNX export (`.models/language/<data
digest>-<model>.npz`), so opening an index embeds nothing; a change to the examples retrains once,
on the next set-up or load. Multinomial logistic regression written by hand: scikit-learn's would
put scikit-learn (about 2.7 s to import here) on the answer path, and this is 20 lines of numpy.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.language import Language

log = logging.getLogger("ops_assistant.nlu")
SCALE = 10.0       # logits = SCALE * cosine-like score: unit vectors give small dot products
L2 = 1e-3
STEPS = 500
RATE = 2.0


@dataclass(frozen=True)
class Prediction:
    """The most likely label and its probability (0..1)."""

    label: str
    confidence: float


class Classifier:
    """Softmax regression on unit vectors: `predict` takes an (n, 384) array."""

    def __init__(self, labels: list[str], weights: np.ndarray, bias: np.ndarray):
        self.labels, self.weights, self.bias = labels, weights, bias

    @classmethod
    def train(cls, vectors: np.ndarray, labels: list[str]) -> "Classifier":
        """Full-batch gradient descent with class weights (rare labels count as much as common
        ones) and L2 regularisation; deterministic."""
        names = sorted(set(labels))
        target = np.array([names.index(label) for label in labels])
        onehot = np.eye(len(names))[target]
        weight = (len(labels) / (len(names) * np.bincount(target)))[target][:, None]
        w = np.zeros((vectors.shape[1], len(names)))
        b = np.zeros(len(names))
        for _ in range(STEPS):
            gradient = (_softmax(SCALE * vectors @ w + b) - onehot) * weight / len(labels)
            w -= RATE * (SCALE * vectors.T @ gradient + L2 * w)
            b -= RATE * gradient.sum(axis=0)
        return cls(names, w, b)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, labels) probabilities, rows summing to 1."""
        return _softmax(SCALE * np.atleast_2d(vectors) @ self.weights + self.bias)

    def predict(self, vectors: np.ndarray) -> list[Prediction]:
        return [Prediction(self.labels[int(row.argmax())], float(row.max()))
                for row in self.probabilities(vectors)]

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_labels": np.array(self.labels), f"{prefix}_weights": self.weights,
                f"{prefix}_bias": self.bias}

    @classmethod
    def from_arrays(cls, data, prefix: str) -> "Classifier":
        return cls([str(x) for x in data[f"{prefix}_labels"]], data[f"{prefix}_weights"],
                   data[f"{prefix}_bias"])


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Classifiers:
    """The understanding step's classifiers (intents, backgrounds) and the composer's (filler
    or content sentences)."""

    intents: Classifier
    backgrounds: Classifier
    sentences: Classifier

    @classmethod
    def train(cls, language: Language, embed) -> "Classifiers":
        """Train all three from the language data; `embed` maps a list of texts to unit
        vectors (one call)."""
        groups = {"intents": language.intent_examples(),
                  "backgrounds": language.background_examples(),
                  "sentences": language.sentence_examples()}
        vectors = np.asarray(embed([text for pairs in groups.values() for _, text in pairs]))
        trained, start = {}, 0
        for name, pairs in groups.items():
            trained[name] = Classifier.train(vectors[start:start + len(pairs)],
                                             [label for label, _ in pairs])
            start += len(pairs)
        return cls(**trained)

    def save(self, path: Path) -> None:
        """Write atomically (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial.npz")
        np.savez(partial, **self.intents.arrays("intents"), **self.backgrounds.arrays("backgrounds"),
                 **self.sentences.arrays("sentences"))
        os.replace(partial, path)

    @classmethod
    def load(cls, path: Path) -> "Classifiers":
        with np.load(path) as data:
            return cls(*(Classifier.from_arrays(data, name)
                         for name in ("intents", "backgrounds", "sentences")))


def folder(settings) -> Path:
    """Where the classifiers are kept: beside the model's ONNX export."""
    return settings.onnx_dir / "language"


def load_or_train(language: Language, embed, folder: Path, model_sha256: str) -> Classifiers:
    """The classifiers for this language data and model: read from `folder`, or trained (a few
    seconds) and saved there when the data or the model changed."""
    path = folder / f"{language.training_digest}-{model_sha256[:12]}.npz"
    if path.is_file():
        try:
            return Classifiers.load(path)
        except (OSError, ValueError, KeyError) as error:
            log.warning("retraining the language classifiers: %s is unreadable (%s)", path, error)
    log.warning("training the language classifiers once (%s)", path.name)
    classifiers = Classifiers.train(language, embed)
    try:
        classifiers.save(path)
        for stale in folder.glob("*.npz"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError as error:  # a read-only data folder: answer anyway, train again next time
        log.warning("could not keep the language classifiers in %s (%s)", folder, error)
    return classifiers


def main() -> None:
    """`python -m assistant.nlu`: train the classifiers for this data and model if missing."""
    from assistant.language import load
    from ingest.embedding import load_onnx_embeddings
    from ingest.settings import Settings

    settings = Settings()
    embeddings = load_onnx_embeddings(settings.model_sha256, settings.onnx_dir)
    load_or_train(load(), embeddings.embed_documents, folder(settings), settings.model_sha256)


if __name__ == "__main__":
    main()
