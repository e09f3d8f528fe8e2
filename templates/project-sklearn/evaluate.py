#!/usr/bin/env python3
"""Sluice `validate` step: score the saved model on the validation split, write $SLUICE_METRICS."""

import json
import math
import os

import joblib
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

from diagnosis import REPO_ROOT, load_split, model_path

_, X_validation, _, y_validation = load_split()
model = joblib.load(model_path())
probabilities = model.predict_proba(X_validation)[:, 1]
predictions = (probabilities >= 0.5).astype(int)
metrics = {
    "auc": roc_auc_score(y_validation, probabilities),
    "accuracy": accuracy_score(y_validation, predictions),
    "precision": precision_score(y_validation, predictions, zero_division=0),
    "recall": recall_score(y_validation, predictions, zero_division=0),
    "f1": f1_score(y_validation, predictions, zero_division=0),
}
metrics = {name: round(float(value), 6) for name, value in metrics.items()}
if not all(math.isfinite(value) for value in metrics.values()):
    raise SystemExit(f"refusing to write non-finite metrics: {metrics}")

baseline_file = os.environ.get("SLUICE_BASELINE_METRICS")
if baseline_file:
    with open(baseline_file, encoding="utf-8") as stream:
        baseline = json.load(stream)
    for name, value in metrics.items():
        if name in baseline:
            print(f"{name}: {value:.4f} (production {baseline[name]:.4f})")
else:
    print("baseline: none")
print(json.dumps(metrics, sort_keys=True))
with open(os.environ.get("SLUICE_METRICS") or REPO_ROOT / "metrics.json", "w", encoding="utf-8") as stream:
    json.dump(metrics, stream, sort_keys=True)
