"""The connectors' pure helpers (standard library only, so they run here on Python 3.11)."""

from __future__ import annotations

import pytest

from bot.core import channels


def test_conversation_ids_carry_the_channel_and_give_the_native_id_back():
    conversation = channels.conversation_id(channels.TELEGRAM_PREFIX, 123456)
    assert conversation == "telegram-123456"
    assert channels.native_id(channels.TELEGRAM_PREFIX, conversation) == "123456"
    assert channels.native_id(channels.MESSENGER_PREFIX, "24682468") == "24682468"


@pytest.mark.parametrize(
    "given, expected",
    [("s3cret", True), ("s3cre", False), ("s3cret ", False), ("", False), (None, False)],
)
def test_same_secret(given, expected):
    assert channels.same_secret("s3cret", given) is expected
    assert channels.same_secret("", "") is False


def test_hub_signature_is_hmac_sha256_of_the_raw_body():
    body = b'{"object":"page"}'
    # computed independently: printf '%s' '{"object":"page"}' | openssl dgst -sha256 -hmac k
    expected = "sha256=cd9ecb799687c5c83d1ce93b06c8737e67b5947997b3c27736ac23c46cae9e72"
    signature = channels.hub_signature("k", body)
    assert signature == expected
    assert channels.valid_hub_signature("k", body, signature)
    for wrong in (
        None,
        "",
        "sha256=",
        signature.upper(),
        "sha1=" + signature[7:],
        channels.hub_signature("other", body),
        signature[:-1],
    ):
        assert not channels.valid_hub_signature("k", body, wrong)
    assert not channels.valid_hub_signature("k", body + b" ", signature)
    assert not channels.valid_hub_signature("", body, channels.hub_signature("", body))


def test_channel_helpers_pass_text_as_it_is():
    """The actions send plain text; neither Telegram (no parse_mode) nor Messenger renders
    markup, so the helpers neither escape nor unescape: "&amp;" typed by someone stays
    "&amp;", "<b>" stays "<b>"."""
    assert not hasattr(channels, "plain")
    written = "Tom &amp; Jerry <b>x</b> & co"
    text, replies = channels.messenger_options(
        written, [{"title": "A &lt;b&gt; & <i>", "payload": "/x"}]
    )
    assert text == written
    assert replies[0]["title"] == "A &lt;b&gt; & <i>"
    assert channels.chunks(written, 4096) == [written]


def test_chunks_cut_long_texts_at_boundaries():
    text = ("mot " * 30).strip()
    pieces = channels.chunks(text, 50)
    assert all(len(piece) <= 50 for piece in pieces)
    assert " ".join(pieces) == text
    assert channels.chunks("court", 50) == ["court"]
    assert channels.chunks("x" * 120, 50) == ["x" * 50, "x" * 50, "x" * 20]
    assert channels.chunks("a\n\nb", 50) == ["a\n\nb"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/start", "/greet"),
        ("/start promo-noel", "/greet"),
        ("/start@comptoir_bot", "/greet"),
        ("/aide", "/greet"),
        ("/HELP", "/greet"),
        ("/suivi CM483391", "suivi CM483391"),
        ("/mes_commandes", "mes commandes"),
        ("bonjour", None),
        ("/", None),
        ('/inform{"claim_type": "damaged"}', None),
        ("//x", None),
    ],
)
def test_telegram_commands(text, expected):
    assert channels.telegram_command(text) == expected


def test_callback_data_fits_telegram_64_bytes():
    assert channels.callback_data("/track_order", 0) == "/track_order"
    short = '/inform{"claim_type": "wrong_item"}'
    assert channels.callback_data(short, 2) == short
    long = "Comment puis-je suivre ma commande une fois qu'elle a été expédiée ?"
    data = channels.callback_data(long, 3)
    assert len(data.encode()) <= 64 and channels.title_position(data) == 3
    assert channels.title_position("/track_order") is None
    assert channels.title_position(channels.BY_TITLE + "x") is None


def test_messenger_quick_replies_keep_short_titles():
    text, replies = channels.messenger_options(
        "Que voulez-vous faire ?",
        [
            {"title": "Suivre ma commande", "payload": "/track_order"},
            {"title": "Délais de livraison", "payload": "/delivery_time"},
        ],
    )
    assert text == "Que voulez-vous faire ?"
    assert replies == [
        {"content_type": "text", "title": "Suivre ma commande", "payload": "/track_order"},
        {"content_type": "text", "title": "Délais de livraison", "payload": "/delivery_time"},
    ]


def test_messenger_long_titles_are_listed_in_the_text_and_numbered():
    question = "Comment puis-je suivre ma commande une fois expédiée ?"
    text, replies = channels.messenger_options(
        "Vouliez-vous dire :",
        [{"title": question, "payload": question}, {"title": "Autre", "payload": "/x"}]
        + [{"title": f"b{i}", "payload": f"/b{i}"} for i in range(20)],
    )
    assert text.splitlines()[:3] == ["Vouliez-vous dire :", f"1. {question}", "2. Autre"]
    assert len(replies) == 13
    assert replies[0]["title"] == "1. Comment puis-je…" and replies[0]["payload"] == question
    assert all(len(reply["title"]) <= 20 for reply in replies)


def test_seen_ids_are_bounded():
    seen = channels.SeenIds(size=3)
    assert [seen.first_time(i) for i in (1, 2, 1, 3, 4, 5)] == [True, True, False, True, True, True]
    assert seen.first_time(2) is True  # forgotten: only the last 3 are kept


def test_messenger_events_and_texts():
    body = {
        "object": "page",
        "entry": [
            {"messaging": [{"sender": {"id": "1"}, "message": {"mid": "a", "text": "bonjour"}}]},
            {
                "messaging": [
                    {
                        "sender": {"id": "1"},
                        "message": {"text": "Suivre", "quick_reply": {"payload": "/track_order"}},
                    },
                    {"sender": {"id": "1"}, "postback": {"title": "Démarrer", "payload": "/greet"}},
                    {"sender": {"id": "1"}, "message": {"is_echo": True, "text": "écho"}},
                    {"sender": {"id": "1"}, "message": {"attachments": [{"type": "image"}]}},
                    {"sender": {"id": "1"}, "read": {"watermark": 1}},
                    "garbage",
                ]
            },
            "garbage",
        ],
    }
    said = [channels.messenger_text(event) for event in channels.messaging_events(body)]
    assert said == ["bonjour", "/track_order", "/greet", None, "", None]
