"""The vocabulary every Comptoir process shares, under either Python (3.10 for Rasa, 3.11 for
the rest), so that a name is declared once and a rename fails in tests:

- `handoff`: the hand-off's slot, intents, actions, reasons, priorities and case statuses;
- `requests`: which form serves which request;
- `replies`: every French sentence and button the bot composes in code;
- `patterns`, `mood`, `person`, `openers`, `shopper_replies`, `normalise`: what shoppers'
  words mean (order numbers and e-mails, anger, asking for someone, yes/no, ratings…);
- `edge`, `channels`, `text`: what every chat channel checks and shares;
- `query_vector`: the message embedding handed from the Rasa server to the knowledge base;
- `forgotten`: the conversations erased at a shopper's request (bot/privacy), which the widget's
  channel asks about to clear the browser's history;
- `ports`, `logs`, `shared_secrets`, `private_files`: where processes listen, how they log,
  their secrets, files only their owner reads.

Standard library only, plus numpy (`query_vector`) and the French VADER lexicon (`mood`),
pinned in both environments; tests/test_layout.py checks it.
"""
