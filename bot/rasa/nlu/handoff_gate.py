"""Rasa pipeline component: "not knowing is not a hand-off".

After the intent classifier, a `human_handoff` prediction stands only if the shopper asked for
someone (bot/core/person.py) or is upset (the mood annotator's label). Otherwise the intent
becomes the next one in the ranking, with its own confidence, so an unsure guess still falls
to the FallbackClassifier and the bot answers or offers a person instead of imposing one.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.person import HANDOFF_INTENT, gated
from bot.rasa.nlu.mood_annotator import MOOD


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class HandoffGate(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> HandoffGate:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if text.startswith("/") or intent.get("name") != HANDOFF_INTENT:
                continue  # payloads ("/human_handoff" from a button) are explicit requests
            kept, ranking = gated(
                intent, message.get(INTENT_RANKING_KEY) or [], text, message.get(MOOD)
            )
            if kept is not intent:
                message.set(INTENT, kept, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
