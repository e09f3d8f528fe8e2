"""Logistic regression trained by full-batch gradient descent, and the saved churn model.

Training is deterministic on purpose: weights start at zero, every epoch visits
the rows in the same order and the epoch count is fixed, so the same commit and
data always produce the same model.json and the same metrics.
"""

import json
import math
from dataclasses import dataclass

from churn.features import FEATURE_NAMES, Standardiser, encode

ARTIFACT_FORMAT = "sluice-starter/churn-logreg/v1"


def _sigmoid(z):
    # Split by sign so math.exp never overflows on large |z|.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class LogisticRegression:
    weights: list
    bias: float

    def predict_proba(self, vector):
        """Probability of the positive class for one (already standardised) vector."""
        return _sigmoid(self.bias + sum(w * x for w, x in zip(self.weights, vector)))

    @classmethod
    def train(cls, vectors, labels, *, epochs, learning_rate, l2, on_epoch=None):
        """Fit by gradient descent on mean log-loss + l2/2 * |weights|^2 (the bias is not penalised).

        on_epoch(epoch, loss), when given, is called once per epoch with the loss
        of the weights at the start of that epoch, for progress reporting.
        """
        if not vectors or len(vectors) != len(labels):
            raise ValueError("need the same, non-zero number of vectors and labels")
        count, width = len(vectors), len(vectors[0])
        model = cls([0.0] * width, 0.0)
        for epoch in range(1, epochs + 1):
            gradient = [0.0] * width
            bias_gradient = 0.0
            log_loss = 0.0
            for vector, y in zip(vectors, labels):
                p = model.predict_proba(vector)
                error = p - y
                bias_gradient += error
                for i, x in enumerate(vector):
                    gradient[i] += error * x
                log_loss -= math.log(max(p, 1e-15)) if y else math.log(max(1.0 - p, 1e-15))
            if on_epoch is not None:
                penalty = 0.5 * l2 * sum(w * w for w in model.weights)
                on_epoch(epoch, log_loss / count + penalty)
            model.weights = [
                w - learning_rate * (g / count + l2 * w) for w, g in zip(model.weights, gradient)
            ]
            model.bias -= learning_rate * bias_gradient / count
        return model


@dataclass
class ChurnModel:
    """Everything needed to score a raw customer record: the standardiser and the regression."""

    standardiser: Standardiser
    regression: LogisticRegression

    def predict_proba(self, record):
        """Churn probability of one raw CSV record; this is the whole serving path."""
        return self.regression.predict_proba(self.standardiser.transform(encode(record)))

    def save(self, path):
        document = {
            "format": ARTIFACT_FORMAT,
            "features": FEATURE_NAMES,
            "means": self.standardiser.means,
            "stds": self.standardiser.stds,
            "weights": self.regression.weights,
            "bias": self.regression.bias,
        }
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2)
            stream.write("\n")

    @classmethod
    def load(cls, path):
        """Load a saved model, refusing one written for another format or feature list."""
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
        if document.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"{path}: format {document.get('format')!r}, expected {ARTIFACT_FORMAT!r}")
        if document.get("features") != FEATURE_NAMES:
            raise ValueError(
                f"{path}: trained on features {document.get('features')}, code has {FEATURE_NAMES}"
            )
        return cls(
            Standardiser(document["means"], document["stds"]),
            LogisticRegression(document["weights"], document["bias"]),
        )
