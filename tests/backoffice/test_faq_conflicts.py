"""Concurrent FAQ edits: a save or delete started from an outdated version is refused (409),
the editor's text is kept beside the current version, nothing is lost."""

from __future__ import annotations

import html as markup
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from bot.backoffice import faq
from bot.backoffice.db import FaqChange
from bot.kb.encoders import Encoder

from .conftest import BackOffice, page_csrf
from .test_faq import delete_base, reader

ENTRY = "gift.wrapping"
CONFLICT = (
    "entre-temps (à 10 h 00) : vos changements n'ont pas été enregistrés ; comparez et "
    "enregistrez à nouveau."
)


def edit_fields(html: str) -> dict[str, str]:
    """What the edit form holds (the entry as published) and its hidden version."""

    def field(name: str) -> str:
        match = re.search(
            rf'<(?:input|textarea)[^>]*name="{name}"[^>]*?(?:value="([^"]*)"[^>]*)?>'
            rf"(?:([^<]*)</textarea>)?",
            html,
        )
        assert match, name
        return str(match.group(1) if match.group(1) is not None else match.group(2) or "")

    topic = re.search(r'<option value="([^"]+)" selected>', html)
    assert topic
    return {
        "topic": topic.group(1),
        "base": field("base"),
        **{n: markup.unescape(field(n)) for n in ("question", "alternatives", "answer")},
    }


def editor(bo: BackOffice, n: int) -> tuple[TestClient, str]:
    email = f"redacteur{n}@boutique.fr"
    bo.add_user(email, "editor", f"Rédacteur {n}")
    client = TestClient(bo.app, base_url="http://127.0.0.1")
    return client, bo.login(email, client=client)


