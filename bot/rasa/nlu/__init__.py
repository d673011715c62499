"""The NLU pipeline's own components (config.yml): mood, intent classifier, hand-off gate,
shop entities. Rasa 3.6 graph components, Python 3.10 only."""
