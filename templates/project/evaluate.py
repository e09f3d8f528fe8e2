#!/usr/bin/env python3
"""Sluice `validate` step: score $SLUICE_OUTPUT/model.json on the validation split.

Writes a JSON object of numbers to $SLUICE_METRICS (metrics.json at the
repository root outside Sluice) for the gate in .sluice.yml. Everything but latency_p95_ms is a pure
function of the commit and the data, so reruns give identical metrics.
"""

import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from churn.dataset import REPO_ROOT, data_path, load_records, split  # noqa: E402
from churn.features import label  # noqa: E402
from churn.metrics import auc, classification_metrics, percentile  # noqa: E402
from churn.model import ChurnModel  # noqa: E402

# Every record is scored once per pass and its fastest time kept. The minimum is
# the cost of the code; the rest is noise from other work on a shared runner,
# and spreading a record's timings over separate passes keeps a burst of such
# load from hitting all of them.
LATENCY_PASSES = 20


def model_path():
    return Path(os.environ.get("SLUICE_OUTPUT") or REPO_ROOT / "output") / "model.json"


def metrics_path():
    return Path(os.environ.get("SLUICE_METRICS") or REPO_ROOT / "metrics.json")


def latency_p95_ms(model, records):
    """p95 over records of the fastest time to score each raw record, in milliseconds."""
    fastest = [math.inf] * len(records)
    for _ in range(LATENCY_PASSES):
        for index, record in enumerate(records):
            started = time.perf_counter_ns()
            model.predict_proba(record)
            fastest[index] = min(fastest[index], time.perf_counter_ns() - started)
    return percentile(fastest, 95) / 1e6


def print_baseline_comparison(metrics):
    """One line per metric against the production model's metrics, when Sluice provides them."""
    baseline_file = os.environ.get("SLUICE_BASELINE_METRICS")
    if not baseline_file or not Path(baseline_file).is_file():
        print("baseline: none")
        return
    # The comparison is informational (the gate does the judging), so a bad baseline must not fail the step.
    try:
        with open(baseline_file, encoding="utf-8") as stream:
            baseline = json.load(stream)
    except (OSError, ValueError) as error:
        print(f"baseline: {baseline_file} is unreadable ({error}); no comparison")
        return
    if not isinstance(baseline, dict):
        print(f"baseline: {baseline_file} is not a JSON object; no comparison")
        return
    print(f"baseline: {baseline_file}")
    for name, value in metrics.items():
        previous = baseline.get(name)
        if isinstance(previous, (int, float)) and not isinstance(previous, bool):
            print(f"  {name:15s} {value:10.4f}  baseline {previous:10.4f}  delta {value - previous:+.4f}")
        else:
            print(f"  {name:15s} {value:10.4f}  baseline -")


def main():
    model = ChurnModel.load(model_path())
    _, validation = split(load_records(data_path()))
    labels = [label(record) for record in validation]
    scores = [model.predict_proba(record) for record in validation]

    quality = {"auc": auc(labels, scores), **classification_metrics(labels, scores)}
    metrics = {name: round(value, 6) for name, value in quality.items()}
    metrics["latency_p95_ms"] = round(latency_p95_ms(model, validation), 3)

    for name, value in metrics.items():
        if not math.isfinite(value):
            sys.exit(f"evaluate: metric {name} is {value}; refusing to write it")
        print(f"{name:15s} {value}")
    print_baseline_comparison(metrics)

    destination = metrics_path()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination, "w", encoding="utf-8") as stream:
        json.dump(metrics, stream, indent=2)
        stream.write("\n")
    print(f"wrote {destination} ({len(validation)} validation rows)")


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as error:
        sys.exit(f"evaluate: {error}")
