"""The widget's conversation ids (bot/core/edge.py): issued and signed by the server, resumed
only if signed and not erased since (standard library only: runs under both Pythons)."""

from __future__ import annotations

from bot.core.edge import WebConversationIds

IDS = WebConversationIds("test-secret")


def never(_: str) -> bool:
    return False


def test_an_id_this_server_signed_is_resumed():
    kept = IDS.issue()
    assert IDS.valid(kept)
    assert IDS.resume(kept, never) == (kept, False)


def test_an_id_it_did_not_sign_gets_a_new_one_without_clearing_anything():
    for kept in (None, "", "web-" + "0" * 32 + ".forged", WebConversationIds("other").issue()):
        conversation, clear = IDS.resume(kept, never)
        assert IDS.valid(conversation) and conversation != kept and clear is False


def test_an_erased_conversation_gets_a_new_id_and_the_browser_forgets_its_history():
    kept = IDS.issue()
    asked: list[str] = []

    def erased(conversation: str) -> bool:
        asked.append(conversation)
        return conversation == kept

    conversation, clear = IDS.resume(kept, erased)
    assert clear is True and conversation != kept and IDS.valid(conversation)
    assert asked == [kept]
    # Only signed ids are looked up: a forged one never reaches the erasure register.
    IDS.resume("web-forged", erased)
    assert asked == [kept]
