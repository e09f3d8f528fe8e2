"""The data, its split and the model, shared by train.py, evaluate.py and the tests.

The data is the Wisconsin diagnostic breast cancer set that ships inside scikit-learn
(569 tumours, 30 measurements each), so the project trains offline once its environment is built.
"""

import os
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO_ROOT = Path(__file__).resolve().parent
# The validation share and the seed of the split: fixed, so every run judges on the same tumours.
VALIDATION_SHARE = 0.25
SPLIT_SEED = 7


def load_split():
    """(X_train, X_validation, y_train, y_validation), with 1 meaning malignant."""
    data = load_breast_cancer()
    malignant = 1 - data.target  # scikit-learn labels benign as 1
    return train_test_split(
        data.data, malignant, test_size=VALIDATION_SHARE, random_state=SPLIT_SEED, stratify=malignant
    )


def make_model():
    """Standardised features into an L2-regularised logistic regression."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def model_path():
    """$SLUICE_OUTPUT/model.joblib, or output/model.joblib outside Sluice."""
    return Path(os.environ.get("SLUICE_OUTPUT") or REPO_ROOT / "output") / "model.joblib"
