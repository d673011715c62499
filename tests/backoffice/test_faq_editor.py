"""FAQ editor for content editors (issue 19, "Editors"): topics by their French names, ids made
from the question, restoring an earlier version from the history, a search that forgives typos.

Service functions with plain entries; pages and publishing through the real back office
(TestClient, SQLite, a small real knowledge base), checked with another process's view of
the knowledge base, the one the bot searches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.backoffice import faq
from bot.backoffice.db import FaqChange
from bot.kb import TOPICS, Entry, Hit
from bot.kb.config import get_kb_settings
from bot.kb.encoders import Encoder
from bot.kb.service import KnowledgeBase

from .conftest import BackOffice

ADVENT = {
    "topic": "gift",
    "question": "Vendez-vous des calendriers de l'Avent ?",
    "alternatives": "calendrier de l'avent beauté\ncalendrier avent cosmétiques\n"
    "un coffret avec une surprise chaque jour de décembre",
    "answer": "Oui : notre calendrier de l'Avent beauté est en vente de début novembre à Noël.",
}
ADVENT_ID = "gift.vendez_calendriers_avent"
SECOND_ANSWER = "Oui, et cette année il existe aussi en version homme, de novembre à Noël."


def top_hit(kb: KnowledgeBase, question: str) -> Hit:
    """The entry the bot would answer first."""
    hit = kb.search(question).top
    assert hit is not None, question
    return hit


def reader(kb_dir: Path, encoder: Encoder) -> KnowledgeBase:
    """Another process's view of the knowledge base (what the action server searches)."""
    return KnowledgeBase(settings=get_kb_settings(dir=kb_dir), encoder=encoder)


def form_base(html: str) -> str:
    match = re.search(r'name="base" value="([^"]*)"', html)
    assert match, "no base field in the form"
    return match.group(1)


def restore_links(html: str) -> list[int]:
    """History rows offering a restore, newest first (their change ids)."""
    return [int(i) for i in re.findall(r'href="/faq/history/(\d+)/restore"', html)]


def entry(entry_id: str, topic: str, question: str, answer: str = "Réponse.") -> Entry:
    return Entry(entry_id, topic, question, ("une", "deux", "trois"), answer)


# -- 1. Topics by their French names ---------------------------------------------------------


def test_every_topic_has_one_french_name() -> None:
    assert set(faq.TOPIC_LABELS) == set(TOPICS)
    labels = list(faq.TOPIC_LABELS.values())
    assert len(set(labels)) == len(labels)
    assert faq.topic_label("delivery_options") == "Livraison — options"
    assert faq.topic_label("delivery_cost") == "Livraison — frais"
    choices = faq.topic_choices()
    assert [t for t, _ in choices if t.startswith("delivery")] == [
        "delivery_cost",
        "delivery_options",
    ]
    assert [label for _, label in choices] == sorted(labels, key=faq.fold)
    assert all(label not in TOPICS for label in labels)


def test_pages_show_and_offer_topics_by_name(bo: BackOffice) -> None:
    bo.login("editor@boutique.fr")
    listing = bo.client.get("/faq", params={"topic": "delivery_options"}).text
    assert '<option value="delivery_options" selected>Livraison — options</option>' in listing
    cells = re.findall(r'<span class="topic">([^<]*)</span>', listing)
    assert cells and set(cells) == {"Livraison — options"}
    assert ">delivery_options<" not in listing
    for page in ("/faq/new", "/faq/gift.wrapping/edit"):
        html = bo.client.get(page).text
        options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', html)
        assert dict(options) == faq.TOPIC_LABELS, page
    edit = bo.client.get("/faq/gift.wrapping/edit").text
    assert '<option value="gift" selected>Cadeaux et cartes cadeaux</option>' in edit