def test_four_concurrent_saves_one_wins_three_get_409(
    bo: BackOffice, kb_dir: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All four saves are held together after the early version check, so the decision is
    made by the check inside the publish lock."""
    together = threading.Barrier(4)
    duplicates = faq.near_duplicates

    def held(kb: Any, entry: Any) -> Any:
        together.wait(timeout=60)
        return duplicates(kb, entry)

    monkeypatch.setattr(faq, "near_duplicates", held)
    editors = [editor(bo, n) for n in range(4)]
    forms = [edit_fields(client.get(f"/faq/{ENTRY}/edit").text) for client, _ in editors]
    assert len({f["base"] for f in forms}) == 1  # all opened the same version
    answers = [f"Emballage cadeau offert, version du rédacteur {n}." for n in range(4)]
    start = threading.Barrier(4)

    def save(n: int) -> tuple[int, str]:
        client, csrf = editors[n]
        start.wait()
        response = client.post(
            f"/faq/{ENTRY}/edit",
            data={**forms[n], "answer": answers[n], "csrf_token": csrf},
            follow_redirects=False,
        )
        return response.status_code, response.text

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(save, range(4)))
    monkeypatch.setattr(faq, "near_duplicates", duplicates)
    codes = [code for code, _ in results]
    assert sorted(codes) == [303, 409, 409, 409], codes
    winner = codes.index(303)
    published = reader(kb_dir, encoder).search("emballage cadeau").hits
    assert next(h for h in published if h.id == ENTRY).answer == answers[winner]
    for n, (code, page) in enumerate(results):
        if code == 409:
            assert escape(f"Cette entrée a été modifiée par Rédacteur {winner} {CONFLICT}") in page
            assert str(escape(answers[n])) in page  # their text is still in the form
            assert str(escape(answers[winner])) in page  # beside the version now published
    with bo.db() as db:
        changes = db.query(FaqChange).filter_by(entry_id=ENTRY).all()
        assert [(c.action, c.user.display_name) for c in changes] == [
            ("update", f"Rédacteur {winner}")
        ]
        assert changes[0].before["answer"] == forms[0]["answer"]
        assert changes[0].after["answer"] == answers[winner]
        assert changes[0].version == reader(kb_dir, encoder).current_version()

    # Nothing is lost: a refused editor saves again from the conflict page, deliberately.
    loser = next(n for n, code in enumerate(codes) if code == 409)
    client, csrf = editors[loser]
    again = edit_fields(results[loser][1])
    assert again["answer"] == answers[loser] and again["base"] != forms[loser]["base"]
    saved = client.post(
        f"/faq/{ENTRY}/edit", data={**again, "csrf_token": csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    published = reader(kb_dir, encoder).search("emballage cadeau").hits
    assert next(h for h in published if h.id == ENTRY).answer == answers[loser]


def test_an_edit_keeps_the_entry_tags(bo: BackOffice, kb_dir: Path, encoder: Encoder) -> None:
    csrf = bo.login("editor@boutique.fr")
    form = edit_fields(bo.client.get(f"/faq/{ENTRY}/edit").text)
    bo.client.post(f"/faq/{ENTRY}/edit", data={**form, "answer": "Oui, 2 €.", "csrf_token": csrf})
    entry = next(e for e in reader(kb_dir, encoder).state().entries if e.id == ENTRY)
    assert entry.answer == "Oui, 2 €." and entry.tags == ("cadeau", "emballage")


def test_a_delete_from_an_outdated_list_is_refused(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    reader_a, csrf_a = editor(bo, 1)
    stale = delete_base(reader_a.get("/faq").text, ENTRY)
    csrf_b = bo.login("editor@boutique.fr")
    form = edit_fields(bo.client.get(f"/faq/{ENTRY}/edit").text)
    bo.client.post(
        f"/faq/{ENTRY}/edit", data={**form, "answer": "Nouvelle réponse.", "csrf_token": csrf_b}
    )
    missing = reader_a.post(f"/faq/{ENTRY}/delete", data={"csrf_token": csrf_a})
    assert missing.status_code == 422
    refused = reader_a.post(
        f"/faq/{ENTRY}/delete",
        data={"base": stale, "csrf_token": csrf_a},
        headers={"accept": "text/html"},
    )
    assert refused.status_code == 409
    assert (
        escape(
            "Cette entrée a été modifiée par Éric Rédacteur entre-temps (à 10 h 00) : "
            "elle n'a pas été supprimée"
        )
        in refused.text
    )
    hits = reader(kb_dir, encoder).search("emballage cadeau").hits
    assert next(h for h in hits if h.id == ENTRY).answer == "Nouvelle réponse."
    fresh = delete_base(reader_a.get("/faq").text, ENTRY)
    assert (
        reader_a.post(
            f"/faq/{ENTRY}/delete",
            data={"base": fresh, "csrf_token": csrf_a},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert ENTRY not in {h.id for h in reader(kb_dir, encoder).search("emballage cadeau").hits}


def test_an_edit_of_an_entry_deleted_meanwhile_keeps_the_text(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    writer, csrf_w = editor(bo, 1)
    form = edit_fields(writer.get(f"/faq/{ENTRY}/edit").text)
    csrf = bo.login("editor@boutique.fr")
    base = delete_base(bo.client.get("/faq").text, ENTRY)
    bo.client.post(f"/faq/{ENTRY}/delete", data={"base": base, "csrf_token": csrf})
    mine = "Emballage offert, avec un ruban."
    refused = writer.post(f"/faq/{ENTRY}/edit", data={**form, "answer": mine, "csrf_token": csrf_w})
    assert refused.status_code == 409
    assert (
        escape(
            "Cette entrée a été supprimée par Éric Rédacteur entre-temps (à 10 h 00) : "
            "vos changements n'ont pas été enregistrés"
        )
        in refused.text
    )
    assert mine in refused.text and 'action="/faq/new"' in refused.text
    again = edit_fields(refused.text)
    recreated = writer.post(
        "/faq/new",
        data={**again, "entry_id": ENTRY, "confirm": "1", "csrf_token": page_csrf(refused.text)},
        follow_redirects=False,
    )
    assert recreated.status_code == 303
    hits = reader(kb_dir, encoder).search("emballage cadeau").hits
    assert next(h for h in hits if h.id == ENTRY).answer == mine
