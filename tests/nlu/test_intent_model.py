"""The intent classifier's model, on examples small enough to reason about."""

from __future__ import annotations

import pytest

from bot.nlu.intent_model import IntentModel, normalise
from bot.tools.nlu.crossval import crossval, load_examples

EXAMPLES = (
    [
        (text, "track_order")
        for text in (
            "où est ma commande",
            "ma commande n'est pas arrivée",
            "suivi de mon colis",
            "je n'ai pas reçu mon colis",
            "quand arrive ma commande",
        )
    ]
    + [
        (text, "cancel_order")
        for text in (
            "annuler ma commande",
            "je veux annuler",
            "annulez la commande svp",
            "je souhaite annuler mon achat",
            "annulation de commande",
        )
    ]
    + [(text, "greet") for text in ("bonjour", "salut", "bonsoir", "hello", "coucou")]
)


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return IntentModel().fit(EXAMPLES)


def test_normalise_folds_accents_and_masks_identifiers():
    assert normalise("Où est ma commande CM482913 ? écrit à a.b@c.fr, 75011") == (
        "ou est ma commande  numcommande  ? ecrit a  adresseemail ,  codepostal "
    )


@pytest.mark.parametrize(
    "text, intent",
    [
        ("ou est ma comande", "track_order"),  # typo, no accent
        ("ANNULER MA COMMANDE CM482913", "cancel_order"),
        ("slt", "greet"),
    ],
)
def test_ranking_puts_the_right_intent_first(model, text, intent):
    ranking = model.rank(text)
    assert ranking[0][0] == intent
    assert abs(sum(confidence for _, confidence in ranking) - 1) < 1e-6
    assert [c for _, c in ranking] == sorted((c for _, c in ranking), reverse=True)


def test_crossval_reads_the_project_data_and_reports_accuracy():
    examples = load_examples()
    assert len(examples) > 1000 and {"track_order", "faq", "inform"} <= {i for _, i in examples}
    assert not any("](" in text or "]{" in text for text, _ in examples)  # markup removed
    report = crossval(EXAMPLES * 2, folds=2)
    assert report["examples"] == 30 and 0.5 <= report["accuracy"] <= 1.0
