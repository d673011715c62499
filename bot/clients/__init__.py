"""Clients of the services the conversation depends on (Python 3.11: action server, back office,
tools): the shop contract and its HTTP client (`bot.clients.shop`), and the back office's
hand-off API (`bot.clients.backoffice`). Nothing here imports Rasa, FastAPI or the demo shop."""
