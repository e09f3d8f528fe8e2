"""Classification metrics, written out so their edge cases are explicit and tested.

Every function returns a finite number for any input it accepts: Sluice's gate
fails closed on NaN, so "no positive predictions" gives precision 0, not 0/0.
"""

import math

THRESHOLD = 0.5


def auc(labels, scores):
    """Area under the ROC curve via the Mann-Whitney rank statistic.

    Tied scores share the average of their ranks, so a tie between a positive
    and a negative counts as half a correctly ordered pair.
    """
    positives = sum(1 for y in labels if y == 1)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("auc needs at least one positive and one negative label")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        average_rank = (start + end) / 2 + 1  # ranks are 1-based
        rank_sum += average_rank * sum(1 for i in order[start:end + 1] if labels[i] == 1)
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def classification_metrics(labels, scores, threshold=THRESHOLD):
    """Accuracy, precision, recall and f1 when a score >= threshold predicts churn."""
    tp = fp = fn = tn = 0
    for y, score in zip(labels, scores):
        predicted = score >= threshold
        if predicted and y == 1:
            tp += 1
        elif predicted:
            fp += 1
        elif y == 1:
            fn += 1
        else:
            tn += 1
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    return {
        "accuracy": _ratio(tp + tn, tp + fp + fn + tn),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
    }


def percentile(values, percent):
    """Nearest-rank percentile: always one of the observed values, never interpolated."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]
