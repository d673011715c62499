"""A greeting does not hide the request after it.

"bonjour je n'arrive plus à me connecter" was read as a greeting: the greeting's words weigh
more than the few words of the request. When the model's first choice is `greet` and the
message goes on after its greeting, what follows is classified alone; if it is a request the
model is sure of, that request is the message's intent (the bot still greets back: the turn
composer answers a message that opens with a greeting with a greeting). "Bonjour Madame,
Monsieur" or "bonjour, j'ai une question" stay greetings.
"""

from __future__ import annotations

from typing import List, Protocol, Tuple

from bot.core.openers import after_greeting

GREET = "greet"
# Not a request of their own: a greeting followed by these is still a greeting.
NOT_REQUESTS = frozenset({GREET, "out_of_scope", "inform", "affirm", "deny"})
# The rest of the message must be classified at least this surely to win over the greeting.
MIN_CONFIDENCE = 0.5
MIN_WORDS = 2


class Ranker(Protocol):
    def rank(self, text: str) -> List[Tuple[str, float]]: ...


def rank(model: Ranker, text: str) -> List[Tuple[str, float]]:
    """The model's ranking of the message, or of what follows its greeting (see above)."""
    ranking = model.rank(text)
    if not ranking or ranking[0][0] != GREET:
        return ranking
    rest = after_greeting(text)
    if len([word for word in rest.split() if any(c.isalpha() for c in word)]) < MIN_WORDS:
        return ranking
    inner = model.rank(rest)
    name, confidence = inner[0]
    if name in NOT_REQUESTS or confidence < MIN_CONFIDENCE:
        return ranking
    return inner
