"""Churn prediction: feature encoding, logistic regression and metrics, standard library only."""
