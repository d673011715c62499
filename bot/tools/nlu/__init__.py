"""Measuring the intent model: `python -m bot.tools.nlu.crossval` (cross-validation on data/nlu)
and `python -m bot.tools.nlu.compare` (candidate models on the dev sets)."""
