"""One settings object for every Comptoir process, read from the environment (prefix COMPTOIR_).

Defaults run everything on one machine; a deployment overrides them with environment variables
or a `.env` file. Validated at start-up so that a typo fails loudly, not at the first shopper.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", env_file=".env", extra="ignore")

    # Shop API, as the actions see it.
    shop_api_url: HttpUrl = HttpUrl("http://127.0.0.1:8100")
    shop_api_key: str = "demo-shop-key"
    shop_connect_timeout: float = Field(0.5, gt=0)
    shop_read_timeout: float = Field(1.0, gt=0)
    shop_retries: int = Field(2, ge=0, le=5)
    # Whole budget for one shop call, retries included: the shopper must hear back within 2 s.
    shop_deadline: float = Field(1.5, gt=0)

    # Demo shop server.
    shop_db_url: str = f"sqlite:///{ROOT / 'var' / 'shop.db'}"
    shop_seed: int = 2024

    # Load the knowledge base's model when the action server starts, not at the first question.
    kb_warm_up: bool = False

    # Where shoppers' "was this helpful?" answers are appended (JSON lines).
    faq_feedback_file: Path = ROOT / "var" / "faq_feedback.jsonl"

    # How a shopper reaches the team when no agent can take over.
    support_email: str = "service-client@boutique-demo.fr"
    support_phone: str = "01 23 45 67 89"
    support_hours: str = "du lundi au vendredi, de 9 h à 18 h"

    # Rasa's HTTP API, as the back office sees it (agent replies, hand-back, transcripts).
    rasa_url: HttpUrl = HttpUrl("http://127.0.0.1:5005")
    rasa_token: str = Field("", description="empty: read var/rasa_token")

    # Back office: agents' inbox and the FAQ editor.
    backoffice_url: HttpUrl = HttpUrl("http://127.0.0.1:8000")
    # Address agents open in their browser, used in alert links (behind a proxy: the public one).
    backoffice_public_url: HttpUrl = HttpUrl("http://127.0.0.1:8000")
    backoffice_db_url: str = f"sqlite:///{ROOT / 'var' / 'backoffice.db'}"
    # Shared secret between the action server and the back office; empty: var/service_token.
    service_token: str = ""
    # Signs session cookies; empty: var/session_secret.
    session_secret: str = ""
    # Opening hours of the human team, in the shop's time zone (weekdays 0 = Monday).
    support_timezone: str = "Europe/Paris"
    support_weekdays: list[int] = [0, 1, 2, 3, 4]
    support_opens: int = Field(9, ge=0, le=23)
    support_closes: int = Field(18, ge=1, le=24)
    # An agent counts as online while their inbox page is open or was seen this recently.
    agent_online_seconds: int = Field(120, gt=0)
    # Telegram alert of new hand-offs to the agents' group (both empty: no alert).
    alert_telegram_token: str = ""
    alert_telegram_chat_id: str = ""
    # Only for tests: a local stand-in of the Bot API.
    alert_telegram_base_url: str = "https://api.telegram.org/bot"

    def secret(self, name: str) -> str:
        """A secret from its setting, else from var/<name> (created on first use, mode 600)."""
        value = getattr(self, name)
        if value:
            return str(value)
        path = ROOT / "var" / name
        if not path.exists():
            import secrets

            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32) + "\n")
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
