"""Rasa pipeline component wrapping `IntentModel`.

The model is refitted from its training examples when Rasa loads it (under a second), so the
trained Rasa model stores only JSON, never a pickled estimator.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_model import IntentModel, normalise

EXAMPLES_FILE = "examples.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"C": 1.0, "temperature": 4.0, "ranking_length": 10}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage,
                 resource: Resource, model: IntentModel | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _fit(self, examples: List[List[str]]) -> IntentModel:
        return IntentModel(c=self._config["C"], temperature=self._config["temperature"]).fit(
            [(text, intent) for text, intent in examples])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [[m.get(TEXT), m.get(INTENT)] for m in training_data.intent_examples]
        self._model = self._fit(examples)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / EXAMPLES_FILE).write_text(json.dumps(examples, ensure_ascii=False),
                                                   encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                examples = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
        except ValueError:
            return component  # not trained: predicts nothing, like Rasa's own classifiers
        component._model = component._fit(examples)
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self._model is None or not normalise(text).strip(" .,!?;:-_'\"()"):
                # Nothing to classify (empty, blanks, punctuation): a zero confidence lets the
                # FallbackClassifier turn it into nlu_fallback, which the bot answers.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                continue
            ranking = self._model.rank(text)[: self._config["ranking_length"]]
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
        return messages
