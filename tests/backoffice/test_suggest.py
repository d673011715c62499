"""What the inbox's suggested answers are searched for (issue 19, defect 5: a postcode as the
last message gave suggestions about the warranty and sizes for a late parcel)."""

from __future__ import annotations

import pytest

from bot.backoffice.suggest import says_something, suggestion_query

REQUEST = "Suivi de commande — « mon colis n'est toujours pas arrivé »"


@pytest.mark.parametrize(
    "text", ["34000", "marie.dupont@exemple.fr", "CM482913", "ok merci", "cm 482913 34000", ""]
)
def test_proofs_and_acknowledgements_say_nothing(text: str) -> None:
    assert not says_something(text)


def test_the_request_when_the_last_messages_are_proofs() -> None:
    texts = ["mon colis n'est toujours pas arrivé", "34000", "ok merci"]
    assert suggestion_query(texts[1:], REQUEST) == "mon colis n'est toujours pas arrivé"
    assert suggestion_query(texts, REQUEST) == "mon colis n'est toujours pas arrivé"


def test_a_new_question_after_the_handoff_wins() -> None:
    texts = ["mon colis n'est toujours pas arrivé", "34000", "et la garantie dure combien ?"]
    assert suggestion_query(texts, REQUEST) == "et la garantie dure combien ?"


def test_a_request_without_a_quote_is_used_whole() -> None:
    assert suggestion_query([], "Annulation de commande") == "Annulation de commande"
    assert suggestion_query([], "") == ""
