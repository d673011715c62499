"""What Comptoir's own policies share: nothing to learn, one action insisted on (or none).

A subclass says which action the tracker calls for (`decide`); this turns it into Rasa's
prediction, and a bug in `decide` is logged instead of silencing the bot (the other policies
then decide alone).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


class DecidingPolicy(Policy):
    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource  # nothing to learn: the tracker decides

    def decide(self, tracker: DialogueStateTracker) -> str | None:
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        try:
            action = self.decide(tracker)
        except Exception:  # a bug here must not silence the bot: the other policies decide
            logger.exception("%s failed conversation=%s", type(self).__name__, tracker.sender_id)
            action = None
        probabilities = self._default_predictions(domain)
        if action is not None and action in domain.action_names_or_texts:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
