import os
import tempfile
import unittest

from churn.features import Standardiser
from churn.model import ChurnModel, LogisticRegression

# One feature: negative x never churns, positive x always does.
TOY_VECTORS = [[x / 10] for x in range(-20, 21) if x != 0]
TOY_LABELS = [1 if vector[0] > 0 else 0 for vector in TOY_VECTORS]


def train_toy():
    return LogisticRegression.train(TOY_VECTORS, TOY_LABELS, epochs=200, learning_rate=1.0, l2=0.0)


class LogisticRegressionTest(unittest.TestCase):
    def test_learns_a_separable_set(self):
        model = train_toy()
        for vector, y in zip(TOY_VECTORS, TOY_LABELS):
            self.assertEqual(model.predict_proba(vector) >= 0.5, y == 1, vector)
        self.assertGreater(model.weights[0], 0)

    def test_training_is_deterministic(self):
        self.assertEqual(train_toy(), train_toy())

    def test_loss_decreases(self):
        losses = []
        LogisticRegression.train(TOY_VECTORS, TOY_LABELS, epochs=20, learning_rate=1.0, l2=0.01,
                                 on_epoch=lambda epoch, loss: losses.append(loss))
        self.assertEqual(len(losses), 20)
        self.assertLess(losses[-1], losses[0])

    def test_extreme_scores_do_not_overflow(self):
        model = LogisticRegression([1.0], 0.0)
        self.assertEqual(model.predict_proba([-1000.0]), 0.0)
        self.assertEqual(model.predict_proba([1000.0]), 1.0)


class ChurnModelTest(unittest.TestCase):
    RECORD = {"tenure_months": "3", "monthly_charges": "99.5", "support_calls": "4",
              "contract": "month", "has_partner": "no", "paperless_billing": "yes",
              "senior_citizen": "1"}

    def test_save_and_load_round_trip(self):
        model = ChurnModel(
            Standardiser([30.0, 70.0, 1.5, 0.5, 0.5, 0.6, 0.2], [20.0, 30.0, 1.2, 0.5, 0.5, 0.5, 0.4]),
            LogisticRegression([-0.9, 0.8, 0.7, 0.6, -0.2, 0.1, 0.15], -1.1),
        )
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "model.json")
            model.save(path)
            loaded = ChurnModel.load(path)
        self.assertEqual(loaded, model)
        self.assertEqual(loaded.predict_proba(self.RECORD), model.predict_proba(self.RECORD))

    def test_load_refuses_another_format(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "model.json")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write('{"format": "something-else"}')
            with self.assertRaisesRegex(ValueError, "something-else"):
                ChurnModel.load(path)


if __name__ == "__main__":
    unittest.main()
