"""Rasa pipeline component that adds the shopper's mood to every parsed message.

`parse_data["mood"] = {"label": "upset"|"calm", "compound": …, "cues": […]}`; the hand-off
policy (bot/rasa/policies/handoff.py) hands an upset shopper to a person, and the hand-off action
tells the agent why.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core.mood import PARSE_KEY, assess

MOOD = PARSE_KEY


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MoodAnnotator(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MoodAnnotator:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text and not text.startswith("/"):  # button payloads carry no mood
                message.set(MOOD, assess(text).as_dict(), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing is learnt from mood: training examples pass through unchanged."""
        return training_data