def test_a_forged_topic_is_refused_with_words_not_ids(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    page = bo.client.post("/faq/new", data={**ADVENT, "topic": "horoscope", "csrf_token": csrf})
    assert page.status_code == 422
    assert "Choisissez l&#39;un des sujets de la liste." in page.text
    assert "delivery_cost, delivery_options" not in page.text
    assert re.findall(
        r'<(?:input|select|textarea) id="(\w+)"[^>]*aria-invalid="true"', page.text
    ) == ["topic"]


# -- 2. Ids made from the question -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Vendez-vous des calendriers de l'Avent ?", "vendez_calendriers_avent"),
        ("Où récupérer ma carte cadeau à Noël ?", "recuperer_carte_cadeau_noel"),
        ("Livrez-vous le samedi ?", "livrez_samedi"),
        ("Est-ce que l'œuf de Pâques est garanti ?", "oeuf_paques_garanti"),
        ("Qui ?", "qui"),
        (
            "Pourquoi la livraison coûte-t-elle plus cher en Corse que sur le continent français ?",
            "pourquoi_livraison_coute_plus_cher_corse",
        ),
    ],
)
def test_slug_folds_accents_and_leaves_little_words_out(question: str, name: str) -> None:
    assert faq.slug(question) == name
    assert re.fullmatch(r"[a-z0-9_]+", name) and len(name) <= faq.SLUG_CHARS


def test_new_id_is_unique() -> None:
    taken = {"gift.livrez_samedi", "gift.livrez_samedi_2"}
    assert faq.new_id("gift", "Livrez-vous le samedi ?", taken) == "gift.livrez_samedi_3"
    assert faq.new_id("contact", "Livrez-vous le samedi ?", taken) == "contact.livrez_samedi"


