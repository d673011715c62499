"""« Tableau de bord » (managers and admins): how the assistant does over a range of days, per
day or week and per channel; the same figures as JSON, and the rows behind them as CSV.

/dashboard?du=2026-11-01&au=2026-11-30&par=semaine&canal=telegram
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from .. import analytics
from ..analytics import charts, figures
from ..analytics.refresh import refreshed_at
from ..cases import channel_label
from ..security import ManagerUser
from ..web import INTENTS_FR, env, render

router = APIRouter()
DEFAULT_DAYS = 28
MAX_DAYS = 366
GRAINS = {"jour": "day", "semaine": "week"}
NO_STORE = {"Cache-Control": "no-store"}


def query_of(request: Request) -> figures.Query:
    """The range, grain and channel asked in the URL; 400 on a date that is not one."""
    params = request.query_params
    zone = ZoneInfo(request.app.state.settings.support_timezone)
    today = request.app.state.clock().astimezone(zone).date()
    try:
        end = date.fromisoformat(params["au"]) if params.get("au") else today
        start = (
            date.fromisoformat(params["du"])
            if params.get("du")
            else end - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError:
        raise HTTPException(400, "Date invalide : utilisez le format AAAA-MM-JJ.") from None
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        raise HTTPException(400, f"Période trop longue : {MAX_DAYS} jours au plus.")
    grain = GRAINS.get(params.get("par", ""), "day")
    return figures.Query(start, end, grain, params.get("canal", "")[:50])


def _figures(request: Request, query: figures.Query) -> dict[str, Any]:
    with request.app.state.sessions() as db:
        data = figures.dashboard(db, query, request.app.state.clock())
        data["all_channels"] = figures.channels(db)
    last = refreshed_at(request.app.state.sessions)
    data["refreshed_at"] = last.isoformat() if last else None
    return data


@router.get("/dashboard.json")
async def dashboard_json(request: Request, user: ManagerUser) -> Response:
    query = query_of(request)
    await analytics.ensure_fresh(request.app.state)
    data = await asyncio.to_thread(_figures, request, query)
    return JSONResponse(data, headers=NO_STORE)


@router.get("/dashboard.csv")
async def dashboard_csv(request: Request, user: ManagerUser) -> Response:
    query = query_of(request)
    await analytics.ensure_fresh(request.app.state)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(figures.CSV_COLUMNS)
        with request.app.state.sessions() as db:
            for index, row in enumerate(figures.csv_rows(db, query)):
                writer.writerow(row)
                if index % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    name = f"conversations-{query.start.isoformat()}-{query.end.isoformat()}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


@router.get("/dashboard")
async def dashboard(request: Request, user: ManagerUser) -> Response:
    query = query_of(request)
    await analytics.ensure_fresh(request.app.state)
    data = await asyncio.to_thread(_figures, request, query)
    return render(
        request,
        "dashboard.html",
        {
            "q": query,
            "f": data,
            "t": data["totals"],
            "refreshed": datetime.fromisoformat(data["refreshed_at"])
            if data["refreshed_at"]
            else None,
            "charts": _charts(data, query),
            "grain_fr": {v: k for k, v in GRAINS.items()}[query.grain],
            "export": _params(query),
            "channel_label": channel_label,
            "REASON_GROUPS": figures.REASON_GROUPS,
        },
        headers=NO_STORE,
    )


def _params(query: figures.Query) -> str:
    grain = {v: k for k, v in GRAINS.items()}[query.grain]
    params = {"du": query.start.isoformat(), "au": query.end.isoformat(), "par": grain}
    if query.channel:
        params["canal"] = query.channel
    return urlencode(params)


def _period_label(period: str, grain: str) -> str:
    day = date.fromisoformat(period)
    return ("sem. " if grain == "week" else "") + day.strftime("%d/%m")


def _charts(data: dict[str, Any], query: figures.Query) -> dict[str, Any]:
    periods = [
        charts.Column(
            label=_period_label(p["period"], query.grain),
            parts=(p["conversations"] - p["handed_off"], p["handed_off"]),
            alt=f"{p['conversations']} conversations dont {p['handed_off']} transmises",
        )
        for p in data["periods"]
    ]
    reasons = [
        (r["label"], r["count"], f"{r['count']} ({percent(r['share_of_handoffs'])})")
        for r in data["reasons"]
    ]
    intents = [
        (INTENTS_FR.get(i["name"], i["name"]), i["count"], str(i["count"])) for i in data["intents"]
    ]
    return {
        "periods": charts.columns(
            periods,
            "Conversations par " + ("semaine" if query.grain == "week" else "jour"),
            "chart-periods",
            ("part-bot", "part-human"),
        ),
        "reasons": charts.hbars(
            reasons, "Transmissions à un conseiller par motif", "chart-reasons"
        ),
        "intents": charts.hbars(intents, "Intentions les plus fréquentes", "chart-intents"),
    }


def percent(value: float | None) -> str:
    """« 87 % » (French spacing, no-break space), « — » when there is nothing to divide."""
    if value is None:
        return "—"
    return f"{round(value * 100):d}\u00a0%"


def duration(seconds: float | None) -> str:
    """« 45 s », « 4 min 10 s », « 2 h 05 », « 3 j 4 h »."""
    if seconds is None:
        return "—"
    total = int(round(seconds))
    if total < 60:
        return f"{total}\u00a0s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}\u00a0min\u00a0{secs:02d}\u00a0s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}\u00a0h\u00a0{minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days}\u00a0j\u00a0{hours}\u00a0h"


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", "\u202f")


def day_fr(value: str | date | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y")


env.filters.update(percent=percent, duration=duration, number=number, day_fr=day_fr)
