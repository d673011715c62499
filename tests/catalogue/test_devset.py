"""The product dev set and the machinery that scores search on it."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.catalogue.devset import Question, gold, load, matches
from bot.catalogue.evaluate import evaluate, score
from bot.catalogue.models import Product
from bot.catalogue.search import SearchResult


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    return load()


def test_the_dev_set_is_big_varied_and_answerable(questions: list[Question]) -> None:
    assert len(questions) >= 150
    assert len({q.text for q in questions}) == len(questions)
    kinds = Counter(q.kind for q in questions)
    assert {"product", "constraints", "brand", "gift", "legacy", "paraphrase"} <= set(kinds)
    assert all(q.skus and q.match for q in questions)


def test_frozen_answers_match_the_catalogue(
    questions: list[Question], catalogue: list[Product]
) -> None:
    """A generator change that moves the answers fails here (refresh: devset --write)."""
    stale = [q.text for q in questions if gold(catalogue, q.match) != q.skus]
    assert not stale, stale[:5]


def test_match_reads_catalogue_fields(catalogue: list[Product]) -> None:
    by_sku = {p.sku: p for p in catalogue}
    trench = by_sku["MOD-1006"]
    assert matches(trench, {"name": ["trench"], "colour": "beige"})
    assert not matches(trench, {"name": ["trench"], "in_stock": True})  # sold out
    assert not matches(trench, {"name": ["trench"], "size": "XXL"})
    assert matches(trench, {"any_name": [["robe"], ["trench beige"]]})
    assert not matches(trench, {"brand": "Kelvin"})


class FakeSearch:
    """Answers from a table, to check the scoring arithmetic."""

    method = "fake"

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    def search(self, text: str, k: int = 3, **_: object) -> SearchResult:
        class Result:
            skus = self.answers[text][:k]

        return Result()  # type: ignore[return-value]


def test_hit_at_1_and_3() -> None:
    qs = [
        Question("a", {}, ("X",), "product"),
        Question("b", {}, ("Y",), "product"),
        Question("c", {}, ("Z", "W"), "gift"),
        Question("d", {}, ("V",), "gift"),
    ]
    fake = FakeSearch(
        {"a": ["X", "1"], "b": ["1", "2", "Y"], "c": ["W"], "d": ["1", "2", "3", "V"]}
    )
    result = score(fake, qs, use_spacy=False)  # type: ignore[arg-type]
    assert (result.hit1, result.hit3) == (0.5, 0.75)
    assert result.by_kind == {"product": 1.0, "gift": 0.5}
    assert len(result.misses) == 1 and result.misses[0].startswith("d")


def test_lexical_search_reaches_the_target_on_the_dev_set(
    questions: list[Question], catalogue: list[Product]
) -> None:
    (result,) = evaluate(
        catalogue, questions, encoder=None, methods=("lexical",), spacy_options=(False,)
    )
    assert result.hit3 >= 0.85, result.misses[:10]


def test_evaluate_skips_dense_without_an_encoder(catalogue: list[Product]) -> None:
    few = load()[:3]
    scores = evaluate(catalogue[:200], few, encoder=None, spacy_options=(False,))
    assert [s.method for s in scores] == ["lexical"]


def test_absent_products_are_really_absent(catalogue: list[Product]) -> None:
    from bot.catalogue.devset import load_absent

    absent = load_absent()
    assert len(absent) >= 20
    names = " | ".join(p.name.lower() for p in catalogue)
    assert not [text for text in absent if text.lower().removeprefix("une ") in names]
