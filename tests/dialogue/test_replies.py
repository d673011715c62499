"""The catalogue of replies (bot/core/replies.py), checked where it can go wrong: a template
filled with the wrong names (the shopper would read "{number}" or the action would crash), a
template sent unfilled, a French sentence written inline in an action again, a button spelled
twice, a phrase both in the catalogue and in domain.yml, wording nobody uses any more."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from bot.core import replies

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "bot" / "core" / "replies.py"
# Where the bot's words are used: the actions and the code they and the channels call.
CODE = sorted(
    [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot").rglob("*.py")],
)
ACTIONS = sorted((ROOT / "actions").glob("*.py"))
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


def public_names() -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(replies).items()
        if not name.startswith("_") and name.isupper()
    }


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


TEMPLATES = {name: value for name, value in public_names().items() if isinstance(value, str)}
TEMPLATES = {name: value for name, value in TEMPLATES.items() if fields(value)}


def strings_in(value: Any) -> Iterator[str]:
    """The words in a constant, a table or a list (a button's title, not its payload)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "payload":
                yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def catalogue_refs(node: ast.AST) -> Iterator[ast.Attribute]:
    """`replies.NAME` nodes inside `node`."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "replies"
        ):
            yield sub


def format_calls() -> Iterator[tuple[Path, ast.Call, str]]:
    """Every `replies.NAME.format(...)` (or `(replies.A if … else replies.B).format(...)`)."""
    for path in CODE:
        for node in ast.walk(tree(path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
            ):
                for ref in catalogue_refs(node.func.value):
                    yield path, node, ref.attr


def docstrings(module: ast.Module) -> set[int]:
    """ids of the docstring nodes of a module and of its classes and functions."""
    found = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_formats_with_its_placeholders(name):
    template = TEMPLATES[name]
    filled = template.format(**{field: 7 for field in fields(template)})
    assert "{" not in filled and "}" not in filled, filled


def test_every_template_is_filled_by_its_callers_with_exactly_its_placeholders():
    filled: set[str] = set()
    wrong = []
    for path, call, name in format_calls():
        assert name in vars(replies), f"{path.name}:{call.lineno}: replies.{name} does not exist"
        if name not in TEMPLATES:
            wrong.append(f"{path.name}:{call.lineno}: replies.{name} has no placeholder")
            continue
        given = {keyword.arg for keyword in call.keywords}
        if call.args or None in given or given != fields(TEMPLATES[name]):
            wrong.append(
                f"{path.name}:{call.lineno}: replies.{name} needs {sorted(fields(TEMPLATES[name]))}"
                f", given {sorted(str(g) for g in given)} and {len(call.args)} positional"
            )
        filled.add(name)
    assert not wrong, "\n".join(wrong)
    assert filled == set(TEMPLATES), f"templates never filled: {set(TEMPLATES) - filled}"


def test_no_template_is_sent_unfilled():
    """A template used anywhere but as `replies.NAME.format(...)` would reach the shopper with
    its braces."""
    unfilled = []
    for path in CODE:
        module = tree(path)
        formatted = {
            id(ref)
            for node in ast.walk(module)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            for ref in catalogue_refs(node.func.value)
        }
        unfilled += [
            f"{path.name}:{ref.lineno}: replies.{ref.attr}"
            for ref in catalogue_refs(module)
            if ref.attr in TEMPLATES and id(ref) not in formatted
        ]
    assert not unfilled, unfilled


def test_lists_and_tables_hold_no_placeholders():
    for name, value in public_names().items():
        if not isinstance(value, str):
            for text in strings_in(value):
                assert not fields(text), (name, text)


def test_the_functions_give_whole_sentences():
    assert replies.minutes(30) == "1 minute" and replies.minutes(600) == "10 minutes"
    assert "avant 15 minutes." in replies.throttled(900)
    assert replies.leaving("cancel_order_form", "stop") == (
        "C'est noté, j'arrête là. Votre commande est conservée, rien n'a été annulé. "
        "Puis-je vous aider pour autre chose ?"
    )
    assert (
        replies.leaving("", "goodbye") == "Au revoir et bonne journée ! Revenez quand vous voulez."
    )
    for form in replies.KEPT:
        for intent in (None, "stop", *replies.CLOSING):
            text = replies.leaving(form, intent)
            assert "  " not in text and text.endswith((".", "?")), text


def inline_french(value: ast.AST) -> list[str]:
    """String literals with words in them, anywhere in an expression (f-strings included)."""
    return [
        node.value
        for node in ast.walk(value)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and WORD.search(node.value)
    ]


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.name)
def test_actions_pass_no_inline_sentence_as_text_or_button_title(path):
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.keyword) and node.arg == "text":
            found += [f"{node.value.lineno}: text={s!r}" for s in inline_french(node.value)]
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "title":
                    found += [f"{value.lineno}: title {s!r}" for s in inline_french(value)]
    assert not found, "\n".join(found)


def sentence_like(text: str) -> bool:
    """Three words or more, read as French by its accents, apostrophes or final punctuation."""
    return len(WORD.findall(text)) >= 3 and bool(re.search(r"[À-ÿ]|\w'\w|[.?!:]\s*$| \?$", text))


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.name)
def test_actions_hold_no_french_sentence_at_all(path):
    """Wider than `text=`: a sentence kept in a module constant or a helper is still wording
    outside the catalogue. Log messages and patterns of what shoppers write are not replies."""
    module = tree(path)
    skip = docstrings(module)
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (isinstance(owner, ast.Name) and owner.id in ("log", "logging", "re")) or (
                node.func.attr in ("info", "warning", "exception", "debug", "error")
            ):
                skip |= {id(sub) for sub in ast.walk(node)}
    found = [
        f"{node.lineno}: {node.value!r}"
        for node in ast.walk(module)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and sentence_like(node.value)
    ]
    assert not found, "\n".join(found)


def test_each_button_title_is_written_once_in_python():
    """'Suivre ma commande' was written four times; every title now lives in the catalogue."""
    where = []
    for path in CODE:
        module = tree(path)
        skip = docstrings(module)
        where += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(module)
            if isinstance(node, ast.Constant)
            and node.value == "Suivre ma commande"
            and id(node) not in skip
        ]
    assert len(where) == 1 and where[0].startswith("bot/core/replies.py:"), where
    titles = [b["title"] for b in (getattr(replies, n) for n in public_names()) if _button(b)]
    assert len(titles) == len(set(titles)), titles


def _button(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"title", "payload"}


@pytest.fixture(scope="module")
def domain_responses() -> dict[str, list[dict[str, Any]]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]


# Phrases that are also a domain response, for a reason: they open a longer message composed
# in code, so the response cannot be sent instead.
COMPOSED = {
    replies.CLOSING["goodbye"],  # leaving(): "Au revoir et bonne journée ! <what was kept> …"
}


def test_no_sentence_is_both_a_domain_response_and_in_the_catalogue(domain_responses):
    """An action that only says a fixed domain response sends it by name
    (`utter_message(response=…)`), instead of a copy in the catalogue."""
    responses = {
        variant["text"].strip() for variants in domain_responses.values() for variant in variants
    }
    catalogue = {text.strip() for value in public_names().values() for text in strings_in(value)}
    assert COMPOSED <= responses & catalogue  # else the exception is no longer needed
    assert not (responses & catalogue) - COMPOSED, (responses & catalogue) - COMPOSED


def test_domain_menu_buttons_agree_with_the_catalogue(domain_responses):
    """utter_greet and utter_default repeat some buttons, for Rasa: a title the catalogue knows
    carries the catalogue's payload."""
    payloads = {b["title"]: b["payload"] for b in public_names().values() if _button(b)}
    for name, variants in domain_responses.items():
        for variant in variants:
            for button in variant.get("buttons", []):
                if button["title"] in payloads:
                    assert button["payload"] == payloads[button["title"]], (name, button)


def test_every_catalogue_name_is_used():
    """Wording nobody says any more is removed, not kept 'just in case'."""
    used: set[str] = set()
    for path in CODE:
        module = tree(path)
        used |= {ref.attr for ref in catalogue_refs(module)}
        for node in ast.walk(module):
            if isinstance(node, ast.ImportFrom) and node.module == "bot.core.replies":
                used |= {alias.name for alias in node.names}
            if path == CATALOGUE and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
    defined = {
        name
        for name, value in vars(replies).items()
        if not name.startswith("_")
        and getattr(value, "__module__", replies.__name__) == replies.__name__
        and (name.isupper() or callable(value))
        and name not in ("Button", "annotations")
    }
    assert not defined - used, defined - used
