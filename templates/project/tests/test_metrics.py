import math
import unittest

from churn.metrics import auc, classification_metrics, percentile


class AucTest(unittest.TestCase):
    def test_perfect_and_reversed_ranking(self):
        self.assertEqual(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1.0)
        self.assertEqual(auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0.0)

    def test_tie_between_classes_counts_half(self):
        # Pairs (positive, negative): (0.8, 0.8) tie = 0.5, (0.8, 0.1) = 1,
        # (0.3, 0.8) = 0, (0.3, 0.1) = 1  ->  2.5 / 4.
        self.assertEqual(auc([1, 0, 1, 0], [0.8, 0.8, 0.3, 0.1]), 0.625)

    def test_all_scores_tied_is_chance(self):
        self.assertEqual(auc([1, 0, 0, 1, 0], [0.5] * 5), 0.5)

    def test_single_class_is_an_error_not_nan(self):
        with self.assertRaises(ValueError):
            auc([1, 1], [0.2, 0.7])


class ClassificationMetricsTest(unittest.TestCase):
    def test_hand_computed_confusion(self):
        # Predicted churn (score >= 0.5): rows 0, 2, 4 -> tp 2, fp 1, fn 1 (row 1), tn 1 (row 3).
        metrics = classification_metrics([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.2, 0.5])
        self.assertAlmostEqual(metrics["accuracy"], 3 / 5)
        self.assertAlmostEqual(metrics["precision"], 2 / 3)
        self.assertAlmostEqual(metrics["recall"], 2 / 3)
        self.assertAlmostEqual(metrics["f1"], 2 / 3)

    def test_no_positive_predictions_gives_zero_not_nan(self):
        metrics = classification_metrics([1, 0, 1], [0.1, 0.2, 0.3])
        self.assertEqual(metrics["precision"], 0.0)
        self.assertEqual(metrics["recall"], 0.0)
        self.assertEqual(metrics["f1"], 0.0)
        self.assertAlmostEqual(metrics["accuracy"], 1 / 3)
        self.assertTrue(all(math.isfinite(value) for value in metrics.values()))


class PercentileTest(unittest.TestCase):
    def test_nearest_rank(self):
        values = list(range(1, 101))  # 1..100, given in reverse: order must not matter
        values.reverse()
        self.assertEqual(percentile(values, 95), 95)
        self.assertEqual(percentile(values, 100), 100)
        self.assertEqual(percentile([7.0], 95), 7.0)

    def test_empty_is_an_error(self):
        with self.assertRaises(ValueError):
            percentile([], 95)


if __name__ == "__main__":
    unittest.main()
