"""Scoring against gold: `python -m pipeline eval`."""
