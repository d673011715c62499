"""A shopper's delay-notice rows in an export and an erasure (bot/privacy/stores.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.backoffice.db import Notice, NoticeStop, NoticeWatch
from bot.privacy.stores import NoticeRecords

from .test_notices import Notices, late, nb  # noqa: F401 - the fixture


def test_export_and_erase_cover_watches_stops_and_notices(nb: Notices) -> None:  # noqa: F811
    nb.watch("conv-a", order="CM000042")
    nb.watch("conv-b", order="CM000042")
    nb.chatted("conv-a", "socketio", timedelta(minutes=1))
    nb.webhook(late())
    nb.tick()
    nb.stop("conv-a")
    records = NoticeRecords(nb.app.state.sessions)

    found = records.of(["conv-a", "conv-unknown"])
    assert set(found) == {"conv-a"}
    assert [w["order_number"] for w in found["conv-a"]["watches"]] == ["CM000042"]
    assert len(found["conv-a"]["stops"]) == 1
    [notice] = found["conv-a"]["notices"]
    assert notice["status"] == "sent" and notice["expected_delivery"] == "2026-12-03"

    assert records.delete(["conv-a"]) == 3  # one watch, one stop, one notice
    assert records.of(["conv-a"]) == {}
    with nb.app.state.sessions() as db:
        for model in (NoticeWatch, NoticeStop, Notice):
            left = db.scalar(
                select(func.count()).select_from(model).where(model.conversation_id == "conv-a")
            )
            assert left == 0
        assert db.scalar(select(func.count()).select_from(NoticeWatch)) == 1  # conv-b's
