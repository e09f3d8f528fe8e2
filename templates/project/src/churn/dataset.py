"""Where the data comes from, and the train/validation split that train.py and evaluate.py share."""

import csv
import hashlib
import os
from pathlib import Path

from churn.features import encode, label

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_ENV = "SLUICE_DATA_CUSTOMERS"
DEFAULT_DATA = REPO_ROOT / "data" / "customers.csv"

SPLIT_SEED = "churn-split-v1"
VALIDATION_PERCENT = 20


def data_path():
    """The customers CSV: the spec's `customers` data input if it declares one, else the committed file."""
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


def load_records(path):
    """Read the CSV into a list of dicts of strings, one per customer.

    Every row is checked here, so a bad value is reported once with its file and
    line instead of surfacing later as an error deep inside training.
    """
    records = []
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        for record in reader:
            try:
                if not record.get("customer_id"):
                    raise ValueError("customer_id is missing or empty")
                encode(record)
                label(record)
            except ValueError as error:
                raise ValueError(f"{path}:{reader.line_num}: {error}") from None
            records.append(record)
    if not records:
        raise ValueError(f"{path}: no rows")
    return records


def is_validation(customer_id):
    """Assign a customer to validation by a seeded hash of its id.

    Unlike a shuffle of row positions, the assignment of a customer never changes
    when rows are appended or reordered, so a retrain on fresh data is never
    validated on customers an earlier model was trained on.
    """
    digest = hashlib.sha256(f"{SPLIT_SEED}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < VALIDATION_PERCENT


def split(records):
    """Return (train, validation) lists; every record lands in exactly one, in file order."""
    train, validation = [], []
    for record in records:
        (validation if is_validation(record["customer_id"]) else train).append(record)
    if not train or not validation:
        raise ValueError(f"split of {len(records)} rows left one side empty; add more rows")
    return train, validation
