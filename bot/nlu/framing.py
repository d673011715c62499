"""Courtesy does not hide the request it frames.

"bonjour je n'arrive plus à me connecter" was read as a greeting, "Vous avez ce parfum en 100
ml ? Merci d'avance, bonne journée. Marie" as a goodbye, and "Merci pour la livraison rapide,
mais le verre est fissuré" as thanks: the courtesy's words weigh more than the few words of the
request. When the model's first choice is a courtesy intent and the message has more than its
courtesy, the message without its opening greeting and its closing sentences (for thanks: what
follows "mais") is classified alone; if that is a request the model is sure of, the request is
the message's intent (the bot still greets back: the turn composer answers a message that opens
with a greeting with a greeting). "Bonjour Madame, Monsieur", "bonjour, j'ai une question" or
"Merci pour votre aide, je n'ai pas d'autres questions. Cordialement" keep their intent.
"""

from __future__ import annotations

import re
from typing import List, Protocol, Tuple

from bot.core.closings import before_closing
from bot.core.openers import after_greeting

GREET = "greet"
THANK = "thank"
COURTESY = frozenset({GREET, THANK, "goodbye"})
# Not a request of its own: a greeting followed by these is still a greeting.
NOT_REQUESTS = frozenset({GREET, "out_of_scope", "inform", "affirm", "deny"})
# The rest of the message must be classified at least this surely to win over the courtesy.
MIN_CONFIDENCE = 0.5
MIN_WORDS = 2
BUT = re.compile(r"\bmais\b", re.IGNORECASE)


class Ranker(Protocol):
    def rank(self, text: str) -> List[Tuple[str, float]]: ...


def request(text: str, intent: str) -> str:
    """The message without its opening greeting and its closing sentences; for thanks, what
    follows its first "mais" ("merci, mais toujours rien reçu")."""
    if intent == THANK and (but := BUT.search(text)):
        return before_closing(text[but.end() :].strip(" \t\n,.;:!-"))
    return before_closing(after_greeting(text) or text)


def rank(model: Ranker, text: str) -> List[Tuple[str, float]]:
    """The model's ranking of the message, or of the request it frames (see above)."""
    ranking = model.rank(text)
    if not ranking or ranking[0][0] not in COURTESY:
        return ranking
    rest = request(text, ranking[0][0])
    words = [word for word in rest.split() if any(c.isalpha() for c in word)]
    if rest == text.strip() or len(words) < MIN_WORDS:
        return ranking
    inner = model.rank(rest)
    name, confidence = inner[0]
    # After a greeting, thanks or goodbye stand ("bonjour, merci pour tout"); after thanks or
    # a goodbye, only a request does.
    refused = NOT_REQUESTS if ranking[0][0] == GREET else NOT_REQUESTS | COURTESY
    if name in refused or confidence < MIN_CONFIDENCE:
        return ranking
    return inner
