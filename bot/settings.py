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

    # Where shoppers' "was this helpful?" answers are appended (JSON lines).
    faq_feedback_file: Path = ROOT / "var" / "faq_feedback.jsonl"

    # How a shopper reaches the team when no agent can take over.
    support_email: str = "service-client@boutique-demo.fr"
    support_phone: str = "01 23 45 67 89"
    support_hours: str = "du lundi au vendredi, de 9 h à 18 h"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
