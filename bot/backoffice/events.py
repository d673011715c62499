"""In-process broadcaster behind the inbox's Server-Sent Events: one asyncio queue per client.

`publish` may be called from the event loop or from a worker thread. One process only: with
several back-office processes, agents see live updates of the process they are connected to
(the page still shows everything on reload).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
QUEUE_SIZE = 100


class Broadcaster:
    def __init__(self) -> None:
        self._clients: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = set()
        self._lock = threading.Lock()

    def subscribe(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]:
        client = (asyncio.get_running_loop(), asyncio.Queue[str](QUEUE_SIZE))
        with self._lock:
            self._clients.add(client)
        return client

    def unsubscribe(self, client: tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]) -> None:
        with self._lock:
            self._clients.discard(client)

    @property
    def clients(self) -> int:
        return len(self._clients)

    def publish(self, kind: str, **data: Any) -> None:
        """Send one SSE event (`event: kind`, JSON data) to every connected client."""
        frame = f"event: {kind}\ndata: {json.dumps(data, default=str)}\n\n"
        with self._lock:
            clients = list(self._clients)
        for loop, queue in clients:
            try:
                loop.call_soon_threadsafe(_offer, queue, frame)
            except RuntimeError:  # loop closed: the client is gone
                self.unsubscribe((loop, queue))


def _offer(queue: asyncio.Queue[str], frame: str) -> None:
    try:
        queue.put_nowait(frame)
    except asyncio.QueueFull:
        log.warning("inbox event dropped for a slow client")
