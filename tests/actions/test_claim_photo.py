"""A damaged item's photo in the claim (issue 19): asked in the widget only, optional, and sent
to the shop as a signed link the back office honours (actions/claims.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from rasa_sdk import Tracker

from actions.claims import NO_PHOTO, ActionCreateClaim, ValidateProblemReportForm
from bot.clients.backoffice import photo_links
from bot.clients.shop.contract import NotSupported
from bot.clients.shop.models import Claim, ClaimKind, Verification
from bot.core.edge import WebConversationIds
from bot.settings import get_settings
from tests.actions.conftest import FakeShop, run, slots_set, texts, tracker, validate, verified

WEB = WebConversationIds("widget-secret").issue()
PHOTO = "Zm9vYmFyYmF6cXV4cXV1eHh5eno"  # an attachment id as the back office makes them
TOKEN = "service-token-of-the-tests"


@pytest.fixture(autouse=True)
def service_token(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COMPTOIR_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("COMPTOIR_BACKOFFICE_PUBLIC_URL", "https://sav.boutique.test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def claim_tracker(
    slots: dict[str, Any],
    sender: str = WEB,
    intent: str = "inform",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A turn of the claim form, in the widget unless `sender` says otherwise."""
    return tracker(
        slots,
        text=text,
        intent=intent,
        active_loop="problem_report_form",
        events=events,
        sender_id=sender,
        entities=entities,
    )


class PhotoShop(FakeShop):
    """The stand-in shop, keeping the photos each claim was sent with."""

    photos: list[list[str] | None]

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,
    ) -> Claim:
        self.photos.append(photos)
        return super().create_claim(number, proof, kind, description, skus)


@pytest.fixture
def photo_shop(shop: FakeShop, services: Any) -> PhotoShop:
    shop.__class__ = PhotoShop
    shop.photos = []  # type: ignore[attr-defined]
    return shop  # type: ignore[return-value]


def test_the_widget_asks_for_a_photo_of_a_damaged_item(shop: FakeShop, domain: Any) -> None:
    slots, _ = validate(
        ValidateProblemReportForm(),
        claim_tracker(verified("CM300001", claim_type="damaged")),
        domain,
    )
    assert slots["requested_slot"] == "claim_photo"
    assert "utter_ask_claim_photo" in domain["responses"]
    [ask] = domain["responses"]["utter_ask_claim_photo"]
    assert "facultatif" in ask["text"]
    assert [b["payload"] for b in ask["buttons"]] == ["/photo_sent", "/deny"]


@pytest.mark.parametrize(
    ("sender", "kind"),
    [("telegram-123456", "damaged"), ("messenger-98765", "damaged"), (WEB, "missing")],
)
def test_no_photo_is_asked_where_none_can_be_sent_or_nothing_is_damaged(
    shop: FakeShop, domain: Any, sender: str, kind: str
) -> None:
    slots, _ = validate(
        ValidateProblemReportForm(),
        claim_tracker(verified("CM300001", claim_type=kind), sender=sender),
        domain,
    )
    assert slots["requested_slot"] == "confirmed"
    assert "claim_photo" not in slots


def test_the_photo_the_back_office_received_fills_the_claim(shop: FakeShop, domain: Any) -> None:
    t = claim_tracker(
        verified("CM300001", claim_type="damaged", requested_slot="claim_photo"),
        intent="photo_sent",
        text="EXTERNAL: photo_sent",
        entities=[{"entity": "attachment_id", "value": PHOTO}],
    )
    slots, _ = validate(ValidateProblemReportForm(), t, domain)
    assert slots["claim_photo"] == PHOTO
    assert slots["requested_slot"] == "confirmed"


def test_going_on_without_a_photo(shop: FakeShop, domain: Any) -> None:
    t = claim_tracker(
        verified("CM300001", claim_type="damaged", requested_slot="claim_photo"),
        intent="deny",
        text="/deny",
    )
    slots, _ = validate(ValidateProblemReportForm(), t, domain)
    assert slots["claim_photo"] == NO_PHOTO
    assert slots["requested_slot"] == "confirmed"


@pytest.mark.parametrize("value", ["../../etc/passwd", "x", "", None])
def test_a_malformed_attachment_id_is_not_taken(shop: FakeShop, domain: Any, value: Any) -> None:
    t = claim_tracker(
        verified("CM300001", claim_type="damaged", requested_slot="claim_photo"),
        intent="photo_sent",
        entities=[{"entity": "attachment_id", "value": value}],
    )
    slots, _ = validate(ValidateProblemReportForm(), t, domain)
    assert "claim_photo" not in slots
    assert slots.get("requested_slot", "claim_photo") == "claim_photo"


def test_the_claim_reaches_the_shop_with_a_signed_link_to_the_photo(
    photo_shop: PhotoShop,
) -> None:
    t = claim_tracker(verified("CM300001", claim_type="damaged", claim_photo=PHOTO, confirmed=True))
    events, dispatcher = run(ActionCreateClaim(), t)
    assert "RCL-000001" in texts(dispatcher)
    assert "Votre photo a été transmise à la boutique" in texts(dispatcher)
    [[link]] = photo_shop.photos
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == "https://sav.boutique.test"
    assert parts.path == f"/photos/{PHOTO}"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    now = datetime.now(timezone.utc)
    assert photo_links.valid(TOKEN, PHOTO, int(query["expires"]), query["sig"], now)
    assert not photo_links.valid("another-token", PHOTO, int(query["expires"]), query["sig"], now)
    days = (int(query["expires"]) - now.timestamp()) / 86400
    assert 29.9 < days <= 30  # COMPTOIR_ATTACHMENT_LINK_DAYS
    assert slots_set(events) == {"claim_type": None, "claim_photo": None, "confirmed": None}


def test_without_a_photo_the_claim_carries_none(photo_shop: PhotoShop) -> None:
    t = claim_tracker(
        verified("CM300001", claim_type="damaged", claim_photo=NO_PHOTO, confirmed=True)
    )
    _, dispatcher = run(ActionCreateClaim(), t)
    assert "RCL-000001" in texts(dispatcher)
    assert "photo" not in texts(dispatcher)
    assert photo_shop.photos == [None]


def test_a_platform_without_claims_hands_the_photo_over_to_a_person(
    shop: FakeShop, back_office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WooCommerce, PrestaShop, Shopify: no claims through their API; a person takes the case
    and sees the photo on the case page (the back office lists the conversation's photos)."""

    def no_claims(*args: Any, **kwargs: Any) -> Claim:
        assert kwargs["photos"]  # the adapters accept the photos, then refuse the claim
        raise NotSupported("La boutique traite les réclamations elle-même.")

    monkeypatch.setattr(shop, "create_claim", no_claims)
    t = claim_tracker(verified("CM300001", claim_type="damaged", claim_photo=PHOTO, confirmed=True))
    _, dispatcher = run(ActionCreateClaim(), t)
    assert "traite les réclamations" in texts(dispatcher)
    [request] = back_office.handoffs
    assert request.conversation_id == WEB
