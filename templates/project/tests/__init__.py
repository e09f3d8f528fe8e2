"""Unit tests; `python3 -m unittest -q` from the repository root finds them."""

import sys
from pathlib import Path

# The package lives in src/ and is not installed, exactly as train.py and evaluate.py use it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
