"""Chat channels the Rasa server imports (Python 3.10): REST, Telegram, Facebook Messenger and
the widget's socket.io channel.

- `rest`: `RestInput`, Rasa's REST channel for this machine only, refusing other channels' ids.
- `telegram`: `TelegramInput`, on python-telegram-bot, webhook with Telegram's secret token;
  `python -m bot.rasa.channels.telegram set-webhook URL` registers the webhook.
- `messenger`: `MessengerInput`, Rasa's facebook channel with the SHA-256 signature checked.
- `socketio`: the widget's channel, with conversation ids issued and signed by the server.
- `credentials`: writes Rasa's credentials file with the channels whose variables are set.
What every channel checks first (conversation ids, message length, control characters) is in
bot/core/edge.py, and the pure helpers the connectors share in bot/core/channels.py: standard
library only, so that they are unit-tested under both interpreters.

See docs/channels.md. Nothing here may need Python 3.11 or the application virtualenv.
"""
