"""Local stand-ins for Telegram's Bot API and Meta's Graph API: small HTTP servers on 127.0.0.1
that answer like the real ones for the calls Comptoir makes, and record every call."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str  # Bot API method, or "METHOD /path" for the Graph API
    params: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)
    raw: str = ""


def _decode(value: str) -> Any:
    """Bot API clients send nested values (reply_markup, allowed_updates) and booleans as JSON
    in form fields."""
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


class StandIn:
    """Runs a ThreadingHTTPServer in a thread; subclasses implement `answer`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, answer = stand_in.handle(
                    self.command, parts.path, query, body, self.headers.get("Content-Type") or ""
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def handle(
        self, verb: str, path: str, query: dict[str, str], body: str, content_type: str
    ) -> tuple[int, Any]:
        raise NotImplementedError


class BotApi(StandIn):
    """Telegram Bot API at `<url>/bot<token>/<method>` (python-telegram-bot's `base_url` is
    `<url>/bot`). Answers getMe, sendMessage, sendPhoto, sendChatAction, answerCallbackQuery,
    setWebhook, getWebhookInfo and deleteWebhook."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.webhook: dict[str, Any] = {}
        self._message_ids = itertools.count(1000)

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def handle(
        self, verb: str, path: str, query: dict[str, str], body: str, content_type: str
    ) -> tuple[int, Any]:
        token, _, method = path.removeprefix("/bot").partition("/")
        if content_type.startswith("application/json"):
            params = json.loads(body or "{}")
        else:
            params = {k: _decode(v[-1]) for k, v in parse_qs(body).items()}
        params.update({k: _decode(v) for k, v in query.items()})
        if not path.startswith("/bot") or not hmac.compare_digest(token, self.token):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        self.record(Call(method, params, query, body))
        result = self.result(method, params)
        if result is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": result}

    def result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": int(self.token.split(":")[0]),
                "is_bot": True,
                "first_name": "Comptoir",
                "username": "comptoir_test_bot",
            }
        if method in ("sendMessage", "sendPhoto"):
            chat_id = int(params["chat_id"])
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Client"},
            }
            if method == "sendMessage":
                message["text"] = params["text"]
            else:
                message["photo"] = [
                    {"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}
                ]
            if isinstance(params.get("reply_markup"), dict):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method in ("sendChatAction", "answerCallbackQuery"):
            return True
        if method == "setWebhook":
            self.webhook = dict(params)
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method == "getWebhookInfo":
            return {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        return None

    def to_chat(self, chat_id: int, method: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if str(c.params.get("chat_id")) == str(chat_id)
            and (method is None or c.method == method)
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [c.params["text"] for c in self.to_chat(chat_id, "sendMessage")]


class GraphApi(StandIn):
    """Meta's Graph API Send endpoint: POST `<url>/v<version>/me/messages?access_token=...`."""

    def __init__(self, page_token: str, app_secret: str) -> None:
        super().__init__()
        self.page_token = page_token
        self.proof = hmac.new(app_secret.encode(), page_token.encode(), hashlib.sha256).hexdigest()
        self._message_ids = itertools.count(1)

    def handle(
        self, verb: str, path: str, query: dict[str, str], body: str, content_type: str
    ) -> tuple[int, Any]:
        if (
            query.get("access_token") != self.page_token
            or query.get("appsecret_proof") != self.proof
        ):
            return 400, {
                "error": {
                    "message": "Invalid OAuth access token.",
                    "type": "OAuthException",
                    "code": 190,
                }
            }
        params = json.loads(body) if body else {}
        self.record(Call(f"{verb} {path}", params, query, body))
        parts = path.strip("/").split("/")
        if (
            verb != "POST"
            or len(parts) != 3
            or not parts[0].startswith("v")
            or parts[1:] != ["me", "messages"]
        ):
            return 404, {"error": {"message": "Unknown path components", "code": 2500}}
        recipient = params.get("recipient", {}).get("id")
        return 200, {"recipient_id": recipient, "message_id": f"m_{next(self._message_ids)}"}

    def to_user(self, psid: str) -> list[Call]:
        return [c for c in self.calls if c.params.get("recipient", {}).get("id") == psid]

    def messages(self, psid: str) -> list[dict[str, Any]]:
        return [c.params["message"] for c in self.to_user(psid) if "message" in c.params]

    def actions(self, psid: str) -> list[str]:
        return [
            c.params["sender_action"] for c in self.to_user(psid) if "sender_action" in c.params
        ]
