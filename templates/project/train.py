#!/usr/bin/env python3
"""Sluice `train` step: fit the churn model and write $SLUICE_OUTPUT/model.json.

Outside Sluice it reads data/customers.csv and writes output/model.json.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from churn.dataset import REPO_ROOT, data_path, load_records, split  # noqa: E402
from churn.features import Standardiser, encode, label  # noqa: E402
from churn.model import ChurnModel, LogisticRegression  # noqa: E402

EPOCHS = 100
LEARNING_RATE = 1.0
L2 = 0.001
REPORT_EVERY = 20


def output_dir():
    return Path(os.environ.get("SLUICE_OUTPUT") or REPO_ROOT / "output")


def main():
    started = time.monotonic()
    source = data_path()
    train_records, validation_records = split(load_records(source))
    print(f"data: {source} ({len(train_records)} train, {len(validation_records)} validation rows)")

    raw_vectors = [encode(record) for record in train_records]
    labels = [label(record) for record in train_records]
    standardiser = Standardiser.fit(raw_vectors)
    vectors = [standardiser.transform(vector) for vector in raw_vectors]

    def report(epoch, loss):
        if epoch == 1 or epoch % REPORT_EVERY == 0:
            print(f"epoch {epoch:4d}/{EPOCHS}  loss {loss:.5f}", flush=True)

    regression = LogisticRegression.train(
        vectors, labels, epochs=EPOCHS, learning_rate=LEARNING_RATE, l2=L2, on_epoch=report
    )

    destination = output_dir()
    destination.mkdir(parents=True, exist_ok=True)
    artifact = destination / "model.json"
    ChurnModel(standardiser, regression).save(artifact)
    print(f"wrote {artifact} in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    try:
        main()
    except (OSError, ValueError) as error:
        sys.exit(f"train: {error}")
