"""Chat channels the Rasa server imports (Python 3.10): REST, Telegram and Facebook Messenger
(the widget's socket.io channel is in bot/web/socketio_channel.py).

- `rest`: `RestInput`, Rasa's REST channel for this machine only, refusing other channels' ids.
- `telegram`: `TelegramInput`, on python-telegram-bot, webhook with Telegram's secret token;
  `python -m bot.channels.telegram set-webhook URL` registers the webhook.
- `messenger`: `MessengerInput`, Rasa's facebook channel with the SHA-256 signature checked.
- `edge`: what every channel checks first (conversation ids, message length, control
  characters); standard library only.
- `credentials`: writes Rasa's credentials file with the channels whose variables are set.
- `common`: pure helpers (standard library only) both connectors share.

See docs/channels.md. Nothing here may need Python 3.11 or the application virtualenv.
"""
