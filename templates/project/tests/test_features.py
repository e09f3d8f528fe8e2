import unittest

from churn.features import FEATURE_NAMES, Standardiser, encode, label

RECORD = {"customer_id": "C1", "tenure_months": "12", "monthly_charges": "70.25",
          "support_calls": "2", "contract": "month", "has_partner": "yes",
          "paperless_billing": "no", "senior_citizen": "0", "churned": "1"}


class EncodeTest(unittest.TestCase):
    def test_record_becomes_vector_in_feature_order(self):
        self.assertEqual(encode(RECORD), [12.0, 70.25, 2.0, 1.0, 1.0, 0.0, 0.0])
        self.assertEqual(len(encode(RECORD)), len(FEATURE_NAMES))
        self.assertEqual(label(RECORD), 1)

    def test_bad_values_name_their_column(self):
        with self.assertRaisesRegex(ValueError, "contract"):
            encode({**RECORD, "contract": "weekly"})
        with self.assertRaisesRegex(ValueError, "monthly_charges"):
            encode({**RECORD, "monthly_charges": "lots"})
        with self.assertRaisesRegex(ValueError, "tenure_months"):
            encode({**RECORD, "tenure_months": "nan"})
        without_calls = {key: value for key, value in RECORD.items() if key != "support_calls"}
        with self.assertRaisesRegex(ValueError, "support_calls"):
            encode(without_calls)


class StandardiserTest(unittest.TestCase):
    TRAIN = [[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]]

    def test_fit_centres_and_scales_training_data(self):
        standardiser = Standardiser.fit(self.TRAIN)
        self.assertEqual(standardiser.means, [2.0, 20.0, 5.0])
        self.assertEqual(standardiser.stds, [1.0, 10.0, 1.0])
        self.assertEqual([standardiser.transform(v) for v in self.TRAIN],
                         [[-1.0, -1.0, 0.0], [1.0, 1.0, 0.0]])

    def test_other_data_uses_training_statistics(self):
        standardiser = Standardiser.fit(self.TRAIN)
        self.assertEqual(standardiser.transform([5.0, 0.0, 7.0]), [3.0, -2.0, 2.0])

    def test_constant_feature_maps_to_zero_not_nan(self):
        standardiser = Standardiser.fit(self.TRAIN)
        self.assertEqual(standardiser.stds[2], 1.0)
        self.assertEqual(standardiser.transform([2.0, 20.0, 5.0]), [0.0, 0.0, 0.0])


if __name__ == "__main__":
    unittest.main()
