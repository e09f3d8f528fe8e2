#!/usr/bin/env python3
"""Sluice `train` step: fit the model on the training split, save it as $SLUICE_OUTPUT/model.joblib."""

import joblib
import sklearn

from diagnosis import load_split, make_model, model_path

X_train, _, y_train, _ = load_split()
model = make_model().fit(X_train, y_train)
path = model_path()
path.parent.mkdir(parents=True, exist_ok=True)
joblib.dump(model, path)
print(f"trained on {len(y_train)} tumours with scikit-learn {sklearn.__version__}; wrote {path}")
