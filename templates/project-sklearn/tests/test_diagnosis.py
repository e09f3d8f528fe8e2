import unittest

import numpy

from diagnosis import load_split, make_model


class SplitTests(unittest.TestCase):
    def test_split_is_the_same_on_every_run(self):
        first, second = load_split(), load_split()
        for a, b in zip(first, second):
            numpy.testing.assert_array_equal(a, b)

    def test_validation_keeps_the_share_of_malignant_tumours(self):
        _, _, y_train, y_validation = load_split()
        self.assertAlmostEqual(y_train.mean(), y_validation.mean(), delta=0.02)


class ModelTests(unittest.TestCase):
    def test_model_separates_the_training_tumours(self):
        X_train, _, y_train, _ = load_split()
        model = make_model().fit(X_train, y_train)
        self.assertGreater(model.score(X_train, y_train), 0.95)


if __name__ == "__main__":
    unittest.main()
