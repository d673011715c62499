"""French text normalisation for retrieval.

Shoppers type without accents, in SMS style, with typos and elongations. The lexical leg
works on a fully folded form (lowercase, no accents, abbreviations expanded); the encoder
gets a lighter form (accents kept, abbreviations expanded) because multilingual encoders were
trained on accented French. Both are cheap, pure functions.
"""

from __future__ import annotations

import re
import unicodedata

# Folded abbreviation -> accented expansion. Only unambiguous, frequent shop/SMS shorthands:
# "cb" is left alone (carte bancaire or combien), so is "c" inside words.
ABBREVIATIONS: dict[str, str] = {
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "cc": "coucou",
    "svp": "s'il vous plaît",
    "stp": "s'il te plaît",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "pcq": "parce que",
    "qd": "quand",
    "kan": "quand",
    "cmt": "comment",
    "cmnt": "comment",
    "cmb": "combien",
    "cbien": "combien",
    "koi": "quoi",
    "ke": "que",
    "tjrs": "toujours",
    "tjs": "toujours",
    "jsp": "je ne sais pas",
    "mdp": "mot de passe",
    "fdp": "frais de port",
    "cmd": "commande",
    "cde": "commande",
    "rdv": "rendez-vous",
    "dispo": "disponible",
    "pb": "problème",
    "pbm": "problème",
    "pblm": "problème",
    "ds": "dans",
    "avc": "avec",
    "bcp": "beaucoup",
    "mtn": "maintenant",
    "mnt": "maintenant",
    "auj": "aujourd'hui",
    "ajd": "aujourd'hui",
    "tel": "téléphone",
    "num": "numéro",
    "msg": "message",
    "qqch": "quelque chose",
    "qqn": "quelqu'un",
    "tt": "tout",
    "pr": "pour",
    "vs": "vous",
    "ns": "nous",
    "jai": "j'ai",
    "ya": "il y a",
    "sav": "service après-vente",
    "rembourst": "remboursement",
    "livr": "livraison",
    "dmd": "demande",
    "infos": "informations",
    "info": "information",
    "appli": "application",
    "mail": "e-mail",
    "mails": "e-mails",
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_REPEATS = re.compile(r"(\w)\1{2,}", re.UNICODE)
_SYMBOLS = (("€", " euros "), ("n°", " numéro "), ("&", " et "), ("%", " pour cent "))
_TIMES = re.compile(r"\b(\d+)\s*x\b")  # "3x" -> "3 fois"


def fold(text: str) -> str:
    """Lowercase and strip accents (é -> e, œ -> oe) so that 'retourné' == 'retourne'."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def truncate(text: str, max_chars: int) -> str:
    """Cut a runaway message at a word boundary; the start of a message carries the request."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return cut[:space] if space > max_chars // 2 else cut


def has_content(text: str) -> bool:
    """False for empty, punctuation-only or emoji-only messages: nothing to look up."""
    return bool(_WORD.search(text or ""))


def _expand(tokens: list[str], folded_tokens: list[str]) -> list[str]:
    out = []
    for token, key in zip(tokens, folded_tokens, strict=True):
        out.append(ABBREVIATIONS.get(key, token))
    return out


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for symbol, word in _SYMBOLS:
        text = text.replace(symbol, word)
    text = _TIMES.sub(r"\1 fois", text)
    return _REPEATS.sub(r"\1", text)


def normalise(text: str, max_chars: int = 1_000) -> str:
    """Fully folded form for the lexical leg.

    'Cmt j'obtiens ma FACTURE ?' -> 'comment j obtiens ma facture'
    """
    text = _prepare(truncate(text or "", max_chars))
    tokens = _WORD.findall(fold(text))
    expanded = _expand(tokens, tokens)
    return " ".join(_WORD.findall(fold(" ".join(expanded))))


def clean_for_encoder(text: str, max_chars: int = 1_000) -> str:
    """Light form for the encoder: accents and apostrophes kept, abbreviations expanded."""
    text = _prepare(truncate(text or "", max_chars))
    parts = re.split(r"(\W+)", text)
    out = []
    for part in parts:
        if part and _WORD.fullmatch(part):
            out.append(ABBREVIATIONS.get(fold(part), part))
        else:
            out.append(part)
    return " ".join("".join(out).split())
