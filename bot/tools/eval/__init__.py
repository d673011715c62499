"""Quality evaluation of the whole assistant: `python -m bot.tools.eval routes|report`.

- `routes`: which capability the assistant picks for each message of a labelled file, taken as
  the first message of a new conversation (Rasa NLU, then the knowledge base where the dialogue
  would ask it), scored against `route` / `alt` (see `bot.tools.eval.routing`).
- `report`: the route evaluation on the held-out shoppers' file, the knowledge-base retrieval
  metrics (`bot.tools.kb.eval`) and Rasa's story tests, written to `reports/eval.json` and
  `reports/eval.md`.

The held-out files are only scored here: nothing reads which items fail.
"""
