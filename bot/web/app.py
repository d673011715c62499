"""A tiny FastAPI app: a fake French shop page with the chat widget, and the widget's files.

    GET /                         demo shop page with the one-line widget snippet
    GET /confidentialite          the demo shop's privacy notice, linked from the widget
    GET /widget/comptoir.js       the widget (vanilla JS, no build step)
    GET /widget/comptoir.css      its styles
    GET /widget/socket.io.min.js  socket.io-client 4.x, vendored (see static/socket.io.LICENSE)
    GET /health                   for process supervisors and tests
    POST /widget/reprise          the conversation a reply e-mail's link reopens (asked of the
                                  back office's service API: bot/backoffice/routes/mail.py)

The Rasa socket.io URL given to the widget comes from COMPTOIR_WIDGET_SOCKET_URL (default
http://127.0.0.1:$COMPTOIR_RASA_PORT, i.e. :5005); the privacy notice the widget links to from
COMPTOIR_PRIVACY_URL (default: /confidentialite, this app's demo page). The widget wears the demo
shop's colour and name (data-color, data-title: see comptoir.js).
Run: `python -m bot.web serve --port 8200`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Body, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from bot.demo_shop.rules import SHIPPING_METHODS
from bot.settings import Settings

STATIC = Path(__file__).parent / "static"
WIDGET_FILES = {
    "comptoir.js": "text/javascript; charset=utf-8",
    "comptoir.css": "text/css; charset=utf-8",
    "socket.io.min.js": "text/javascript; charset=utf-8",
}


def _content_security_policy(socket_url: str, upload_url: str = "") -> str:
    """The page runs no inline script: the widget works under a strict policy. It may connect
    to Rasa's socket.io and post photos to the back office (`upload_url`)."""
    parts = urlsplit(socket_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    origin = f"{parts.scheme}://{parts.netloc}"
    upload = urlsplit(upload_url)
    upload_origin = f" {upload.scheme}://{upload.netloc}" if upload.netloc else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"connect-src 'self' {origin} {ws_scheme}://{parts.netloc}{upload_origin}; "
        "img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


# The demo shop's brand, given to the widget (data-color must be a CSS hex colour).
BRAND_COLOR = "#3d5a45"
WIDGET_TITLE = "La Maison du Thé"
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def widget_color(value: str) -> str:
    """A CSS hex colour ("#3d5a45", "#fff"), or ValueError: the widget would ignore it."""
    if not HEX_COLOR.fullmatch(value):
        raise ValueError(f"not a CSS hex colour: {value!r} (expected e.g. #3d5a45)")
    return value


PRODUCTS = [
    ("Théière en fonte « Kyoto »", "49,90 €", "#c7d8c2"),
    ("Coffret thés verts bio", "24,50 €", "#e9dcc3"),
    ("Tasse en grès émaillé", "14,00 €", "#cfdbe6"),
    ("Bouilloire à température réglable", "79,00 €", "#e6cfd6"),
]


def free_delivery() -> str:
    """The lowest free-delivery threshold of the shop's own rules ("60 €"): the page, the
    bot's answers and the FAQ say the same."""
    threshold = min(m.free_above for m in SHIPPING_METHODS if m.free_above is not None)
    return f"{threshold:g} €".replace(".", ",")


def shop_page(
    socket_url: str,
    privacy_url: str = "/confidentialite",
    color: str = BRAND_COLOR,
    title: str = WIDGET_TITLE,
    upload_url: str = "",
) -> str:
    color = widget_color(color)
    cards = "\n".join(
        f'<article class="card"><div class="photo" style="background:{color}"></div>'
        f'<h3>{html.escape(name)}</h3><p class="price">{price}</p>'
        f'<button type="button">Ajouter au panier</button></article>'
        for name, price, color in PRODUCTS
    )
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>La Maison du Thé — boutique de démonstration</title>
<style>
  body {{ margin: 0; font: 16px/1.5 Georgia, serif; color: #2b2b2b; background: #faf7f2; }}
  header {{ background: #3d5a45; color: #fff; padding: 18px 24px; display: flex;
           justify-content: space-between; align-items: center; flex-wrap: wrap; gap: 8px; }}
  header h1 {{ margin: 0; font-size: 24px; }}
  nav a {{ color: #fff; margin-left: 16px; }}
  main {{ max-width: 960px; margin: 0 auto; padding: 24px; }}
  .grid {{ display: grid; gap: 18px;
           grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); }}
  .card {{ background: #fff; border-radius: 10px; padding: 14px;
           box-shadow: 0 1px 4px rgba(0,0,0,.1); }}
  .photo {{ height: 130px; border-radius: 8px; }}
  .card h3 {{ font-size: 17px; margin: 10px 0 4px; }}
  .price {{ font-weight: bold; margin: 0 0 8px; }}
  .card button {{ background: #3d5a45; color: #fff; border: 0; border-radius: 6px;
                  padding: 8px 12px; }}
  footer {{ text-align: center; color: #777; font-size: 14px; padding: 32px 16px 90px; }}
</style>
</head>
<body>
<header>
  <h1>La Maison du Thé</h1>
  <nav aria-label="Menu principal">
    <a href="/">Thés</a><a href="/">Accessoires</a><a href="/">Mon compte</a>
  </nav>
</header>
<main>
  <h2>Nos nouveautés</h2>
  <p>Livraison offerte dès {free_delivery()} d'achat. Une question sur votre commande ?
     L'assistant vous répond en bas à droite.</p>
  <section class="grid" aria-label="Produits">
{cards}
  </section>
</main>
<footer>Boutique de démonstration de Comptoir — aucune commande réelle.
  <a href="{html.escape(privacy_url, quote=True)}">Données personnelles</a></footer>
<script src="/widget/comptoir.js" data-socket-url="{html.escape(socket_url, quote=True)}"
        data-privacy-url="{html.escape(privacy_url, quote=True)}"
        data-color="{color}" data-title="{html.escape(title, quote=True)}"
        data-upload-url="{html.escape(upload_url, quote=True)}" defer></script>
</body>
</html>
"""


def privacy_page(support_email: str) -> str:
    """What Comptoir keeps about a shopper, in general terms: each shop publishes its own notice
    (COMPTOIR_PRIVACY_URL) with its own durations."""
    email = html.escape(support_email)
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Données personnelles — La Maison du Thé</title>
<style>
  body {{ margin: 0; font: 16px/1.6 Georgia, serif; color: #2b2b2b; background: #faf7f2; }}
  header {{ background: #3d5a45; color: #fff; padding: 18px 24px; }}
  header a {{ color: #fff; }}
  main {{ max-width: 720px; margin: 0 auto; padding: 8px 24px 48px; }}
  h2 {{ font-size: 19px; margin-top: 28px; }}
</style>
</head>
<body>
<header><a href="/">La Maison du Thé</a></header>
<main>
  <h1>Vos données et l'assistant de la boutique</h1>

  <h2>Qui vous répond</h2>
  <p>Le chat de la boutique est tenu par un assistant automatique : un programme, pas une
     personne. Quand il ne peut pas vous aider, ou si vous le demandez, un conseiller de la
     boutique prend le relais dans la même conversation.</p>

  <h2>Ce que nous conservons</h2>
  <ul>
    <li><strong>Vos conversations</strong> avec l'assistant et nos conseillers : vos messages et nos
        réponses, y compris le numéro de commande, l'adresse e-mail ou le code postal que vous
        donnez pour vérifier une commande.</li>
    <li><strong>Vos demandes transmises à un conseiller</strong> (dossiers) : leur résumé, les
        échanges et la note que vous donnez à la fin.</li>
    <li><strong>Les photos que vous joignez</strong> (un article abîmé, par exemple) : vues par
        nos conseillers et transmises à la boutique avec votre réclamation.</li>
    <li><strong>Vos avis</strong> sur les réponses de l'assistant (« Cette réponse vous
        a-t-elle aidé ? »).</li>
  </ul>
  <p>Ces données servent uniquement à traiter vos demandes et à améliorer les réponses de
     l'assistant. Sur votre appareil, votre navigateur garde l'historique du chat, à partir du
     moment où vous l'ouvrez, pour que vous le retrouviez d'une page à l'autre.</p>

  <h2>Combien de temps</h2>
  <p>Chaque type de donnée est conservé pendant une durée limitée, fixée par la boutique, puis
     supprimé.</p>

  <h2>Vos droits</h2>
  <p>Vous pouvez obtenir une copie de vos données ou demander leur effacement en écrivant à
     <a href="mailto:{email}">{email}</a>, avec votre adresse e-mail, un numéro de commande ou la
     conversation concernée. Après un effacement, l'historique du chat disparaît aussi de votre
     navigateur à votre prochaine visite. Vous pouvez également adresser une réclamation à la
     CNIL (www.cnil.fr).</p>
</main>
</body>
</html>
"""


RESUME_TOKEN = re.compile(r"^\d{1,12}\.\d{1,12}\.[A-Za-z0-9_-]{22}$")
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def resume_conversation(token: Any, settings: Settings) -> JSONResponse:
    """Exchange a mail link's token for its conversation, through the back office (which checks
    the signature, the expiry and that the conversation still exists)."""
    from bot.clients.backoffice.client import (
        BackOfficeClient,
        BackOfficeUnavailable,
        HandoffNotOpen,
    )

    if not isinstance(token, str) or not RESUME_TOKEN.fullmatch(token):
        return JSONResponse({"detail": "lien invalide"}, status_code=404, headers=NO_STORE)
    try:
        data = BackOfficeClient.from_settings(settings).resume(token)
    except HandoffNotOpen:
        return JSONResponse(
            {"detail": "lien expiré ou invalide"}, status_code=404, headers=NO_STORE
        )
    except BackOfficeUnavailable:
        return JSONResponse({"detail": "indisponible"}, status_code=503, headers=NO_STORE)
    return JSONResponse(data, headers=NO_STORE)


def create_app(socket_url: str | None = None, privacy_url: str | None = None) -> FastAPI:
    settings = Settings()
    socket_url = socket_url or settings.socket_url
    privacy_url = privacy_url or settings.privacy_url
    app = FastAPI(
        title="Comptoir — widget de chat", docs_url=None, redoc_url=None, openapi_url=None
    )
    # Photos go to the back office (bot/backoffice/routes/attachments.py), at its public address.
    upload_url = f"{str(settings.backoffice_public_url).rstrip('/')}/api/attachments"
    page = shop_page(socket_url, privacy_url, upload_url=upload_url)
    notice = privacy_page(settings.support_email)
    policy = _content_security_policy(socket_url, upload_url)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return HTMLResponse(
            page,
            headers={
                "Content-Security-Policy": policy,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    @app.get("/confidentialite", response_class=HTMLResponse)
    def privacy() -> HTMLResponse:
        return HTMLResponse(
            notice,
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
            },
        )

    def serve(name: str, media_type: str) -> None:
        def handler() -> FileResponse:
            return FileResponse(
                STATIC / name,
                media_type=media_type,
                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
            )

        app.add_api_route(f"/widget/{name}", handler, methods=["GET"], include_in_schema=False)

    for name, media_type in WIDGET_FILES.items():
        serve(name, media_type)

    @app.post("/widget/reprise", include_in_schema=False)
    def resume(body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        """The widget, opened from a reply e-mail's link, asks which conversation it reopens."""
        return resume_conversation(body.get("token"), settings)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
