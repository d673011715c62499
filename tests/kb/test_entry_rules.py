"""The one validation of an FAQ entry (`Entry.problems` / `Entry.validate`): each rule gives
its field and a French message an editor can act on, the same in the library and the CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.kb import TOPICS, Changes, Entry, InvalidEntryError, Problem
from bot.kb.cli import main as cli

GOOD = Entry(
    "gift.wrapping",
    "gift",
    "Proposez-vous l'emballage cadeau ?",
    ("papier cadeau", "faire un paquet cadeau", "emballer mon colis pour offrir"),
    "Oui, pour 2 €.",
)

RULES = [
    (
        "id",
        replace(GOOD, id="Pas Bon"),
        "L'identifiant doit ressembler à « sujet.nom_court » (a-z, 0-9, _).",
    ),
    ("topic", replace(GOOD, topic="nope"), f"Le sujet doit être l'un de : {', '.join(TOPICS)}."),
    ("question", replace(GOOD, question="  "), "La question est vide."),
    (
        "alternatives",
        replace(GOOD, alternatives=("une", "deux", " ")),
        "Il faut au moins 3 autres formulations de la question, toutes différentes ; il y en a 2.",
    ),
    (
        "alternatives",
        replace(GOOD, alternatives=("une", "deux", "une")),
        "Il faut au moins 3 autres formulations de la question, toutes différentes ; il y en a 2.",
    ),
    ("answer", replace(GOOD, answer=""), "La réponse est vide."),
]


def test_a_good_entry_has_no_problem() -> None:
    assert GOOD.problems() == [] and GOOD.validate() is GOOD


@pytest.mark.parametrize(("field", "entry", "message"), RULES)
def test_each_rule_says_its_field_in_french(field: str, entry: Entry, message: str) -> None:
    assert entry.problems() == [Problem(field, message)]
    with pytest.raises(InvalidEntryError) as raised:
        entry.validate()
    assert raised.value.problems == (Problem(field, message),)
    assert str(raised.value) == f"entrée « {entry.id} » : {message}"


def test_every_problem_is_listed_at_once() -> None:
    bad = Entry("x", "", "", (), "")
    assert [p.field for p in bad.problems()] == [
        "id",
        "topic",
        "question",
        "alternatives",
        "answer",
    ]


def test_a_missing_field_is_named() -> None:
    with pytest.raises(InvalidEntryError) as raised:
        Entry.from_dict({"id": "gift.x", "topic": "gift", "question": "Q ?"})
    assert raised.value.problems == (Problem("answer", "Le champ « answer » manque."),)


def test_changes_validate_their_entries_and_refuse_an_id_twice() -> None:
    with pytest.raises(InvalidEntryError, match="La réponse est vide"):
        Changes(upserts=[replace(GOOD, answer="")])
    with pytest.raises(InvalidEntryError, match="gift.wrapping"):
        Changes(upserts=[GOOD], deletes=[GOOD.id])
    with pytest.raises(InvalidEntryError, match="gift.wrapping"):
        Changes(upserts=[GOOD, GOOD])
    assert not Changes() and Changes(deletes=["a.b"])


def test_the_cli_prints_the_same_french_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--kb-dir", str(tmp_path), "add", "--id", "gift.x", "--topic", "gift"]
    args += ["--question", "Q ?", "--alt", "une", "--alt", "deux", "--answer", "R."]
    assert cli(args) == 2
    err = capsys.readouterr().err
    assert "Il faut au moins 3 autres formulations de la question" in err
    assert not list(tmp_path.iterdir())  # nothing published
