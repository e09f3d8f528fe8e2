import csv
import importlib.util
import io
import unittest
from pathlib import Path

# data/ is not a package, so load the generator script by path.
_SPEC = importlib.util.spec_from_file_location(
    "generate", Path(__file__).resolve().parents[1] / "data" / "generate.py")
generate = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generate)


def csv_text(rows, seed):
    stream = io.StringIO()
    generate.write_csv(generate.generate_customers(rows, seed), stream)
    return stream.getvalue()


class GenerateTest(unittest.TestCase):
    def test_same_seed_gives_same_bytes(self):
        self.assertEqual(csv_text(300, seed=7), csv_text(300, seed=7))

    def test_different_seed_gives_different_data(self):
        self.assertNotEqual(csv_text(300, seed=7), csv_text(300, seed=8))

    def test_rows_have_every_column_and_both_classes(self):
        records = list(csv.DictReader(io.StringIO(csv_text(300, seed=7))))
        self.assertEqual(len(records), 300)
        self.assertEqual(list(records[0]), generate.COLUMNS)
        self.assertEqual({r["churned"] for r in records}, {"0", "1"})
        self.assertEqual({r["contract"] for r in records}, {"month", "year"})


if __name__ == "__main__":
    unittest.main()
