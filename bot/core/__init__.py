"""The vocabulary every Comptoir process shares, under either Python (3.10 for Rasa, 3.11 for
the rest): slot, intent and action names, hand-off reasons and statuses, what shoppers' words
mean (patterns, mood, replies), what every channel checks (edge), shared secrets. Standard
library only, plus numpy in `query_vector` (installed in both environments)."""
