"""Rasa pipeline component wrapping `IntentModel`: TF-IDF and, with `embedding: true`, the
multilingual sentence embedding (bot/nlu/embedding.py), then a linear SVM.

The message's sentence embedding is added to the parse data (bot/core/query_vector.py) for the
knowledge base. The model is refitted from its training examples when Rasa loads it (a few
seconds), so the trained Rasa model stores only JSON and the examples' vectors as a .npy
array, never a pickled estimator; the examples are not embedded again at start-up.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import query_vector
from bot.nlu import framing
from bot.nlu.embedding import SentenceEmbedder
from bot.nlu.intent_model import DENSE_WEIGHT, IntentModel, normalise

EXAMPLES_FILE = "examples.json"
VECTORS_FILE = "examples.npy"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 1.0,
            "temperature": 4.0,
            "ranking_length": 10,
            "embedding": True,
            "dense_weight": DENSE_WEIGHT,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: IntentModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._embed: SentenceEmbedder | None = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _fit(self, examples: List[List[str]]) -> IntentModel:
        model = IntentModel(
            c=self._config["C"],
            temperature=self._config["temperature"],
            embed=self._embed,
            dense_weight=self._config["dense_weight"],
        )
        return model.fit([(text, intent) for text, intent in examples])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [[m.get(TEXT), m.get(INTENT)] for m in training_data.intent_examples]
        if self._config["embedding"]:
            self._embed = SentenceEmbedder()
        self._model = self._fit(examples)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / EXAMPLES_FILE).write_text(
                json.dumps(examples, ensure_ascii=False), encoding="utf-8"
            )
            if self._embed is not None:
                np.save(
                    directory / VECTORS_FILE,
                    self._embed([text for text, _ in examples]),
                    allow_pickle=False,
                )
                self._embed.remember = False
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                examples = json.loads((directory / EXAMPLES_FILE).read_text(encoding="utf-8"))
                vectors_file = directory / VECTORS_FILE
                vectors = (
                    np.load(vectors_file, allow_pickle=False) if vectors_file.is_file() else None
                )
        except ValueError:
            return component  # not trained: predicts nothing, like Rasa's own classifiers
        if component._config["embedding"]:
            known = (
                {}
                if vectors is None or len(vectors) != len(examples)
                else dict(zip((text for text, _ in examples), vectors, strict=True))
            )
            component._embed = SentenceEmbedder(known)
        component._model = component._fit(examples)
        if component._embed is not None:
            component._embed.remember = False  # serving: shoppers' messages are not kept
        return component

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self._model is None or not normalise(text).strip(" .,!?;:-_'\"()"):
                # Nothing to classify (empty, blanks, punctuation): a zero confidence lets the
                # FallbackClassifier turn it into nlu_fallback, which the bot answers.
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                continue
            ranking = framing.rank(self._model, text)[: self._config["ranking_length"]]
            name, confidence = ranking[0]
            message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": n, "confidence": c} for n, c in ranking],
                add_to_output=True,
            )
            if self._embed is not None and not text.startswith("/"):
                # Already embedded for the ranking: the knowledge base reuses it.
                message.set(
                    query_vector.KEY,
                    query_vector.pack(text, self._embed([text])[0]),
                    add_to_output=True,
                )
        return messages