def test_a_new_entry_gets_its_id_from_its_question(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    csrf = bo.login("editor@boutique.fr")
    form = bo.client.get("/faq/new").text
    assert 'name="entry_id"' not in form and "créé à partir du sujet et de la question" in form
    preview = bo.client.get("/faq/new/id", params={"topic": "gift", "question": ADVENT["question"]})
    assert preview.text == f"<code>{ADVENT_ID}</code>"
    empty = bo.client.get("/faq/new/id", params={"topic": "", "question": ADVENT["question"]})
    assert "choisissez le sujet" in empty.text

    created = bo.client.post(
        "/faq/new", data={**ADVENT, "csrf_token": csrf}, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    assert created.headers["location"] == f"/faq?q={ADVENT_ID}&fait=cree"
    assert top_hit(reader(kb_dir, encoder), "vous avez un calendrier de l'avent ?").id == ADVENT_ID
    listing = bo.client.get(created.headers["location"]).text
    assert "Entrée publiée : le bot l&#39;utilise dès maintenant." in listing
    assert "1 entrée pour" in listing

    # The same question again (confirmed over the duplicate warning): the next free id.
    again = {**ADVENT, "answer": SECOND_ANSWER, "confirm": "1", "csrf_token": csrf}
    second = bo.client.post("/faq/new", data=again, follow_redirects=False)
    assert second.status_code == 303, second.text
    assert second.headers["location"] == f"/faq?q={ADVENT_ID}_2&fait=cree"
    ids = {e.id for e in reader(kb_dir, encoder).entries()}
    assert {ADVENT_ID, f"{ADVENT_ID}_2"} <= ids


def test_a_deleted_entrys_id_is_not_reused(bo: BackOffice, kb_dir: Path, encoder: Encoder) -> None:
    csrf = bo.login("editor@boutique.fr")
    bo.client.post("/faq/new", data={**ADVENT, "confirm": "1", "csrf_token": csrf})
    base = form_base(bo.client.get(f"/faq/{ADVENT_ID}/edit").text)
    deleted = bo.client.post(
        f"/faq/{ADVENT_ID}/delete", data={"base": base, "csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/faq?fait=supprime"
    assert ADVENT_ID not in {e.id for e in reader(kb_dir, encoder).entries()}
    preview = bo.client.get("/faq/new/id", params={"topic": "gift", "question": ADVENT["question"]})
    assert preview.text == f"<code>{ADVENT_ID}_2</code>"


def test_a_question_without_a_word_is_refused(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    page = bo.client.post("/faq/new", data={**ADVENT, "question": "???", "csrf_token": csrf})
    assert page.status_code == 422
    assert "La question doit contenir au moins un mot." in page.text
    assert "sujet.nom_court" not in page.text


# -- 3. Restore from the history -------------------------------------------------------------


def create_then_edit(bo: BackOffice, csrf: str) -> None:
    created = bo.client.post(
        "/faq/new", data={**ADVENT, "confirm": "1", "csrf_token": csrf}, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    base = form_base(bo.client.get(f"/faq/{ADVENT_ID}/edit").text)
    data = {**ADVENT, "answer": SECOND_ANSWER, "base": base, "confirm": "1", "csrf_token": csrf}
    edited = bo.client.post(f"/faq/{ADVENT_ID}/edit", data=data, follow_redirects=False)
    assert edited.status_code == 303, edited.text
    assert edited.headers["location"] == f"/faq?q={ADVENT_ID}&fait=modifie"


def test_restore_an_earlier_version_after_confirmation(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    csrf = bo.login("editor@boutique.fr")
    create_then_edit(bo, csrf)
    bot = reader(kb_dir, encoder)
    assert top_hit(bot, "vous avez un calendrier de l'avent ?").answer == SECOND_ANSWER
    history = bo.client.get("/faq/history", params={"entry": ADVENT_ID}).text
    assert "Cadeaux et cartes cadeaux" in history
    assert history.count("en service") == 1  # the edit's row: nothing to restore
    [first] = restore_links(history)  # the creation's row
    with bo.db() as db:
        assert db.get(FaqChange, first).action == "create"

    confirm = bo.client.get(f"/faq/history/{first}/restore")
    assert confirm.status_code == 200
    assert "Version à rétablir" in confirm.text and "Version en service" in confirm.text
    assert ADVENT["answer"].replace("'", "&#39;") in confirm.text
    assert SECOND_ANSWER in confirm.text
    assert "Rétablir cette version" in confirm.text
    changed = re.findall(r'<dd class="changed">([^<]*)', confirm.text)  # only the answers differ
    assert [c.strip() for c in changed] == [
        ADVENT["answer"].replace("'", "&#39;"),
        SECOND_ANSWER,
    ]
    version = bot.current_version()

    done = bo.client.post(
        f"/faq/history/{first}/restore",
        data={"base": form_base(confirm.text), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"/faq?q={ADVENT_ID}&fait=retabli"
    result = bot.search("vous avez un calendrier de l'avent ?")
    assert result.version != version
    assert result.top is not None and result.top.id == ADVENT_ID
    assert result.top.answer == ADVENT["answer"]
    assert "Version rétablie" in bo.client.get(done.headers["location"]).text
    with bo.db() as db:
        last = db.query(FaqChange).order_by(FaqChange.id.desc()).first()
        assert last.action == "restore" and last.entry_id == ADVENT_ID
        assert last.before["answer"] == SECOND_ANSWER and last.after["answer"] == ADVENT["answer"]
        assert last.version == result.version and last.user.display_name == "Éric Rédacteur"
    history = bo.client.get("/faq/history", params={"entry": ADVENT_ID}).text
    assert "version rétablie" in history
    # the creation's version is in service again: its row and the restore's say so
    assert history.count("en service") == 2


def test_restore_without_confirmation_is_not_possible_with_a_stale_page(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    """The confirmation page carries the version it showed: if the entry changed since, nothing
    is restored (409) and the editor is told."""
    csrf = bo.login("editor@boutique.fr")
    create_then_edit(bo, csrf)
    [first] = restore_links(bo.client.get("/faq/history", params={"entry": ADVENT_ID}).text)
    stale = form_base(bo.client.get(f"/faq/history/{first}/restore").text)
    base = form_base(bo.client.get(f"/faq/{ADVENT_ID}/edit").text)
    data = {
        **ADVENT,
        "answer": "Plus de calendrier cette année.",
        "base": base,
        "confirm": "1",
        "csrf_token": csrf,
    }
    assert bo.client.post(f"/faq/{ADVENT_ID}/edit", data=data).status_code == 200
    version = reader(kb_dir, encoder).current_version()

    refused = bo.client.post(
        f"/faq/history/{first}/restore", data={"base": stale, "csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert "rien n&#39;a été rétabli" in refused.text and "Éric Rédacteur" in refused.text
    assert reader(kb_dir, encoder).current_version() == version
    top = top_hit(reader(kb_dir, encoder), "vous avez un calendrier de l'avent ?")
    assert top.answer == "Plus de calendrier cette année."
    no_csrf = bo.client.post(f"/faq/history/{first}/restore", data={"base": stale})
    assert no_csrf.status_code in (400, 403)


def test_a_deleted_entry_is_recreated_from_the_history(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    csrf = bo.login("editor@boutique.fr")
    base = form_base(bo.client.get("/faq/gift.wrapping/edit").text)
    wrapping = next(e for e in reader(kb_dir, encoder).entries() if e.id == "gift.wrapping")
    bo.client.post("/faq/gift.wrapping/delete", data={"base": base, "csrf_token": csrf})
    assert "gift.wrapping" not in {e.id for e in reader(kb_dir, encoder).entries()}

    history = bo.client.get("/faq/history").text
    assert "Recréer l'entrée" in history
    [deletion] = restore_links(history)
    confirm = bo.client.get(f"/faq/history/{deletion}/restore").text
    assert "l'entrée est supprimée" in confirm and form_base(confirm) == ""
    done = bo.client.post(
        f"/faq/history/{deletion}/restore",
        data={"base": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    back = next(e for e in reader(kb_dir, encoder).entries() if e.id == "gift.wrapping")
    assert back == wrapping
    assert top_hit(reader(kb_dir, encoder), wrapping.alternatives[0]).id == "gift.wrapping"


def test_restoring_the_version_in_service_offers_nothing(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    bo.client.post("/faq/new", data={**ADVENT, "confirm": "1", "csrf_token": csrf})
    with bo.db() as db:
        [change] = db.query(FaqChange).all()
    page = bo.client.get(f"/faq/history/{change.id}/restore").text
    assert "déjà celle que le bot utilise" in page and "Rétablir cette version" not in page
    assert bo.client.get("/faq/history/9999/restore").status_code == 404


def test_agents_cannot_restore(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    bo.client.post("/faq/new", data={**ADVENT, "confirm": "1", "csrf_token": csrf})
    bo.client.post("/logout", data={"csrf_token": csrf})
    bo.login("agent@boutique.fr")
    assert bo.client.get("/faq/history/1/restore", follow_redirects=False).status_code == 403


# -- 4. A search that forgives typos, accents and case ---------------------------------------

ENTRIES = [
    entry("delivery_cost.prices", "delivery_cost", "Combien coûte la livraison ?"),
    entry("delivery_options.saturday", "delivery_options", "Livrez-vous le samedi ?"),
    entry("payment.secure", "payment", "Le paiement est-il sécurisé ?"),
    entry("returns_policy.delay", "returns_policy", "Combien de temps pour renvoyer ?"),
    entry("contact.hours", "contact", "Quels sont vos horaires ?", "Tout le samedi matin."),
]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # the question first, then the other topic named « Livraison — … »
        ("livriason", ["delivery_cost.prices", "delivery_options.saturday"]),
        ("LIVRAISON", ["delivery_cost.prices", "delivery_options.saturday"]),
        ("livraisons", ["delivery_cost.prices", "delivery_options.saturday"]),
        ("securise", ["payment.secure"]),
        ("SÉCURISÉ", ["payment.secure"]),
        ("paiment sécurise", ["payment.secure"]),
        ("samdi", ["delivery_options.saturday", "contact.hours"]),  # question first
        ("retours", ["returns_policy.delay"]),  # the topic's French name
        ("parapluie", []),
        ("cout", ["delivery_cost.prices"]),  # short: exact, never « tout »
        ("", [e.id for e in ENTRIES]),
    ],
)
def test_search_forgives_typos_accents_and_case(query: str, found: list[str]) -> None:
    result = [e.id for e in faq.filter_entries(ENTRIES, query, "")]
    if query:
        assert result == found
    else:
        assert sorted(result) == sorted(found)


def test_search_within_a_topic() -> None:
    found = faq.filter_entries(ENTRIES, "samdi", "contact")
    assert [e.id for e in found] == ["contact.hours"]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("livriason", "livraison", 1), ("samdi", "samedi", 1), ("abc", "abc", 0), ("ab", "ba", 1)],
)
def test_typo_distance(a: str, b: str, distance: int) -> None:
    assert faq.typo_distance(a, b, 2) == distance


def test_the_list_finds_an_entry_typed_with_a_typo(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    bo.client.post("/faq/new", data={**ADVENT, "confirm": "1", "csrf_token": csrf})
    for query in ("calendirers avnet", "CALENDRIER", "decembre"):
        page = bo.client.get("/faq", params={"q": query}).text
        assert f'href="/faq/{ADVENT_ID}/edit"' in page, query
    nothing = bo.client.get("/faq", params={"q": "parapluie"}).text
    assert "Aucune entrée ne correspond à « parapluie »." in nothing
