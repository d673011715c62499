"""The e-mail of an agent's reply: French, plain text and simple HTML, with the link back to
the conversation."""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from bot.settings import Settings

from ..db import MailOutbox

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def subject(settings: Settings) -> str:
    return f"Réponse du service client — {settings.shop_name}"


def french_date(when: datetime, timezone: str) -> str:
    """ "8 décembre 2026", in the shop's time zone."""
    local = when.astimezone(ZoneInfo(timezone))
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year}"


def first_name(display_name: str) -> str:
    """What the shopper is told of the agent (as in the chat): the first name only."""
    words = (display_name or "").split()
    return words[0][:40] if words and "@" not in words[0] else "Un conseiller"


def compose(row: MailOutbox, settings: Settings, link: str, now: datetime) -> EmailMessage:
    agent = first_name(row.agent_name)
    shop = settings.shop_name
    until = french_date(row.link_expires_at, settings.support_timezone)
    text = row.text.strip()
    plain = (
        "Bonjour,\n\n"
        f"{agent}, du service client de {shop}, a répondu à votre demande :\n\n"
        + "\n".join(f"  {line}" for line in text.splitlines())
        + "\n\n"
        f"Pour lui répondre ou relire la conversation, ouvrez ce lien (valable jusqu'au "
        f"{until}) :\n{link}\n\n"
        "Merci de ne pas répondre à cet e-mail : écrivez-nous dans la conversation.\n\n"
        f"Le service client de {shop}\n\n"
        "--\n"
        "Vous recevez ce message parce que vous avez demandé, dans le chat de la boutique, à "
        "recevoir notre réponse par e-mail. Votre adresse ne sert qu'à cela.\n"
    )
    paragraphs = "".join(
        f'<p style="margin:0 0 8px">{html.escape(p).replace(chr(10), "<br>")}</p>'
        for p in text.split("\n\n")
    )
    page = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject(settings))}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.5">'
        "<p>Bonjour,</p>"
        f"<p>{html.escape(agent)}, du service client de {html.escape(shop)}, a répondu à votre "
        "demande :</p>"
        '<blockquote style="margin:0 0 16px;padding:8px 14px;border-left:4px solid #3d5a45;'
        f'background:#f5f5f2">{paragraphs}</blockquote>'
        f'<p><a href="{html.escape(link, quote=True)}" style="background:#3d5a45;color:#fff;'
        'padding:10px 16px;border-radius:6px;text-decoration:none;display:inline-block">'
        "Reprendre la conversation</a></p>"
        f'<p style="font-size:14px;color:#555">Ce lien est valable jusqu\'au '
        f"{html.escape(until)}. Merci de ne pas répondre à cet e-mail : écrivez-nous dans la "
        "conversation.</p>"
        f"<p>Le service client de {html.escape(shop)}</p>"
        '<p style="font-size:12px;color:#777">Vous recevez ce message parce que vous avez '
        "demandé, dans le chat de la boutique, à recevoir notre réponse par e-mail. Votre "
        "adresse ne sert qu'à cela.</p></body></html>"
    )
    mail = EmailMessage()
    mail["Subject"] = subject(settings)
    mail["From"] = settings.mail_from
    mail["To"] = row.email
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(
        domain=settings.mail_from.rpartition("@")[2].strip("> ") or None
    )
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(plain)
    mail.add_alternative(page, subtype="html")
    return mail
