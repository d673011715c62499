"""One settings object for every Comptoir process, read from the environment (prefix COMPTOIR_).

Defaults run everything on one machine; a deployment overrides them with environment variables
or a `.env` file. Validated at start-up so that a typo fails loudly, not at the first shopper.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, HttpUrl, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.ports import DEFAULT_PORTS
from bot.core.shared_secrets import secret_file
from bot.kb.config import KBSettings

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", env_file=".env", extra="ignore")

    # Every process's log level (bot/core/logs.py): debug, info, warning, error.
    log_level: str = Field("info", pattern="(?i)^(debug|info|warning|error|critical)$")

    # Where each process listens (bot/core/ports.py); the addresses below follow them unless set.
    shop_port: int = Field(DEFAULT_PORTS["shop"], gt=0, lt=65536)
    actions_port: int = Field(DEFAULT_PORTS["actions"], gt=0, lt=65536)
    rasa_port: int = Field(DEFAULT_PORTS["rasa"], gt=0, lt=65536)
    backoffice_port: int = Field(DEFAULT_PORTS["backoffice"], gt=0, lt=65536)
    web_port: int = Field(DEFAULT_PORTS["web"], gt=0, lt=65536)
    # The action server's interface: loopback, since only the Rasa server may call it.
    actions_host: str = "127.0.0.1"

    # Shop API, as the actions see it (default: the demo shop on shop_port).
    shop_api_url: HttpUrl = HttpUrl(f"http://127.0.0.1:{DEFAULT_PORTS['shop']}")
    # Empty: var/shop_api_key, generated at first run (never a default key: README "Security").
    shop_api_key: str = ""
    shop_connect_timeout: float = Field(0.5, gt=0)
    shop_read_timeout: float = Field(1.0, gt=0)
    shop_retries: int = Field(2, ge=0, le=5)
    # Whole budget for one shop call, retries included: the shopper must hear back within 2 s.
    shop_deadline: float = Field(1.5, gt=0)

    # Which shop platform the actions talk to (README "Connecter votre boutique"): the demo
    # shop above, or an adapter (bot/clients/shop/<platform>.py) configured below. Timeouts,
    # retries and the deadline above apply to every platform.
    shop: Literal["demo", "woocommerce", "prestashop", "shopify"] = "demo"
    # WooCommerce REST API v3: the site's address and a read/write key pair (WooCommerce >
    # Réglages > Avancé > API REST); the secret of the "Commande mise à jour" webhook.
    woocommerce_url: str = ""
    woocommerce_key: str = ""
    woocommerce_secret: str = ""
    woocommerce_webhook_secret: str = ""
    # PrestaShop Webservice: the shop's address and a webservice key (Paramètres avancés >
    # Webservice); PrestaShop has no webhooks: followed orders are polled this often.
    prestashop_url: str = ""
    prestashop_key: str = ""
    prestashop_poll_minutes: float = Field(15.0, gt=0)
    # The order state(s) that mean "late", by name or id (create one in Commandes > Statuts).
    prestashop_delay_states: list[str] = ["Retard de livraison"]
    # Shopify Admin GraphQL API: the shop's address (https://<shop>.myshopify.com), an Admin
    # API access token of a custom app, the API version; the app's secret signs webhooks.
    shopify_url: str = ""
    shopify_token: str = ""
    shopify_api_version: str = Field("2025-07", pattern=r"^\d{4}-\d{2}$")
    shopify_webhook_secret: str = ""
    # What a platform does not say through its API: the withdrawal period and refund delay the
    # shop promises (legal minimum 14 days, Code de la consommation L221-18 and L221-24).
    shop_withdrawal_days: int = Field(14, ge=14)
    shop_refund_delay_days: int = Field(14, ge=1, le=14)

    # Delay notices (bot/backoffice/notices): the demo shop signs its "order late" events
    # with this secret (empty: var/shop_webhook_secret).
    shop_webhook_secret: str = ""
    # A widget (socketio/rest) conversation still counts as open this long after the shopper's
    # last message (Rasa's session expiry, domain.yml); Messenger's 24 h window is Meta's rule.
    notice_widget_open_minutes: int = Field(60, ge=1)
    # The queue's worker looks for notices to send this often (0: this process neither sends
    # notices nor polls the shop; another back-office process does).
    notice_worker_seconds: float = Field(10.0, ge=0)
    # A followed order is forgotten this long after the shopper last asked about it; finished
    # notices are deleted after as long.
    notice_watch_days: int = Field(30, ge=1)
    # A notice Rasa did not take is retried after 1, 2, 4… times this, then given up.
    notice_retry_seconds: float = Field(60.0, gt=0)
    notice_max_attempts: int = Field(5, ge=1)

    # Dashboard (bot/backoffice/analytics): the copy of the tracker store is brought up to date
    # this often in the background (0: not in this process), and before a page is shown when
    # it is older than `dashboard_stale_seconds`.
    dashboard_refresh_seconds: float = Field(60.0, ge=0)
    dashboard_stale_seconds: float = Field(10.0, ge=0)

    # Demo shop server.
    shop_db_url: str = f"sqlite:///{ROOT / 'var' / 'shop.db'}"
    shop_seed: int = 2024
    # Signs return-label links (empty: var/shop_label_secret); a link works this many days.
    shop_label_secret: str = ""
    shop_label_link_days: int = Field(30, ge=1, le=365)

    # Proof of ownership: wrong proofs allowed per conversation and per shopper IP address in
    # a window (then that client waits; the order is never locked), counted in this database;
    # a verified order is forgotten after this long without a message.
    proof_throttle_db_url: str = f"sqlite:///{ROOT / 'var' / 'proof_throttle.db'}"
    proof_throttle_minutes: int = Field(15, ge=1)
    proof_failures_per_conversation: int = Field(5, ge=1)
    proof_failures_per_ip: int = Field(10, ge=1)
    verified_order_idle_minutes: int = Field(30, ge=1)

    # The knowledge base's own settings (COMPTOIR_KB_*, bot/kb/config.py), owned by this object
    # so that a process builds its knowledge base from the one settings object it has.
    kb: KBSettings = Field(default_factory=KBSettings)

    # Load the knowledge base's model when the action server starts, not at the first question.
    kb_warm_up: bool = False

    # The shop's catalogue (issue 18, bot/catalogue/live.py): its feed is polled for changes
    # at most this often, just before a product search; products are embedded with this
    # encoder ("" or "none": spelling only; the first embedding of a catalogue runs in the
    # background, with spelling-only search meanwhile) and their vectors kept in this folder.
    catalogue_refresh_seconds: float = Field(30.0, ge=0)
    catalogue_encoder: str = "e5"
    catalogue_cache_dir: Path = ROOT / "var" / "catalogue"

    # Where shoppers' "was this helpful?" answers are appended (JSON lines).
    faq_feedback_file: Path = ROOT / "var" / "faq_feedback.jsonl"

    # Shoppers' data (bot/privacy): Rasa's tracker store as the tools see it — the SQLite file
    # endpoints.yml uses, or any SQLAlchemy URL (e.g. postgresql+psycopg://…), which wins.
    tracker_db: Path = ROOT / "var" / "tracker.db"
    tracker_db_url: str = ""
    # Erased conversations (keyed hashes) the widget's channel asks about (bot/core/forgotten.py).
    forgotten_db: Path = ROOT / "var" / "forgotten.db"
    # How long each kind of data is kept after its last activity (README "Données personnelles",
    # CNIL guidance), and how often the back office runs the purge (0: never on its own).
    retention_conversations_days: int = Field(182, ge=1)
    retention_cases_days: int = Field(365, ge=1)
    retention_feedback_days: int = Field(182, ge=1)
    retention_audit_days: int = Field(365, ge=1)
    purge_every_hours: float = Field(24.0, ge=0)

    # How a shopper reaches the team when no agent can take over.
    support_email: str = "service-client@boutique-demo.fr"
    support_phone: str = "01 23 45 67 89"
    support_hours: str = "du lundi au vendredi, de 9 h à 18 h"

    # Rasa's HTTP API, as the back office sees it (agent replies, hand-back, transcripts).
    rasa_url: HttpUrl = HttpUrl(f"http://127.0.0.1:{DEFAULT_PORTS['rasa']}")
    # Rasa's socket.io address that the demo page gives the widget (empty: rasa_url).
    widget_socket_url: str = ""
    # The shop's privacy notice, linked from the widget's first message (an http(s) URL, or a
    # path on the page's site; default: the demo page's own, served by `python -m bot.web`).
    privacy_url: str = Field("/confidentialite", pattern=r"^(https?://\S+|/\S*)$")
    rasa_token: str = Field("", description="empty: read var/rasa_token")

    # Back office: agents' inbox and the FAQ editor.
    backoffice_url: HttpUrl = HttpUrl(f"http://127.0.0.1:{DEFAULT_PORTS['backoffice']}")
    # Address agents open in their browser, used in alert links (behind a proxy: the public one).
    backoffice_public_url: HttpUrl = HttpUrl(f"http://127.0.0.1:{DEFAULT_PORTS['backoffice']}")
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
    # Login throttling: failed logins allowed per account (e-mail) and per client address within
    # the window; past them the login is refused before any password hashing.
    backoffice_login_failures_per_account: int = Field(5, ge=1)
    backoffice_login_failures_per_ip: int = Field(20, ge=1)
    backoffice_login_window_minutes: int = Field(15, ge=1)
    # Password hashes (argon2, 64 MiB each) computed at once per back-office process, and how
    # long a login waits for a free slot before being asked to retry.
    backoffice_hash_slots: int = Field(2, ge=1)
    backoffice_hash_wait_seconds: float = Field(2.0, ge=0)

    # Photos a shopper attaches in the widget (a damaged-item claim, a hand-off; README "Une
    # photo avec une réclamation"): kept in this folder, outside every web root, only shown to
    # agents; at most this size and this many per conversation. The upload is accepted from
    # the pages that carry the widget (empty: the demo page, http://127.0.0.1:<web_port>); the
    # link sent to the shop with a claim works this many days.
    attachments_dir: Path = ROOT / "var" / "attachments"
    attachment_max_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    attachments_per_conversation: int = Field(5, ge=1)
    widget_origins: list[str] = []
    attachment_link_days: int = Field(30, ge=1, le=365)

    # After-hours replies by e-mail (bot/backoffice/mail, README "Quand l'équipe est absente"):
    # the SMTP server (empty host: the feature is off, the bot never offers e-mail), the sender
    # and the shop's name the mail shows, the page whose widget reopens the conversation from
    # the link in the mail (empty: the demo page on web_port) and how many days the link works.
    smtp_host: str = ""
    smtp_port: int = Field(587, gt=0, lt=65536)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_timeout: float = Field(10.0, gt=0)
    mail_from: str = "Service client <service-client@boutique-demo.fr>"
    shop_name: str = Field("La Maison du Thé", min_length=1, max_length=80)
    widget_page_url: str = Field("", pattern=r"^(https?://\S+)?$")
    mail_link_days: int = Field(7, ge=1, le=90)
    mail_link_secret: str = Field("", description="empty: read var/mail_link_secret")
    # The outbox's worker looks for mail to send this often (0: not in this process); replies
    # an agent sends within mail_group_seconds go in one mail; a failed send is retried after
    # 1, 2, 4… times mail_retry_seconds, then given up after mail_max_attempts tries.
    mail_worker_seconds: float = Field(5.0, ge=0)
    mail_group_seconds: float = Field(60.0, ge=0)
    mail_retry_seconds: float = Field(60.0, gt=0)
    mail_max_attempts: int = Field(6, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _addresses_follow_ports(cls, data: Any) -> Any:
        """An address left unset points at its process's port on this machine."""
        if isinstance(data, dict):
            for field, name in (
                ("shop_api_url", "shop"),
                ("rasa_url", "rasa"),
                ("backoffice_url", "backoffice"),
                ("backoffice_public_url", "backoffice"),
            ):
                if not data.get(field):
                    port = data.get(f"{name}_port") or DEFAULT_PORTS[name]
                    data[field] = f"http://127.0.0.1:{port}"
        return data

    @model_validator(mode="after")
    def _platform_is_configured(self) -> Settings:
        """A platform chosen without its address or credentials fails at start-up."""
        needed = {
            "demo": (),
            "woocommerce": ("woocommerce_url", "woocommerce_key", "woocommerce_secret"),
            "prestashop": ("prestashop_url", "prestashop_key"),
            "shopify": ("shopify_url", "shopify_token"),
        }[self.shop]
        missing = [f"COMPTOIR_{name.upper()}" for name in needed if not getattr(self, name)]
        if missing:
            raise ValueError(f"COMPTOIR_SHOP={self.shop} needs {', '.join(missing)}")
        return self

    def webhook_secret(self) -> str:
        """The secret that signs the chosen shop's webhooks (delay notices)."""
        if self.shop == "woocommerce":
            return self.woocommerce_webhook_secret
        if self.shop == "shopify":
            return self.shopify_webhook_secret
        if self.shop == "demo":
            return self.secret("shop_webhook_secret")
        return ""  # PrestaShop has no webhooks: its orders are polled

    @property
    def tracker_url(self) -> str:
        return self.tracker_db_url or f"sqlite:///{self.tracker_db}"

    @property
    def socket_url(self) -> str:
        return self.widget_socket_url or str(self.rasa_url).rstrip("/")

    def secret(self, name: str) -> str:
        """A secret from its setting, else from var/<name> (bot/core/shared_secrets.py)."""
        value = getattr(self, name)
        return str(value) if value else secret_file(name)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def addresses(settings: Settings) -> list[str]:
    """Where a person opens each part of the product, as `make run` prints it."""
    web = f"http://127.0.0.1:{settings.web_port}/"
    return [
        f"==> Chat in a browser: {web} (demo shop page with the widget)",
        f"==> Back office (agents, FAQ editors): {settings.backoffice_public_url} "
        "(first account: make user EMAIL=vous@boutique.fr ROLE=admin)",
        f"==> Rasa's API: {settings.rasa_url}  demo shop API: {settings.shop_api_url}",
    ]


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["addresses"]:
        sys.exit("usage: python -m bot.settings addresses")
    print("\n".join(addresses(get_settings())))
