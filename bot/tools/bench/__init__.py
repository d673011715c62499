"""Speed benchmark of the whole assistant next to a default-config Rasa bot.

`python -m bot.tools.bench [--smoke]`."""
