"""What the bot could not answer, for the editors (grouped by meaning, with the nearest FAQ
entry) and for the team that trains the NLU (low-confidence messages as Rasa NLU YAML).

collect.py reads Rasa's tracker store, cluster.py groups and checks against the index in
service, misses.py exports the intent misses (issue 15, items 2 and 3)."""
