"""The action server (Python 3.11): rasa-sdk serving `actions/`, behind a Bearer token, on
loopback (`python -m bot.action_server`)."""
