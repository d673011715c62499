"""Turns over the REST channel: latency per kind of turn, in fresh conversations and deep in one
long conversation, and throughput at several concurrency levels. Pure client side (httpx)."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import httpx

FIRST_MESSAGES = Path(__file__).resolve().parents[4] / "shared" / "eval" / "first_messages_fr.jsonl"
TIMEOUT = 60.0

# Turns measured by kind; each is the shopper's message and a check that the reply is the
# expected kind of answer (so that a fast wrong answer is visible in the report).
STATIC = ["Bonjour !", "bonjour", "Salut", "Bonsoir"]
KB = [
    "Combien coûte la livraison ?",
    "Quels sont les moyens de paiement acceptés ?",
    "Comment utiliser un code promo ?",
    "Quel est le délai pour retourner un article ?",
]


@dataclass
class Order:
    number: str
    email: str


def stats(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"n": 0}
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
        "n": len(ordered),
    }


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


class Client:
    def __init__(self, rasa_url: str) -> None:
        self.url = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
        self.http = httpx.AsyncClient(
            timeout=TIMEOUT, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        )

    async def say(self, sender: str, message: str) -> tuple[float, list[dict[str, Any]]]:
        started = time.perf_counter()
        response = await self.http.post(self.url, json={"sender": sender, "message": message})
        elapsed = (time.perf_counter() - started) * 1e3
        response.raise_for_status()
        return elapsed, response.json()

    async def close(self) -> None:
        await self.http.aclose()


def new_sender(prefix: str) -> str:
    return f"bench-{prefix}-{uuid.uuid4().hex[:10]}"


async def static_turn(client: Client, sender: str, i: int) -> tuple[float, bool]:
    ms, replies = await client.say(sender, STATIC[i % len(STATIC)])
    return ms, "bonjour" in text_of(replies).lower()


async def kb_turn(client: Client, sender: str, i: int) -> tuple[float, bool]:
    ms, replies = await client.say(sender, KB[i % len(KB)])
    return ms, len(text_of(replies)) > 60


async def order_turn(client: Client, sender: str, order: Order) -> tuple[float, bool]:
    """Ask for the order, give the e-mail; the measured turn is the one that answers with the
    order's status (the shop API is called there). Also returns whether it did."""
    ms, replies = await client.say(sender, f"Où en est ma commande {order.number} ?")
    if f"commande {order.number} est" not in text_of(replies):
        ms, replies = await client.say(sender, f"mon mail c'est {order.email}")
    return ms, f"commande {order.number} est" in text_of(replies)


KINDS = ("static", "order", "kb")


async def one_turn(
    client: Client, kind: str, sender: str, i: int, order: Order
) -> tuple[float, bool]:
    if kind == "static":
        return await static_turn(client, sender, i)
    if kind == "kb":
        return await kb_turn(client, sender, i)
    return await order_turn(client, sender, order)


async def fresh_latency(client: Client, order: Order, samples: int) -> dict[str, Any]:
    """Each sample in a new conversation; kinds interleaved so drift hits them all."""
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    ok = {kind: 0 for kind in KINDS}
    for i in range(samples):
        for kind in KINDS:
            ms, good = await one_turn(client, kind, new_sender(f"fresh-{kind}"), i, order)
            timings[kind].append(ms)
            ok[kind] += good
    return {
        kind: {**stats(timings[kind]), "expected_reply_rate": round(ok[kind] / samples, 3)}
        for kind in KINDS
    }


async def long_conversation(
    client: Client, order: Order, depth: int, samples: int
) -> dict[str, Any]:
    """Grow one conversation to `depth` shopper turns, then measure each kind of turn in it.
    Also returns the latency of every turn of the growth phase (for the drift plot)."""
    sender = new_sender("long")
    growth: list[float] = []
    cycle = itertools.cycle(["static", "kb", "order", "thanks"])
    i = 0
    while len(growth) < depth:
        kind = next(cycle)
        if kind == "thanks":
            ms, _ = await client.say(sender, "merci")
            growth.append(ms)
        elif kind == "order":  # two shopper turns
            ms, replies = await client.say(sender, f"Où en est ma commande {order.number} ?")
            growth.append(ms)
            if f"commande {order.number} est" not in text_of(replies):
                ms, _ = await client.say(sender, f"mon mail c'est {order.email}")
                growth.append(ms)
        else:
            ms, _ = await one_turn(client, kind, sender, i, order)
            growth.append(ms)
        i += 1
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    ok = {kind: 0 for kind in KINDS}
    for j in range(samples):
        for kind in KINDS:
            ms, good = await one_turn(client, kind, sender, j, order)
            timings[kind].append(ms)
            ok[kind] += good
    result: dict[str, Any] = {
        kind: {**stats(timings[kind]), "expected_reply_rate": round(ok[kind] / samples, 3)}
        for kind in KINDS
    }
    result["depth"] = depth
    result["growth_ms"] = [round(x, 1) for x in growth]
    return result


def first_messages(path: Path = FIRST_MESSAGES) -> list[str]:
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return [t for t in texts if t.strip()]


async def throughput(
    client: Client, messages: Sequence[str], concurrency: int, turns: int
) -> dict[str, Any]:
    """`concurrency` shoppers at once, each opening new conversations with the next first
    message of the file (cycled) until `turns` turns are done."""
    queue = itertools.cycle(messages)
    counter = itertools.count()
    timings: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        while next(counter) < turns:
            try:
                ms, _ = await client.say(new_sender(f"c{concurrency}"), next(queue))
                timings.append(ms)
            except httpx.HTTPError:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "turns": len(timings),
        "errors": errors,
        "seconds": round(wall, 2),
        "turns_per_s": round(len(timings) / wall, 2),
        **stats(timings),
    }
