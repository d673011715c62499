"""Tooling that never runs in production (Python 3.11): the benchmark (`bench`), the evaluation
(`eval`), the intent model's cross-validation and comparison (`nlu`), the knowledge base's
evaluation, tuning and benchmark (`kb`), and the helpers that start local servers for them."""
