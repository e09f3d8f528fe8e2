import os
import tempfile
import unittest

from churn.dataset import load_records, split

HEADER = ("customer_id,tenure_months,monthly_charges,support_calls,contract,"
          "has_partner,paperless_billing,senior_citizen,churned\n")
GOOD_ROW = "C1,12,70.25,2,month,yes,no,0,1\n"


def customers(count):
    return [{"customer_id": f"C{index}"} for index in range(count)]


class SplitTest(unittest.TestCase):
    def test_every_record_lands_in_exactly_one_side(self):
        records = customers(1000)
        train, validation = split(records)
        self.assertEqual(len(train) + len(validation), len(records))
        self.assertFalse({r["customer_id"] for r in train} & {r["customer_id"] for r in validation})
        self.assertTrue(150 <= len(validation) <= 250, len(validation))

    def test_split_is_deterministic(self):
        self.assertEqual(split(customers(500)), split(customers(500)))

    def test_adding_rows_keeps_existing_assignments(self):
        _, before = split(customers(500))
        _, after = split(list(reversed(customers(800))))
        before_ids = {r["customer_id"] for r in before}
        self.assertEqual(before_ids, {r["customer_id"] for r in after if int(r["customer_id"][1:]) < 500})


class LoadRecordsTest(unittest.TestCase):
    def load(self, text):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "customers.csv")
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            return load_records(path)

    def test_reads_rows_as_string_dicts(self):
        self.assertEqual(self.load(HEADER + GOOD_ROW)[0]["contract"], "month")

    def test_bad_row_is_reported_with_its_line(self):
        with self.assertRaisesRegex(ValueError, r"customers.csv:3: contract: 'weekly'"):
            self.load(HEADER + GOOD_ROW + GOOD_ROW.replace("month", "weekly"))

    def test_header_only_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "no rows"):
            self.load(HEADER)


if __name__ == "__main__":
    unittest.main()
