"""A product list as each channel shows it (bot/core/channels.py): its buttons must still work
where titles and payloads are short (Telegram's 64-byte callback_data, Messenger's 20-character
quick-reply titles)."""

from __future__ import annotations

from actions import product_texts
from actions.products import details_button
from bot.catalogue.generate import generate
from bot.core import channels, replies


def product_list() -> tuple[str, list[dict[str, str]]]:
    products = [p for p in generate(3000) if p.sku in ("MOD-1001", "MOD-101201", "PAR-101680")]
    text = "\n".join(
        [replies.PRODUCTS_FOUND, *(product_texts.line(p, p.variants[0]) for p in products)]
    )
    return text, [details_button(p) for p in products] + [replies.HUMAN]


def test_every_product_button_fits_telegram_callback_data():
    _, buttons = product_list()
    for position, button in enumerate(buttons):
        assert channels.callback_data(button["payload"], position) == button["payload"]


def test_messenger_numbers_the_long_product_names_and_keeps_the_payloads():
    text, buttons = product_list()
    shown, quick_replies = channels.messenger_options(text, buttons)
    assert [q["payload"] for q in quick_replies] == [b["payload"] for b in buttons]
    assert all(len(q["title"]) <= channels.MESSENGER_QUICK_REPLY_TITLE for q in quick_replies)
    assert "1. Pull col rond en laine mérinos" in shown  # the full name, numbered, in the text
    assert quick_replies[0]["title"].startswith("1. ")
