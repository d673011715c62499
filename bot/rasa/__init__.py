"""Code that runs inside the Rasa server (Python 3.10, .venv-rasa): how it is started
(`python -m bot.rasa run …`) and the guard on what a shopper's text may trigger."""
