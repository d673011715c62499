"""After-hours replies by e-mail (issue 19, "When the team is away").

When a hand-off opens while the team is away, the bot offers (once per conversation, with
consent) to send the agent's reply by e-mail too (actions/handoff.py). The address reaches the
case through the service API (routes/mail.py); each agent's reply in such a case is queued in
an outbox (outbox.py) that a worker in the back office's lifespan sends with smtplib
(worker.py, message.py), with a link that reopens the conversation in the widget (links.py).

The address checks are pure and light (bot/core/email_address.py): the action server uses them.
"""
