"""Intent misses for the team that trains the NLU: the messages the intent classifier routed
with low confidence, exported as Rasa NLU YAML to review and add to data/nlu (the loop Rasa
calls conversation-driven development).

"Low": the top intent's confidence under the FallbackClassifier's threshold in config.yml
(below it Rasa predicts nlu_fallback; the intent meant is then the first other one of
`intent_ranking`), or a higher threshold the team picks. The export never carries an e-mail,
a phone number, a postcode or an order number: they are replaced by placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.backoffice.tracker_events import TrackerEvent
from bot.core import order_numbers
from bot.core.patterns import EMAIL, POSTCODE
from bot.settings import ROOT

FALLBACK_INTENT = "nlu_fallback"
# French numbers: 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033 6…
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?33\s?\(?0?\)?\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
PLACEHOLDERS = (
    (EMAIL, "<e-mail>"),
    (PHONE, "<téléphone>"),
)


def _order_number() -> re.Pattern[str]:
    return order_numbers.current().in_text


def scrub(text: str) -> str:
    """The text with e-mails, phone numbers, order numbers and postcodes replaced."""
    for pattern, placeholder in PLACEHOLDERS:
        text = pattern.sub(placeholder, text)
    text = _order_number().sub("<commande>", text)
    return POSTCODE.sub("<code postal>", text)


def has_personal_data(text: str) -> bool:
    return scrub(text) != text


@lru_cache(maxsize=4)
def config_threshold(config: Path = ROOT / "config.yml") -> float:
    """The FallbackClassifier's threshold in the Rasa config (0.4 if it has none)."""
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return 0.4
    for component in data.get("pipeline") or []:
        if isinstance(component, dict) and component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.4))
    return 0.4


@dataclass(frozen=True)
class Miss:
    conversation: str
    at: datetime
    text: str
    intent: str  # the intent the classifier leaned to
    confidence: float


def _reading(data: dict[str, Any]) -> tuple[str, float] | None:
    """(intent, confidence) as the classifier saw it, past the FallbackClassifier."""
    parse = data.get("parse_data") or {}
    ranking = [r for r in parse.get("intent_ranking") or [] if isinstance(r, dict)]
    top = parse.get("intent") or {}
    for candidate in [top, *ranking]:
        name = candidate.get("name") if isinstance(candidate, dict) else None
        if name and name != FALLBACK_INTENT:
            return str(name), float(candidate.get("confidence") or 0.0)
    return None


def misses(
    conversations: Iterable[list[TrackerEvent]],
    start: datetime,
    end: datetime,
    threshold: float | None = None,
) -> list[Miss]:
    """The shoppers' typed messages of [start, end) read under `threshold` (config.yml's by
    default), lowest confidence first. Button payloads ("/intent…") are not typed."""
    limit = config_threshold() if threshold is None else threshold
    found = []
    for conversation in conversations:
        for event in conversation:
            if (event.data.get("event") or event.type_name) != "user":
                continue
            text = " ".join(str(event.data.get("text") or "").split())
            at = datetime.fromtimestamp(event.timestamp, timezone.utc)
            if not text or text.startswith("/") or not start <= at < end:
                continue
            reading = _reading(event.data)
            if reading is not None and reading[1] < limit:
                found.append(Miss(event.sender_id, at, text, reading[0], reading[1]))
    return sorted(found, key=lambda m: (m.confidence, m.at))


def to_yaml(found: Sequence[Miss], threshold: float) -> str:
    """Rasa NLU YAML (version 3.1): one `- intent:` block per predicted intent, examples
    scrubbed and de-duplicated, lowest confidence first; a comment above each block gives the
    confidences (inside `examples: |` a comment would become an example)."""
    by_intent: dict[str, dict[str, float]] = {}
    for miss in found:
        text = scrub(miss.text)
        examples = by_intent.setdefault(miss.intent, {})
        examples[text] = min(miss.confidence, examples.get(text, 1.0))
    lines = [
        "# Messages lus avec une confiance d'intention inférieure à "
        f"{threshold:.2f} : à relire, corriger l'intention si besoin, puis ajouter à data/nlu.",
        "# E-mails, téléphones, codes postaux et numéros de commande sont remplacés.",
        'version: "3.1"',
        "nlu:" if by_intent else "nlu: []",
    ]
    for intent in sorted(by_intent, key=lambda i: (-len(by_intent[i]), i)):
        examples = by_intent[intent]
        ordered = sorted(examples.items(), key=lambda item: item[1])
        scores = ", ".join(f"{score:.2f}" for _, score in ordered)
        lines.append(f"# {intent} : {len(ordered)} message(s), confiance dans l'ordre : {scores}")
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines += [f"    - {text}" for text, _ in ordered]
    return "\n".join(lines) + "\n"
