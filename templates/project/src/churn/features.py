"""Turn CSV records into numeric feature vectors and standardise them.

Standardisation statistics are fitted on the training split only and stored in
the model artifact, so validation and serving see exactly the transform the
model was trained with and no information leaks from validation rows.
"""

import math
from dataclasses import dataclass

FEATURE_NAMES = [
    "tenure_months",
    "monthly_charges",
    "support_calls",
    "month_to_month",
    "has_partner",
    "paperless_billing",
    "senior_citizen",
]

LABEL_COLUMN = "churned"

_CHOICES = {
    "contract": {"month": 1.0, "year": 0.0},
    "has_partner": {"yes": 1.0, "no": 0.0},
    "paperless_billing": {"yes": 1.0, "no": 0.0},
    "senior_citizen": {"1": 1.0, "0": 0.0},
    LABEL_COLUMN: {"1": 1, "0": 0},
}


def _number(record, column):
    try:
        value = float(record[column])
    except KeyError:
        raise ValueError(f"missing column {column!r}") from None
    except ValueError:
        raise ValueError(f"{column}: {record[column]!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{column}: {record[column]!r} is not a finite number")
    return value


def _choice(record, column):
    choices = _CHOICES[column]
    try:
        raw = record[column].strip().lower()
    except KeyError:
        raise ValueError(f"missing column {column!r}") from None
    if raw not in choices:
        allowed = ", ".join(sorted(choices))
        raise ValueError(f"{column}: {record[column]!r} is not one of {allowed}")
    return choices[raw]


def encode(record):
    """Return the feature vector of one record (a dict of CSV strings), in FEATURE_NAMES order."""
    return [
        _number(record, "tenure_months"),
        _number(record, "monthly_charges"),
        _number(record, "support_calls"),
        _choice(record, "contract"),
        _choice(record, "has_partner"),
        _choice(record, "paperless_billing"),
        _choice(record, "senior_citizen"),
    ]


def label(record):
    """Return the record's churn label as 0 or 1."""
    return _choice(record, LABEL_COLUMN)


@dataclass
class Standardiser:
    """Per-feature (x - mean) / std, with the statistics of the data it was fitted on."""

    means: list
    stds: list

    @classmethod
    def fit(cls, vectors):
        """Fit on training vectors; a constant feature gets std 1 so it maps to 0, not NaN."""
        if not vectors:
            raise ValueError("cannot fit a standardiser on no rows")
        count = len(vectors)
        means = [sum(column) / count for column in zip(*vectors)]
        stds = []
        for column, mean in zip(zip(*vectors), means):
            std = math.sqrt(sum((value - mean) ** 2 for value in column) / count)
            stds.append(std if std > 0 else 1.0)
        return cls(means, stds)

    def transform(self, vector):
        return [(value - mean) / std for value, mean, std in zip(vector, self.means, self.stds)]
