"""Proactive delay notices (issue 16): when an order a shopper asked about becomes late,
Comptoir writes first, on the shopper's channel, through Rasa's trigger_intent.

- queue.py: watches (orders a conversation follows), stops, the queue of notices (database).
- sources.py: the shop client, its signed webhooks or its polling.
- rules.py: when each channel lets the bot write first (pure functions).
- worker.py: the lifespan tasks that send queued notices and poll the shop.
The HTTP side is bot/backoffice/routes/notices.py.
"""
